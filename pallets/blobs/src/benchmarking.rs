//! Benchmarks at each call's worst case: the largest blob checked against the extrinsic's
//! bytes, a manifest of `MaxChunks` chunks, a renewal that reads every chunk, and, for every
//! call, full expiry lists to probe past and to rewrite; `on_initialize` with a full list.

use super::*;
use crate::Pallet as Blobs;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get, Hooks},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{Bounded, One, Saturating};

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	T::Currency::set_balance(&T::FeeDestination::get(), BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn now<T: Config>() -> frame_system::pallet_prelude::BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn next_block<T: Config>() {
	frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(One::one()));
}

/// Start the block's next extrinsic, ending with `tail`, as the executive does.
fn next_extrinsic<T: Config>(tail: &[u8]) {
	let i = frame_system::Pallet::<T>::extrinsic_index().map_or(0, |i| i + 1);
	frame_system::Pallet::<T>::set_extrinsic_index(i);
	frame_system::Pallet::<T>::note_extrinsic(tail.to_vec());
}

/// A placeholder hash for expiry lists: distinct per `(tag, i)`.
fn placeholder(tag: u32, i: u32) -> H256 {
	let mut h = [0xee; 32];
	h[..4].copy_from_slice(&tag.to_le_bytes());
	h[4..8].copy_from_slice(&i.to_le_bytes());
	H256(h)
}

/// Fill up to `lists` expiry lists from `from` on (forward, or backward for manifests, never
/// down to this block) with placeholders, leaving one place in the last: the most a call
/// probes and rewrites.
fn crowd<T: Config>(
	from: frame_system::pallet_prelude::BlockNumberFor<T>,
	forward: bool,
	lists: u32,
) {
	let k = T::MaxExpiringPerBlock::get();
	let mut blocks = Vec::new();
	let mut at = from;
	for _ in 0..lists {
		if !forward && at <= now::<T>() {
			break;
		}
		blocks.push(at);
		at = if forward { at.saturating_add(One::one()) } else { at.saturating_sub(One::one()) };
	}
	let last = blocks.len().saturating_sub(1);
	for (step, at) in blocks.into_iter().enumerate() {
		let n = if step == last { k - 1 } else { k };
		let fill: Vec<H256> = (0..n).map(|i| placeholder(step as u32, i)).collect();
		Expiring::<T>::insert(at, BoundedVec::truncate_from(fill));
	}
}

/// `n` stored data chunks (a block apart, so that they expire apart), and the manifest that
/// lists them.
fn chunks<T: Config>(who: &T::AccountId, n: u32) -> Vec<u8> {
	let mut refs = Vec::new();
	for i in 0..n {
		next_block::<T>();
		let data = i.to_le_bytes().to_vec();
		refs.push(ChunkRef { hash: sp_io::hashing::blake2_256(&data), size: 4 });
		next_extrinsic::<T>(&data);
		Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), data).expect("chunk stores");
	}
	Manifest { chunks: refs }.to_bytes()
}

fn due<T: Config>() -> frame_system::pallet_prelude::BlockNumberFor<T> {
	now::<T>().saturating_add(T::RetentionPeriod::get().clamp(One::one(), T::MaxRetention::get()))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn store(l: Linear<1, { T::MaxBlobSize::get() }>) {
		let who = funded::<T>("who");
		let data = vec![0xab; l as usize];
		crowd::<T>(due::<T>(), true, EXPIRY_PROBE + 1);
		next_extrinsic::<T>(&data);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), data.clone());
		assert!(Blobs::<T>::blob(H256(sp_io::hashing::blake2_256(&data))).is_some());
	}

	#[benchmark]
	fn store_manifest(c: Linear<1, { T::MaxChunks::get() }>) {
		let who = funded::<T>("who");
		let manifest = chunks::<T>(&who, c);
		next_block::<T>();
		// The manifest is due with its first chunk; crowd the lists before that.
		let first = H256(sp_io::hashing::blake2_256(&0u32.to_le_bytes()));
		let until = Blobs::<T>::blob(first).expect("stored").expires_at;
		// The first chunk's list is full (it holds the chunk), and so are those before it.
		Expiring::<T>::mutate(until, |d| {
			while d.try_push(placeholder(u32::MAX, d.len() as u32)).is_ok() {}
		});
		crowd::<T>(until.saturating_sub(One::one()), false, EXPIRY_PROBE);
		next_extrinsic::<T>(&manifest);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), manifest.clone());
		assert!(Blobs::<T>::blob(H256(sp_io::hashing::blake2_256(&manifest))).is_some());
	}

	#[benchmark]
	fn renew(c: Linear<0, { T::MaxChunks::get() }>) {
		let who = funded::<T>("who");
		let hash = if c == 0 {
			let data = vec![1u8; T::MaxBlobSize::get() as usize];
			next_extrinsic::<T>(&data);
			Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), data.clone()).expect("stores");
			H256(sp_io::hashing::blake2_256(&data))
		} else {
			let manifest = chunks::<T>(&who, c);
			next_extrinsic::<T>(&manifest);
			Blobs::<T>::store_manifest(RawOrigin::Signed(who.clone()).into(), manifest.clone())
				.expect("manifest stores");
			// The manifest lasts as long as its first chunk: renew that chunk a block later,
			// so that the manifest's renewal reads every chunk and extends it.
			next_block::<T>();
			let first = H256(sp_io::hashing::blake2_256(&0u32.to_le_bytes()));
			next_extrinsic::<T>(first.as_bytes());
			Blobs::<T>::renew(RawOrigin::Signed(who.clone()).into(), first).expect("renews");
			H256(sp_io::hashing::blake2_256(&manifest))
		};
		next_block::<T>();
		// The record's own list is full (rewritten without it); data probes the crowded lists
		// after its due block.
		let old = Blobs::<T>::blob(hash).expect("stored").expires_at;
		Expiring::<T>::mutate(old, |d| {
			while d.try_push(placeholder(u32::MAX, d.len() as u32)).is_ok() {}
		});
		if c == 0 {
			crowd::<T>(due::<T>(), true, EXPIRY_PROBE + 1);
		}
		next_extrinsic::<T>(hash.as_bytes());
		#[extrinsic_call]
		_(RawOrigin::Signed(who), hash);
		assert!(Blobs::<T>::blob(hash).is_some_and(|b| b.expires_at > old));
	}

	#[benchmark]
	fn on_initialize(e: Linear<0, { T::MaxExpiringPerBlock::get() }>) {
		let who = funded::<T>("who");
		for i in 0..e {
			let data = i.to_le_bytes().to_vec();
			next_extrinsic::<T>(&data);
			Blobs::<T>::store(RawOrigin::Signed(who.clone()).into(), data).expect("stores");
		}
		let at = due::<T>();
		#[block]
		{
			Blobs::<T>::on_initialize(at);
		}
		assert!(Expiring::<T>::get(at).is_empty());
	}

	impl_benchmark_test_suite!(Blobs, crate::mock::new_test_ext(), crate::mock::Test);
}
