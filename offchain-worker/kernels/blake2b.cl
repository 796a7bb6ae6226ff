// BLAKE2b-256 of one message of at most 128 bytes (a single compression), unkeyed.
// The message is given as 16 little-endian 64-bit words, zero-padded; `len` is its length in
// bytes. The digest is 4 little-endian 64-bit words (bytes 0..32 of BLAKE2b-256).

#define B2B_ROTR(x, n) rotate((ulong)(x), (ulong)(64 - (n)))
#define B2B_G(a, b, c, d, x, y)                                                                  \
  a = a + b + (x); d = B2B_ROTR(d ^ a, 32); c = c + d; b = B2B_ROTR(b ^ c, 24);                  \
  a = a + b + (y); d = B2B_ROTR(d ^ a, 16); c = c + d; b = B2B_ROTR(b ^ c, 63);

#define B2B_IV0 0x6a09e667f3bcc908UL
#define B2B_IV1 0xbb67ae8584caa73bUL
#define B2B_IV2 0x3c6ef372fe94f82bUL
#define B2B_IV3 0xa54ff53a5f1d36f1UL
#define B2B_IV4 0x510e527fade682d1UL
#define B2B_IV5 0x9b05688c2b3e6c1fUL
#define B2B_IV6 0x1f83d9abfb41bd6bUL
#define B2B_IV7 0x5be0cd19137e2179UL

#define B2B_ROUND(m, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)       \
  B2B_G(v0, v4, v8, v12, m[s0], m[s1]);                                                          \
  B2B_G(v1, v5, v9, v13, m[s2], m[s3]);                                                          \
  B2B_G(v2, v6, v10, v14, m[s4], m[s5]);                                                         \
  B2B_G(v3, v7, v11, v15, m[s6], m[s7]);                                                         \
  B2B_G(v0, v5, v10, v15, m[s8], m[s9]);                                                         \
  B2B_G(v1, v6, v11, v12, m[s10], m[s11]);                                                       \
  B2B_G(v2, v7, v8, v13, m[s12], m[s13]);                                                        \
  B2B_G(v3, v4, v9, v14, m[s14], m[s15]);

inline void blake2b_256_block(const ulong m[16], uint len, ulong out[4]) {
  // Parameter block: digest length 32, key length 0, fanout 1, depth 1.
  const ulong h0 = B2B_IV0 ^ 0x01010020UL;
  ulong v0 = h0, v1 = B2B_IV1, v2 = B2B_IV2, v3 = B2B_IV3;
  ulong v4 = B2B_IV4, v5 = B2B_IV5, v6 = B2B_IV6, v7 = B2B_IV7;
  ulong v8 = B2B_IV0, v9 = B2B_IV1, v10 = B2B_IV2, v11 = B2B_IV3;
  ulong v12 = B2B_IV4 ^ (ulong)len, v13 = B2B_IV5, v14 = ~B2B_IV6, v15 = B2B_IV7;
  B2B_ROUND(m, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  B2B_ROUND(m, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3)
  B2B_ROUND(m, 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4)
  B2B_ROUND(m, 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8)
  B2B_ROUND(m, 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13)
  B2B_ROUND(m, 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9)
  B2B_ROUND(m, 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11)
  B2B_ROUND(m, 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10)
  B2B_ROUND(m, 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5)
  B2B_ROUND(m, 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0)
  B2B_ROUND(m, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  B2B_ROUND(m, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3)
  out[0] = h0 ^ v0 ^ v8;
  out[1] = B2B_IV1 ^ v1 ^ v9;
  out[2] = B2B_IV2 ^ v2 ^ v10;
  out[3] = B2B_IV3 ^ v3 ^ v11;
}

// splitmix64 of x: the deterministic input generator shared by every kernel.
inline ulong splitmix64(ulong x) {
  ulong z = x + 0x9e3779b97f4a7c15UL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
  return z ^ (z >> 31);
}
