use super::*;
use frame_support::assert_ok;
use sp_core::H256;

fn all_commit_reveal(id: JobId, claims: &[(AccountId, H256)]) {
	for (who, d) in claims {
		assert_ok!(commit(*who, id, *d, &d.as_bytes()[..4]));
	}
	for (who, d) in claims {
		assert_ok!(reveal(*who, id, *d, d.as_bytes()[..4].to_vec()));
	}
}

#[test]
fn agreeing_replicas_are_paid_rewarded_and_the_treasury_takes_its_cut() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = H256::repeat_byte(0xaa);
		let issuance = Balances::total_issuance();
		all_commit_reveal(id, &ps.iter().map(|p| (*p, d)).collect::<Vec<_>>());
		// The last reveal settled the job at once.
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Verified);
		assert_eq!(job.result.as_ref().unwrap().output_digest, d);
		assert_eq!(job.result.as_ref().unwrap().accepted, 3);
		assert_eq!(job.escrow, 0);
		assert_eq!(escrow_of(1), 0);
		assert_eq!(Balances::free_balance(1), INITIAL - 30);
		for p in &ps {
			// payment 10, 10% to the treasury; reward min(2 × 1 unit, the cut 1) = 1 minted.
			assert_eq!(Balances::free_balance(p), INITIAL - 100 + 9 + 1);
			assert_eq!(bond_of(*p), 100);
			let info = Providers::<Test>::get(p).unwrap();
			assert_eq!(info.open_assignments, 0);
			assert_eq!(info.reputation, INITIAL_REPUTATION + crate::settlement::REPUTATION_GAIN);
			assert!(ProviderJobs::<Test>::get(p).is_empty());
		}
		assert_eq!(Balances::free_balance(TREASURY), ED + 3);
		assert_eq!(Balances::total_issuance(), issuance + 3);
		let stats = Stats::<Test>::get();
		assert_eq!((stats.verified, stats.rewards_minted, stats.paid_to_providers), (1, 3, 27));
	});
}

#[test]
fn a_byzantine_replica_loses_and_is_slashed_while_the_job_verifies() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let good = H256::repeat_byte(0xaa);
		let bad = H256::repeat_byte(0xbb);
		let liar = ps[1];
		let claims: Vec<_> = ps.iter().map(|p| (*p, if *p == liar { bad } else { good })).collect();
		all_commit_reveal(id, &claims);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Verified);
		assert_eq!(job.result.unwrap().output_digest, good);
		// The liar: not paid, half its bond to the treasury, suspended (bond below minimum).
		assert_eq!(Balances::free_balance(liar), INITIAL - 100);
		assert_eq!(bond_of(liar), 50);
		let info = Providers::<Test>::get(liar).unwrap();
		assert_eq!(info.status, ProviderStatus::Suspended);
		assert_eq!(info.reputation, INITIAL_REPUTATION - crate::settlement::REPUTATION_LOSS_WRONG);
		assert!(!Candidates::<Test>::get().iter().any(|(a, _)| *a == liar));
		// The unused third of the escrow went back to the consumer.
		assert_eq!(Balances::free_balance(1), INITIAL - 20);
		assert_eq!(Balances::free_balance(TREASURY), ED + 2 + 50);
		let evs = market_events();
		assert!(evs.contains(&Event::ProviderSlashed {
			job: id,
			provider: liar,
			amount: 50,
			reason: SlashReason::WrongResult
		}));
		assert!(evs.contains(&Event::EscrowRefunded { job: id, amount: 10 }));
	});
}

#[test]
fn no_shows_are_slashed_less_and_the_rest_settle_at_the_window_end() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = H256::repeat_byte(0xaa);
		let absent = ps[2];
		for p in &ps[..2] {
			assert_ok!(commit(*p, id, d, &[]));
		}
		run_to_block(6);
		for p in &ps[..2] {
			assert_ok!(reveal(*p, id, d, vec![]));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Revealing);
		run_to_block(9);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert_eq!(bond_of(absent), 90);
		assert_eq!(
			Providers::<Test>::get(absent).unwrap().reputation,
			INITIAL_REPUTATION - crate::settlement::REPUTATION_LOSS_NO_SHOW
		);
		assert_eq!(Balances::free_balance(1), INITIAL - 20);
	});
}

