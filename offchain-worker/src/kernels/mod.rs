//! The kernel library. Each kernel has its OpenCL C source (its *kernel hash* is `blake2_256` of
//! the exact source bytes, the value the chain's workload registry holds), deterministic input
//! generation from the job's parameters, a plain-Rust reference (single-threaded), a
//! multithreaded native version (rayon) for benchmarks, an OpenCL version, and a canonical
//! output encoding. Everything is integer or fixed-point arithmetic, so results are bit-exact
//! on every device.

pub mod hash_search;
pub mod mandelbrot;
pub mod matmul;
pub mod merkle;
pub mod prefix_sum;

pub use hash_search::HashSearch;
pub use mandelbrot::Mandelbrot;
pub use matmul::MatMulModP;
pub use merkle::MerkleRoot;
pub use prefix_sum::PrefixSum;

use crate::{blake2_256, device::Device, JobParams, WorkerError};

/// BLAKE2b-256 and splitmix64, shared by the kernels that need them.
pub const BLAKE2B_CL: &str = include_str!("../../kernels/blake2b.cl");

/// The canonical result of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
	/// The full canonical output encoding; `output_digest = blake2_256(bytes)`.
	pub bytes: Vec<u8>,
	/// What goes on-chain (≤ 1 KiB).
	pub small: Vec<u8>,
}

impl Output {
	/// `blake2_256` of the canonical output.
	pub fn digest(&self) -> [u8; 32] {
		blake2_256(&self.bytes)
	}

	/// An output whose small part is its first `n` bytes.
	pub fn with_preview(bytes: Vec<u8>, n: usize) -> Self {
		let small = bytes[..bytes.len().min(n)].to_vec();
		Self { bytes, small }
	}
}

/// Largest small output the chain accepts.
pub const MAX_SMALL_OUTPUT: usize = crucible_primitives::MAX_SMALL_OUTPUT as usize;
/// Bytes of the canonical output kept as the small output of bulk results.
pub const PREVIEW_BYTES: usize = 64;

/// One kernel of the library.
pub trait Kernel: Send + Sync {
	/// The workload name the chain registers it under.
	fn name(&self) -> &'static str;
	/// The exact OpenCL C source of the program.
	fn source(&self) -> &'static str;
	/// The entry point the chain's registry names.
	fn entry_point(&self) -> &'static str;
	/// What the dimensions mean, for people.
	fn describe_params(&self) -> &'static str;
	/// `blake2_256` of the source bytes.
	fn kernel_hash(&self) -> [u8; 32] {
		blake2_256(self.source().as_bytes())
	}
	/// Check the parameters before anything is allocated; returns the work items the job
	/// touches (for the worker's per-job bound).
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError>;
	/// The plain-Rust reference, single-threaded.
	fn reference(&self, params: &JobParams) -> Result<Output, WorkerError>;
	/// The best multithreaded native Rust (rayon), for benchmarks.
	fn native_parallel(&self, params: &JobParams) -> Result<Output, WorkerError>;
	/// Run on an OpenCL device, with the program already built from [`Kernel::source`].
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
	) -> Result<Output, WorkerError>;
}

/// Every kernel, in the order of the chain's built-in workloads.
pub fn library() -> Vec<Box<dyn Kernel>> {
	vec![
		Box::new(HashSearch),
		Box::new(MatMulModP),
		Box::new(Mandelbrot),
		Box::new(MerkleRoot),
		Box::new(PrefixSum),
	]
}

/// The kernel registered under `name`.
pub fn by_name(name: &str) -> Option<Box<dyn Kernel>> {
	library().into_iter().find(|k| k.name() == name)
}

/// splitmix64 of `x`, as in `blake2b.cl`.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
	let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

/// The 64-bit generator seed of a job: the xor of its seed's four little-endian words.
pub fn seed64(seed: &[u8; 32]) -> u64 {
	seed.chunks_exact(8)
		.map(|c| u64::from_le_bytes(c.try_into().expect("chunks of 8")))
		.fold(0, |a, w| a ^ w)
}

/// Check that `params` has exactly `n` dimensions, each within `bounds[i]`, and a target iff
/// `needs_target`.
pub fn check_dims(
	params: &JobParams,
	bounds: &[(u32, u32)],
	needs_target: bool,
) -> Result<(), WorkerError> {
	if params.dims.len() != bounds.len() {
		return Err(WorkerError::InvalidParams(format!(
			"expected {} dimensions, got {}",
			bounds.len(),
			params.dims.len()
		)));
	}
	for (i, (v, (lo, hi))) in params.dims.iter().zip(bounds).enumerate() {
		if v < lo || v > hi {
			return Err(WorkerError::InvalidParams(format!(
				"dimension {i} = {v} is outside {lo}..={hi}"
			)));
		}
	}
	if params.target.is_some() != needs_target {
		return Err(WorkerError::InvalidParams(if needs_target {
			"a target is required".into()
		} else {
			"this kernel takes no target".into()
		}));
	}
	Ok(())
}
