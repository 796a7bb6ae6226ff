//! Blob names and manifests, as the blobs pallet checks them and the worker and clients read
//! them: one definition of the byte layout.
//!
//! A blob is named by `blake2_256` of its bytes. Data larger than one blob is split into chunks
//! named by a *manifest* blob: [`MANIFEST_MAGIC`] then the SCALE encoding of the chunk list,
//! `Vec<(hash: [u8; 32], size: u32)>` (a compact length, then 36 bytes a chunk: the hash and the
//! size in little-endian). Its IPFS name is the CIDv1 with the raw codec and the blake2b-256
//! multihash of the same digest ([`cid_of`]).

use alloc::{string::String, vec::Vec};

/// The first bytes of every manifest blob; data blobs may not start with them.
pub const MANIFEST_MAGIC: [u8; 4] = *b"crcm";

/// One chunk of data split for storage: its hash and length.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ChunkRef {
	/// `blake2_256` of the chunk's bytes.
	pub hash: [u8; 32],
	/// The chunk's length in bytes.
	pub size: u32,
}

impl ChunkRef {
	/// The length of an encoded chunk reference.
	pub const ENCODED_LEN: u32 = 32 + 4;
}

/// The chunks a manifest lists, in order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Manifest {
	/// The chunks, in order.
	pub chunks: Vec<ChunkRef>,
}

impl Manifest {
	/// The manifest's bytes, as stored: the magic, the compact chunk count, the chunks.
	pub fn to_bytes(&self) -> Vec<u8> {
		let mut out = MANIFEST_MAGIC.to_vec();
		encode_compact(self.chunks.len() as u32, &mut out);
		for c in &self.chunks {
			out.extend_from_slice(&c.hash);
			out.extend_from_slice(&c.size.to_le_bytes());
		}
		out
	}

	/// Parse a manifest's bytes: the magic, a canonically encoded count (as SCALE's decoder
	/// demands), exactly that many chunks and nothing after them. `None` for anything else.
	pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
		let rest = bytes.strip_prefix(&MANIFEST_MAGIC[..])?;
		let (count, rest) = decode_compact(rest)?;
		if rest.len() as u64 != count as u64 * ChunkRef::ENCODED_LEN as u64 {
			return None;
		}
		let chunks = rest
			.chunks_exact(ChunkRef::ENCODED_LEN as usize)
			.map(|c| {
				let mut hash = [0u8; 32];
				hash.copy_from_slice(&c[..32]);
				ChunkRef { hash, size: u32::from_le_bytes([c[32], c[33], c[34], c[35]]) }
			})
			.collect();
		Some(Self { chunks })
	}

	/// The bytes the manifest names, in total.
	pub fn total_size(&self) -> u64 {
		self.chunks.iter().map(|c| c.size as u64).sum()
	}
}

/// What other pallets (the market) read of stored data: implemented by the blobs pallet.
pub trait BlobInspect<BlockNumber> {
	/// The bytes blob `hash` names (for a manifest: all its chunks together) and the last block
	/// the chain keeps it, if it is stored.
	fn blob(hash: &[u8; 32]) -> Option<(u64, BlockNumber)>;

	/// Record a blob as stored, for benchmarks of pallets that read blobs.
	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmark(hash: [u8; 32], bytes: u64, expires_at: BlockNumber);
}

/// What the market stores through the blobs pallet: a job's full output, published by the
/// provider that computed it.
pub trait BlobStore<AccountId> {
	/// Why a store failed.
	type Error;
	/// Store `data` as a blob named `blake2_256(data)`, paid by `who`, from the current
	/// extrinsic, which must end with `data` (nodes index an extrinsic's last bytes).
	fn store_as(who: &AccountId, data: Vec<u8>) -> Result<(), Self::Error>;
	/// The most bytes one blob holds.
	fn max_blob_size() -> u32;
}

