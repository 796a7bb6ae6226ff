//! The blobs pallet's calls, hooks and limits, with the node's index operations checked, and
//! one test per attack the review found (wrong bytes under a hash, records without bytes,
//! squatting, crowded expiry lists, manifests in disguise).

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_core::H256;
use sp_state_machine::IndexOperation;

/// Assert that `call`, dispatched from the next extrinsic (ending with `tail`), fails with `err`
/// and changes no storage.
macro_rules! refused {
	($tail:expr, $call:expr, $err:expr) => {{
		next_extrinsic($tail);
		assert_noop!($call, $err);
	}};
}

fn try_store(who: AccountId, data: &[u8]) -> sp_runtime::DispatchResult {
	Blobs::store(RuntimeOrigin::signed(who), data.to_vec())
}

fn try_store_manifest(who: AccountId, manifest: &[u8]) -> sp_runtime::DispatchResult {
	Blobs::store_manifest(RuntimeOrigin::signed(who), manifest.to_vec())
		.map(|_| ())
		.map_err(|e| e.error)
}

fn try_renew(who: AccountId, hash: H256) -> sp_runtime::DispatchResult {
	Blobs::renew(RuntimeOrigin::signed(who), hash).map(|_| ()).map_err(|e| e.error)
}

/// `who` stores `data` from an extrinsic of its own (one that ends with the data).
fn store(who: AccountId, data: &[u8]) -> sp_runtime::DispatchResult {
	next_extrinsic(data);
	Blobs::store(RuntimeOrigin::signed(who), data.to_vec())
}

/// `who` stores `manifest` from an extrinsic of its own.
fn store_manifest(who: AccountId, manifest: &[u8]) -> sp_runtime::DispatchResult {
	next_extrinsic(manifest);
	Blobs::store_manifest(RuntimeOrigin::signed(who), manifest.to_vec())
		.map(|_| ())
		.map_err(|e| e.error)
}

/// `who` renews `hash` from an extrinsic of its own.
fn renew(who: AccountId, hash: H256) -> sp_runtime::DispatchResult {
	next_extrinsic(hash.as_bytes());
	Blobs::renew(RuntimeOrigin::signed(who), hash).map(|_| ()).map_err(|e| e.error)
}

fn manifest_of(chunks: &[&[u8]]) -> Vec<u8> {
	Manifest {
		chunks: chunks
			.iter()
			.map(|c| ChunkRef { hash: hash_of(c).0, size: c.len() as u32 })
			.collect(),
	}
	.to_bytes()
}

/// The index operations the calls left for the node, in order, as (operation, extrinsic, hash,
/// size).
fn index_ops(ext: &sp_io::TestExternalities) -> Vec<(&'static str, u32, Vec<u8>, u32)> {
	ext.overlayed_changes()
		.transaction_index_ops()
		.iter()
		.map(|op| match op {
			IndexOperation::Insert { extrinsic, hash, size } => {
				("insert", *extrinsic, hash.clone(), *size)
			},
			IndexOperation::Renew { extrinsic, hash } => ("renew", *extrinsic, hash.clone(), 0),
		})
		.collect()
}

#[test]
fn store_records_charges_and_indexes_the_bytes() {
	let mut ext = new_test_ext();
	let data = vec![7u8; 100];
	ext.execute_with(|| {
		assert_ok!(store(1, &data));
		let hash = hash_of(&data);
		let b = Blobs::blob(hash).unwrap();
		assert_eq!((b.bytes, b.total_bytes, b.chunks, b.owner), (100, 100, 0, 1));
		assert_eq!((b.stored_at, b.expires_at), (1, 21));
		// BlobFee 10 + ByteFee 1 × 100 bytes, to the treasury.
		assert_eq!(Balances::balance(&1), INITIAL - 110);
		assert_eq!(Balances::balance(&TREASURY), ED + 110);
		assert_eq!(
			blob_events(),
			vec![Event::Stored { blob: hash, bytes: 100, by: 1, expires_at: 21, fee: 110 }]
		);
		assert_eq!(Expiring::<Test>::get(21).to_vec(), vec![hash]);
	});
	assert_eq!(index_ops(&ext), vec![("insert", 0, hash_of(&data).0.to_vec(), 100)]);
}

