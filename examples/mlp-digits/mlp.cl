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
	__global const uchar *x = images + (ulong)i * IN;
	__global const char *w = (__global const char *)weights;
	long m1 = le32(weights + M1);
	uchar h[HIDDEN];
	for (int j = 0; j < HIDDEN; j++) {
		int acc = le32(weights + B1 + 4 * j);
		for (int k = 0; k < IN; k++) {
			acc += (int)x[k] * (int)w[k * HIDDEN + j];
		}
		long r = acc > 0 ? ((long)acc * m1 + (1L << (SHIFT - 1))) >> SHIFT : 0;
		h[j] = (uchar)(r > 127 ? 127 : r);
	}
	uint best = 0;
	int best_acc = 0;
	for (int o = 0; o < OUT; o++) {
		int acc = le32(weights + B2 + 4 * o);
		for (int j = 0; j < HIDDEN; j++) {
			acc += (int)h[j] * (int)w[W2 + j * OUT + o];
		}
		if (o == 0 || acc > best_acc) {
			best = (uint)o;
			best_acc = acc;
		}
	}
	predictions[i] = best;
}
