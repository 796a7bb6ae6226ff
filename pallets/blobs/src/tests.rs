//! The blobs pallet's calls, hooks and limits, with the node's index operations checked.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_core::H256;
use sp_state_machine::IndexOperation;

fn store(who: AccountId, data: &[u8]) -> sp_runtime::DispatchResult {
	Blobs::store(RuntimeOrigin::signed(who), data.to_vec())
}

fn manifest_of(chunks: &[&[u8]]) -> Vec<u8> {
	Manifest {
		chunks: chunks
			.iter()
			.map(|c| ChunkRef { hash: hash_of(c), size: c.len() as u32 })
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
		assert_eq!((b.size, b.total_size, b.chunks, b.owner), (100, 100, 0, 1));
		assert_eq!((b.stored_at, b.expires_at), (1, 21));
		// BlobFee 10 + ByteFee 1 × 100 bytes, to the treasury.
		assert_eq!(Balances::balance(&1), INITIAL - 110);
		assert_eq!(Balances::balance(&TREASURY), ED + 110);
		assert_eq!(
			blob_events(),
			vec![Event::Stored { hash, size: 100, owner: 1, expires_at: 21, fee: 110 }]
		);
		assert_eq!(Expiring::<Test>::get(21).to_vec(), vec![hash]);
	});
	assert_eq!(index_ops(&ext), vec![("insert", 0, hash_of(&data).0.to_vec(), 100)]);
}

#[test]
fn bad_stores_are_refused_and_change_nothing() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_noop!(store(1, &[]), Error::<Test>::Empty);
		assert_noop!(store(1, &vec![1u8; MAX_BLOB as usize + 1]), Error::<Test>::TooLarge);
		// Account 6 holds 50: the fee of 100 bytes (110) would take it below... anything.
		assert_noop!(store(6, &[2u8; 100]), sp_runtime::TokenError::FundsUnavailable);
		assert_ok!(store(1, &[3u8; 10]));
		assert_noop!(store(2, &[3u8; 10]), Error::<Test>::AlreadyStored);
		// Outside an extrinsic nothing could be indexed.
		sp_io::storage::clear(sp_core::storage::well_known_keys::EXTRINSIC_INDEX);
		assert_noop!(store(1, &[4u8; 10]), Error::<Test>::NotInBlock);
	});
	// Only the one good store was indexed: a refused call leaves no index operation behind.
	assert_eq!(index_ops(&ext).len(), 1);
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
		assert!(blob_events().contains(&Event::Expired { hash }));
		assert!(Expiring::<Test>::get(21).is_empty());
		// Once expired, the same bytes may be stored again.
		assert_ok!(store(2, b"short-lived"));
	});
}

