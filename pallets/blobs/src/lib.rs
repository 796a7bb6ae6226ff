//! # Blobs pallet
//!
//! Crucible's data plane: content-addressed bytes that jobs read and write. A blob's bytes are
//! kept by every node in its *transaction index* (by `blake2_256` hash, outside the state trie),
//! served by the `bitswap_v1_get` RPC that every node answers and, on nodes started with
//! `--ipfs-server`, to IPFS peers over bitswap. The state keeps only a small record per blob:
//! its size, owner and expiry.
//!
//! ## The life of a blob
//!
//! 1. **Store** ([`Pallet::store`]): a signed account sends the bytes (at most `MaxBlobSize`,
//!    the call's last argument, which is what the node indexes) and pays `BlobFee +
//!    ByteFee × size` to the fee destination (the treasury). The node that executes the block
//!    indexes the bytes under `blake2_256(bytes)`; so does every node that imports it.
//! 2. **Large data** is split by the client into chunks of at most `MaxBlobSize`, each stored as
//!    a blob, then named by a *manifest* ([`Pallet::store_manifest`]): [`MANIFEST_MAGIC`] and the
//!    SCALE-encoded list of the chunks' hashes and lengths ([`Manifest`]), a blob itself. One
//!    hash, the manifest's, names the whole data; a manifest never outlives its chunks.
//! 3. **Renew** ([`Pallet::renew`]): the record lives `RetentionPeriod` blocks; a renewal, paid
//!    again per byte, extends it and asks every node to keep the bytes referenced from the
//!    renewing block (`transaction_index::renew`). One renewal per extrinsic: the node keeps one
//!    index operation per extrinsic, so renewals cannot be batched.
//! 4. **Expiry**: in `on_initialize` of its expiry block the record is dropped
//!    ([`Event::Expired`]); jobs can no longer name it. Nodes drop the bytes when they prune the
//!    blocks that indexed or renewed them (`--blocks-pruning`; archive nodes keep them).
//!
//! ## Names
//!
//! A blob is named by `blake2_256` of its bytes. Its IPFS name is the CIDv1 with the raw codec
//! (`0x55`) and the blake2b-256 multihash (`0xb220`, 32 bytes) of the same digest: the bytes
//! `01 55 a0 e4 02 20 ‖ hash`, base32-encoded with the `b` prefix ([`cid_of`]).
//!
//! ## Limits
//!
//! `MaxBlobSize` is bounded by the runtime's block length (a blob travels in one extrinsic);
//! `MaxChunks` bounds a manifest; `MaxExpiringPerBlock` bounds the records that can expire in
//! one block, and so the work of `on_initialize` (a store or renewal whose expiry block is full
//! is refused with [`Error::ExpiryFull`]: try in the next block).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use alloc::string::String;
use frame_support::traits::fungible;

/// The balance type of the fee currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A blob's record in a runtime.
pub type BlobInfoOf<T> = BlobInfo<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

