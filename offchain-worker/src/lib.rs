//! # crucible-worker
//!
//! Crucible's native compute worker: it runs the chain's compute jobs as OpenCL kernels on the
//! validator's hardware (PoCL on CPU-only machines, the vendor's driver on GPUs) and produces
//! the canonical output, its digest and the small output the offchain worker reveals on-chain.
//!
//! * [`kernels`]: the kernel library — OpenCL C sources, deterministic inputs, bit-exact
//!   references.
//! * [`device`]: platform and device discovery, the device class for attestations, the program
//!   cache keyed by kernel hash, per-job bounds.
//! * [`inputs`]: a job's inputs, fetched from the chain's node (`bitswap_v1_get`) or a URL,
//!   checked against their hash and length, bounded, cached on disk.
//! * [`program`]: open programs (source and manifest published on-chain), compiled once per
//!   kernel hash and device and run in a child process with limits on wall time and memory,
//!   guard bytes after every buffer; each way a run fails is a typed failure with a log.
//! * [`service`]: the bounded job queue and the JSON-RPC server (`worker_*` methods) the
//!   chain's offchain worker talks to, with Prometheus metrics.

pub mod device;
pub mod inputs;
pub mod kernels;
pub mod program;
pub mod service;

/// A job's parameters: the chain's own type (SCALE on-chain, JSON here), from
/// `crucible-primitives`.
pub use crucible_primitives::JobParams;

/// Why a job was refused or did not finish.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum WorkerError {
	/// The parameters do not fit the kernel's schema; nothing was allocated.
	#[error("invalid parameters: {0}")]
	InvalidParams(String),
	/// The job's work exceeds the worker's per-job bound.
	#[error("job too large: {work} work items, the bound is {bound}")]
	TooLarge {
		/// Work items the job needs.
		work: u64,
		/// The worker's bound.
		bound: u64,
	},
	/// No kernel of this name.
	#[error("unknown kernel `{0}`")]
	UnknownKernel(String),
	/// The job ran past its time limit and was stopped.
	#[error("timed out after {0} ms")]
	Timeout(u64),
	/// No OpenCL platform or device (or not the one asked for).
	#[error("no OpenCL device: {0}")]
	NoDevice(String),
	/// The OpenCL runtime reported an error.
	#[error("OpenCL: {0}")]
	OpenCl(String),
}

impl From<ocl::Error> for WorkerError {
	fn from(e: ocl::Error) -> Self {
		WorkerError::OpenCl(e.to_string())
	}
}

/// BLAKE2b-256, as the chain's `blake2_256`.
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
	let h = blake2b_simd::Params::new().hash_length(32).hash(data);
	let mut out = [0u8; 32];
	out.copy_from_slice(h.as_bytes());
	out
}