#[test]
fn renew_extends_the_record_charges_again_and_renews_the_index() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_ok!(store(1, &[5u8; 50]));
		let hash = hash_of(&[5u8; 50]);
		run_to_block(10);
		System::set_extrinsic_index(2);
		assert_ok!(Blobs::renew(RuntimeOrigin::signed(2), hash));
		let b = Blobs::blob(hash).unwrap();
		assert_eq!((b.expires_at, b.owner), (30, 2));
		assert_eq!(Balances::balance(&2), INITIAL - 60);
		assert!(Expiring::<Test>::get(21).is_empty());
		assert_eq!(Expiring::<Test>::get(30).to_vec(), vec![hash]);
		assert!(blob_events().contains(&Event::Renewed { hash, expires_at: 30, fee: 60 }));
		run_to_block(29);
		assert!(Blobs::blob(hash).is_some());
		run_to_block(30);
		assert!(Blobs::blob(hash).is_none());
		assert_noop!(Blobs::renew(RuntimeOrigin::signed(2), hash), Error::<Test>::UnknownBlob);
	});
	let ops = index_ops(&ext);
	assert_eq!(ops.len(), 2);
	assert_eq!(ops[1], ("renew", 2, hash_of(&[5u8; 50]).0.to_vec(), 0));
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
		assert_ok!(Blobs::store_manifest(RuntimeOrigin::signed(1), manifest.clone()));
		let hash = hash_of(&manifest);
		let m = Blobs::blob(hash).unwrap();
		assert_eq!((m.size as usize, m.total_size, m.chunks), (manifest.len(), 642, 3));
		// The first chunk expires at 21: so does the manifest.
		assert_eq!(m.expires_at, 21);
		assert_eq!(
			ManifestChunks::<Test>::get(hash).to_vec(),
			vec![hash_of(&a), hash_of(&b), hash_of(&c)]
		);
		assert!(blob_events().iter().any(|e| matches!(
			e,
			Event::ManifestStored { hash: h, chunks: 3, total_size: 642, expires_at: 21, .. }
				if *h == hash
		)));
		// The manifest already lasts as long as its first chunk: a renewal would not extend it,
		// and is refused (nothing charged). Renewing that chunk first lets the manifest go on
		// to its next-earliest chunk (stored at 5: 25).
		run_to_block(10);
		assert_noop!(Blobs::renew(RuntimeOrigin::signed(1), hash), Error::<Test>::NotExtended);
		assert_ok!(Blobs::renew(RuntimeOrigin::signed(1), hash_of(&a)));
		assert_ok!(Blobs::renew(RuntimeOrigin::signed(1), hash));
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
		for (i, c) in chunks.iter().enumerate() {
			run_to_block(1 + i as u64);
			assert_ok!(store(1, c));
		}
		run_to_block(6);
		let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
		let bad = |bytes: Vec<u8>, e: Error<Test>| {
			assert_noop!(Blobs::store_manifest(RuntimeOrigin::signed(1), bytes), e);
		};
		bad(vec![], Error::<Test>::Empty);
		// No magic; an empty list; trailing bytes; more chunks than MaxChunks (4).
		bad(manifest_of(&refs[..2])[4..].to_vec(), Error::<Test>::BadManifest);
		bad(manifest_of(&[]), Error::<Test>::BadManifest);
		let mut trailing = manifest_of(&refs[..2]);
		trailing.push(0);
		bad(trailing, Error::<Test>::BadManifest);
		bad(manifest_of(&refs), Error::<Test>::BadManifest);
		// A chunk whose length is not its blob's; a chunk nobody stored.
		let mut wrong = Manifest::from_bytes(&manifest_of(&refs[..2])).unwrap();
		wrong.chunks[1].size = 11;
		bad(wrong.to_bytes(), Error::<Test>::BadManifest);
		bad(manifest_of(&[refs[0], b"never stored"]), Error::<Test>::UnknownChunk);
		// A manifest cannot list a manifest.
		let inner = manifest_of(&refs[..2]);
		assert_ok!(Blobs::store_manifest(RuntimeOrigin::signed(1), inner.clone()));
		bad(manifest_of(&[&inner, refs[2]]), Error::<Test>::BadManifest);
	});
}

#[test]
fn a_full_expiry_block_delays_a_store_by_one_block_and_costs_the_filler_its_fees() {
	new_test_ext().execute_with(|| {
		// An account fills the list of records expiring at 21 (MaxExpiringPerBlock = 3).
		for i in 0..MAX_EXPIRING as u8 {
			assert_ok!(store(1, &[i]));
		}
		assert_eq!(Balances::balance(&1), INITIAL - 3 * 11);
		assert_noop!(store(2, b"mine"), Error::<Test>::ExpiryFull);
		// The next block has room.
		run_to_block(2);
		assert_ok!(store(2, b"mine"));
	});
}

#[test]
fn governed_values_apply_from_the_next_call() {
	new_test_ext().execute_with(|| {
		ByteFee::set(3);
		BlobFee::set(0);
		RetentionPeriod::set(5);
		assert_ok!(store(1, &[9u8; 10]));
		let b = Blobs::blob(hash_of(&[9u8; 10])).unwrap();
		assert_eq!(b.expires_at, 6);
		assert_eq!(Balances::balance(&1), INITIAL - 30);
		// A zero retention period still keeps a record for a block.
		RetentionPeriod::set(0);
		assert_ok!(store(1, &[8u8; 10]));
		assert_eq!(Blobs::blob(hash_of(&[8u8; 10])).unwrap().expires_at, 2);
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