/// The CIDv1 (raw codec, blake2b-256 multihash) of a blob's hash, base32 with the `b`
/// multibase prefix: the name IPFS clients and `bitswap_v1_get` take.
pub fn cid_of(hash: &[u8; 32]) -> String {
	// version 1, codec raw (0x55), multihash blake2b-256 (varint 0xb220 = a0 e4 02), length 32.
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

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::Preservation,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::traits::{Saturating, Zero};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Bounds are constants; fees and the retention period are `Get`s the runtime may bind to
	/// governed parameters.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// The currency fees are paid in.
		type Currency: Inspect<Self::AccountId> + Mutate<Self::AccountId>;
		/// Receives the fees (the treasury).
		type FeeDestination: Get<Self::AccountId>;
		/// Fee of every store and renewal.
		type BlobFee: Get<BalanceOf<Self>>;
		/// Fee per byte stored or renewed.
		type ByteFee: Get<BalanceOf<Self>>;
		/// Blocks a record lives after a store or renewal (at least 1).
		type RetentionPeriod: Get<BlockNumberFor<Self>>;
		/// Largest blob, in bytes.
		#[pallet::constant]
		type MaxBlobSize: Get<u32>;
		/// Most chunks one manifest lists.
		#[pallet::constant]
		type MaxChunks: Get<u32>;
		/// Most records that can expire in one block.
		#[pallet::constant]
		type MaxExpiringPerBlock: Get<u32>;
		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The record of each stored blob, by hash, until it expires.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Identity, H256, BlobInfoOf<T>>;

	/// The blobs whose records expire at each block.
	#[pallet::storage]
	pub type Expiring<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<H256, T::MaxExpiringPerBlock>,
		ValueQuery,
	>;

	/// The chunks each stored manifest lists, in order (kept so that a manifest's renewal can
	/// check that none of them expires first).
	#[pallet::storage]
	pub type ManifestChunks<T: Config> =
		StorageMap<_, Identity, H256, BoundedVec<H256, T::MaxChunks>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A blob was stored; nodes index its bytes under `hash`.
		Stored {
			hash: H256,
			size: u32,
			owner: T::AccountId,
			expires_at: BlockNumberFor<T>,
			fee: BalanceOf<T>,
		},
		/// A manifest was stored: `hash` names the `total_size` bytes of its `chunks`.
		ManifestStored {
			hash: H256,
			chunks: u32,
			total_size: u64,
			owner: T::AccountId,
			expires_at: BlockNumberFor<T>,
			fee: BalanceOf<T>,
		},
		/// A blob's record was extended.
		Renewed { hash: H256, expires_at: BlockNumberFor<T>, fee: BalanceOf<T> },
		/// A blob's record expired.
		Expired { hash: H256 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No bytes.
		Empty,
		/// More bytes than `MaxBlobSize`.
		TooLarge,
		/// A blob with these bytes is stored already (renew it instead).
		AlreadyStored,
		/// No stored blob has this hash.
		UnknownBlob,
		/// The bytes are not a manifest: no magic, an undecodable or empty chunk list, more than
		/// `MaxChunks` chunks, or a chunk whose length is not its blob's.
		BadManifest,
		/// A chunk the manifest lists is not stored.
		UnknownChunk,
		/// The renewal would not extend the record (a manifest lasts as long as its earliest
		/// chunk at most: renew the chunks first; or the retention period was shortened).
		NotExtended,
		/// As many records expire in the target block as it can take: try in the next block.
		ExpiryFull,
		/// Not called from an extrinsic in a block (nothing would be indexed).
		NotInBlock,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Drop the records that expire in this block.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let due = Expiring::<T>::take(now);
			let n = due.len() as u32;
			for hash in due {
				// A renewed blob moved to a later block; only records due now go.
				if Records::<T>::get(hash).is_some_and(|b| b.expires_at == now) {
					Records::<T>::remove(hash);
					ManifestChunks::<T>::remove(hash);
					Self::deposit_event(Event::Expired { hash });
				}
			}
			T::WeightInfo::on_initialize(n)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state(now)
		}

		fn integrity_test() {
			assert!(T::MaxBlobSize::get() > 0 && T::MaxChunks::get() > 0);
			assert!(T::MaxExpiringPerBlock::get() > 0);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Store `data` as a blob named `blake2_256(data)`.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × data.len()` to the fee destination,
		///   keeping its account alive.
		/// - `data`: 1 to `MaxBlobSize` bytes. It is the call's last argument on purpose: nodes
		///   index the last `len` bytes of the extrinsic.
		///
		/// Emits [`Event::Stored`]. Fails with [`Error::Empty`], [`Error::TooLarge`],
		/// [`Error::AlreadyStored`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error when the fee cannot be paid; nothing is stored or indexed then.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::store(data.len() as u32))]
		pub fn store(origin: OriginFor<T>, data: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!data.is_empty(), Error::<T>::Empty);
			let size = u32::try_from(data.len()).map_err(|_| Error::<T>::TooLarge)?;
			ensure!(size <= T::MaxBlobSize::get(), Error::<T>::TooLarge);
			let hash = H256(sp_io::hashing::blake2_256(&data));
			let expires_at = Self::expiry();
			let (fee, extrinsic) =
				Self::insert(who.clone(), hash, size, size as u64, 0, expires_at)?;
			// Last: index operations are not rolled back with a failed call.
			sp_io::transaction_index::index(extrinsic, size, hash.0);
			Self::deposit_event(Event::Stored { hash, size, owner: who, expires_at, fee });
			Ok(())
		}

		/// Store a manifest: a blob that names data split into stored chunks.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × manifest.len()` (the chunks were paid
		///   when stored).
		/// - `manifest`: [`MANIFEST_MAGIC`] then the SCALE-encoded [`Manifest`], listing 1 to
		///   `MaxChunks` stored chunks with their lengths; at most `MaxBlobSize` bytes.
		///
		/// The manifest's record expires with its earliest chunk, at the latest
		/// `RetentionPeriod` blocks from now. Emits [`Event::ManifestStored`]. Fails with
		/// [`Error::Empty`], [`Error::TooLarge`], [`Error::BadManifest`], [`Error::UnknownChunk`],
		/// [`Error::AlreadyStored`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::store_manifest(T::MaxChunks::get()))]
		pub fn store_manifest(
			origin: OriginFor<T>,
			manifest: Vec<u8>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!manifest.is_empty(), Error::<T>::Empty);
			let size = u32::try_from(manifest.len()).map_err(|_| Error::<T>::TooLarge)?;
			ensure!(size <= T::MaxBlobSize::get(), Error::<T>::TooLarge);
			let parsed = Manifest::from_bytes(&manifest).ok_or(Error::<T>::BadManifest)?;
			let chunks = parsed.chunks.len() as u32;
			ensure!(chunks >= 1 && chunks <= T::MaxChunks::get(), Error::<T>::BadManifest);
			let mut expires_at = Self::expiry();
			for c in &parsed.chunks {
				let blob = Records::<T>::get(c.hash).ok_or(Error::<T>::UnknownChunk)?;
				ensure!(blob.size == c.size && blob.chunks == 0, Error::<T>::BadManifest);
				expires_at = expires_at.min(blob.expires_at);
			}
			let hash = H256(sp_io::hashing::blake2_256(&manifest));
			let total_size = parsed.total_size();
			let (fee, extrinsic) =
				Self::insert(who.clone(), hash, size, total_size, chunks, expires_at)?;
			ManifestChunks::<T>::insert(
				hash,
				BoundedVec::truncate_from(parsed.chunks.iter().map(|c| c.hash).collect::<Vec<_>>()),
			);
			sp_io::transaction_index::index(extrinsic, size, hash.0);
			Self::deposit_event(Event::ManifestStored {
				hash,
				chunks,
				total_size,
				owner: who,
				expires_at,
				fee,
			});
			Ok(Some(T::WeightInfo::store_manifest(chunks)).into())
		}

		/// Extend a blob's record by `RetentionPeriod` blocks from now, and have every node
		/// keep its bytes referenced from this block.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × size` again, and becomes the owner.
		/// - `hash`: a stored blob. A manifest is extended as far as its earliest chunk lasts
		///   (it never outlives a chunk): renew the chunks first.
		///
		/// Emits [`Event::Renewed`]. Fails with [`Error::UnknownBlob`],
		/// [`Error::NotExtended`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::renew(T::MaxChunks::get()))]
		pub fn renew(origin: OriginFor<T>, hash: H256) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut blob = Records::<T>::get(hash).ok_or(Error::<T>::UnknownBlob)?;
			// A manifest never outlives a chunk (a chunk's record outlives the manifest's, so
			// it is there).
			let chunks = ManifestChunks::<T>::get(hash);
			let mut expires_at = Self::expiry();
			for c in &chunks {
				let chunk = Records::<T>::get(c).ok_or(Error::<T>::NotExtended)?;
				expires_at = expires_at.min(chunk.expires_at);
			}
			ensure!(expires_at > blob.expires_at, Error::<T>::NotExtended);
			let extrinsic =
				frame_system::Pallet::<T>::extrinsic_index().ok_or(Error::<T>::NotInBlock)?;
			Self::schedule_expiry(hash, expires_at)?;
			Expiring::<T>::mutate(blob.expires_at, |due| due.retain(|h| *h != hash));
			let fee = Self::charge(&who, blob.size)?;
			blob.expires_at = expires_at;
			blob.owner = who;
			Records::<T>::insert(hash, blob);
			// Last: index operations are not rolled back with a failed call.
			sp_io::transaction_index::renew(extrinsic, hash.0);
			Self::deposit_event(Event::Renewed { hash, expires_at, fee });
			Ok(Some(T::WeightInfo::renew(chunks.len() as u32)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The expiry block of a record stored or renewed now.
		fn expiry() -> BlockNumberFor<T> {
			let period = T::RetentionPeriod::get().max(One::one());
			frame_system::Pallet::<T>::block_number().saturating_add(period)
		}

		/// `BlobFee + ByteFee × size`, moved from `who` to the fee destination.
		fn charge(who: &T::AccountId, size: u32) -> Result<BalanceOf<T>, DispatchError> {
			let fee =
				T::ByteFee::get().saturating_mul(size.into()).saturating_add(T::BlobFee::get());
			if !fee.is_zero() {
				T::Currency::transfer(who, &T::FeeDestination::get(), fee, Preservation::Preserve)?;
			}
			Ok(fee)
		}

		/// Put `hash` into the expiry list of block `at`.
		fn schedule_expiry(hash: H256, at: BlockNumberFor<T>) -> DispatchResult {
			Expiring::<T>::try_mutate(at, |due| {
				due.try_push(hash).map_err(|_| Error::<T>::ExpiryFull)
			})?;
			Ok(())
		}

		/// Record a new blob and charge its fee. Returns the fee and the extrinsic's index, for
		/// the caller's index operation, which must come after everything that can fail.
		fn insert(
			who: T::AccountId,
			hash: H256,
			size: u32,
			total_size: u64,
			chunks: u32,
			expires_at: BlockNumberFor<T>,
		) -> Result<(BalanceOf<T>, u32), DispatchError> {
			ensure!(!Records::<T>::contains_key(hash), Error::<T>::AlreadyStored);
			let extrinsic =
				frame_system::Pallet::<T>::extrinsic_index().ok_or(Error::<T>::NotInBlock)?;
			Self::schedule_expiry(hash, expires_at)?;
			let fee = Self::charge(&who, size)?;
			let stored_at = frame_system::Pallet::<T>::block_number();
			Records::<T>::insert(
				hash,
				BlobInfo { size, total_size, chunks, owner: who, stored_at, expires_at },
			);
			Ok((fee, extrinsic))
		}

		/// A stored blob's record, for other pallets and the runtime API.
		pub fn blob(hash: H256) -> Option<BlobInfoOf<T>> {
			Records::<T>::get(hash)
		}

		/// The invariants: every record is listed in its expiry block's list, expires in the
		/// future, and a manifest's chunks are recorded; every listed hash has a record.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			for (hash, b) in Records::<T>::iter() {
				ensure!(b.expires_at > now, "a record outlived its expiry");
				ensure!(Expiring::<T>::get(b.expires_at).contains(&hash), "a record is not due");
				ensure!(
					b.chunks as usize == ManifestChunks::<T>::decode_len(hash).unwrap_or(0),
					"a manifest's chunks are not recorded"
				);
			}
			for (at, due) in Expiring::<T>::iter() {
				for hash in due {
					ensure!(
						Records::<T>::get(hash).is_some_and(|b| b.expires_at == at),
						"a due hash has no record expiring then"
					);
				}
			}
			Ok(())
		}
	}
}
