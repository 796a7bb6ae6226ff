use super::*;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::{Pair, H256};

#[test]
fn commitment_layout_is_job_digest_small_output_hash_salt_provider() {
	new_test_ext().execute_with(|| {
		let digest = H256::repeat_byte(9);
		let salt = [3u8; 32];
		let mut pre = 5u64.to_le_bytes().to_vec();
		pre.extend_from_slice(digest.as_bytes());
		pre.extend_from_slice(&sp_io::hashing::blake2_256(b"small"));
		pre.extend_from_slice(&salt);
		pre.extend_from_slice(&10u64.to_le_bytes());
		assert_eq!(
			Market::commitment_of(5, &digest, b"small", &salt, &10),
			H256(sp_io::hashing::blake2_256(&pre))
		);
	});
}

#[test]
fn commit_checks_assignment_window_and_duplicates() {
	new_test_ext().execute_with(|| {
		let (id, _) = assigned_matmul(10..=12);
		let d = H256::repeat_byte(1);
		assert_noop!(commit(13, id, d, &[]), Error::<Test>::NotAssigned);
		assert_noop!(commit(10, 77, d, &[]), Error::<Test>::UnknownJob);
		assert_ok!(commit(10, id, d, &[]));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Committing);
		assert_noop!(commit(10, id, d, &[]), Error::<Test>::AlreadyCommitted);
		run_to_block(6); // commit window: blocks 2..=5
		assert_noop!(commit(11, id, d, &[]), Error::<Test>::CommitWindowClosed);
	});
}

#[test]
fn reveal_waits_for_the_window_unless_everyone_committed() {
	new_test_ext().execute_with(|| {
		let (id, _) = assigned_matmul(10..=12);
		let d = H256::repeat_byte(1);
		assert_ok!(commit(10, id, d, &[1, 2, 3]));
		assert_noop!(reveal(10, id, d, vec![1, 2, 3]), Error::<Test>::RevealTooEarly);
		assert_ok!(commit(11, id, d, &[]));
		assert_ok!(commit(12, id, d, &[]));
		// Everyone committed: reveals may start at once.
		assert_ok!(reveal(10, id, d, vec![1, 2, 3]));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Revealing);
	});
}

#[test]
fn reveal_is_checked_against_commitment_key_and_device_class() {
	new_test_ext().execute_with(|| {
		let (id, _) = assigned_matmul(10..=12);
		let d = H256::repeat_byte(1);
		assert_ok!(commit(10, id, d, &[]));
		assert_ok!(commit(11, id, d, &[]));
		run_to_block(6);
		// Not committed.
		assert_noop!(reveal(12, id, d, vec![]), Error::<Test>::NotCommitted);
		// Another digest than committed.
		assert_noop!(
			reveal(10, id, H256::repeat_byte(2), vec![]),
			Error::<Test>::CommitmentMismatch
		);
		// Another small output than committed.
		assert_noop!(reveal(10, id, d, vec![9]), Error::<Test>::CommitmentMismatch);
		// Another salt than committed.
		assert_noop!(
			Market::reveal_result(
				RuntimeOrigin::signed(10),
				id,
				d,
				[0u8; 32],
				BoundedVec::new(),
				attest(10, id, d, &[], gpu_class())
			),
			Error::<Test>::CommitmentMismatch
		);
		// Signed by another key.
		let mut bad = attest(11, id, d, &[], gpu_class());
		assert_noop!(
			Market::reveal_result(
				RuntimeOrigin::signed(10),
				id,
				d,
				salt_of(10, id),
				BoundedVec::new(),
				bad.clone()
			),
			Error::<Test>::BadAttestation
		);
		// A signature over another worker version.
		bad = attest(10, id, d, &[], gpu_class());
		bad.worker_version = 8;
		assert_noop!(
			Market::reveal_result(
				RuntimeOrigin::signed(10),
				id,
				d,
				salt_of(10, id),
				BoundedVec::new(),
				bad
			),
			Error::<Test>::BadAttestation
		);
		// An undeclared device class.
		let undeclared: DeviceClass = BoundedVec::truncate_from(b"amd/mi300/6.0".to_vec());
		assert_noop!(reveal_on(10, id, d, vec![], undeclared), Error::<Test>::UnknownDeviceClass);
		assert_ok!(reveal(10, id, d, vec![]));
		assert_noop!(reveal(10, id, d, vec![]), Error::<Test>::AlreadyRevealed);
		run_to_block(9); // reveal window: blocks 6..=8
		assert!(
			Jobs::<Test>::get(id).unwrap().status.is_final()
				|| Jobs::<Test>::get(id).unwrap().status == JobStatus::Pending
		);
	});
}

#[test]
fn attestation_signs_the_documented_payload() {
	new_test_ext().execute_with(|| {
		let msg = Market::attestation_message(
			3,
			H256::repeat_byte(1),
			H256::repeat_byte(2),
			b"small",
			7,
			&gpu_class(),
		);
		let mut expected = b"crucible/attest/v2".to_vec();
		expected.extend_from_slice(&3u64.to_le_bytes());
		expected.extend_from_slice(&[1u8; 32]);
		expected.extend_from_slice(&[2u8; 32]);
		expected.extend_from_slice(&sp_io::hashing::blake2_256(b"small"));
		expected.extend_from_slice(&7u32.to_le_bytes());
		expected.extend_from_slice(&codec::Encode::encode(&gpu_class()));
		assert_eq!(msg, expected);
		let sig = compute_pair(4).sign(&msg);
		assert!(sp_io::crypto::sr25519_verify(&sig, &msg, &compute_pair(4).public()));
	});
}

#[test]
fn reveal_after_the_window_is_refused() {
	new_test_ext().execute_with(|| {
		let (id, _) = assigned_matmul(10..=12);
		let d = H256::repeat_byte(1);
		assert_ok!(commit(10, id, d, &[]));
		run_to_block(8);
		// Reveal window 6..=8; the job settles at 9.
		System::set_block_number(9);
		assert_noop!(reveal(10, id, d, vec![]), Error::<Test>::RevealWindowClosed);
	});
}
