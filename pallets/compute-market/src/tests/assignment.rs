use super::*;
use frame_support::assert_ok;

#[test]
fn pending_jobs_get_distinct_providers_never_the_consumer() {
	for salt in 0..20u64 {
		new_test_ext().execute_with(|| {
			for who in 1..=6 {
				register(who, 100);
			}
			RandomSalt::set(salt);
			let id = submit_matmul(1, 3);
			run_to_block(2);
			let job = Jobs::<Test>::get(id).unwrap();
			assert_eq!(job.status, JobStatus::Assigned);
			let mut ps: Vec<_> = job.assignments.iter().map(|a| a.provider).collect();
			assert!(!ps.contains(&1), "the consumer is never assigned");
			ps.sort();
			ps.dedup();
			assert_eq!(ps.len(), 3);
			for p in &ps {
				assert!(ProviderJobs::<Test>::get(p).contains(&id));
				assert_eq!(Providers::<Test>::get(p).unwrap().open_assignments, 1);
			}
			assert_eq!(job.commit_until, 5);
			assert_eq!(job.reveal_until, 8);
			assert_eq!(SettleAt::<Test>::get(9).to_vec(), vec![(id, 1)]);
			assert!(market_events()
				.iter()
				.any(|e| matches!(e, Event::JobAssigned { job, attempt: 1, .. } if *job == id)));
		});
	}
}

#[test]
fn with_its_providers_busy_a_job_waits_and_then_expires_with_a_refund() {
	new_test_ext().execute_with(|| {
		for who in 10..=12 {
			register(who, 100);
		}
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			MATMUL,
			params(vec![16]),
			1,
			3,
			10,
			20
		));
		// A state the calls reach only with eight open jobs each: every provider is busy.
		CheckTryState::set(false);
		for who in 10..=12 {
			Providers::<Test>::mutate(who, |p| p.as_mut().unwrap().open_assignments = 8);
		}
		run_to_block(5);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Pending);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![id]);
		// From block 14 on, an attempt (7 blocks) no longer fits before the deadline (20).
		run_to_block(14);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Expired);
		assert_eq!(job.escrow, 0);
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert!(market_events().contains(&Event::JobExpired { job: id, refund: 30 }));
	});
}

#[test]
fn with_too_few_providers_left_a_job_ends_at_once_with_a_refund() {
	new_test_ext().execute_with(|| {
		for who in 10..=12 {
			register(who, 100);
		}
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			MATMUL,
			params(vec![16]),
			1,
			3,
			10,
			50
		));
		// One provider leaves before the draw: two are left for three replicas, for good.
		assert_ok!(Market::unbond(RuntimeOrigin::signed(12)));
		run_to_block(2);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Expired, 0));
		assert!(PendingJobs::<Test>::get().is_empty());
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert!(market_events().contains(&Event::JobExpired { job: id, refund: 30 }));
	});
}

#[test]
fn assignment_per_block_is_bounded() {
	new_test_ext().execute_with(|| {
		for who in 10..=16 {
			register(who, 1_000);
		}
		let ids: Vec<_> = (0..6).map(|_| submit_matmul(1, 3)).collect();
		run_to_block(2);
		let assigned = ids
			.iter()
			.filter(|id| Jobs::<Test>::get(**id).unwrap().status == JobStatus::Assigned)
			.count();
		assert_eq!(assigned, 4, "MaxAssignPerBlock = 4");
		run_to_block(3);
		assert!(ids
			.iter()
			.all(|id| Jobs::<Test>::get(*id).unwrap().status == JobStatus::Assigned));
	});
}

#[test]
fn providers_with_full_assignment_lists_are_skipped() {
	new_test_ext().execute_with(|| {
		for who in 10..=13 {
			register(who, 100);
		}
		// A state the calls cannot reach: a full count without the jobs behind it.
		CheckTryState::set(false);
		Providers::<Test>::mutate(10, |p| p.as_mut().unwrap().open_assignments = 8);
		for _ in 0..3 {
			let id = submit_matmul(1, 3);
			run_to_block(System::block_number() + 1);
			let job = Jobs::<Test>::get(id).unwrap();
			assert!(job.assignments.iter().all(|a| a.provider != 10));
		}
	});
}

#[test]
fn leaving_and_suspended_providers_are_not_drawn() {
	new_test_ext().execute_with(|| {
		for who in 10..=14 {
			register(who, 100);
		}
		assert_ok!(Market::unbond(RuntimeOrigin::signed(10)));
		Providers::<Test>::mutate(11, |p| p.as_mut().unwrap().status = ProviderStatus::Suspended);
		Market::set_candidate(&11, None);
		let id = submit_matmul(1, 3);
		run_to_block(2);
		let mut ps: Vec<_> = assigned_to(id);
		ps.sort();
		assert_eq!(ps, vec![12, 13, 14]);
	});
}

#[test]
fn heavier_providers_are_drawn_more_often() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		register(11, 100_000); // stake weight capped at 1,000 × the minimum
		let mut heavy = 0;
		for salt in 0..60u64 {
			RandomSalt::set(salt);
			let id = NextJobId::<Test>::get();
			assert_ok!(Market::submit_job(
				RuntimeOrigin::signed(1),
				HASH_SEARCH,
				JobParams {
					seed: [1; 32],
					dims: frame_support::BoundedVec::truncate_from(vec![10]),
					target: Some([0xff; 32]),
					inputs: Default::default(),
					publish_output: false,
				},
				1,
				1,
				1,
				System::block_number() + 20
			));
			run_to_block(System::block_number() + 1);
			if Jobs::<Test>::get(id).unwrap().assignments[0].provider == 11 {
				heavy += 1;
			}
			run_to_block(System::block_number() + 7);
			// Keep both eligible regardless of the no-show slashes.
			for who in [10, 11] {
				Providers::<Test>::mutate(who, |p| {
					let p = p.as_mut().unwrap();
					p.status = ProviderStatus::Active;
					p.reputation = INITIAL_REPUTATION;
				});
				let w = Market::draw_weight(&Providers::<Test>::get(who).unwrap());
				Market::set_candidate(&who, Some(w));
			}
		}
		assert!(heavy >= 50, "heavy provider drawn {heavy} of 60 times");
	});
}