#[test]
fn bad_stores_are_refused_and_change_nothing() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		refused!(&[], try_store(1, &[]), Error::<Test>::Empty);
		let big = vec![1u8; MAX_BLOB as usize + 1];
		refused!(&big, try_store(1, &big), Error::<Test>::TooLarge);
		refused!(
			b"crcm and more",
			try_store(1, b"crcm and more"),
			Error::<Test>::LooksLikeManifest
		);
		// Account 6 holds 50: the fee of 100 bytes is 110.
		refused!(&[2u8; 100], try_store(6, &[2u8; 100]), sp_runtime::TokenError::FundsUnavailable);
		// Outside an extrinsic nothing could be indexed.
		sp_io::storage::clear(sp_core::storage::well_known_keys::EXTRINSIC_INDEX);
		System::note_extrinsic(vec![4u8; 10]);
		assert_noop!(
			Blobs::store(RuntimeOrigin::signed(1), vec![4u8; 10]),
			Error::<Test>::NotInBlock
		);
	});
	// A refused call leaves no index operation behind.
	assert!(index_ops(&ext).is_empty());
}

#[test]
fn a_store_that_is_not_the_extrinsics_tail_is_refused() {
	// Attack: `utility.batch([store(a), remark(x)])` would make nodes index the remark's bytes
	// under `hash(a)`, and the first bytes kept under a hash stay there.
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		let a = b"the data everyone wants".to_vec();
		next_extrinsic(&[a.clone(), b"remark: junk".to_vec()].concat());
		assert_noop!(
			Blobs::store(RuntimeOrigin::signed(1), a.clone()),
			Error::<Test>::NotLastInExtrinsic
		);
		// Its honest owner stores it as a top-level call.
		assert_ok!(store(2, &a));
		assert_eq!(Blobs::blob(hash_of(&a)).unwrap().owner, 2);
	});
	assert_eq!(index_ops(&ext).len(), 1);
}

#[test]
fn one_index_operation_per_extrinsic() {
	// Attack: `batch([store(b'), store(b)])` with `b` ending with `b'`: both calls' data end the
	// extrinsic, but a node keeps one index operation per extrinsic, so `b'` would get a record
	// without bytes behind it. A renewal in the same extrinsic would likewise drop the store.
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_ok!(store(1, b"older"));
		run_to_block(2);
		let b = b"prefix and the tail".to_vec();
		let tail = b"the tail".to_vec();
		next_extrinsic(&b);
		assert_ok!(Blobs::store(RuntimeOrigin::signed(1), tail.clone()));
		assert_noop!(
			Blobs::store(RuntimeOrigin::signed(1), b.clone()),
			Error::<Test>::AlreadyIndexed
		);
		assert_noop!(
			Blobs::renew(RuntimeOrigin::signed(1), hash_of(b"older")).map_err(|e| e.error),
			Error::<Test>::AlreadyIndexed
		);
		// The next extrinsic may renew it.
		assert_ok!(renew(1, hash_of(b"older")));
	});
	assert_eq!(index_ops(&ext).len(), 3);
}

#[test]
fn storing_stored_bytes_again_reindexes_them_and_extends_the_record() {
	// No squatting: someone who stored the bytes first cannot stop others from storing (and
	// so re-indexing) them; the record keeps its first owner.
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_ok!(store(1, b"shared data"));
		run_to_block(5);
		assert_ok!(store(2, b"shared data"));
		let b = Blobs::blob(hash_of(b"shared data")).unwrap();
		assert_eq!((b.owner, b.stored_at, b.expires_at), (1, 1, 25));
		assert!(Expiring::<Test>::get(21).is_empty());
		assert_eq!(Balances::balance(&2), INITIAL - 21);
		// Not again in the same block: it would not extend anything.
		refused!(b"shared data", try_store(3, b"shared data"), Error::<Test>::NotExtended);
	});
	let ops = index_ops(&ext);
	assert_eq!(ops.len(), 2);
	assert!(ops
		.iter()
		.all(|op| op.0 == "insert" && op.2 == hash_of(b"shared data").0.to_vec()));
}

#[test]
fn a_record_expires_after_the_retention_period() {
	new_test_ext().execute_with(|| {
		assert_ok!(store(1, b"short-lived"));
		let hash = hash_of(b"short-lived");
		run_to_block(20);
		assert!(Blobs::blob(hash).is_some());
		run_to_block(21);
		assert!(Blobs::blob(hash).is_none());
		assert!(blob_events().contains(&Event::Expired { blob: hash }));
		assert!(Expiring::<Test>::get(21).is_empty());
	});
}

