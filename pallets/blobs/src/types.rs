//! A blob's record and governed values; the manifest's layout is `crucible_primitives::data`'s,
//! shared with the worker and clients.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// What the chain knows of a stored blob: the bytes themselves live in the nodes' transaction
/// index, by hash, outside the state.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct BlobInfo<AccountId, BlockNumber> {
	/// Length of the blob's own bytes.
	pub bytes: u32,
	/// The bytes it names: its own for data, the sum of its chunks' for a manifest.
	pub total_bytes: u64,
	/// For a manifest, how many chunks it lists; 0 for data.
	pub chunks: u32,
	/// Who stored it first.
	pub owner: AccountId,
	/// The block it was stored in.
	pub stored_at: BlockNumber,
	/// The block its record is dropped at (nodes keep the bytes as long as their
	/// `--blocks-pruning` keeps the blocks that indexed them).
	pub expires_at: BlockNumber,
}

/// The data plane's governed values as they apply now, and its bounds (the runtime API's
/// `params`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct BlobParams<Balance, BlockNumber> {
	/// Fee of every store and renewal.
	pub blob_fee: Balance,
	/// Fee per byte stored or renewed.
	pub byte_fee: Balance,
	/// Blocks a record lives after a store or renewal.
	pub retention_period: BlockNumber,
	/// Largest blob, in bytes: larger data is stored as chunks and a manifest.
	pub max_blob_size: u32,
	/// Most chunks one manifest lists.
	pub max_chunks: u32,
}

pub use crucible_primitives::data::{ChunkRef, Manifest, MANIFEST_MAGIC};
