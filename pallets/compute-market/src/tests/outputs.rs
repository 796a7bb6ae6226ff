//! Step 9: full outputs — a job that asks for its output reserves the publish fee, waits after
//! verification for an accepted provider to publish the bytes of the accepted digest, in turns,
//! and refunds what is not used.

use super::*;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

/// 3,000 bytes of output: 3 KiB started, a publish fee of 6 (2,048 a MiB).
fn output() -> Vec<u8> {
	(0..3000u32).map(|i| (i * 7) as u8).collect()
}

fn digest_of(b: &[u8]) -> H256 {
	H256(sp_io::hashing::blake2_256(b))
}

/// A 3-replica matmul job asking for its output, run to verification on `output()`'s digest
/// (every replica agreeing). Returns the job, its providers, and the consumer's balance after
/// ordering.
fn verified_awaiting() -> (JobId, Vec<AccountId>, Balance) {
	for p in [10, 11, 12] {
		register(p, 100);
	}
	let p = JobParams { publish_output: true, ..params(vec![16]) };
	let q = Market::quote_job(Some(&1), MATMUL, &p, 1, 3, 10).unwrap();
	// The reserve: the publish fee of a 2 MiB blob, 2 × 2,048.
	assert_eq!((q.output_reserve, q.budget), (4096, 30 + 4096));
	let id = NextJobId::<Test>::get();
	assert_ok!(Market::submit_job(RuntimeOrigin::signed(1), MATMUL, p, 1, 3, 10, 60));
	let after_order = Balances::free_balance(1);
	run_to_block(System::block_number() + 1);
	let ps = assigned_to(id);
	let d = digest_of(&output());
	for who in &ps {
		assert_ok!(commit(*who, id, d, &[1]));
	}
	for who in &ps {
		assert_ok!(reveal(*who, id, d, vec![1]));
	}
	let job = Jobs::<Test>::get(id).unwrap();
	assert_eq!((job.status, job.escrow), (JobStatus::Publishing, 4096), "the reserve stays");
	assert!(AwaitingOutput::<Test>::contains_key(id));
	(id, ps, after_order)
}

#[test]
fn the_first_accepted_provider_publishes_the_output_and_is_paid_for_it() {
	new_test_ext().execute_with(|| {
		let (id, ps, after_order) = verified_awaiting();
		let before = Balances::free_balance(ps[0]);
		let issuance = Balances::total_issuance();
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), id, output()));
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Verified, 0));
		assert!(job.finished_at.is_some(), "queued for pruning");
		assert!(!AwaitingOutput::<Test>::contains_key(id));
		// Paid 6 for 3 KiB; it paid the blob's fee (3) itself.
		assert_eq!(Balances::free_balance(ps[0]), before + 6 - 3);
		assert_eq!(Balances::free_balance(1), after_order + 4096 - 6, "the rest refunded");
		assert_eq!(Balances::total_issuance(), issuance, "nothing minted for publishing");
		use crucible_primitives::data::BlobInspect;
		assert_eq!(TestBlobs::blob(&digest_of(&output()).0).map(|b| b.0), Some(3000));
		assert!(market_events().contains(&Event::OutputPublished {
			job: id,
			blob: digest_of(&output()),
			bytes: 3000,
			by: ps[0],
			payment: 6,
			refund: 4090
		}));
		// Once only.
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[1]), id, output()),
			Error::<Test>::NotAwaitingOutput
		);
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn providers_publish_in_turns_and_only_the_accepted_bytes() {
	new_test_ext().execute_with(|| {
		let (id, ps, _) = verified_awaiting();
		// Not the accepted digest's bytes.
		let mut wrong = output();
		wrong[0] ^= 1;
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[0]), id, wrong),
			Error::<Test>::WrongOutput
		);
		// Not a provider of the job, or the consumer: not accepted.
		for who in [1, 13] {
			assert_noop!(
				Market::publish_output(RuntimeOrigin::signed(who), id, output()),
				Error::<Test>::NotAccepted
			);
		}
		// The second and third wait for their turns (2 blocks each).
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[1]), id, output()),
			Error::<Test>::NotYourTurn
		);
		run_to_block(System::block_number() + 2);
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[2]), id, output()),
			Error::<Test>::NotYourTurn
		);
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[1]), id, output()));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
	});
}

#[test]
fn an_output_nobody_publishes_is_refunded_after_the_last_turn() {
	new_test_ext().execute_with(|| {
		let (id, ps, after_order) = verified_awaiting();
		let since = AwaitingOutput::<Test>::get(id).unwrap();
		// MaxReplicas (5) turns of 2 blocks: the last ends at since + 10.
		assert_eq!(Market::last_turn_end(since), since + 10);
		run_to_block(since + 10);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Publishing);
		run_to_block(since + 11);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Verified, 0));
		assert_eq!(Balances::free_balance(1), after_order + 4096);
		assert!(market_events().contains(&Event::OutputNotPublished { job: id, refund: 4096 }));
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[0]), id, output()),
			Error::<Test>::NotAwaitingOutput
		);
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn a_job_that_does_not_ask_for_its_output_ends_verified_at_once() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = digest_of(&output());
		for who in &ps {
			assert_ok!(commit(*who, id, d, &[1]));
		}
		for who in &ps {
			assert_ok!(reveal(*who, id, d, vec![1]));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert_noop!(
			Market::publish_output(RuntimeOrigin::signed(ps[0]), id, output()),
			Error::<Test>::NotAwaitingOutput
		);
	});
}

#[test]
fn the_publish_fee_counts_kib_started() {
	new_test_ext().execute_with(|| {
		assert_eq!(Market::publish_fee(1), 2);
		assert_eq!(Market::publish_fee(1024), 2);
		assert_eq!(Market::publish_fee(1025), 4);
		assert_eq!(Market::publish_fee(2 << 20), 4096);
		OutputPricePerMiB::set(1);
		// A thousandth of a unit a KiB rounds up to one.
		assert_eq!(Market::publish_fee(1), 1);
		assert_eq!(Market::output_reserve(&params(vec![1])), 0);
	});
}
