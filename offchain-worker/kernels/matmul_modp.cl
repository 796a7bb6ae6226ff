// C = A × B mod 65521 for n × n matrices of residues, row-major. Each work item computes a
// 1 × 4 strip of C; products of residues fit in 32 bits and n ≤ 2^16 of them in 64 bits, so
// one reduction at the end suffices.
#define P 65521u
kernel void matmul_modp(global const uint *a, global const uint *b, global uint *c, uint n) {
  uint row = get_global_id(1);
  uint col = get_global_id(0) * 4;
  if (row >= n || col >= n) return;
  ulong acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  global const uint *arow = a + (ulong)row * n;
  if (col + 4 <= n) {
    for (uint k = 0; k < n; k++) {
      ulong x = arow[k];
      uint4 y = vload4(0, b + (ulong)k * n + col);
      acc0 += x * y.s0; acc1 += x * y.s1; acc2 += x * y.s2; acc3 += x * y.s3;
    }
    vstore4((uint4)((uint)(acc0 % P), (uint)(acc1 % P), (uint)(acc2 % P), (uint)(acc3 % P)), 0,
            c + (ulong)row * n + col);
  } else {
    for (uint j = col; j < n; j++) {
      ulong acc = 0;
      for (uint k = 0; k < n; k++) acc += (ulong)arow[k] * b[(ulong)k * n + j];
      c[(ulong)row * n + j] = (uint)(acc % P);
    }
  }
}
