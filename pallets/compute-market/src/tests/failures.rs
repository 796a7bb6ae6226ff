//! Steps 7–8 on open programs: a replica whose run failed (the source does not build, a launch
//! is refused, it hits the worker's time or memory limit, writes out of bounds or crashes)
//! reports the failure instead of an output. A quorum of reports ends the job `ProgramFailed`
//! with the reason, nobody slashed, the agreeing providers paid `FailedRunShare` of the price,
//! the rest refunded and nothing minted.

use super::{
	programs::{job, order, setup},
	*,
};
use codec::Encode;
use crucible_primitives::program::Failure;
use frame_support::assert_ok;
use sp_core::H256;

fn failure_digest(f: Failure) -> H256 {
	H256(sp_io::hashing::blake2_256(&f.preimage()))
}

fn log_hash(who: AccountId) -> Vec<u8> {
	sp_io::hashing::blake2_256(&(b"log", who).encode()).to_vec()
}

/// Each of `reports` commits and then reveals its digest and small output on `id`.
fn report(id: JobId, reports: &[(AccountId, H256, Vec<u8>)]) {
	for (p, d, s) in reports {
		assert_ok!(commit(*p, id, *d, s));
	}
	for (p, d, s) in reports {
		assert_ok!(reveal(*p, id, *d, s.clone()));
	}
}

/// A job of the test program: 10 units at 100 each, three replicas; assigned.
fn assigned_program_job() -> (JobId, Vec<AccountId>) {
	let w = setup();
	let id = NextJobId::<Test>::get();
	assert_ok!(Market::submit_job(
		RuntimeOrigin::signed(1),
		w,
		job(1),
		10,
		3,
		100,
		System::block_number() + 50
	));
	run_to_block(System::block_number() + 1);
	let ps = assigned_to(id);
	assert_eq!(ps.len(), 3);
	(id, ps)
}

#[test]
fn a_quorum_of_failure_reports_ends_the_job_failed_with_its_reason_and_slashes_nobody() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_program_job();
		let job_before = Jobs::<Test>::get(id).unwrap();
		let consumer = Balances::free_balance(1);
		let providers: Vec<Balance> = ps.iter().map(Balances::free_balance).collect();
		let issuance = Balances::total_issuance();
		// Three failure reports, each with its own log hash (drivers word logs differently).
		report(
			id,
			&ps.iter()
				.map(|p| (*p, failure_digest(Failure::Build), log_hash(*p)))
				.collect::<Vec<_>>(),
		);
		let j = Jobs::<Test>::get(id).unwrap();
		assert_eq!(j.status, JobStatus::ProgramFailed(Failure::Build));
		assert_eq!(j.result.as_ref().map(|r| r.accepted), Some(3));
		assert_eq!(
			j.result.as_ref().map(|r| r.output_digest),
			Some(failure_digest(Failure::Build))
		);
		// Each is paid 10 % of the price (1,000) and the input fee, less the treasury's cut.
		let payment = FailedRunShare::get() * 1_000 + job_before.input_fee;
		let paid = payment - TreasuryCut::get() * payment;
		for (p, before) in ps.iter().zip(&providers) {
			assert_eq!(Balances::free_balance(p), before + paid);
			assert_eq!(bond_of(*p), 100, "nobody slashed");
		}
		assert_eq!(Balances::total_issuance(), issuance, "nothing minted for a failed run");
		let refund = job_before.escrow - 3 * payment;
		assert_eq!(Balances::free_balance(1), consumer + refund);
		assert!(market_events().contains(&Event::JobProgramFailed {
			job: id,
			reason: Failure::Build,
			log: H256::from_slice(&log_hash(ps[0])),
			refund,
		}));
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn a_replica_that_got_a_result_where_the_quorum_failed_is_neither_paid_nor_slashed() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_program_job();
		let before = Balances::free_balance(ps[2]);
		let reputation = Providers::<Test>::get(ps[2]).unwrap().reputation;
		// Two time out; the third (a faster device) finished inside the limit.
		report(
			id,
			&[
				(ps[0], failure_digest(Failure::Timeout), log_hash(ps[0])),
				(ps[1], failure_digest(Failure::Timeout), log_hash(ps[1])),
				(ps[2], H256([7; 32]), vec![1, 2, 3]),
			],
		);
		assert_eq!(
			Jobs::<Test>::get(id).unwrap().status,
			JobStatus::ProgramFailed(Failure::Timeout)
		);
		assert_eq!((bond_of(ps[2]), Balances::free_balance(ps[2])), (100, before));
		assert_eq!(Providers::<Test>::get(ps[2]).unwrap().reputation, reputation);
		assert_ok!(Market::do_try_state());
	});
}

