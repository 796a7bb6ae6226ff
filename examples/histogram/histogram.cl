// Crucible example open program: a histogram of n little-endian u32 values into 256
// equal-width bins over [0, 2^32) (bin = value >> 24). The counts do not depend on the order
// the work-items run in, so the output is bit-exact on every device.
__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
	uint i = get_global_id(0);
	if (i >= n) {
		return;
	}
	atomic_inc(&bins[values[i] >> 24]);
}
