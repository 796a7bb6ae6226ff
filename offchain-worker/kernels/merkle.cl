// Merkle root of a seeded data set. Leaf i is 32 bytes: splitmix64(seed64 + 4i + j) for
// j = 0..4, little-endian; its node is blake2b_256(leaf). A parent is blake2b_256(left ‖ right);
// an odd last node is carried up unchanged.
kernel void merkle_leaves(ulong seed64, uint n, global ulong *nodes) {
  uint i = get_global_id(0);
  if (i >= n) return;
  ulong base = seed64 + 4UL * (ulong)i;
  ulong m[16] = {splitmix64(base), splitmix64(base + 1), splitmix64(base + 2), splitmix64(base + 3),
                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ulong h[4];
  blake2b_256_block(m, 32, h);
  vstore4((ulong4)(h[0], h[1], h[2], h[3]), i, nodes);
}

kernel void merkle_level(global const ulong *children, uint n_children, global ulong *parents) {
  uint i = get_global_id(0);
  uint n_parents = (n_children + 1) / 2;
  if (i >= n_parents) return;
  if (2 * i + 1 == n_children) {
    vstore4(vload4(2 * i, children), i, parents);
    return;
  }
  ulong4 l = vload4(2 * i, children), r = vload4(2 * i + 1, children);
  ulong m[16] = {l.s0, l.s1, l.s2, l.s3, r.s0, r.s1, r.s2, r.s3, 0, 0, 0, 0, 0, 0, 0, 0};
  ulong h[4];
  blake2b_256_block(m, 64, h);
  vstore4((ulong4)(h[0], h[1], h[2], h[3]), i, parents);
}
