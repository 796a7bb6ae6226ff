//! Step 3: jobs on the consumer's own data — inputs checked at submission, priced per MiB and
//! replica, and inputs that cannot be had reported by a quorum without anyone being slashed.

use super::*;
use crate::inputs::MIB;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::H256;

/// 300,000 u32 values: 1,200,000 bytes, two MiB of input (rounded up).
const N: u32 = 300_000;
const BYTES: u64 = 4 * N as u64;
const BLOB: [u8; 32] = [0xb1; 32];

fn blob_params(hash: [u8; 32], size: u64) -> JobParams {
	params(vec![N])
		.with_inputs(vec![DataRef::Blob { digest: hash, bytes: size }])
		.unwrap()
}

fn url_params(url: &[u8], size: u64) -> JobParams {
	params(vec![N])
		.with_inputs(vec![DataRef::Url {
			url: BoundedVec::truncate_from(url.to_vec()),
			digest: [0x0u8; 32],
			bytes: size,
		}])
		.unwrap()
}

/// Register the data workload and three providers; store the blob until block 1,000.
fn setup() -> WorkloadId {
	data_market(BLOB, BYTES)
}

fn submit_data(workload: WorkloadId, p: JobParams) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	// 300,000 values at 1,024 a unit: 293 units.
	Market::submit_job(
		RuntimeOrigin::signed(1),
		workload,
		p,
		293,
		3,
		1,
		System::block_number() + 50,
	)
	.map(|_| id)
}

/// `ps[0]` and `ps[1]` commit and reveal one result, `ps[2]` reports input 0 unavailable.
fn two_agree_and_one_reports_unavailable(id: JobId, ps: &[AccountId]) {
	let d = H256::repeat_byte(0x5a);
	assert_ok!(commit(ps[0], id, d, &[1]));
	assert_ok!(commit(ps[1], id, d, &[1]));
	assert_ok!(commit(ps[2], id, unavailable_digest(0), &[]));
	assert_ok!(reveal(ps[0], id, d, vec![1]));
	assert_ok!(reveal(ps[1], id, d, vec![1]));
	assert_ok!(reveal(ps[2], id, unavailable_digest(0), vec![]));
}

fn unavailable_digest(i: u8) -> H256 {
	H256(sp_io::hashing::blake2_256(&crucible_primitives::unavailable_preimage(i)))
}

