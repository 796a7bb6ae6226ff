use super::*;
use frame_support::{assert_noop, assert_ok};

#[test]
fn submit_holds_the_whole_budget_first() {
	new_test_ext().execute_with(|| {
		let id = submit_matmul(1, 3);
		let job = Jobs::<Test>::get(id).unwrap();
		// price 10 × 1 unit × 3 replicas
		assert_eq!(job.escrow, 30);
		assert_eq!(escrow_of(1), 30);
		assert_eq!(Balances::free_balance(1), INITIAL - 30);
		assert_eq!(job.status, JobStatus::Pending);
		assert_eq!(job.kernel_hash, matmul_workload().kernel_hash);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![id]);
		assert_eq!(JobsOf::<Test>::get(1).to_vec(), vec![id]);
		assert_eq!(Stats::<Test>::get().submitted, 1);
		assert!(market_events().contains(&Event::JobSubmitted { job: id, consumer: 1, workload: MATMUL, budget: 30 }));
	});
}

#[test]
fn every_bad_order_is_refused_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		let o = RuntimeOrigin::signed(1);
		let p = params(vec![64]);
		assert_noop!(Market::submit_job(o.clone(), 42, p.clone(), 1, 2, 10, 50), Error::<Test>::UnknownWorkload);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, params(vec![2000]), 1, 2, 10, 50), Error::<Test>::InvalidParams);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 0, 2, 10, 50), Error::<Test>::InvalidUnits);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, params(vec![65]), 1, 2, 10, 50), Error::<Test>::InvalidUnits);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1001, 2, 10, 50), Error::<Test>::InvalidUnits);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 0, 10, 50), Error::<Test>::InvalidReplicas);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 1, 10, 50), Error::<Test>::InvalidReplicas);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 4, 10, 50), Error::<Test>::InvalidReplicas);
		let with_target = JobParams { target: Some([0xff; 32]), ..p.clone() };
		assert_noop!(Market::submit_job(o.clone(), HASH_SEARCH, with_target, 1, 6, 10, 50), Error::<Test>::InvalidReplicas);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, 1, 50), Error::<Test>::PriceBelowFloor);
		// Deadline: at least assignment (next block) + commit + reveal + settlement = 1 + 7.
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, 10, 8), Error::<Test>::InvalidDeadline);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, 10, 102), Error::<Test>::InvalidDeadline);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, INITIAL, 50), Error::<Test>::InsufficientBalance);
		assert_noop!(Market::submit_job(o.clone(), MATMUL, p.clone(), 1, 2, u128::MAX, 50), Error::<Test>::Overflow);
		assert_ok!(Market::submit_job(o, MATMUL, p, 1, 2, 10, 9));
	});
}

#[test]
fn orders_are_bounded_per_account_and_in_the_queue() {
	new_test_ext().execute_with(|| {
		for _ in 0..16 {
			submit_matmul(1, 2);
		}
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(1), MATMUL, params(vec![16]), 1, 2, 10, 50),
			Error::<Test>::TooManyJobs
		);
		for _ in 0..16 {
			submit_matmul(2, 2);
		}
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(3), MATMUL, params(vec![16]), 1, 2, 10, 50),
			Error::<Test>::QueueFull
		);
	});
}

#[test]
fn cancel_before_assignment_refunds_in_full() {
	new_test_ext().execute_with(|| {
		let id = submit_matmul(1, 2);
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(2), id), Error::<Test>::NotJobOwner);
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(1), 99), Error::<Test>::UnknownJob);
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), id));
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert_eq!(escrow_of(1), 0);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Refunded);
		assert_eq!(job.escrow, 0);
		assert!(PendingJobs::<Test>::get().is_empty());
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(1), id), Error::<Test>::NotCancellable);
	});
}

#[test]
fn cancel_after_assignment_is_refused() {
	new_test_ext().execute_with(|| {
		for who in 10..13 {
			register(who, 100);
		}
		let id = submit_matmul(1, 2);
		run_to_block(2);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Assigned);
		assert_noop!(Market::cancel_job(RuntimeOrigin::signed(1), id), Error::<Test>::NotCancellable);
	});
}

#[test]
fn quote_prices_without_changing_anything() {
	new_test_ext().execute_with(|| {
		let q;
		frame_support::assert_storage_noop!(q = Market::quote_job(MATMUL, &params(vec![128]), 4, 3, 10).unwrap());

		assert_eq!(q.min_units, 2);
		assert_eq!(q.budget, 120);
		assert_eq!(q.reward_per_provider, 8);
		assert!(Market::quote_job(MATMUL, &params(vec![128]), 1, 3, 10).is_err());
	});
}
