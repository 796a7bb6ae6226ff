// The data variant of prefix_sum.cl's first pass: the values are the consumer's (copied into
// `values` by the host), so each work item only sums its block. scan_sums and scan_apply are
// prefix_sum.cl's.
kernel void scan_block_sums_in(uint n, uint chunk, global const uint *values, global uint *sums) {
  uint g = get_global_id(0);
  ulong start = (ulong)g * chunk;
  if (start >= n) return;
  ulong end = min(start + chunk, (ulong)n);
  uint s = 0;
  for (ulong i = start; i < end; i++) s += values[i];
  sums[g] = s;
}