#[test]
fn renew_extends_the_record_charges_again_and_renews_the_index() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_ok!(store(1, &[5u8; 50]));
		let hash = hash_of(&[5u8; 50]);
		run_to_block(10);
		assert_ok!(renew(2, hash));
		let renewing = System::extrinsic_index().unwrap();
		let b = Blobs::blob(hash).unwrap();
		// The renewer pays; the owner stays.
		assert_eq!((b.expires_at, b.owner), (30, 1));
		assert_eq!(Balances::balance(&2), INITIAL - 60);
		assert!(Expiring::<Test>::get(21).is_empty());
		assert_eq!(Expiring::<Test>::get(30).to_vec(), vec![hash]);
		assert!(blob_events().contains(&Event::Renewed {
			blob: hash,
			by: 2,
			expires_at: 30,
			fee: 60
		}));
		// Renewing again in the same block would extend nothing.
		refused!(hash.as_bytes(), try_renew(2, hash), Error::<Test>::NotExtended);
		run_to_block(29);
		assert!(Blobs::blob(hash).is_some());
		run_to_block(30);
		assert!(Blobs::blob(hash).is_none());
		refused!(hash.as_bytes(), try_renew(2, hash), Error::<Test>::UnknownBlob);
		assert_eq!(renewing, 0);
	});
	let ops = index_ops(&ext);
	assert_eq!(ops.len(), 2);
	assert_eq!(ops[1], ("renew", 0, hash_of(&[5u8; 50]).0.to_vec(), 0));
}

#[test]
fn a_manifest_names_stored_chunks_and_never_outlives_them() {
	new_test_ext().execute_with(|| {
		let (a, b, c) = (vec![1u8; 300], vec![2u8; 300], vec![3u8; 42]);
		assert_ok!(store(1, &a));
		run_to_block(5);
		assert_ok!(store(1, &b));
		assert_ok!(store(1, &c));
		let manifest = manifest_of(&[&a, &b, &c]);
		assert_ok!(store_manifest(1, &manifest));
		let hash = hash_of(&manifest);
		let m = Blobs::blob(hash).unwrap();
		assert_eq!((m.bytes as usize, m.total_bytes, m.chunks), (manifest.len(), 642, 3));
		// The first chunk expires at 21: so does the manifest.
		assert_eq!(m.expires_at, 21);
		assert_eq!(
			ManifestChunks::<Test>::get(hash).to_vec(),
			vec![hash_of(&a), hash_of(&b), hash_of(&c)]
		);
		assert!(blob_events().iter().any(|e| matches!(
			e,
			Event::ManifestStored { blob: h, chunks: 3, total_bytes: 642, expires_at: 21, .. }
				if *h == hash
		)));
		// The manifest already lasts as long as its first chunk: a renewal would not extend it,
		// and is refused (nothing charged). Renewing that chunk first lets the manifest go on
		// to its next-earliest chunk (stored at 5: 25).
		run_to_block(10);
		refused!(hash.as_bytes(), try_renew(1, hash), Error::<Test>::NotExtended);
		assert_ok!(renew(1, hash_of(&a)));
		assert_ok!(renew(1, hash));
		assert_eq!(Blobs::blob(hash).unwrap().expires_at, 25);
		run_to_block(25);
		assert!(Blobs::blob(hash).is_none() && ManifestChunks::<Test>::get(hash).is_empty());
		assert!(Blobs::blob(hash_of(&b)).is_none() && Blobs::blob(hash_of(&a)).is_some());
	});
}

#[test]
fn bad_manifests_are_refused() {
	new_test_ext().execute_with(|| {
		let chunks: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10]).collect();
		for c in &chunks {
			assert_ok!(store(1, c));
		}
		let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
		let bad = |bytes: Vec<u8>, e: Error<Test>| {
			refused!(&bytes, try_store_manifest(1, &bytes), e);
		};
		bad(vec![], Error::<Test>::Empty);
		// No magic; an empty list; trailing bytes; more chunks than MaxChunks (4).
		bad(manifest_of(&refs[..2])[4..].to_vec(), Error::<Test>::BadManifest);
		bad(manifest_of(&[]), Error::<Test>::BadManifest);
		let mut trailing = manifest_of(&refs[..2]);
		trailing.push(0);
		bad(trailing, Error::<Test>::BadManifest);
		bad(manifest_of(&refs), Error::<Test>::BadManifest);
		// Longer than any manifest of MaxChunks chunks could be.
		let mut long = manifest_of(&refs[..1]);
		long.resize(4 + 5 + 36 * MAX_CHUNKS as usize + 1, 0);
		bad(long, Error::<Test>::BadManifest);
		// A chunk whose length is not its blob's; a chunk nobody stored.
		let mut wrong = Manifest::from_bytes(&manifest_of(&refs[..2])).unwrap();
		wrong.chunks[1].size = 11;
		bad(wrong.to_bytes(), Error::<Test>::BadManifest);
		bad(manifest_of(&[refs[0], b"never stored"]), Error::<Test>::UnknownChunk);
		// A manifest cannot list a manifest, and a data blob cannot pose as one.
		let inner = manifest_of(&refs[..2]);
		assert_ok!(store_manifest(1, &inner));
		bad(manifest_of(&[&inner, refs[2]]), Error::<Test>::NestedManifest);
		refused!(&inner, try_store(1, &inner), Error::<Test>::LooksLikeManifest);
	});
}

