// Fixed-point Mandelbrot: Q36.28 in 64-bit integers, no floating point, so every device gives
// the same iteration counts. Pixel (x, y) is c = (x0 + x·step, y0 + y·step); the output is the
// escape iteration (|z|² > 4) or max_iter, as 16 bits.
#define FRAC 28
kernel void mandelbrot(long x0, long y0, long step, uint width, uint height, uint max_iter,
                       global ushort *out) {
  uint x = get_global_id(0), y = get_global_id(1);
  if (x >= width || y >= height) return;
  long cx = x0 + (long)x * step, cy = y0 + (long)y * step;
  long zx = 0, zy = 0;
  const long four = 4L << FRAC;
  uint i = 0;
  for (; i < max_iter; i++) {
    long zx2 = (zx * zx) >> FRAC, zy2 = (zy * zy) >> FRAC;
    if (zx2 + zy2 > four) break;
    zy = ((zx * zy) >> (FRAC - 1)) + cy;
    zx = zx2 - zy2 + cx;
  }
  out[(ulong)y * width + x] = (ushort)i;
}