#[test]
fn without_quorum_the_job_is_reassigned_then_fails_and_refunds() {
	new_test_ext().execute_with(|| {
		let all: Vec<AccountId> = (10..=18).collect();
		let (id, first) = assigned_matmul(all.iter().copied());
		// Three different digests: no quorum, nobody provably wrong, nobody excluded.
		let claims: Vec<_> = first
			.iter()
			.enumerate()
			.map(|(i, p)| (*p, H256::repeat_byte(i as u8 + 1)))
			.collect();
		all_commit_reveal(id, &claims);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Pending);
		assert_eq!(job.attempts, 1);
		for p in &first {
			assert_eq!(bond_of(*p), 100, "unjudged reveals are not slashed");
		}
		assert!(PreviousProviders::<Test>::get(id).is_empty());
		// Second attempt: two disagree, one is a no-show: slashed and not drawn again.
		run_to_block(System::block_number() + 1);
		let assigned = System::block_number();
		let second: Vec<_> = assigned_to(id);
		assert_ok!(commit(second[0], id, H256::repeat_byte(1), &[]));
		assert_ok!(commit(second[1], id, H256::repeat_byte(2), &[]));
		run_to_block(assigned + 4);
		assert_ok!(reveal(second[0], id, H256::repeat_byte(1), vec![]));
		assert_ok!(reveal(second[1], id, H256::repeat_byte(2), vec![]));
		// It settles at the end of its reveal window; the third attempt is assigned with it.
		run_to_block(assigned + 7);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.attempts, job.status), (3, JobStatus::Assigned));
		assert_eq!(bond_of(second[2]), 90, "no-show slashed 10%");
		assert_eq!(PreviousProviders::<Test>::get(id).to_vec(), vec![second[2]]);
		assert!(job.assignments.iter().all(|a| a.provider != second[2]));
		// Third and last attempt: everyone is a no-show. It fails and refunds.
		let third: Vec<_> = job.assignments.iter().map(|a| a.provider).collect();
		run_to_block(System::block_number() + 7);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Failed);
		assert_eq!(job.escrow, 0);
		assert!(third.iter().all(|p| bond_of(*p) == 90), "no-shows slashed 10%");
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert_eq!(Stats::<Test>::get().failed, 1);
	});
}

#[test]
fn hash_search_claims_are_checked_on_chain() {
	new_test_ext().execute_with(|| {
		for who in 10..=12 {
			register(who, 100);
		}
		let mut target = [0u8; 32];
		target[0] = 0x10; // about 1 in 16 hashes qualifies
		let p = JobParams {
			seed: [5u8; 32],
			dims: frame_support::BoundedVec::truncate_from(vec![1000]),
			target: Some(target),
			inputs: Default::default(),
			publish_output: false,
		};
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			p.clone(),
			1,
			3,
			10,
			50
		));
		run_to_block(2);
		let ps: Vec<_> = assigned_to(id);
		let (out, digest) = solve_hash_search(p.seed, 1000, target).unwrap();
		assert!(verification::check_hash_search(&p, &out, &digest));
		// A forged claim: a nonce whose hash is not below the target.
		let mut forged = out.clone();
		forged[0] ^= 1;
		let forged_digest = H256(sp_io::hashing::blake2_256(&forged));
		assert!(!verification::check_hash_search(&p, &forged, &forged_digest));
		// Honest, forged, and "found nothing".
		let none = H256(sp_io::hashing::blake2_256(&[]));
		let claims =
			[(ps[0], digest, out.clone()), (ps[1], forged_digest, forged), (ps[2], none, vec![])];
		for (who, d, o) in &claims {
			assert_ok!(commit(*who, id, *d, o));
		}
		for (who, d, o) in &claims {
			assert_ok!(reveal(*who, id, *d, o.clone()));
		}
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Verified);
		assert_eq!(job.result.unwrap().small_output.to_vec(), out);
		assert_eq!(bond_of(ps[1]), 50, "forged claim slashed");
		assert_eq!(bond_of(ps[2]), 50, "nothing found, though a nonce exists: slashed");
		assert_eq!(Balances::free_balance(ps[2]), INITIAL - 100, "...and not paid");
		assert_eq!(Balances::free_balance(ps[0]), INITIAL - 100 + 9 + 1);
	});
}

