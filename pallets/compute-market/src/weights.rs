//! Weights of `pallet_compute_market`.
//!
//! NOTE: these are provisional figures written by hand from the storage each path touches
//! (reads/writes at RocksDB weights plus a compute term). They are replaced by weights generated
//! from `benchmarking.rs` with `frame-omni-bencher` (see scripts/bench-pallet.sh).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_compute_market`.
pub trait WeightInfo {
	fn register_workload() -> Weight;
	fn update_workload() -> Weight;
	fn retire_workload() -> Weight;
	fn register_provider(p: u32) -> Weight;
	fn bond_more(p: u32) -> Weight;
	fn unbond(p: u32) -> Weight;
	fn withdraw_bond() -> Weight;
	fn submit_job() -> Weight;
	fn cancel_job(q: u32) -> Weight;
	fn commit_result() -> Weight;
	fn reveal_result() -> Weight;
	fn set_device_classes() -> Weight;
	fn on_initialize_base() -> Weight;
	fn assign_job(p: u32) -> Weight;
	fn expire_job() -> Weight;
	fn settle_job(r: u32) -> Weight;
	fn prune_job() -> Weight;
}

/// Weights for `pallet_compute_market` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_workload() -> Weight {
		Weight::from_parts(20_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
	fn update_workload() -> Weight {
		Weight::from_parts(20_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn retire_workload() -> Weight {
		Weight::from_parts(15_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn register_provider(p: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(150_000, 56).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn bond_more(p: u32) -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(Weight::from_parts(150_000, 56).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn unbond(p: u32) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(150_000, 56).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(60_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn submit_job() -> Weight {
		Weight::from_parts(80_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn cancel_job(q: u32) -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(20_000, 8).saturating_mul(q.into()))
			.saturating_add(T::DbWeight::get().reads_writes(6, 7))
	}
	fn commit_result() -> Weight {
		Weight::from_parts(40_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn reveal_result() -> Weight {
		Weight::from_parts(120_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn set_device_classes() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn on_initialize_base() -> Weight {
		Weight::from_parts(5_000_000, 1_000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn assign_job(p: u32) -> Weight {
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(400_000, 2_600).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads_writes(5, 3))
			.saturating_add(T::DbWeight::get().reads(p.into()))
	}
	fn expire_job() -> Weight {
		Weight::from_parts(50_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 5))
	}
	fn settle_job(r: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(Weight::from_parts(150_000_000, 12_000).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads_writes(6, 6))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8).saturating_mul(r.into()))
	}
	fn prune_job() -> Weight {
		Weight::from_parts(30_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 4))
	}
}

// For tests.
impl WeightInfo for () {
	fn register_workload() -> Weight { Weight::from_parts(20_000_000, 1_600).saturating_add(RocksDbWeight::get().reads_writes(1, 2)) }
	fn update_workload() -> Weight { Weight::from_parts(20_000_000, 1_600).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn retire_workload() -> Weight { Weight::from_parts(15_000_000, 1_600).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn register_provider(_p: u32) -> Weight { Weight::from_parts(60_000_000, 4_000) }
	fn bond_more(_p: u32) -> Weight { Weight::from_parts(50_000_000, 4_000) }
	fn unbond(_p: u32) -> Weight { Weight::from_parts(30_000_000, 4_000) }
	fn withdraw_bond() -> Weight { Weight::from_parts(60_000_000, 4_000) }
	fn submit_job() -> Weight { Weight::from_parts(80_000_000, 8_000) }
	fn cancel_job(_q: u32) -> Weight { Weight::from_parts(60_000_000, 8_000) }
	fn commit_result() -> Weight { Weight::from_parts(40_000_000, 8_000) }
	fn reveal_result() -> Weight { Weight::from_parts(120_000_000, 10_000) }
	fn set_device_classes() -> Weight { Weight::from_parts(30_000_000, 4_000) }
	fn on_initialize_base() -> Weight { Weight::from_parts(5_000_000, 1_000) }
	fn assign_job(_p: u32) -> Weight { Weight::from_parts(80_000_000, 10_000) }
	fn expire_job() -> Weight { Weight::from_parts(50_000_000, 8_000) }
	fn settle_job(_r: u32) -> Weight { Weight::from_parts(100_000_000, 10_000) }
	fn prune_job() -> Weight { Weight::from_parts(30_000_000, 8_000) }
}
