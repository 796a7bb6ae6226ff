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
//! * [`service`]: the bounded job queue and the JSON-RPC server (`worker_*` methods) the
//!   chain's offchain worker talks to, with Prometheus metrics.

pub mod device;
pub mod kernels;
pub mod service;

use serde::{Deserialize, Serialize};

/// A job's parameters, as the chain's `JobParams`: a seed, sizes, and an optional target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobParams {
	/// Seed of the deterministic input generator (32 bytes, hex in JSON).
	#[serde(with = "hex32")]
	pub seed: [u8; 32],
	/// Sizes; what they mean depends on the kernel.
	pub dims: Vec<u32>,
	/// A 32-byte target, for kernels that need one (hex in JSON).
	#[serde(default, with = "opt_hex32")]
	pub target: Option<[u8; 32]>,
}

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

mod hex32 {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};
	pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&format!("0x{}", hex::encode(v)))
	}
	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
		let s = String::deserialize(d)?;
		let bytes = hex::decode(s.trim_start_matches("0x")).map_err(D::Error::custom)?;
		bytes.try_into().map_err(|_| D::Error::custom("expected 32 bytes"))
	}
}

mod opt_hex32 {
	use serde::{Deserialize, Deserializer, Serializer};
	pub fn serialize<S: Serializer>(v: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
		match v {
			Some(v) => super::hex32::serialize(v, s),
			None => s.serialize_none(),
		}
	}
	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
		#[derive(Deserialize)]
		struct W(#[serde(with = "super::hex32")] [u8; 32]);
		Option::<W>::deserialize(d).map(|o| o.map(|w| w.0))
	}
}
