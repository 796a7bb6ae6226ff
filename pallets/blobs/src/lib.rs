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
//! 1. **Store** ([`Pallet::store`]): a signed account sends the bytes (at most `MaxBlobSize`)
//!    and pays `BlobFee + ByteFee × size` to the fee destination (the treasury). A node indexes
//!    the *last* `size` bytes of the extrinsic, so the pallet checks that the extrinsic really
//!    ends with the data (a `store` nested in a batch before other calls, or followed by a
//!    weight, is refused with [`Error::NotLastInExtrinsic`]) and that the extrinsic indexes
//!    nothing else: otherwise a node would keep other bytes under the data's hash, and the
//!    first bytes kept under a hash stay. Every node that executes the block (authoring or
//!    importing it with full sync) indexes the bytes under `blake2_256(bytes)`. Storing bytes
//!    that are stored already indexes them again and extends the record.
//! 2. **Large data** is split by the client into chunks of at most `MaxBlobSize`, each stored as
//!    a blob, then named by a *manifest* ([`Pallet::store_manifest`]): [`MANIFEST_MAGIC`] and the
//!    SCALE-encoded list of the chunks' hashes and lengths ([`Manifest`]), a blob itself. One
//!    hash, the manifest's, names the whole data; a manifest never outlives its chunks.
//! 3. **Renew** ([`Pallet::renew`]): the record lives `RetentionPeriod` blocks; a renewal, paid
//!    again per byte, extends it and asks every node to keep the bytes referenced from the
//!    renewing block (`transaction_index::renew`). One index operation per extrinsic: a store
//!    or renewal in an extrinsic that already indexed is refused ([`Error::AlreadyIndexed`]).
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
//! `MaxChunks` bounds a manifest; `MaxRetention` bounds the governed retention period;
//! `MaxExpiringPerBlock` bounds the records that can expire in one block, and so the work of
//! `on_initialize`. A record whose expiry block is full expires in the next one with room,
//! up to [`EXPIRY_PROBE`] blocks later (a manifest: earlier, never after its chunks); beyond
//! that the call is refused with [`Error::ExpiryFull`]. Nodes keep the bytes as long as they
//! keep the blocks: run nodes that serve blobs with `--blocks-pruning` of at least the
//! retention period (the default keeps every finalized block).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use frame_support::traits::fungible;

/// How many blocks beyond (or, for a manifest, before) its due block a record may expire in
/// when the lists in between are full.
pub const EXPIRY_PROBE: u32 = 16;

/// The balance type of the fee currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A blob's record in a runtime.
pub type BlobInfoOf<T> = BlobInfo<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

