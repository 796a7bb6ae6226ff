//! Weights of the blobs pallet.
//!
//! PROVISIONAL, hand-set until `scripts/bench-pallet.sh` runs this pallet's benchmarks on the
//! runtime (it joins the runtime with the jobs that read blobs): reads and writes are counted
//! from the code, times are estimates at the scale of the market's measured weights, and
//! `store` charges the hashing of its bytes per byte.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed by the blobs pallet.
pub trait WeightInfo {
	fn store(l: u32) -> Weight;
	fn store_manifest(c: u32) -> Weight;
	fn renew(c: u32) -> Weight;
	fn on_initialize(e: u32) -> Weight;
}

/// Weights for a runtime's database.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: `Records`, up to `EXPIRY_PROBE + 1` `Expiring` lists, `LastIndexed`, the
	/// extrinsic's noted bytes, both accounts; writes: `Records`, `Expiring`, `LastIndexed`,
	/// both accounts.
	fn store(l: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			// blake2-256 of the bytes and their comparison with the extrinsic's, ≈ 3 ns a byte;
			// the proof holds the call's bytes twice (argument and noted extrinsic).
			.saturating_add(Weight::from_parts(3_000, 2).saturating_mul(l.into()))
			.saturating_add(Weight::from_parts(2_000_000, 2_600).saturating_mul(17))
			.saturating_add(T::DbWeight::get().reads_writes(22, 5))
	}
	/// As `store`, plus one `Records` read per chunk and the `ManifestChunks` write.
	fn store_manifest(c: u32) -> Weight {
		Weight::from_parts(70_000_000, 8_000)
			.saturating_add(Weight::from_parts(5_000_000, 2_600).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(2_000_000, 2_600).saturating_mul(17))
			.saturating_add(T::DbWeight::get().reads_writes(22, 6))
			.saturating_add(T::DbWeight::get().reads(c.into()))
	}
	/// Reads: `Records`, `ManifestChunks`, the old and up to 17 new `Expiring` lists,
	/// `LastIndexed`, both accounts, a chunk each.
	fn renew(c: u32) -> Weight {
		Weight::from_parts(70_000_000, 8_000)
			.saturating_add(Weight::from_parts(5_000_000, 2_600).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(2_000_000, 2_600).saturating_mul(17))
			.saturating_add(T::DbWeight::get().reads_writes(23, 6))
			.saturating_add(T::DbWeight::get().reads(c.into()))
	}
	/// One `Expiring` take, then per record a read and two removals.
	fn on_initialize(e: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(10_000_000, 2_600).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
			.saturating_add(T::DbWeight::get().reads_writes(e.into(), (2 * e).into()))
	}
}

impl WeightInfo for () {
	fn store(l: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(l.into()))
	}
	fn store_manifest(c: u32) -> Weight {
		Weight::from_parts(70_000_000, 8_000).saturating_mul((c as u64).max(1))
	}
	fn renew(c: u32) -> Weight {
		Weight::from_parts(70_000_000, 8_000).saturating_mul((c as u64).max(1))
	}
	fn on_initialize(e: u32) -> Weight {
		Weight::from_parts(10_000_000, 3_000).saturating_mul((e as u64).max(1))
	}
}
