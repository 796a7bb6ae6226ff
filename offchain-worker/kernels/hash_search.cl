// Hash search: find the smallest nonce in [base, base + count) with
// blake2b_256(seed ‖ nonce_le64) < target, comparing both as big-endian 256-bit numbers.
// `seed` and `target_be` come as 4 words each: the seed as little-endian words (its bytes in
// order), the target as big-endian words. `found` holds the smallest hit so far (atomic min).
kernel void hash_search(ulong s0, ulong s1, ulong s2, ulong s3, ulong t0, ulong t1, ulong t2,
                        ulong t3, uint base, uint count, volatile global uint *found) {
  uint gid = get_global_id(0);
  if (gid >= count) return;
  uint nonce = base + gid;
  ulong m[16] = {s0, s1, s2, s3, (ulong)nonce, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ulong h[4];
  blake2b_256_block(m, 40, h);
  // Hash bytes are little-endian within words; compare big-endian.
  ulong w0 = as_ulong(as_uchar8(h[0]).s76543210);
  ulong w1 = as_ulong(as_uchar8(h[1]).s76543210);
  ulong w2 = as_ulong(as_uchar8(h[2]).s76543210);
  ulong w3 = as_ulong(as_uchar8(h[3]).s76543210);
  bool less = (w0 < t0) || (w0 == t0 && ((w1 < t1) || (w1 == t1 && ((w2 < t2) || (w2 == t2 && w3 < t3)))));
  if (less) atomic_min(found, nonce);
}
