//! Fixed-point Mandelbrot render (Q36.28 in `i64`): `dims = [width, height, max_iter]`, a view
//! three units wide around a seed-dependent centre near (−0.75, 0). Output: escape iteration
//! counts, `u16` LE, row-major; small output: the first 64 bytes.

use super::{check_dims, seed64, Inputs, Kernel, Output, PREVIEW_BYTES};
use crate::{device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The Mandelbrot kernel.
pub struct Mandelbrot;

/// Fractional bits of the fixed-point format.
pub const FRAC: u32 = 28;
/// Largest width or height.
pub const MAX_SIDE: u32 = 8192;

const SOURCE: &str = include_str!("../../kernels/mandelbrot.cl");

/// The view of a job: `(x0, y0, step)` in fixed point.
pub fn view(params: &JobParams) -> (i64, i64, i64) {
	let one = 1i64 << FRAC;
	let (w, h) = (params.dims[0] as i64, params.dims[1] as i64);
	let s = seed64(&params.seed);
	let jitter = |bits: u64| ((bits & 0xffff) as i64 - 0x8000) * (one >> 18);
	let step = 3 * one / w;
	let x0 = -(9 * one / 4) + jitter(s);
	let y0 = -(step * h) / 2 + jitter(s >> 16);
	(x0, y0, step)
}

/// Escape iteration of one pixel.
#[inline]
pub fn escape(cx: i64, cy: i64, max_iter: u32) -> u16 {
	let four = 4i64 << FRAC;
	let (mut zx, mut zy) = (0i64, 0i64);
	let mut i = 0;
	while i < max_iter {
		let zx2 = (zx * zx) >> FRAC;
		let zy2 = (zy * zy) >> FRAC;
		if zx2 + zy2 > four {
			break;
		}
		zy = ((zx * zy) >> (FRAC - 1)) + cy;
		zx = zx2 - zy2 + cx;
		i += 1;
	}
	i as u16
}

fn render_row(params: &JobParams, y: usize, row: &mut [u16]) {
	let (x0, y0, step) = view(params);
	let cy = y0 + y as i64 * step;
	for (x, px) in row.iter_mut().enumerate() {
		*px = escape(x0 + x as i64 * step, cy, params.dims[2]);
	}
}

/// Write a render's canonical output (escape counts, `u16` LE) as an 8-bit grayscale PNG:
/// brightness grows with the escape iteration, points that never escape are black.
pub fn write_png(
	params: &JobParams,
	output: &[u8],
	out: impl std::io::Write,
) -> Result<(), WorkerError> {
	Mandelbrot.validate(params)?;
	let (w, h, max_iter) = (params.dims[0], params.dims[1], params.dims[2]);
	if output.len() != 2 * w as usize * h as usize {
		return Err(WorkerError::InvalidParams(format!(
			"{} output bytes do not make a {w}×{h} render",
			output.len()
		)));
	}
	let gray: Vec<u8> = output
		.chunks_exact(2)
		.map(|b| {
			let i = u16::from_le_bytes([b[0], b[1]]) as u32;
			if i >= max_iter {
				0
			} else {
				(32 + 223 * i / max_iter.max(1)) as u8
			}
		})
		.collect();
	let mut encoder = png::Encoder::new(out, w, h);
	encoder.set_color(png::ColorType::Grayscale);
	encoder.set_depth(png::BitDepth::Eight);
	let png_err = |e: png::EncodingError| WorkerError::InvalidParams(format!("png: {e}"));
	let mut writer = encoder.write_header().map_err(png_err)?;
	writer.write_image_data(&gray).map_err(png_err)?;
	writer.finish().map_err(png_err)
}

fn encode(pixels: &[u16]) -> Output {
	Output::with_preview(pixels.iter().flat_map(|v| v.to_le_bytes()).collect(), PREVIEW_BYTES)
}

impl Kernel for Mandelbrot {
	fn name(&self) -> &'static str {
		"mandelbrot-fixed"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"mandelbrot"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [width, height, max_iter]: fixed-point Mandelbrot escape counts"
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_SIDE), (1, MAX_SIDE), (1, u16::MAX as u32)], false)?;
		Ok(params.dims[0] as u64 * params.dims[1] as u64 * params.dims[2] as u64)
	}
	fn reference(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let w = params.dims[0] as usize;
		let mut px = vec![0u16; w * params.dims[1] as usize];
		for (y, row) in px.chunks_mut(w).enumerate() {
			render_row(params, y, row);
		}
		Ok(encode(&px))
	}
	fn native_parallel(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let w = params.dims[0] as usize;
		let mut px = vec![0u16; w * params.dims[1] as usize];
		px.par_chunks_mut(w).enumerate().for_each(|(y, row)| render_row(params, y, row));
		Ok(encode(&px))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		_: &Inputs,
	) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let (w, h) = (params.dims[0] as usize, params.dims[1] as usize);
		let (x0, y0, step) = view(params);
		let out = ocl::Buffer::<u16>::builder().queue(device.queue.clone()).len(w * h).build()?;
		let kernel = ocl::Kernel::builder()
			.program(program)
			.name(self.entry_point())
			.queue(device.queue.clone())
			.global_work_size([w, h])
			.arg(x0)
			.arg(y0)
			.arg(step)
			.arg(w as u32)
			.arg(h as u32)
			.arg(params.dims[2])
			.arg(&out)
			.build()?;
		// SAFETY: `out` holds width × height pixels, as the kernel indexes it.
		unsafe { kernel.enq()? };
		let mut px = vec![0u16; w * h];
		out.read(&mut px).enq()?;
		Ok(encode(&px))
	}
}