pub use crucible_primitives::data::cid_of;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		dispatch::DispatchClass,
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
		/// Blocks a record lives after a store or renewal (1 to `MaxRetention`).
		type RetentionPeriod: Get<BlockNumberFor<Self>>;
		/// The longest retention period, whatever `RetentionPeriod` says.
		#[pallet::constant]
		type MaxRetention: Get<BlockNumberFor<Self>>;
		/// Largest blob, in bytes (below the block length of normal extrinsics).
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
	/// keep it within its chunks' lifetimes).
	#[pallet::storage]
	pub type ManifestChunks<T: Config> =
		StorageMap<_, Identity, H256, BoundedVec<H256, T::MaxChunks>, ValueQuery>;

	/// The block and extrinsic of the last index operation: nodes keep one per extrinsic.
	#[pallet::storage]
	pub type LastIndexed<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32)>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A blob was stored (or stored again, extending its record); nodes index its `bytes`
		/// bytes under `blob`, its hash. (Fields are not named `hash` or `size`, which
		/// polkadot.js codecs have as properties of their own.)
		Stored {
			blob: H256,
			bytes: u32,
			by: T::AccountId,
			expires_at: BlockNumberFor<T>,
			fee: BalanceOf<T>,
		},
		/// A manifest was stored: `blob` names the `total_bytes` bytes of its `chunks`.
		ManifestStored {
			blob: H256,
			chunks: u32,
			total_bytes: u64,
			by: T::AccountId,
			expires_at: BlockNumberFor<T>,
			fee: BalanceOf<T>,
		},
		/// A blob's record was extended.
		Renewed { blob: H256, by: T::AccountId, expires_at: BlockNumberFor<T>, fee: BalanceOf<T> },
		/// A blob's record expired.
		Expired { blob: H256 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No bytes.
		Empty,
		/// More bytes than `MaxBlobSize`.
		TooLarge,
		/// The bytes start like a manifest: store manifests with `store_manifest`.
		LooksLikeManifest,
		/// No stored blob has this hash.
		UnknownBlob,
		/// The bytes are not a manifest: no magic, an undecodable or empty chunk list, more than
		/// `MaxChunks` chunks, or a chunk whose length is not its blob's.
		BadManifest,
		/// A chunk the manifest lists is not stored.
		UnknownChunk,
		/// A manifest lists a manifest; manifests list data chunks only.
		NestedManifest,
		/// The renewal would not extend the record (a manifest lasts as long as its earliest
		/// chunk at most: renew the chunks first; or the retention period was shortened).
		NotExtended,
		/// Every block a record could expire in is full: try in a later block.
		ExpiryFull,
		/// Not called from an extrinsic in a block (nothing would be indexed).
		NotInBlock,
		/// The extrinsic does not end with the data (the call is nested before other calls or
		/// arguments): a node would index other bytes under the data's hash.
		NotLastInExtrinsic,
		/// The extrinsic already indexed a blob or renewed one: one per extrinsic.
		AlreadyIndexed,
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
					Self::deposit_event(Event::Expired { blob: hash });
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
			assert!(T::MaxExpiringPerBlock::get() > 0 && !T::MaxRetention::get().is_zero());
			let normal = *T::BlockLength::get().max.get(DispatchClass::Normal);
			assert!(T::MaxBlobSize::get() < normal, "a blob must fit in a normal extrinsic");
			let max_block = T::BlockWeights::get().max_block;
			assert!(
				T::WeightInfo::on_initialize(T::MaxExpiringPerBlock::get()).all_lte(max_block / 10),
				"expiring a full list takes at most a tenth of a block"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Store `data` as a blob named `blake2_256(data)`.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × data.len()` to the fee destination,
		///   keeping its account alive.
		/// - `data`: 1 to `MaxBlobSize` bytes, not starting with [`MANIFEST_MAGIC`]. The
		///   extrinsic must end with it (a top-level call, or the last call of a batch): nodes
		///   index the extrinsic's last `len` bytes.
		///
		/// Bytes stored already are indexed again and their record extended, as a renewal.
		/// Emits [`Event::Stored`]. Fails with [`Error::Empty`], [`Error::TooLarge`],
		/// [`Error::LooksLikeManifest`], [`Error::NotLastInExtrinsic`],
		/// [`Error::AlreadyIndexed`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error when the fee cannot be paid; nothing is stored or indexed then.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::store(data.len() as u32))]
		pub fn store(origin: OriginFor<T>, data: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::store_as(&who, &data)
		}

		/// Store a manifest: a blob that names data split into stored chunks.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × manifest.len()` (the chunks were paid
		///   when stored).
		/// - `manifest`: [`MANIFEST_MAGIC`] then the SCALE-encoded [`Manifest`], listing 1 to
		///   `MaxChunks` stored data chunks with their lengths. The extrinsic must end with it,
		///   as with [`Pallet::store`].
		///
		/// The manifest's record expires with its earliest chunk, at the latest
		/// `RetentionPeriod` blocks from now. Emits [`Event::ManifestStored`]. Fails with
		/// [`Error::Empty`], [`Error::TooLarge`], [`Error::BadManifest`],
		/// [`Error::UnknownChunk`], [`Error::NestedManifest`], [`Error::NotLastInExtrinsic`],
		/// [`Error::AlreadyIndexed`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::store_manifest(T::MaxChunks::get()))]
		pub fn store_manifest(
			origin: OriginFor<T>,
			manifest: Vec<u8>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!manifest.is_empty(), Error::<T>::Empty);
			// The magic, a compact length of at most five bytes and `MaxChunks` chunk refs.
			let bound = (MANIFEST_MAGIC.len() as u32 + 5)
				.saturating_add(T::MaxChunks::get().saturating_mul(ChunkRef::ENCODED_LEN));
			ensure!(manifest.len() as u32 <= bound, Error::<T>::BadManifest);
			let size = manifest.len() as u32;
			let parsed = Manifest::from_bytes(&manifest).ok_or(Error::<T>::BadManifest)?;
			let chunks = parsed.chunks.len() as u32;
			ensure!(chunks >= 1 && chunks <= T::MaxChunks::get(), Error::<T>::BadManifest);
			let mut until = Self::retained_until();
			for c in &parsed.chunks {
				let blob = Records::<T>::get(H256(c.hash)).ok_or(Error::<T>::UnknownChunk)?;
				ensure!(blob.chunks == 0, Error::<T>::NestedManifest);
				ensure!(blob.bytes == c.size, Error::<T>::BadManifest);
				until = until.min(blob.expires_at);
			}
			let expires_at = Self::expiry_from(until, false)?;
			let hash = H256(sp_io::hashing::blake2_256(&manifest));
			let total_size = parsed.total_size();
			let (fee, extrinsic) =
				Self::put(&who, hash, &manifest, total_size, chunks, expires_at)?;
			ManifestChunks::<T>::insert(
				hash,
				BoundedVec::truncate_from(
					parsed.chunks.iter().map(|c| H256(c.hash)).collect::<Vec<_>>(),
				),
			);
			sp_io::transaction_index::index(extrinsic, size, hash.0);
			Self::deposit_event(Event::ManifestStored {
				blob: hash,
				chunks,
				total_bytes: total_size,
				by: who,
				expires_at,
				fee,
			});
			Ok(Some(T::WeightInfo::store_manifest(chunks)).into())
		}

		/// Extend a blob's record by `RetentionPeriod` blocks from now, and have every node
		/// keep its bytes referenced from this block.
		///
		/// - origin: signed; pays `BlobFee + ByteFee × size` again (the record's owner stays
		///   the account that first stored it).
		/// - `hash`: a stored blob. A manifest is extended as far as its earliest chunk lasts
		///   (it never outlives a chunk): renew the chunks first.
		///
		/// Emits [`Event::Renewed`]. Fails with [`Error::UnknownBlob`], [`Error::NotExtended`],
		/// [`Error::AlreadyIndexed`], [`Error::ExpiryFull`], [`Error::NotInBlock`], or the
		/// currency's error.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::renew(T::MaxChunks::get()))]
		pub fn renew(origin: OriginFor<T>, hash: H256) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut blob = Records::<T>::get(hash).ok_or(Error::<T>::UnknownBlob)?;
			let chunks = ManifestChunks::<T>::get(hash);
			let mut until = Self::retained_until();
			for c in &chunks {
				// A chunk's record outlives its manifest's (`try_state` checks it).
				let chunk = Records::<T>::get(c).ok_or(Error::<T>::UnknownChunk)?;
				until = until.min(chunk.expires_at);
			}
			ensure!(until > blob.expires_at, Error::<T>::NotExtended);
			let expires_at = Self::expiry_from(until, chunks.is_empty())?;
			ensure!(expires_at > blob.expires_at, Error::<T>::NotExtended);
			let extrinsic = Self::claim_index()?;
			Expiring::<T>::mutate(blob.expires_at, |due| due.retain(|h| *h != hash));
			Expiring::<T>::try_mutate(expires_at, |due| due.try_push(hash))
				.map_err(|_| Error::<T>::ExpiryFull)?;
			let fee = Self::charge(&who, blob.bytes)?;
			blob.expires_at = expires_at;
			Records::<T>::insert(hash, blob);
			// Last: index operations are not rolled back with a failed call.
			sp_io::transaction_index::renew(extrinsic, hash.0);
			Self::deposit_event(Event::Renewed { blob: hash, by: who, expires_at, fee });
			Ok(Some(T::WeightInfo::renew(chunks.len() as u32)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The latest block a record stored or renewed now may expire at.
		fn retained_until() -> BlockNumberFor<T> {
			frame_system::Pallet::<T>::block_number().saturating_add(Self::retention_period())
		}

		/// `RetentionPeriod`, clamped to `1 ..= MaxRetention` (one parameter read).
		fn retention_period() -> BlockNumberFor<T> {
			T::RetentionPeriod::get().clamp(One::one(), T::MaxRetention::get())
		}

		/// The block a record wanting to expire at `at` goes into: `at` or, when its list is
		/// full, up to [`EXPIRY_PROBE`] blocks later (`later`, for data) or earlier (for a
		/// manifest, which must not outlive its chunks; never this block or before). The hash
		/// is not listed yet: [`Self::put`] and `renew` list it.
		fn expiry_from(
			at: BlockNumberFor<T>,
			later: bool,
		) -> Result<BlockNumberFor<T>, DispatchError> {
			let now = frame_system::Pallet::<T>::block_number();
			let mut block = at;
			for _ in 0..=EXPIRY_PROBE {
				if block <= now {
					break;
				}
				if (Expiring::<T>::decode_len(block).unwrap_or(0) as u32)
					< T::MaxExpiringPerBlock::get()
				{
					return Ok(block);
				}
				block = if later {
					block.saturating_add(One::one())
				} else {
					block.saturating_sub(One::one())
				};
			}
			Err(Error::<T>::ExpiryFull.into())
		}

		/// `BlobFee + ByteFee × size`, moved from `who` to the fee destination.
		fn charge(who: &T::AccountId, size: u32) -> Result<BalanceOf<T>, DispatchError> {
			let fee = Self::fee_of(size);
			if !fee.is_zero() {
				T::Currency::transfer(who, &T::FeeDestination::get(), fee, Preservation::Preserve)?;
			}
			Ok(fee)
		}

		/// This extrinsic's index, claimed for its one index operation.
		fn claim_index() -> Result<u32, DispatchError> {
			let extrinsic =
				frame_system::Pallet::<T>::extrinsic_index().ok_or(Error::<T>::NotInBlock)?;
			let here = (frame_system::Pallet::<T>::block_number(), extrinsic);
			ensure!(LastIndexed::<T>::get() != Some(here), Error::<T>::AlreadyIndexed);
			LastIndexed::<T>::put(here);
			Ok(extrinsic)
		}

		/// Record `bytes` (a new blob, or one stored again: then its record is extended and
		/// keeps its owner), charge the fee and list its expiry, after checking that the
		/// extrinsic ends with the bytes and indexes nothing else. Returns the fee and the
		/// extrinsic's index, for the caller's index operation, which must come after
		/// everything that can fail.
		fn put(
			who: &T::AccountId,
			hash: H256,
			bytes: &[u8],
			total_size: u64,
			chunks: u32,
			expires_at: BlockNumberFor<T>,
		) -> Result<(BalanceOf<T>, u32), DispatchError> {
			let extrinsic = Self::claim_index()?;
			// What the executive noted before dispatch: the node indexes its tail.
			#[allow(deprecated)]
			let encoded = frame_system::Pallet::<T>::extrinsic_data(extrinsic);
			ensure!(encoded.ends_with(bytes), Error::<T>::NotLastInExtrinsic);
			let size = bytes.len() as u32;
			let record = match Records::<T>::get(hash) {
				Some(old) => {
					ensure!(expires_at > old.expires_at, Error::<T>::NotExtended);
					Expiring::<T>::mutate(old.expires_at, |due| due.retain(|h| *h != hash));
					BlobInfo { expires_at, ..old }
				},
				None => BlobInfo {
					bytes: size,
					total_bytes: total_size,
					chunks,
					owner: who.clone(),
					stored_at: frame_system::Pallet::<T>::block_number(),
					expires_at,
				},
			};
			Expiring::<T>::try_mutate(expires_at, |due| due.try_push(hash))
				.map_err(|_| Error::<T>::ExpiryFull)?;
			let fee = Self::charge(who, size)?;
			Records::<T>::insert(hash, record);
			Ok((fee, extrinsic))
		}

		/// [`Pallet::store`] for `who`: also what other pallets call to store from their own
		/// calls (the market's `publish_output`), whose extrinsic must end with `data` too.
		pub fn store_as(who: &T::AccountId, data: &[u8]) -> DispatchResult {
			ensure!(!data.is_empty(), Error::<T>::Empty);
			let size = u32::try_from(data.len()).map_err(|_| Error::<T>::TooLarge)?;
			ensure!(size <= T::MaxBlobSize::get(), Error::<T>::TooLarge);
			ensure!(!data.starts_with(&MANIFEST_MAGIC), Error::<T>::LooksLikeManifest);
			let hash = H256(sp_io::hashing::blake2_256(data));
			let expires_at = Self::expiry_from(Self::retained_until(), true)?;
			let (fee, extrinsic) = Self::put(who, hash, data, size as u64, 0, expires_at)?;
			// Last: index operations are not rolled back with a failed call.
			sp_io::transaction_index::index(extrinsic, size, hash.0);
			Self::deposit_event(Event::Stored {
				blob: hash,
				bytes: size,
				by: who.clone(),
				expires_at,
				fee,
			});
			Ok(())
		}

		/// A stored blob's record, for other pallets and the runtime API.
		pub fn blob(hash: H256) -> Option<BlobInfoOf<T>> {
			Records::<T>::get(hash)
		}

		/// The fee of storing (or renewing) `size` bytes now: `BlobFee + ByteFee × size`.
		pub fn fee_of(size: u32) -> BalanceOf<T> {
			T::ByteFee::get().saturating_mul(size.into()).saturating_add(T::BlobFee::get())
		}

		/// The governed values as they apply now, with the bounds.
		pub fn params() -> BlobParams<BalanceOf<T>, BlockNumberFor<T>> {
			BlobParams {
				blob_fee: T::BlobFee::get(),
				byte_fee: T::ByteFee::get(),
				retention_period: Self::retention_period(),
				max_blob_size: T::MaxBlobSize::get(),
				max_chunks: T::MaxChunks::get(),
			}
		}

		/// The invariants: every record is within its bounds, expires in the future and is
		/// listed once in its expiry block's list; a manifest's chunks are recorded data blobs
		/// that outlive it; every listed hash and every chunk list has a record.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			for (hash, b) in Records::<T>::iter() {
				ensure!(b.expires_at > now, "a record outlived its expiry");
				ensure!(b.bytes <= T::MaxBlobSize::get(), "a blob above the size bound");
				let due = Expiring::<T>::get(b.expires_at);
				ensure!(
					due.iter().filter(|h| **h == hash).count() == 1,
					"a record is not due once"
				);
				let chunks = ManifestChunks::<T>::get(hash);
				ensure!(b.chunks as usize == chunks.len(), "a manifest's chunks are not recorded");
				for c in chunks {
					let chunk = Records::<T>::get(c).ok_or("a manifest's chunk has no record")?;
					ensure!(chunk.chunks == 0, "a manifest lists a manifest");
					ensure!(chunk.expires_at >= b.expires_at, "a manifest outlives a chunk");
				}
			}
			for (at, due) in Expiring::<T>::iter() {
				for hash in due {
					ensure!(
						Records::<T>::get(hash).is_some_and(|b| b.expires_at == at),
						"a due hash has no record expiring then"
					);
				}
			}
			for (hash, _) in ManifestChunks::<T>::iter() {
				ensure!(Records::<T>::contains_key(hash), "a chunk list without its manifest");
			}
			Ok(())
		}
	}
}