#[test]
fn inputs_are_priced_per_mib_and_replica_and_paid_to_the_accepted() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let q = Market::quote_job(Some(&1), w, &blob_params(BLOB, BYTES), 293, 3, 1).unwrap();
		// Two MiB at 5 a MiB, to each of three replicas on top of 293 units at 1.
		assert_eq!((q.input_bytes, q.input_fee, q.budget), (BYTES, 10, (293 + 10) * 3));
		assert_eq!(Market::input_fee(MIB), 5);
		assert_eq!(Market::input_fee(MIB + 1), 10);
		assert_eq!(Market::input_fee(0), 0);

		let id = submit_data(w, blob_params(BLOB, BYTES)).unwrap();
		assert_eq!(Jobs::<Test>::get(id).unwrap().input_fee, 10);
		run_to_block(System::block_number() + 1);
		let ps = assigned_to(id);
		let before: Vec<Balance> = ps.iter().map(Balances::free_balance).collect();
		let d = H256::repeat_byte(0x5a);
		for p in &ps {
			assert_ok!(commit(*p, id, d, &[1]));
		}
		for p in &ps {
			assert_ok!(reveal(*p, id, d, vec![1]));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		for (p, b) in ps.iter().zip(before) {
			// 303 less the 10 % cut (30), plus the reward (≤ the cut).
			assert!(
				Balances::free_balance(p) >= b + 303 - 30,
				"provider {p} was paid the input fee"
			);
		}
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn bad_inputs_are_refused_at_submission_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let balance = Balances::free_balance(1);
		let next = NextJobId::<Test>::get();
		let refused = |p: JobParams, e: Error<Test>| {
			assert_noop!(
				Market::submit_job(
					RuntimeOrigin::signed(1),
					w,
					p,
					293,
					3,
					1,
					System::block_number() + 50
				),
				e
			);
		};
		// No input, or two, for a workload that reads one.
		refused(params(vec![N]), Error::WrongInputCount);
		refused(
			params(vec![N])
				.with_inputs(vec![
					DataRef::Blob { digest: BLOB, bytes: BYTES },
					DataRef::Blob { digest: BLOB, bytes: BYTES },
				])
				.unwrap(),
			Error::WrongInputCount,
		);
		// An input for a workload that generates its data from the seed.
		assert_noop!(
			Market::submit_job(
				RuntimeOrigin::signed(1),
				MATMUL,
				params(vec![16])
					.with_inputs(vec![DataRef::Blob { digest: BLOB, bytes: BYTES }])
					.unwrap(),
				1,
				3,
				10,
				System::block_number() + 50
			),
			Error::<Test>::WrongInputCount
		);
		refused(blob_params([0xee; 32], BYTES), Error::UnknownBlob);
		// The stored blob has another length than named.
		put_blob([0xb2; 32], BYTES + 4, 1_000);
		refused(blob_params([0xb2; 32], BYTES + 4), Error::InputSizeMismatch);
		refused(blob_params(BLOB, BYTES - 4), Error::InputSizeMismatch);
		// 300,001 values' worth of bytes for 300,000 values, and the other way round.
		refused(url_params(b"https://example.com/x", BYTES + 1), Error::InputSizeMismatch);
		refused(url_params(b"https://example.com/x", BYTES - 4), Error::InputSizeMismatch);
		// Above what a worker fetches.
		let huge = crucible_primitives::MAX_INPUT_BYTES + 4;
		let p = params(vec![N])
			.with_inputs(vec![DataRef::Url {
				url: BoundedVec::truncate_from(b"https://example.com/x".to_vec()),
				digest: [0; 32],
				bytes: huge,
			}])
			.unwrap();
		refused(p, Error::InputTooLarge);
		refused(url_params(b"ftp://example.com/x", BYTES), Error::InvalidUrl);
		refused(url_params(b"https://exa mple.com/x", BYTES), Error::InvalidUrl);
		refused(url_params(b"https://", BYTES), Error::InvalidUrl);
		// The blob's record ends before the deadline.
		put_blob(BLOB, BYTES, System::block_number() + 49);
		refused(blob_params(BLOB, BYTES), Error::InputExpiresTooSoon);
		assert_eq!((Balances::free_balance(1), NextJobId::<Test>::get()), (balance, next));
		// Kept until the deadline itself: accepted; a URL of the right size too.
		put_blob(BLOB, BYTES, System::block_number() + 50);
		assert_ok!(submit_data(w, blob_params(BLOB, BYTES)));
		assert_ok!(submit_data(w, url_params(b"http://127.0.0.1:8080/values.bin", BYTES)));
	});
}

#[test]
fn workloads_with_bad_input_shapes_are_refused() {
	new_test_ext().execute_with(|| {
		let mut w = data_workload();
		w.schema.inputs = BoundedVec::truncate_from(vec![InputShape { elem_bytes: 0, power: 1 }]);
		assert_noop!(Market::do_register_workload(w.clone()), Error::<Test>::InvalidWorkload);
		w.schema.inputs = BoundedVec::truncate_from(vec![InputShape { elem_bytes: 4, power: 4 }]);
		assert_noop!(Market::do_register_workload(w), Error::<Test>::InvalidWorkload);
		let mut h = hash_search_workload();
		h.schema.inputs = BoundedVec::truncate_from(vec![InputShape { elem_bytes: 4, power: 1 }]);
		assert_noop!(Market::do_register_workload(h), Error::<Test>::InvalidWorkload);
	});
}