#[test]
fn non_bit_exact_results_are_compared_within_a_device_class() {
	new_test_ext().execute_with(|| {
		for who in 10..=12 {
			register(who, 100);
		}
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			RENDER,
			params(vec![64, 64]),
			1,
			3,
			10,
			50
		));
		run_to_block(2);
		let ps: Vec<_> = assigned_to(id);
		let a = H256::repeat_byte(1);
		let b = H256::repeat_byte(2);
		// Two agree on the CPU class; the third computed on a GPU class and differs.
		for (who, d) in [(ps[0], a), (ps[1], a), (ps[2], b)] {
			assert_ok!(commit(who, id, d, &[]));
		}
		assert_ok!(reveal_on(ps[0], id, a, vec![], gpu_class()));
		assert_ok!(reveal_on(ps[1], id, a, vec![], gpu_class()));
		assert_ok!(reveal_on(ps[2], id, b, vec![], other_class()));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert_eq!(bond_of(ps[2]), 100, "another device class is not judged");
		assert_eq!(Balances::free_balance(ps[2]), INITIAL - 100);
	});
}

#[test]
fn minted_rewards_are_capped_per_provider_at_a_share_of_the_block_cap() {
	new_test_ext().execute_with(|| {
		// Cut and reward per unit high enough that only the share binds: 100 / (4 × 5) = 5.
		MaxRewardPerBlock::set(100);
		TreasuryCut::set(sp_runtime::Perbill::from_percent(100));
		RewardPerUnit::set(1_000);
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = H256::repeat_byte(0xaa);
		all_commit_reveal(id, &ps.iter().map(|p| (*p, d)).collect::<Vec<_>>());
		assert_eq!(Stats::<Test>::get().rewards_minted, 15);
		let minted: Vec<u128> = market_events()
			.into_iter()
			.filter_map(|e| {
				if let Event::ProviderPaid { reward, .. } = e {
					Some(reward)
				} else {
					None
				}
			})
			.collect();
		assert_eq!(minted, vec![5, 5, 5]);
	});
}

#[test]
fn finished_jobs_are_pruned_after_the_retention_period() {
	new_test_ext().execute_with(|| {
		let id = submit_matmul(1, 3);
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), id));
		run_to_block(20);
		assert!(Jobs::<Test>::get(id).is_some());
		run_to_block(21);
		assert!(Jobs::<Test>::get(id).is_none());
		assert!(JobsOf::<Test>::get(1).is_empty());
		assert_eq!(PruneHead::<Test>::get(), PruneTail::<Test>::get());
		assert!(market_events().contains(&Event::JobPruned { job: id, deposit: 0 }));
	});
}

#[test]
fn providers_can_leave_once_their_jobs_settle() {
	new_test_ext().execute_with(|| {
		CommitWindow::set(10);
		RevealWindow::set(10);
		let (_id, ps) = assigned_matmul([10, 11, 12]);
		// Assigned at block 2, settled at 2 + 10 + 10 + 1 = 23; unlocked at 2 + 10 = 12.
		assert_ok!(Market::unbond(RuntimeOrigin::signed(ps[0])));
		run_to_block(13);
		assert_eq!(
			Market::withdraw_bond(RuntimeOrigin::signed(ps[0])),
			Err(Error::<Test>::HasOpenAssignments.into())
		);
		run_to_block(23);
		assert_eq!(Providers::<Test>::get(ps[0]).unwrap().open_assignments, 0);
		assert_ok!(Market::withdraw_bond(RuntimeOrigin::signed(ps[0])));
		// It was a no-show: 10% of its bond went to the treasury, the rest came back.
		assert_eq!(Balances::free_balance(ps[0]), INITIAL - 10);
	});
}
