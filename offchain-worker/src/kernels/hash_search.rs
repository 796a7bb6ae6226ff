//! Hash search: the smallest nonce `n < dims[0]` with `blake2_256(seed ‖ n as u64 LE) < target`
//! (both compared as big-endian numbers) — the chain re-checks the one hash. Output: `n as u64
//! LE ‖ hash` (40 bytes), or nothing if no nonce in the range qualifies.

use super::{check_dims, Inputs, Kernel, Output, BLAKE2B_CL};
use crate::{blake2_256, device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The hash-search kernel.
pub struct HashSearch;

/// Largest search range.
pub const MAX_RANGE: u32 = 1 << 30;
/// Nonces per OpenCL launch; the search stops after the first launch with a hit.
const BATCH: u32 = 1 << 20;

const SOURCE: &str =
	concat!(include_str!("../../kernels/blake2b.cl"), include_str!("../../kernels/hash_search.cl"));

fn hash_of(seed: &[u8; 32], nonce: u32) -> [u8; 32] {
	let mut pre = [0u8; 40];
	pre[..32].copy_from_slice(seed);
	pre[32..].copy_from_slice(&(nonce as u64).to_le_bytes());
	blake2_256(&pre)
}

fn output(seed: &[u8; 32], found: Option<u32>) -> Output {
	let bytes = match found {
		Some(n) => {
			let mut b = (n as u64).to_le_bytes().to_vec();
			b.extend_from_slice(&hash_of(seed, n));
			b
		},
		None => Vec::new(),
	};
	Output { small: bytes.clone(), bytes }
}

fn target(params: &JobParams) -> Result<[u8; 32], WorkerError> {
	params
		.target
		.ok_or_else(|| WorkerError::InvalidParams("a target is required".into()))
}

impl Kernel for HashSearch {
	fn name(&self) -> &'static str {
		"hash-search"
	}
	fn source(&self) -> &'static str {
		debug_assert!(SOURCE.starts_with(BLAKE2B_CL));
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"hash_search"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [range], target: smallest nonce < range with blake2_256(seed ‖ nonce_le64) < target"
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_RANGE)], true)?;
		Ok(params.dims[0] as u64)
	}
	fn reference(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let t = target(params)?;
		let found = (0..params.dims[0]).find(|n| hash_of(&params.seed, *n) < t);
		Ok(output(&params.seed, found))
	}
	fn native_parallel(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let t = target(params)?;
		let found = (0..params.dims[0])
			.into_par_iter()
			.find_first(|n| hash_of(&params.seed, *n) < t);
		Ok(output(&params.seed, found))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		_: &Inputs,
	) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let t = target(params)?;
		let w = |b: &[u8], i: usize| {
			u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes"))
		};
		let tw = |i: usize| u64::from_be_bytes(t[8 * i..8 * i + 8].try_into().expect("8 bytes"));
		let seed = &params.seed;
		let found = ocl::Buffer::<u32>::builder()
			.queue(device.queue.clone())
			.len(1)
			.fill_val(u32::MAX)
			.build()?;
		let kernel = ocl::Kernel::builder()
			.program(program)
			.name(self.entry_point())
			.queue(device.queue.clone())
			.global_work_size(BATCH as usize)
			.arg(w(seed, 0))
			.arg(w(seed, 1))
			.arg(w(seed, 2))
			.arg(w(seed, 3))
			.arg(tw(0))
			.arg(tw(1))
			.arg(tw(2))
			.arg(tw(3))
			.arg(0u32)
			.arg(0u32)
			.arg(&found)
			.build()?;
		let range = params.dims[0];
		let mut base = 0u32;
		let mut hit = [u32::MAX];
		while base < range {
			let count = (range - base).min(BATCH);
			kernel.set_arg(8, base)?;
			kernel.set_arg(9, count)?;
			// SAFETY: the kernel writes only `found`, a live one-element buffer.
			unsafe { kernel.cmd().global_work_size(count as usize).enq()? };
			found.read(&mut hit[..]).enq()?;
			if hit[0] != u32::MAX {
				break;
			}
			base += count;
		}
		Ok(output(seed, (hit[0] != u32::MAX).then_some(hit[0])))
	}
}
