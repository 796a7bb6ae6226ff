// C = A × B mod 65521 for n × n matrices of residues, row-major. Each work item computes a
// 1 × 64 strip of C the way a CPU core likes it: for each k it scales the contiguous 64-wide
// piece of B's row k by A[row][k] into 64 private 64-bit accumulators (a loop the compiler
// vectorizes), so B is streamed row by row instead of walked down its columns. Products of
// residues fit in 32 bits and n ≤ 2^16 of them in 64 bits, so one reduction at the end
// suffices.
#define P 65521u
#define STRIP 64
kernel void matmul_modp(global const uint *a, global const uint *b, global uint *c, uint n) {
  uint row = get_global_id(1);
  uint col = get_global_id(0) * STRIP;
  if (row >= n || col >= n) return;
  global const uint *arow = a + (ulong)row * n;
  global uint *crow = c + (ulong)row * n + col;
  ulong acc[STRIP];
  for (uint j = 0; j < STRIP; j++) acc[j] = 0;
  if (col + STRIP <= n) {
    for (uint k = 0; k < n; k++) {
      ulong x = arow[k];
      global const uint *brow = b + (ulong)k * n + col;
      for (uint j = 0; j < STRIP; j++) acc[j] += x * brow[j];
    }
    for (uint j = 0; j < STRIP; j++) crow[j] = (uint)(acc[j] % P);
  } else {
    uint w = n - col;
    for (uint k = 0; k < n; k++) {
      ulong x = arow[k];
      global const uint *brow = b + (ulong)k * n + col;
      for (uint j = 0; j < w; j++) acc[j] += x * brow[j];
    }
    for (uint j = 0; j < w; j++) crow[j] = (uint)(acc[j] % P);
  }
}