/// Griefing: a provider that does not want to do the work claims the program failed. Against
/// the others' accepted result this gains it nothing and costs what declining costs.
#[test]
fn a_lone_failure_report_against_an_accepted_result_costs_a_decline() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_program_job();
		let before = Balances::free_balance(ps[2]);
		let reputation = Providers::<Test>::get(ps[2]).unwrap().reputation;
		report(
			id,
			&[
				(ps[0], H256([7; 32]), vec![1, 2, 3]),
				(ps[1], H256([7; 32]), vec![1, 2, 3]),
				(ps[2], failure_digest(Failure::Crashed), log_hash(ps[2])),
			],
		);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert_eq!((bond_of(ps[2]), Balances::free_balance(ps[2])), (100, before));
		assert_eq!(
			Providers::<Test>::get(ps[2]).unwrap().reputation,
			reputation - crate::settlement::REPUTATION_LOSS_DECLINE
		);
		assert_ok!(Market::do_try_state());
	});
}

/// Split reasons reach no quorum on their own: one Build and one Launch report and a result
/// decide nothing, and the job is tried again (nobody slashed for a failure report).
#[test]
fn failure_reports_agree_only_on_the_same_reason() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_program_job();
		report(
			id,
			&[
				(ps[0], failure_digest(Failure::Build), log_hash(ps[0])),
				(ps[1], failure_digest(Failure::Launch), log_hash(ps[1])),
				(ps[2], H256([7; 32]), vec![1, 2, 3]),
			],
		);
		run_to_block(Jobs::<Test>::get(id).unwrap().reveal_until + 1);
		let j = Jobs::<Test>::get(id).unwrap();
		assert!(
			!matches!(j.status, JobStatus::ProgramFailed(_) | JobStatus::Verified),
			"{:?}",
			j.status
		);
		for p in &ps {
			assert_eq!(bond_of(*p), 100);
		}
		assert_ok!(Market::do_try_state());
	});
}

/// A built-in kernel never fails this way: a failure report on one is a wrong result.
#[test]
fn a_failure_report_on_a_builtin_workload_is_a_wrong_result() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([]);
		report(
			id,
			&[
				(ps[0], H256([7; 32]), vec![1, 2, 3]),
				(ps[1], H256([7; 32]), vec![1, 2, 3]),
				(ps[2], failure_digest(Failure::Build), log_hash(ps[2])),
			],
		);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert!(bond_of(ps[2]) < 100, "slashed");
	});
}

/// Wash trading: a consumer and its own providers report its program failed. They are paid
/// from the consumer's own escrow, nothing is minted, and the treasury's cut and the fee leave
/// them poorer.
#[test]
fn wash_trading_through_failure_reports_loses_money() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(3);
		let w = setup();
		let pair = [1, 10, 11, 12];
		let everyone = || pair.iter().map(Balances::free_balance).sum::<Balance>();
		let before = everyone();
		let issuance = Balances::total_issuance();
		let id = order(w, job(2)).unwrap();
		run_to_block(System::block_number() + 1);
		let ps = assigned_to(id);
		assert!(ps.iter().all(|p| pair.contains(p)));
		let reports: Vec<_> =
			ps.iter().map(|p| (*p, failure_digest(Failure::Memory), log_hash(*p))).collect();
		report(id, &reports);
		assert_eq!(
			Jobs::<Test>::get(id).unwrap().status,
			JobStatus::ProgramFailed(Failure::Memory)
		);
		assert_eq!(Balances::total_issuance(), issuance, "nothing minted");
		// The fee went to the treasury, and its cut of each payment; the deposit is held.
		assert!(everyone() + deposit_of(1) <= before - 3, "the pair did not lose the fee");
	});
}
