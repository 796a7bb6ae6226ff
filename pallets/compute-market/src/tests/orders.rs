use super::*;
use frame_support::{assert_noop, assert_ok};

#[test]
fn submit_moves_the_whole_budget_into_escrow_first() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(2);
		DepositPerByte::set(1);
		let id = submit_matmul(1, 3);
		let job = Jobs::<Test>::get(id).unwrap();
		let deposit = Market::job_deposit();
		// price 10 × 1 unit × 3 replicas in escrow; the fee to the treasury; the deposit held.
		assert_eq!((job.escrow, job.fee, job.deposit, job.needed_units), (30, 2, deposit, 1));
		assert_eq!(escrow_of(1), 30);
		assert_eq!(Balances::free_balance(Market::escrow_account()), ED + 30);
		assert_eq!(Balances::free_balance(TREASURY), ED + 2);
		assert_eq!(deposit_of(1), deposit);
		assert_eq!(Balances::free_balance(1), INITIAL - 30 - 2 - deposit);
		assert_eq!(job.status, JobStatus::Pending);
		assert_eq!(job.kernel_hash, matmul_workload().kernel_hash);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![id]);
		assert_eq!(JobsOf::<Test>::get(1).to_vec(), vec![id]);
		assert_eq!(Stats::<Test>::get().submitted, 1);
		assert!(market_events().contains(&Event::JobSubmitted {
			job: id,
			consumer: 1,
			workload: MATMUL,
			budget: 30,
			fee: 2,
			deposit
		}));
	});
}

#[test]
fn every_bad_order_is_refused_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(1);
		DepositPerByte::set(1);
		for who in 10..=12 {
			register(who, 100);
		}
		let o = RuntimeOrigin::signed(1);
		// 16³ = 4,096 = 1 unit.
		let p = params(vec![16]);
		assert_noop!(
			Market::submit_job(o.clone(), 42, p.clone(), 1, 3, 10, 50),
			Error::<Test>::UnknownWorkload
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, params(vec![2000]), 1, 3, 10, 50),
			Error::<Test>::InvalidParams
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, params(vec![1000]), 1000, 3, 10, 50),
			Error::<Test>::WorkTooLarge
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 0, 3, 10, 50),
			Error::<Test>::InvalidUnits
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, params(vec![17]), 1, 3, 10, 50),
			Error::<Test>::InvalidUnits
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1001, 3, 10, 50),
			Error::<Test>::InvalidUnits
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 0, 10, 50),
			Error::<Test>::InvalidReplicas
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 1, 10, 50),
			Error::<Test>::InvalidReplicas
		);
		// Quorum 2: replicas = quorum lets one liar block it; 4 lets two groups reach it.
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, 10, 50),
			Error::<Test>::InvalidReplicas
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 4, 10, 50),
			Error::<Test>::InvalidReplicas
		);
		let with_target = JobParams { target: Some([0xff; 32]), ..p.clone() };
		assert_noop!(
			Market::submit_job(o.clone(), HASH_SEARCH, with_target.clone(), 1, 6, 10, 50),
			Error::<Test>::InvalidReplicas
		);
		assert_noop!(
			Market::submit_job(o.clone(), HASH_SEARCH, with_target, 1, 4, 10, 50),
			Error::<Test>::NotEnoughProviders
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, 1, 50),
			Error::<Test>::PriceBelowFloor
		);
		// Deadline: at least assignment (next block) + commit + reveal + settlement = 1 + 7.
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, 10, 8),
			Error::<Test>::InvalidDeadline
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, 10, 102),
			Error::<Test>::InvalidDeadline
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, INITIAL, 50),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, u128::MAX, 50),
			Error::<Test>::Overflow
		);
		// The fee is paid, the budget escrowed, but the deposit cannot be held: nothing changes.
		let spendable = Balances::free_balance(1) - ED;
		assert_noop!(
			Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 3, (spendable - 1) / 3, 50),
			Error::<Test>::InsufficientBalance
		);
		// One of the three providers is the consumer itself: not enough without it.
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(12), MATMUL, p.clone(), 1, 3, 10, 50),
			Error::<Test>::NotEnoughProviders
		);
		assert_ok!(Market::submit_job(o, MATMUL, p, 1, 3, 10, 9));
	});
}

#[test]
fn orders_are_bounded_per_account_and_in_the_queue() {
	new_test_ext().execute_with(|| {
		// 16 jobs per account in all, 8 of them waiting: cancelled ones still count until pruned.
		for _ in 0..16 {
			let id = submit_matmul(1, 3);
			assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), id));
		}
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(1), MATMUL, params(vec![16]), 1, 3, 10, 50),
			Error::<Test>::TooManyJobs
		);
		// 32 waiting jobs in the queue, 8 per account.
		for who in 2..=5 {
			for _ in 0..8 {
				submit_matmul(who, 3);
			}
		}
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(6), MATMUL, params(vec![16]), 1, 3, 10, 50),
			Error::<Test>::QueueFull
		);
	});
}

#[test]
fn cancel_before_assignment_refunds_in_full() {
	new_test_ext().execute_with(|| {
		let id = submit_matmul(1, 3);
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(2), id), Error::<Test>::NotJobOwner);
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(1), 99), Error::<Test>::UnknownJob);
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), id));
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert_eq!(escrow_of(1), 0);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Refunded);
		assert_eq!(job.escrow, 0);
		assert!(PendingJobs::<Test>::get().is_empty());
		assert_noop!(
			Market::cancel_job(RuntimeOrigin::signed(1), id),
			Error::<Test>::NotCancellable
		);
	});
}

#[test]
fn cancel_after_assignment_is_refused() {
	new_test_ext().execute_with(|| {
		for who in 10..13 {
			register(who, 100);
		}
		let id = submit_matmul(1, 3);
		run_to_block(2);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Assigned);
		assert_noop!(
			Market::cancel_job(RuntimeOrigin::signed(1), id),
			Error::<Test>::NotCancellable
		);
	});
}

#[test]
fn quote_prices_without_changing_anything() {
	new_test_ext().execute_with(|| {
		// Assigned inside `assert_storage_noop!`, which yields no value.
		#[allow(clippy::needless_late_init)]
		let q;
		for who in 10..=12 {
			register(who, 100);
		}
		SubmissionFee::set(3);
		// 20³ = 8,000 work: 2 units; 0 extra blocks.
		frame_support::assert_storage_noop!(
			q = Market::quote_job(None, MATMUL, &params(vec![20]), 4, 3, 10).unwrap()
		);
		assert_eq!(q.min_units, 2);
		assert_eq!(q.budget, 120);
		// min(RewardPerUnit 2 × 2 needed units, 10% of 40): the cut bounds it.
		assert_eq!(q.reward_per_provider, 4);
		assert_eq!((q.fee, q.deposit, q.commit_window), (3, 0, 3));
		assert!(Market::quote_job(None, MATMUL, &params(vec![20]), 1, 3, 10).is_err());
	});
}