#[test]
fn an_input_a_quorum_cannot_get_fails_the_job_without_slashing_and_refunds_less_the_input_fees() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let id = submit_data(w, url_params(b"http://127.0.0.1:1/gone", BYTES)).unwrap();
		let after_submit = Balances::free_balance(1);
		run_to_block(System::block_number() + 1);
		let ps = assigned_to(id);
		let before: Vec<Balance> = ps.iter().map(Balances::free_balance).collect();
		let gone = unavailable_digest(0);
		// Two replicas could not get the input; the third was served something and computed.
		let real = H256::repeat_byte(0x77);
		assert_ok!(commit(ps[0], id, gone, &[]));
		assert_ok!(commit(ps[1], id, gone, &[]));
		assert_ok!(commit(ps[2], id, real, &[9]));
		assert_ok!(reveal(ps[0], id, gone, vec![]));
		assert_ok!(reveal(ps[1], id, gone, vec![]));
		assert_ok!(reveal(ps[2], id, real, vec![9]));
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::InputUnavailable, 0));
		// Nobody slashed, the one that computed included.
		for p in &ps {
			assert_eq!(bond_of(*p), 100);
		}
		// The two that agreed get the input fee (10) less the cut (1), and no reward.
		assert_eq!(Balances::free_balance(ps[0]), before[0] + 9);
		assert_eq!(Balances::free_balance(ps[1]), before[1] + 9);
		assert_eq!(Balances::free_balance(ps[2]), before[2]);
		// The consumer gets back everything but the two input fees.
		let budget = (293 + 10) * 3;
		assert_eq!(Balances::free_balance(1), after_submit + budget - 20);
		assert!(market_events().contains(&Event::JobInputUnavailable {
			job: id,
			input: 0,
			refund: budget - 20
		}));
		assert_ok!(Market::do_try_state());
	});
}

/// A lone "unavailable" report against an accepted result: nobody is slashed or paid for it.
/// On a blob (kept by every node until the deadline) it costs what a decline costs, so that it
/// is no free way out of work; on a URL (the consumer's to serve) it costs nothing.
#[test]
fn a_lone_unavailable_report_is_neither_paid_nor_slashed_and_costs_a_decline_on_a_blob() {
	for (p, lost) in [
		(blob_params(BLOB, BYTES), crate::settlement::REPUTATION_LOSS_DECLINE),
		(url_params(b"http://127.0.0.1:1/flaky", BYTES), 0),
	] {
		new_test_ext().execute_with(|| {
			let w = setup();
			let id = submit_data(w, p).unwrap();
			run_to_block(System::block_number() + 1);
			let ps = assigned_to(id);
			let before = Balances::free_balance(ps[2]);
			let reputation = Providers::<Test>::get(ps[2]).unwrap().reputation;
			two_agree_and_one_reports_unavailable(id, &ps);
			assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
			assert_eq!((bond_of(ps[2]), Balances::free_balance(ps[2])), (100, before));
			assert_eq!(
				Providers::<Test>::get(ps[2]).unwrap().reputation,
				reputation - lost,
				"a lone report on a blob costs a decline's reputation, on a URL nothing"
			);
			assert_ok!(Market::do_try_state());
		});
	}
}

#[test]
fn an_unavailable_report_on_a_job_without_inputs_is_a_wrong_result() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([]);
		two_agree_and_one_reports_unavailable(id, &ps);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert!(bond_of(ps[2]) < 100, "slashed: there was no input to miss");
	});
}

/// Attack: a consumer and its own providers claim the consumer's inputs unavailable, hoping to
/// be paid (or rewarded) without work. The providers get the input fee the consumer paid, less
/// the treasury's cut; no reward is minted; the pair ends poorer by the cut and the fee.
#[test]
fn wash_trading_through_unavailable_inputs_loses_money() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(3);
		let w = setup();
		let everyone = |v: &[AccountId]| v.iter().map(Balances::free_balance).sum::<Balance>();
		let pair = [1, 10, 11, 12];
		let before = everyone(&pair);
		let issuance = Balances::total_issuance();
		let id = submit_data(w, blob_params(BLOB, BYTES)).unwrap();
		run_to_block(System::block_number() + 1);
		for p in assigned_to(id) {
			assert_ok!(commit(p, id, unavailable_digest(0), &[]));
		}
		for p in assigned_to(id) {
			assert_ok!(reveal(p, id, unavailable_digest(0), vec![]));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::InputUnavailable);
		assert_eq!(Balances::total_issuance(), issuance, "nothing minted");
		// The fee (3) and the cut of three input fees (3 × 1) went to the treasury.
		assert_eq!(everyone(&pair), before - 3 - 3 - deposit_of(1));
	});
}
