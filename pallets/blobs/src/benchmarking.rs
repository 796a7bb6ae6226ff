//! Benchmarks at each call's worst case: the largest blob, a manifest of `MaxChunks` chunks, a
//! renewal that checks every chunk, and a block where `MaxExpiringPerBlock` records expire.

use super::*;
use crate::Pallet as Blobs;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get, Hooks};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{Bounded, Saturating};

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	T::Currency::set_balance(&T::FeeDestination::get(), BalanceOf::<T>::max_value() / 4u32.into());
	frame_system::Pallet::<T>::set_extrinsic_index(0);
	who
}

/// `n` stored chunks of distinct bytes, and the manifest that lists them.
fn chunks<T: Config>(who: &T::AccountId, n: u32) -> Vec<u8> {
	let mut refs = Vec::new();
	for i in 0..n {
		// Records expiring at the same block share one list: a chunk a block.
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(1u32.into()));
		let data = i.to_le_bytes().to_vec();
		refs.push(ChunkRef { hash: H256(sp_io::hashing::blake2_256(&data)), size: 4 });
		Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), data).expect("chunk stores");
	}
	Manifest { chunks: refs }.to_bytes()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn store(l: Linear<1, { T::MaxBlobSize::get() }>) {
		let who = funded::<T>("who");
		let data = vec![0xab; l as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(who), data.clone());
		assert!(Blobs::<T>::blob(H256(sp_io::hashing::blake2_256(&data))).is_some());
	}

	#[benchmark]
	fn store_manifest(c: Linear<1, { T::MaxChunks::get() }>) {
		let who = funded::<T>("who");
		let manifest = chunks::<T>(&who, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), manifest.clone());
		assert!(Blobs::<T>::blob(H256(sp_io::hashing::blake2_256(&manifest))).is_some());
	}

	#[benchmark]
	fn renew(c: Linear<0, { T::MaxChunks::get() }>) {
		let who = funded::<T>("who");
		let hash = if c == 0 {
			let data = vec![1u8; T::MaxBlobSize::get() as usize];
			Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), data.clone()).expect("stores");
			// A block later, so that the renewal extends it.
			let now = frame_system::Pallet::<T>::block_number();
			frame_system::Pallet::<T>::set_block_number(now.saturating_add(1u32.into()));
			H256(sp_io::hashing::blake2_256(&data))
		} else {
			let manifest = chunks::<T>(&who, c);
			Blobs::<T>::store_manifest(RawOrigin::Signed(who.clone()).into(), manifest.clone())
				.expect("manifest stores");
			// The manifest lasts as long as its first chunk: renew that chunk a block later, so
			// that the manifest's renewal reads every chunk and extends it.
			let now = frame_system::Pallet::<T>::block_number();
			frame_system::Pallet::<T>::set_block_number(now.saturating_add(1u32.into()));
			let first = H256(sp_io::hashing::blake2_256(&0u32.to_le_bytes()));
			Blobs::<T>::renew(RawOrigin::Signed(who.clone()).into(), first).expect("renews");
			H256(sp_io::hashing::blake2_256(&manifest))
		};
		#[extrinsic_call]
		_(RawOrigin::Signed(who), hash);
		let now = frame_system::Pallet::<T>::block_number();
		let renewed = Blobs::<T>::blob(hash).map(|b| b.expires_at);
		assert!(renewed.is_some_and(|e| e > now));
	}

	#[benchmark]
	fn on_initialize(e: Linear<0, { T::MaxExpiringPerBlock::get() }>) {
		let who = funded::<T>("who");
		for i in 0..e {
			Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), i.to_le_bytes().to_vec())
				.expect("stores");
		}
		let now = frame_system::Pallet::<T>::block_number();
		let due = now.saturating_add(T::RetentionPeriod::get().max(1u32.into()));
		#[block]
		{
			Blobs::<T>::on_initialize(due);
		}
		assert!(Expiring::<T>::get(due).is_empty());
	}

	impl_benchmark_test_suite!(Blobs, crate::mock::new_test_ext(), crate::mock::Test);
}
