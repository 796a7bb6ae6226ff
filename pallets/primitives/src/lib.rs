//! What Crucible's runtime (the compute-market pallet) and its native compute worker must agree
//! on, defined once. Both sides import these; neither writes them again.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use bounded_collections::{BoundedVec, ConstU32};

pub mod data;
pub mod program;

/// The most work one job may ask for, in the worker's own measure of a kernel's work (nonces
/// hashed, pixel-iterations, multiply-adds, …). The chain refuses workloads whose bound exceeds
/// it; the worker refuses nothing at or below it (its default `max_work`). So every job the
/// chain admits is one every provider's worker accepts.
pub const MAX_WORK: u64 = 1 << 36;

/// The most bytes one input of a job may have (data stored on the chain as chunks, or served by
/// a URL). The worker fetches any input up to it; jobs naming larger inputs are to be refused
/// by the chain, so that every input a job names is one every provider's worker fetches.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The largest small output a reveal carries on-chain, in bytes.
pub const MAX_SMALL_OUTPUT: u32 = 1024;

/// Most dimensions (sizes) a job's parameters may carry.
pub const MAX_DIMS: u32 = 4;

/// Most inputs one job may name.
pub const MAX_INPUTS: u32 = 2;

/// Longest URL an input may name, in bytes.
pub const MAX_URL_LEN: u32 = 256;

/// One input of a job: data its kernel reads, named by the hash and length its bytes must have.
///
/// In JSON (the worker's `worker_submit` and the node's `compute_*` RPC):
/// `{"blob": {"digest": "0x…", "bytes": 1024}}` or
/// `{"url": {"url": "https://…", "digest": "0x…", "bytes": 1024}}` or
/// `{"output": {"job": 7, "bytes": 1024}}`. (The fields are not named
/// `hash` or `size`, which polkadot.js codecs have as properties of their own.)
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
	feature = "codec",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
pub enum DataRef {
	/// Data stored on the chain by the blobs pallet: its blob name (`blake2_256` of its bytes,
	/// or of its manifest for data stored as chunks) and the bytes it names in total.
	Blob {
		/// The blob name.
		#[serde(with = "hex32")]
		digest: [u8; 32],
		/// Bytes of the data (all chunks together).
		bytes: u64,
	},
	/// Bytes an HTTP(S) URL serves, for data too large or too short-lived for the chain: `hash`
	/// is the flat `blake2_256` of the bytes (no manifest).
	Url {
		/// `http://` or `https://` URL.
		#[serde(with = "bounded_str")]
		url: BoundedVec<u8, ConstU32<MAX_URL_LEN>>,
		/// `blake2_256` of the bytes.
		#[serde(with = "hex32")]
		digest: [u8; 32],
		/// Bytes the URL must serve.
		bytes: u64,
	},
	/// The published output of an earlier job (one that asks for it, `publish_output`), which
	/// must have `bytes` bytes: jobs chain into pipelines. The job waits until that job has
	/// published its output, then reads it as the blob it was published as (the chain replaces
	/// this reference by that blob's); it fails, refunded, if that job ends without one. Only
	/// the chain holds this form: a job is assigned once all its inputs are blobs or URLs.
	Output {
		/// The earlier job's id.
		job: u64,
		/// Bytes its output must have.
		bytes: u64,
	},
}

impl DataRef {
	/// The hash the bytes must have (for a blob: its name); `None` for an earlier job's output
	/// not yet published.
	pub fn hash(&self) -> Option<&[u8; 32]> {
		match self {
			Self::Blob { digest, .. } | Self::Url { digest, .. } => Some(digest),
			Self::Output { .. } => None,
		}
	}

	/// The bytes the data has.
	pub fn size(&self) -> u64 {
		match self {
			Self::Blob { bytes, .. } | Self::Url { bytes, .. } | Self::Output { bytes, .. } => {
				*bytes
			},
		}
	}
}

/// Whether an input of `bytes` bytes fits a workload's input shape `(elem_bytes, power)` for
/// the dimensions `dims`: it holds `⌈bytes / elem_bytes⌉` elements (a short last one is read
/// zero-padded), which must be `Π dims^power`. The chain checks it at submission, the worker
/// before it queues a job: one rule for both.
pub fn input_fits(elem_bytes: u32, power: u8, dims: &[u32], bytes: u64) -> bool {
	let want = dims
		.iter()
		.try_fold(1u64, |acc, d| acc.checked_mul((*d as u64).checked_pow(power as u32)?));
	elem_bytes > 0 && bytes > 0 && want == Some(bytes.div_ceil(elem_bytes as u64))
}

/// What a provider's worker reveals (as the output digest, with an empty small output) when it
/// could not get input `index` of a job, or got bytes of another hash or length: `blake2_256` of
/// these bytes. When a quorum of replicas agrees on it, the job ends `InputUnavailable`.
pub fn unavailable_preimage(index: u8) -> [u8; 27] {
	let mut out = [0u8; 27];
	out[..26].copy_from_slice(b"crucible/input-unavailable");
	out[26] = index;
	out
}

