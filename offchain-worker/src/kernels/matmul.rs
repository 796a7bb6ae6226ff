//! Integer matrix product mod 65521: `C = A × B` for seeded `n × n` matrices of residues
//! (`A[i] = splitmix64(seed64 + i) mod p`, `B[i] = splitmix64(seed64 + n² + i) mod p`).
//! Output: `C` row-major, `u32` LE; small output: its first 64 bytes.

use super::{check_dims, seed64, splitmix64, Inputs, Kernel, Output, PREVIEW_BYTES};
use crate::{device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The matrix-product kernel.
pub struct MatMulModP;

/// The prime modulus.
pub const P: u32 = 65_521;
/// Largest matrix side.
pub const MAX_N: u32 = 4096;

const SOURCE: &str = include_str!("../../kernels/matmul_modp.cl");
/// Columns of C per work item (`STRIP` in the OpenCL source).
const STRIP: usize = 64;

fn inputs(params: &JobParams) -> (usize, Vec<u32>, Vec<u32>) {
	let n = params.dims[0] as usize;
	let s = seed64(&params.seed);
	let gen = |offset: u64| -> Vec<u32> {
		(0..(n * n) as u64)
			.map(|i| (splitmix64(s.wrapping_add(offset + i)) % P as u64) as u32)
			.collect()
	};
	(n, gen(0), gen((n * n) as u64))
}

fn encode(c: &[u32]) -> Output {
	Output::with_preview(c.iter().flat_map(|v| v.to_le_bytes()).collect(), PREVIEW_BYTES)
}

/// One row of C: `row[j] = Σ_k a_row[k] · B[k][j] mod p`, accumulating in 64 bits.
fn row_product(a_row: &[u32], b: &[u32], n: usize, out: &mut [u32]) {
	let mut acc = vec![0u64; n];
	for (k, &x) in a_row.iter().enumerate() {
		let x = x as u64;
		for (acc_j, &y) in acc.iter_mut().zip(&b[k * n..(k + 1) * n]) {
			*acc_j += x * y as u64;
		}
	}
	for (o, a) in out.iter_mut().zip(acc) {
		*o = (a % P as u64) as u32;
	}
}

impl Kernel for MatMulModP {
	fn name(&self) -> &'static str {
		"matmul-modp"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"matmul_modp"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [n]: C = A × B mod 65521 for seeded n × n matrices"
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_N)], false)?;
		let n = params.dims[0] as u64;
		Ok(n * n * n)
	}
	fn reference(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let (n, a, b) = inputs(params);
		let mut c = vec![0u32; n * n];
		for (i, row) in c.chunks_mut(n).enumerate() {
			row_product(&a[i * n..(i + 1) * n], &b, n, row);
		}
		Ok(encode(&c))
	}
	fn native_parallel(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let (n, a, b) = inputs(params);
		let mut c = vec![0u32; n * n];
		c.par_chunks_mut(n)
			.enumerate()
			.for_each(|(i, row)| row_product(&a[i * n..(i + 1) * n], &b, n, row));
		Ok(encode(&c))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		_: &Inputs,
	) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let (n, a, b) = inputs(params);
		let q = device.queue.clone();
		let buf = |v: &[u32]| {
			ocl::Buffer::<u32>::builder()
				.queue(q.clone())
				.len(v.len())
				.copy_host_slice(v)
				.build()
		};
		let (ab, bb) = (buf(&a)?, buf(&b)?);
		let cb = ocl::Buffer::<u32>::builder().queue(q.clone()).len(n * n).build()?;
		let kernel = ocl::Kernel::builder()
			.program(program)
			.name(self.entry_point())
			.queue(q)
			.global_work_size([n.div_ceil(STRIP), n])
			.arg(&ab)
			.arg(&bb)
			.arg(&cb)
			.arg(n as u32)
			.build()?;
		// SAFETY: buffers are sized n × n, as the kernel indexes them.
		unsafe { kernel.enq()? };
		let mut c = vec![0u32; n * n];
		cb.read(&mut c).enq()?;
		Ok(encode(&c))
	}
}