/// The market reads blobs through this: the bytes a blob names and its last block.
impl<T: Config>
	crucible_primitives::data::BlobInspect<frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	fn blob(hash: &[u8; 32]) -> Option<(u64, frame_system::pallet_prelude::BlockNumberFor<T>)> {
		use sp_runtime::traits::{One, Saturating};
		// A record lives while `now < expires_at`: the last block it is there is the one before.
		Records::<T>::get(sp_core::H256(*hash))
			.map(|b| (b.total_bytes, b.expires_at.saturating_sub(One::one())))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmark(
		hash: [u8; 32],
		bytes: u64,
		expires_at: frame_system::pallet_prelude::BlockNumberFor<T>,
	) {
		use sp_runtime::traits::{One, Saturating};
		Records::<T>::insert(
			sp_core::H256(hash),
			BlobInfo {
				bytes: bytes.min(<T::MaxBlobSize as frame_support::traits::Get<u32>>::get() as u64)
					as u32,
				total_bytes: bytes,
				chunks: 0,
				owner: frame_benchmarking::whitelisted_caller(),
				stored_at: frame_system::Pallet::<T>::block_number(),
				expires_at: expires_at.saturating_add(One::one()),
			},
		);
	}
}

/// The market publishes jobs' outputs through this.
impl<T: Config> crucible_primitives::data::BlobStore<T::AccountId> for Pallet<T> {
	type Error = sp_runtime::DispatchError;

	fn store_as(who: &T::AccountId, data: alloc::vec::Vec<u8>) -> Result<(), Self::Error> {
		Pallet::<T>::store_as(who, &data)
	}

	fn max_blob_size() -> u32 {
		<T::MaxBlobSize as frame_support::traits::Get<u32>>::get()
	}
}