/// A job's parameters: what the consumer orders and the worker runs. Built-in kernels generate
/// their data from the seed; data kernels read the job's `inputs` (blobs on the chain or URLs,
/// fetched and checked by the worker), so no bulk data goes into the job itself.
///
/// One type for both sides: the chain stores it SCALE-encoded in every job (feature `codec`),
/// the offchain worker sends it to the worker as JSON in `worker_submit`, and the node's
/// `compute_*` RPC takes and returns the same JSON: `{"seed": "0x…32 bytes", "dims": [..],
/// "target": "0x…32 bytes" | null, "inputs": [DataRef, ..]}` (`target` and `inputs` may be
/// left out).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
	feature = "codec",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
pub struct JobParams {
	/// Seed of the deterministic input generator.
	#[serde(with = "hex32")]
	pub seed: [u8; 32],
	/// Sizes, as many as the workload's schema says; what they mean depends on the kernel.
	pub dims: BoundedVec<u32, ConstU32<MAX_DIMS>>,
	/// A 32-byte target, for workloads whose schema needs one.
	#[serde(default, with = "opt_hex32")]
	pub target: Option<[u8; 32]>,
	/// The data the kernel reads, as many as the workload's schema says (none for the
	/// seed-generated kernels). Left out of the JSON when empty, as workers before inputs
	/// expect.
	#[serde(default, skip_serializing_if = "no_inputs")]
	pub inputs: BoundedVec<DataRef, ConstU32<MAX_INPUTS>>,
	/// Whether an accepted provider must publish the full output as a blob (at most one blob,
	/// 2 MiB) once the job is verified. The worker ignores it.
	#[serde(default, skip_serializing_if = "core::ops::Not::not")]
	pub publish_output: bool,
}

impl JobParams {
	/// Parameters from a seed, sizes and a target, without inputs; `None` with more than
	/// [`MAX_DIMS`] sizes.
	pub fn new(seed: [u8; 32], dims: &[u32], target: Option<[u8; 32]>) -> Option<Self> {
		Some(Self {
			seed,
			dims: dims.to_vec().try_into().ok()?,
			target,
			inputs: Default::default(),
			publish_output: false,
		})
	}

	/// These parameters with `inputs`; `None` with more than [`MAX_INPUTS`].
	pub fn with_inputs(mut self, inputs: alloc::vec::Vec<DataRef>) -> Option<Self> {
		self.inputs = inputs.try_into().ok()?;
		Some(self)
	}
}

fn no_inputs(inputs: &BoundedVec<DataRef, ConstU32<MAX_INPUTS>>) -> bool {
	inputs.is_empty()
}

/// A bounded byte string as a JSON string (UTF-8).
pub(crate) mod bounded_str {
	use super::{BoundedVec, ConstU32};
	use alloc::string::String;
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer, const N: u32>(
		v: &BoundedVec<u8, ConstU32<N>>,
		s: S,
	) -> Result<S::Ok, S::Error> {
		s.serialize_str(core::str::from_utf8(v).map_err(serde::ser::Error::custom)?)
	}

	pub fn deserialize<'de, D: Deserializer<'de>, const N: u32>(
		d: D,
	) -> Result<BoundedVec<u8, ConstU32<N>>, D::Error> {
		let s = String::deserialize(d)?;
		s.into_bytes().try_into().map_err(|_| D::Error::custom("string too long"))
	}
}

/// 32 bytes as `0x`-prefixed hex in JSON.
mod hex32 {
	use alloc::{format, string::String};
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&format!("0x{}", hex::encode(v)))
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
		let s = String::deserialize(d)?;
		let mut out = [0u8; 32];
		hex::decode_to_slice(s.trim_start_matches("0x"), &mut out)
			.map_err(|_| D::Error::custom("expected 32 bytes of hex"))?;
		Ok(out)
	}
}

/// An optional 32 bytes as `0x`-prefixed hex or `null` in JSON.
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

/// The error codes of the worker's JSON-RPC (`worker_*` methods): the worker answers with
/// them, the chain's offchain worker acts on them.
pub mod worker_rpc {
	/// Anything else (the job failed, an internal lock was poisoned).
	pub const INTERNAL: i32 = -32000;
	/// No kernel of the asked name.
	pub const UNKNOWN_KERNEL: i32 = -32001;
	/// The job's work exceeds the worker's per-job bound.
	pub const TOO_LARGE: i32 = -32002;
	/// The job queue is full; try again later.
	pub const QUEUE_FULL: i32 = -32003;
	/// No job with this ticket, or no retained output with this digest.
	pub const UNKNOWN_TICKET: i32 = -32004;
	/// The job has not finished yet.
	pub const NOT_FINISHED: i32 = -32005;
	/// The parameters do not fit the kernel (JSON-RPC's own "invalid params").
	pub const INVALID_PARAMS: i32 = -32602;
	/// The codes of a job the worker will never run, whatever its load: the offchain worker
	/// declines such an assignment instead of retrying it.
	pub const REFUSALS: [i32; 3] = [INVALID_PARAMS, UNKNOWN_KERNEL, TOO_LARGE];
}
