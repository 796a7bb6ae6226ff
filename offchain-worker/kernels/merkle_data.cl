// The data variant of merkle.cl's leaves: leaf i is the consumer's bytes 32i .. 32i + 32 (the
// last zero-padded by the host), read as four little-endian words; its node is
// blake2b_256(leaf). merkle_level is merkle.cl's.
kernel void merkle_leaves_in(uint n, global const ulong *data, global ulong *nodes) {
  uint i = get_global_id(0);
  if (i >= n) return;
  ulong4 d = vload4(i, data);
  ulong m[16] = {d.s0, d.s1, d.s2, d.s3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ulong h[4];
  blake2b_256_block(m, 32, h);
  vstore4((ulong4)(h[0], h[1], h[2], h[3]), i, nodes);
}
