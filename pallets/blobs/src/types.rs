//! A blob's record and the manifest that names data split into chunks.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;

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

/// The first bytes of every manifest blob.
pub const MANIFEST_MAGIC: [u8; 4] = *b"crcm";

/// One chunk of data split for storage: its hash and length.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct ChunkRef {
	/// `blake2_256` of the chunk's bytes.
	pub hash: H256,
	/// The chunk's length in bytes.
	pub size: u32,
}

impl ChunkRef {
	/// The length of an encoded chunk reference.
	pub const ENCODED_LEN: u32 = 32 + 4;
}

/// Data too large for one blob: [`MANIFEST_MAGIC`] followed by the SCALE encoding of the chunk
/// list, in order. The manifest is a blob itself, so one hash names the whole data; reading it
/// means reading the manifest, then each chunk, checking each hash, and concatenating.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Manifest {
	/// The chunks, in order.
	pub chunks: alloc::vec::Vec<ChunkRef>,
}

impl Manifest {
	/// The manifest's bytes, as stored.
	pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
		let mut out = MANIFEST_MAGIC.to_vec();
		self.encode_to(&mut out);
		out
	}

	/// Parse a manifest's bytes: the magic, then exactly one encoded chunk list.
	pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
		let mut rest = bytes.strip_prefix(&MANIFEST_MAGIC[..])?;
		let m = Self::decode(&mut rest).ok()?;
		rest.is_empty().then_some(m)
	}

	/// The bytes the manifest names, in total.
	pub fn total_size(&self) -> u64 {
		self.chunks.iter().map(|c| c.size as u64).sum()
	}
}
