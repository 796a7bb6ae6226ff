// Inclusive prefix sum (wrapping, mod 2^32) of n seeded values v[i] = low 32 bits of
// splitmix64(seed64 + i). Memory-bound. Three passes over blocks of `chunk` values: each work
// item sums its block, the block sums are scanned (small, on one work item), then each work
// item rescans its block from its offset.
kernel void scan_block_sums(ulong seed64, uint n, uint chunk, global uint *values,
                            global uint *sums) {
  uint g = get_global_id(0);
  ulong start = (ulong)g * chunk;
  if (start >= n) return;
  ulong end = min(start + chunk, (ulong)n);
  uint s = 0;
  for (ulong i = start; i < end; i++) {
    uint v = (uint)splitmix64(seed64 + i);
    values[i] = v;
    s += v;
  }
  sums[g] = s;
}

kernel void scan_sums(global uint *sums, uint blocks) {
  if (get_global_id(0) != 0) return;
  uint acc = 0;
  for (uint b = 0; b < blocks; b++) {
    uint s = sums[b];
    sums[b] = acc;  // exclusive offset of block b
    acc += s;
  }
}

kernel void scan_apply(uint n, uint chunk, global uint *values, global const uint *offsets) {
  uint g = get_global_id(0);
  ulong start = (ulong)g * chunk;
  if (start >= n) return;
  ulong end = min(start + chunk, (ulong)n);
  uint acc = offsets[g];
  for (ulong i = start; i < end; i++) {
    acc += values[i];
    values[i] = acc;
  }
}
