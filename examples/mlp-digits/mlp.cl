// Crucible example open program: int8 inference of a small MLP (64 → 32 ReLU → 10) on 8×8
// digit images, one work-item per image. train.py trains the network on scikit-learn's digits,
// quantizes it and packs it as read here; its numpy reference is this computation exactly:
//   acc1 = W1ᵀ·x + b1 (int8 × int8 → int32);  h = clamp((max(acc1, 0)·m1 + 2^23) >> 24, 0, 127)
//   acc2 = W2ᵀ·h + b2;                         prediction = argmax(acc2), the first on ties
// Integer arithmetic only, so the predictions are bit-exact on every device.
#define IN 64
#define HIDDEN 32
#define OUT 10
#define SHIFT 24
#define B1 (IN * HIDDEN)
#define W2 (B1 + 4 * HIDDEN)
#define B2 (W2 + HIDDEN * OUT)
#define M1 (B2 + 4 * OUT)

int le32(__global const uchar *p) {
	return (int)((uint)p[0] | ((uint)p[1] << 8) | ((uint)p[2] << 16) | ((uint)p[3] << 24));
}

__kernel void mlp(__global const uchar *weights, __global const uchar *images,
                  __global uint *predictions, const uint n) {
	uint i = get_global_id(0);
	if (i >= n) {
		return;
	}
	// The image into private memory with four 16-byte loads; the weights are the same for
	// every work-item, so their loads are uniform.
	__global const uchar *x = images + (ulong)i * IN;
	int xs[IN];
	for (int v = 0; v < IN / 16; v++) {
		int16 q = convert_int16(vload16(v, x));
		vstore16(q, v, xs);
	}
	__global const char *w = (__global const char *)weights;
	long m1 = le32(weights + M1);
	// Row by row of W1 (k outer), the 32 accumulators as two int16 vectors: PoCL runs this 3×
	// as fast as the plain loop over j then k (scripts/bench-worker.sh).
	int16 lo = (int16)(0);
	int16 hi = lo;
	for (int k = 0; k < IN; k++) {
		__global const char *row = w + k * HIDDEN;
		lo += xs[k] * convert_int16(vload16(0, row));
		hi += xs[k] * convert_int16(vload16(1, row));
	}
	int acc[HIDDEN];
	vstore16(lo, 0, acc);
	vstore16(hi, 1, acc);
	for (int j = 0; j < HIDDEN; j++) {
		acc[j] += le32(weights + B1 + 4 * j);
	}
	int out[OUT];
	for (int o = 0; o < OUT; o++) {
		out[o] = le32(weights + B2 + 4 * o);
	}
	for (int j = 0; j < HIDDEN; j++) {
		int a = acc[j];
		long r = a > 0 ? ((long)a * m1 + (1L << (SHIFT - 1))) >> SHIFT : 0;
		int h = (int)(r > 127 ? 127 : r);
		__global const char *row = w + W2 + j * OUT;
		for (int o = 0; o < OUT; o++) {
			out[o] += h * (int)row[o];
		}
	}
	uint best = 0;
	for (int o = 1; o < OUT; o++) {
		if (out[o] > out[best]) {
			best = (uint)o;
		}
	}
	predictions[i] = best;
}
