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
pub mod merkle_data;
pub mod prefix_sum;
pub mod prefix_sum_data;

pub use hash_search::HashSearch;
pub use mandelbrot::Mandelbrot;
pub use matmul::MatMulModP;
pub use merkle::MerkleRoot;
pub use merkle_data::MerkleRootData;
pub use prefix_sum::PrefixSum;
pub use prefix_sum_data::PrefixSumData;

/// The bytes of a job's inputs, in the order the job names them.
pub type Inputs = [Vec<u8>];

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
	/// [`Kernel::validate`], and the inputs `params` names checked against
	/// [`Kernel::input_shapes`]: what the service checks before it queues a job.
	fn check(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_inputs(self.input_shapes(), params)?;
		self.validate(params)
	}
	/// The shapes of the inputs a job must name, in order: `(elem_bytes, power)`, as the
	/// chain's workload schema has them (none for kernels that generate their data).
	fn input_shapes(&self) -> &'static [(u32, u8)] {
		&[]
	}
	/// The plain-Rust reference, single-threaded. `inputs` are the bytes of the job's inputs,
	/// fetched and checked against their hashes (see [`Kernel::input_shapes`]).
	fn reference(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError>;
	/// The best multithreaded native Rust (rayon), for benchmarks.
	fn native_parallel(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError>;
	/// Run on an OpenCL device, with the program already built from [`Kernel::source`].
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		inputs: &Inputs,
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
		Box::new(PrefixSumData),
		Box::new(MerkleRootData),
	]
}

/// The kernel registered under `name`.
pub fn by_name(name: &str) -> Option<Box<dyn Kernel>> {
	library().into_iter().find(|k| k.name() == name)
}

/// Check that `params` names exactly the inputs `shapes` asks for (`(elem_bytes, power)` each),
/// and that each holds the elements the dimensions ask: `⌈size / elem_bytes⌉ = Π dims^power`,
/// the chain's rule.
pub fn check_inputs(shapes: &[(u32, u8)], params: &JobParams) -> Result<(), WorkerError> {
	if params.inputs.len() != shapes.len() {
		return Err(WorkerError::InvalidParams(format!(
			"expected {} inputs, got {}",
			shapes.len(),
			params.inputs.len()
		)));
	}
	for (i, (input, (elem, power))) in params.inputs.iter().zip(shapes).enumerate() {
		let size = input.size();
		if !crucible_primitives::input_fits(*elem, *power, &params.dims, size) {
			return Err(WorkerError::InvalidParams(format!(
				"input {i} has {size} bytes, not the elements of {elem} bytes the dimensions ask"
			)));
		}
	}
	Ok(())
}

/// The first input of a data job as `n` little-endian words (the last zero-padded), once the
/// parameters passed `kernel`'s validation and the bytes are the named ones.
pub fn input_words<const N: usize, T>(
	kernel: &dyn Kernel,
	params: &JobParams,
	inputs: &Inputs,
	n: usize,
	from: fn([u8; N]) -> T,
) -> Result<Vec<T>, WorkerError> {
	kernel.validate(params)?;
	check_input_bytes(params, inputs)?;
	Ok(le_words(&inputs[0], n, from))
}

/// Check that the fetched `inputs` are as long as `params` names them.
pub fn check_input_bytes(params: &JobParams, inputs: &Inputs) -> Result<(), WorkerError> {
	if inputs.len() != params.inputs.len()
		|| inputs.iter().zip(params.inputs.iter()).any(|(b, r)| b.len() as u64 != r.size())
	{
		return Err(WorkerError::InvalidParams("the input bytes are not the named ones".into()));
	}
	Ok(())
}

/// `n` little-endian words of `T` from `bytes`, the last zero-padded.
pub fn le_words<const N: usize, T>(bytes: &[u8], n: usize, from: fn([u8; N]) -> T) -> Vec<T> {
	let mut out = Vec::with_capacity(n);
	let mut chunks = bytes.chunks(N);
	for _ in 0..n {
		let mut w = [0u8; N];
		if let Some(c) = chunks.next() {
			w[..c.len()].copy_from_slice(c);
		}
		out.push(from(w));
	}
	out
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