#[test]
fn a_crowded_expiry_block_moves_records_on_and_costs_the_crowd_its_fees() {
	new_test_ext().execute_with(|| {
		// Attack: fill the list of records expiring at 21 (MaxExpiringPerBlock = 3), and the
		// next lists, so that others cannot store. Each list of three costs three fees; an
		// honest store just expires a block later.
		for i in 0..MAX_EXPIRING as u8 {
			assert_ok!(store(1, &[i]));
		}
		assert_ok!(store(2, b"mine"));
		assert_eq!(Blobs::blob(hash_of(b"mine")).unwrap().expires_at, 22);
		// Only when EXPIRY_PROBE + 1 lists in a row are full is a store refused.
		for i in 0..(MAX_EXPIRING * (EXPIRY_PROBE + 1) - 4) as u16 {
			assert_ok!(store(1, &(1000 + i).to_le_bytes()));
		}
		assert_eq!(Expiring::<Test>::get(21 + EXPIRY_PROBE as u64).len(), MAX_EXPIRING as usize);
		refused!(b"yours", try_store(2, b"yours"), Error::<Test>::ExpiryFull);
		let crowd = MAX_EXPIRING * (EXPIRY_PROBE + 1) - 1;
		assert_eq!(Balances::balance(&1), INITIAL - 11 * 3 - 12 * (crowd as u128 - 3));
		// The next block has room again.
		run_to_block(2);
		assert_ok!(store(2, b"yours"));
	});
}

#[test]
fn governed_values_apply_from_the_next_call_within_their_bounds() {
	new_test_ext().execute_with(|| {
		ByteFee::set(3);
		BlobFee::set(0);
		RetentionPeriod::set(5);
		assert_ok!(store(1, &[9u8; 10]));
		let b = Blobs::blob(hash_of(&[9u8; 10])).unwrap();
		assert_eq!(b.expires_at, 6);
		assert_eq!(Balances::balance(&1), INITIAL - 30);
		// A zero retention period still keeps a record for a block, a huge one for at most
		// MaxRetention.
		RetentionPeriod::set(0);
		assert_ok!(store(1, &[8u8; 10]));
		assert_eq!(Blobs::blob(hash_of(&[8u8; 10])).unwrap().expires_at, 2);
		RetentionPeriod::set(u64::MAX);
		assert_ok!(store(1, &[7u8; 10]));
		assert_eq!(Blobs::blob(hash_of(&[7u8; 10])).unwrap().expires_at, 1 + MAX_RETENTION);
	});
}

#[test]
fn the_cid_is_cidv1_raw_blake2b_256() {
	// Independently: base32 (RFC 4648, lowercase, unpadded) of 01 55 a0 e4 02 20 ‖ blake2b-256
	// ("hello"), with the multibase prefix `b`.
	let hash = hash_of(b"hello");
	assert_eq!(hex_of(hash), "324dcf027dd4a30a932c441f365a25e86b173defa4b8e58948253471b81b72cf");
	assert_eq!(cid_of(&hash.0), "bafk2bzaceaze3tycpxkkgcutfrcb6ns2exugwfz556slrzmjjasti4nydnzm6");
}

fn hex_of(h: H256) -> String {
	h.0.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_shared_manifest_layout_is_scale() {
	// `crucible_primitives::data` writes manifests by hand (the worker has no SCALE codec): its
	// bytes must be what SCALE makes of the chunk list, for every count width.
	use codec::Encode;
	for n in [1u32, 63, 64, 300] {
		let chunks: Vec<([u8; 32], u32)> = (0..n).map(|i| ([i as u8; 32], i * 7)).collect();
		let mut scale = MANIFEST_MAGIC.to_vec();
		chunks.encode_to(&mut scale);
		let ours = Manifest {
			chunks: chunks
				.iter()
				.map(|(hash, size)| ChunkRef { hash: *hash, size: *size })
				.collect(),
		};
		assert_eq!(ours.to_bytes(), scale, "{n} chunks");
		assert_eq!(Manifest::from_bytes(&scale), Some(ours));
	}
}