/// No data at all: every blob is unknown.
impl<BlockNumber> BlobInspect<BlockNumber> for () {
	fn blob(_: &[u8; 32]) -> Option<(u64, BlockNumber)> {
		None
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmark(_: [u8; 32], _: u64, _: BlockNumber) {}
}

/// SCALE's compact encoding of a `u32`.
fn encode_compact(n: u32, out: &mut Vec<u8>) {
	match n {
		0..=0x3f => out.push((n << 2) as u8),
		0x40..=0x3fff => out.extend_from_slice(&(((n << 2) | 0b01) as u16).to_le_bytes()),
		0x4000..=0x3fff_ffff => out.extend_from_slice(&((n << 2) | 0b10).to_le_bytes()),
		_ => {
			out.push(0b11);
			out.extend_from_slice(&n.to_le_bytes());
		},
	}
}

/// A compact `u32` and the bytes after it; `None` if truncated or not in its shortest form.
fn decode_compact(b: &[u8]) -> Option<(u32, &[u8])> {
	let first = *b.first()?;
	match first & 0b11 {
		0b00 => Some(((first >> 2) as u32, &b[1..])),
		0b01 => {
			let n = (u16::from_le_bytes([first, *b.get(1)?]) >> 2) as u32;
			(n > 0x3f).then_some((n, &b[2..]))
		},
		0b10 => {
			let n = u32::from_le_bytes(b.get(..4)?.try_into().ok()?) >> 2;
			(n > 0x3fff).then_some((n, &b[4..]))
		},
		_ => {
			// A big integer: only four-byte ones fit a `u32`.
			if first != 0b11 {
				return None;
			}
			let n = u32::from_le_bytes(b.get(1..5)?.try_into().ok()?);
			(n > 0x3fff_ffff).then_some((n, &b[5..]))
		},
	}
}

/// The CIDv1 (raw codec `0x55`, multihash blake2b-256 `0xb220`, 32 bytes) of a blob's hash,
/// base32 with the `b` multibase prefix: the name `bitswap_v1_get` and IPFS clients take.
pub fn cid_of(hash: &[u8; 32]) -> String {
	let mut bytes = alloc::vec![0x01, 0x55, 0xa0, 0xe4, 0x02, 0x20];
	bytes.extend_from_slice(hash);
	const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
	let mut out = String::from("b");
	let (mut buffer, mut bits) = (0u32, 0u32);
	for byte in bytes {
		buffer = (buffer << 8) | byte as u32;
		bits += 8;
		while bits >= 5 {
			bits -= 5;
			out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
		}
	}
	if bits > 0 {
		out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn compact_counts_round_trip_and_only_shortest_forms_parse() {
		for n in [0u32, 1, 63, 64, 0x3fff, 0x4000, 0x3fff_ffff, 0x4000_0000, u32::MAX] {
			let mut b = Vec::new();
			encode_compact(n, &mut b);
			assert_eq!(decode_compact(&b), Some((n, &[][..])), "{n}");
		}
		// 1 in the two-byte form, 64 in the four-byte form, 2^14 as a big integer: refused.
		assert_eq!(decode_compact(&[0b0000_0101, 0]), None);
		assert_eq!(decode_compact(&((64u32 << 2) | 0b10).to_le_bytes()), None);
		assert_eq!(decode_compact(&[0b11, 0, 0x40, 0, 0]), None);
		assert_eq!(decode_compact(&[0b0111]), None, "a big integer of 5 bytes");
		assert_eq!(decode_compact(&[0b01]), None, "truncated");
	}

	#[test]
	fn manifests_round_trip_and_refuse_trailing_or_missing_bytes() {
		let m = Manifest {
			chunks: (0..70u8).map(|i| ChunkRef { hash: [i; 32], size: i as u32 * 1000 }).collect(),
		};
		let bytes = m.to_bytes();
		assert_eq!(bytes.len(), 4 + 2 + 70 * 36, "70 chunks take a two-byte count");
		assert_eq!(Manifest::from_bytes(&bytes), Some(m.clone()));
		assert_eq!(m.total_size(), (0..70u64).sum::<u64>() * 1000);
		let mut longer = bytes.clone();
		longer.push(0);
		assert_eq!(Manifest::from_bytes(&longer), None);
		assert_eq!(Manifest::from_bytes(&bytes[..bytes.len() - 1]), None);
		assert_eq!(Manifest::from_bytes(&bytes[4..]), None, "no magic");
	}

	#[test]
	fn cid_of_hello() {
		// blake2_256("hello")
		let hash: [u8; 32] =
			hex::decode("324dcf027dd4a30a932c441f365a25e86b173defa4b8e58948253471b81b72cf")
				.unwrap()
				.try_into()
				.unwrap();
		assert_eq!(cid_of(&hash), "bafk2bzaceaze3tycpxkkgcutfrcb6ns2exugwfz556slrzmjjasti4nydnzm6");
	}
}
