//! The next attacker: for every call and check added against issue #9's attacks, how someone
//! could profit from it or grief with it, and why they cannot.

use super::*;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, LockableCurrency, WithdrawReasons},
	BoundedVec,
};
use sp_core::H256;

fn wealth(accounts: &[AccountId]) -> Balance {
	accounts.iter().map(Balances::total_balance).sum()
}

fn trivial_search(range: u32) -> JobParams {
	JobParams {
		seed: [3u8; 32],
		dims: BoundedVec::truncate_from(vec![range]),
		target: Some([0xff; 32]),
		inputs: Default::default(),
		publish_output: false,
	}
}

/// Run one wash job (consumer 1, its only provider 10) of `units` units at `price`; returns the
/// pair's wealth change.
fn wash_once(units: u32, price: Balance) -> i128 {
	let before = wealth(&[1, 10]) as i128;
	let id = NextJobId::<Test>::get();
	assert_ok!(Market::submit_job(
		RuntimeOrigin::signed(1),
		HASH_SEARCH,
		trivial_search(1),
		units,
		1,
		price,
		System::block_number() + 50
	));
	run_to_block(System::block_number() + 1);
	let (out, d) = solve_hash_search([3u8; 32], 1, [0xff; 32]).unwrap();
	assert_ok!(commit(10, id, d, &out));
	assert_ok!(reveal(10, id, d, out));
	assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
	wealth(&[1, 10]) as i128 - before
}

/// Whatever governance sets — reward per unit, treasury cut, fee, per-block cap — and whatever
/// the wash trader orders, the pair never ends richer.
#[test]
fn wash_trading_never_pays_for_any_parameters() {
	let mut runs = 0;
	for reward in [0u128, 1, 2, 1_000, u64::MAX as u128] {
		for cut in [0u32, 1, 10, 50, 100] {
			for fee in [0u128, 1] {
				for (units, price) in [(1u32, 1u128), (1_000, 1), (1_000, 100), (10, 50)] {
					new_test_ext().execute_with(|| {
						RewardPerUnit::set(reward);
						TreasuryCut::set(sp_runtime::Perbill::from_percent(cut));
						SubmissionFee::set(fee);
						MaxRewardPerBlock::set(u64::MAX as u128);
						register(10, 100);
						let net = wash_once(units, price);
						assert!(
							net <= -(fee as i128),
							"reward {reward}, cut {cut}%, fee {fee}, {units} units at {price}: net {net}"
						);
						runs += 1;
					});
				}
			}
		}
	}
	assert_eq!(runs, 5 * 5 * 2 * 4);
}

/// Rewards count the units the parameters need, not the units bought.
#[test]
fn rewards_count_needed_units_not_bought_ones() {
	new_test_ext().execute_with(|| {
		TreasuryCut::set(sp_runtime::Perbill::from_percent(100));
		MaxRewardPerBlock::set(u64::MAX as u128);
		register(10, 100);
		let _ = wash_once(1_000, 1);
		let rewards: Vec<Balance> = market_events()
			.into_iter()
			.filter_map(|e| {
				if let Event::ProviderPaid { reward, .. } = e {
					Some(reward)
				} else {
					None
				}
			})
			.collect();
		// 1 nonce needs 1 unit: RewardPerUnit (2) × 1, though 1,000 units were bought.
		assert_eq!(rewards, vec![2]);
	});
}

/// No job's providers are minted more than their share of the per-block cap.
#[test]
fn one_job_gets_at_most_its_share_of_the_block_cap() {
	new_test_ext().execute_with(|| {
		TreasuryCut::set(sp_runtime::Perbill::from_percent(100));
		RewardPerUnit::set(1_000);
		register(10, 100);
		let _ = wash_once(1, 10_000);
		let share = MaxRewardPerBlock::get() / (4 * 5);
		assert_eq!(Stats::<Test>::get().rewards_minted, share);
	});
}

/// A consumer cannot order with funds it has locked: the budget moves into escrow at once, and
/// only spendable funds move. Nothing changes on failure.
#[test]
fn locked_funds_cannot_be_escrowed() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		Balances::set_lock(*b"delegate", &1, INITIAL, WithdrawReasons::all());
		assert_noop!(
			Market::submit_job(
				RuntimeOrigin::signed(1),
				HASH_SEARCH,
				trivial_search(1),
				1,
				1,
				1,
				50
			),
			Error::<Test>::InsufficientBalance
		);
	});
}

/// A job above its workload's work bound is refused before anything is paid; a workload whose
/// bound exceeds the worker's cannot be registered.
#[test]
fn work_beyond_the_bound_is_refused() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		register(11, 100);
		register(12, 100);
		// Render: 4096 × 4096 = 2^24 is its bound; matmul: 1024³ = 2^30 > 2^28.
		assert_noop!(
			Market::submit_job(
				RuntimeOrigin::signed(1),
				MATMUL,
				params(vec![1024]),
				1_000,
				3,
				10,
				50
			),
			Error::<Test>::WorkTooLarge
		);
		let mut w = matmul_workload();
		w.max_work = MAX_WORK + 1;
		assert_noop!(
			Market::register_workload(RuntimeOrigin::root(), w),
			Error::<Test>::InvalidWorkload
		);
		let mut w = matmul_workload();
		w.work_per_block = 1;
		assert_noop!(
			Market::register_workload(RuntimeOrigin::root(), w),
			Error::<Test>::InvalidWorkload
		);
	});
}

/// A large job gets a longer commit window, and its deadline must leave room for it.
#[test]
fn commit_windows_grow_with_the_work() {
	new_test_ext().execute_with(|| {
		for p in [10, 11, 12] {
			register(p, 100);
		}
		// 256³ = 2^24 work at 2^20 per block: 16 more blocks; 2^24 / 4,096 = 4,096 units.
		let w = Workloads::<Test>::get(MATMUL).unwrap();
		Workloads::<Test>::insert(MATMUL, Workload { max_units: 1 << 20, ..w });
		let q = Market::quote_job(None, MATMUL, &params(vec![256]), 4096, 3, 2).unwrap();
		assert_eq!(q.commit_window, 3 + 16);
		// Attempt: 3 + 16 commit, 3 reveal, 1 settle = 23 blocks after assignment (block 2).
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(1), MATMUL, params(vec![256]), 4096, 3, 2, 24),
			Error::<Test>::InvalidDeadline
		);
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			MATMUL,
			params(vec![256]),
			4096,
			3,
			2,
			25
		));
		run_to_block(2);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.work_blocks, job.commit_until, job.reveal_until), (16, 2 + 19, 2 + 22));
	});
}

/// Declining costs no bond but some reputation, and the decliner is not drawn for the job
/// again; declining after committing, outside the window, or someone else's job is refused.
#[test]
fn a_decline_is_not_slashed_but_is_not_free() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul(10..=13);
		let outsider = (10..=13).find(|p| !ps.contains(p)).unwrap();
		assert_noop!(
			Market::decline_job(RuntimeOrigin::signed(outsider), id),
			Error::<Test>::NotAssigned
		);
		assert_ok!(commit(ps[1], id, H256::repeat_byte(1), &[]));
		assert_noop!(
			Market::decline_job(RuntimeOrigin::signed(ps[1]), id),
			Error::<Test>::AlreadyCommitted
		);
		assert_ok!(Market::decline_job(RuntimeOrigin::signed(ps[0]), id));
		assert_noop!(
			Market::decline_job(RuntimeOrigin::signed(ps[0]), id),
			Error::<Test>::AlreadyCommitted
		);
		assert_noop!(commit(ps[0], id, H256::repeat_byte(1), &[]), Error::<Test>::AlreadyCommitted);
		run_to_block(6);
		assert_noop!(
			Market::decline_job(RuntimeOrigin::signed(ps[2]), id),
			Error::<Test>::CommitWindowClosed
		);
		run_to_block(9);
		assert_eq!(bond_of(ps[0]), 100, "a decline is not slashed");
		assert_eq!(
			Providers::<Test>::get(ps[0]).unwrap().reputation,
			INITIAL_REPUTATION - crate::settlement::REPUTATION_LOSS_DECLINE
		);
		assert!(PreviousProviders::<Test>::get(id).contains(&ps[0]));
		// The one who committed and never revealed is wrong; the silent one a no-show.
		assert_eq!(bond_of(ps[1]), 100 - SlashWrong::get() * 100);
		assert_eq!(bond_of(ps[2]), 100 - SlashNoShow::get() * 100);
	});
}

/// When every provider declines, the attempt ends at once and nobody is slashed; the job goes
/// to other providers, and with none left it fails in the next block and the consumer gets its
/// escrow back (but not the fee).
#[test]
fn a_job_everyone_declines_fails_without_slashes() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(2);
		for p in [10, 11, 12] {
			register(p, 100);
		}
		let id = submit_matmul(1, 3);
		run_to_block(2);
		for p in [10, 11, 12] {
			assert_ok!(Market::decline_job(RuntimeOrigin::signed(p), id));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Pending);
		run_to_block(3);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Failed, 0));
		for p in [10, 11, 12] {
			assert_eq!(bond_of(p), 100);
		}
		assert_eq!(Balances::free_balance(1), INITIAL - 2);
	});
}

/// Anyone may evict a suspended provider (its bond goes back to it, not to the caller);
/// active providers only governance may remove; nobody with open assignments.
#[test]
fn dead_provider_slots_can_be_freed() {
	new_test_ext().execute_with(|| {
		for p in [10, 11, 12] {
			register(p, 100);
		}
		assert_noop!(
			Market::evict_provider(RuntimeOrigin::signed(5), 10),
			Error::<Test>::NotEvictable
		);
		assert_noop!(
			Market::evict_provider(RuntimeOrigin::signed(5), 99),
			Error::<Test>::NotProvider
		);
		// 10 is slashed below the minimum bond: suspended.
		let id = submit_matmul(1, 3);
		run_to_block(2);
		assert_noop!(
			Market::evict_provider(RuntimeOrigin::root(), 10),
			Error::<Test>::NotEvictable
		);
		let d = H256::repeat_byte(1);
		assert_ok!(commit(10, id, H256::repeat_byte(2), &[]));
		assert_ok!(commit(11, id, d, &[]));
		assert_ok!(commit(12, id, d, &[]));
		assert_ok!(reveal(10, id, H256::repeat_byte(2), vec![]));
		assert_ok!(reveal(11, id, d, vec![]));
		assert_ok!(reveal(12, id, d, vec![]));
		assert_eq!(Providers::<Test>::get(10).unwrap().status, ProviderStatus::Suspended);
		let caller_before = Balances::free_balance(5);
		let before = Balances::free_balance(10);
		assert_ok!(Market::evict_provider(RuntimeOrigin::signed(5), 10));
		assert!(!Providers::<Test>::contains_key(10));
		assert_eq!(Balances::free_balance(10), before + 50);
		assert_eq!(Balances::free_balance(5), caller_before);
		// Governance removes an active provider.
		assert_ok!(Market::evict_provider(RuntimeOrigin::root(), 11));
		assert_eq!(bond_of(11), 0);
		assert_eq!(Providers::<Test>::count(), 1);
	});
}

/// One account's waiting jobs are capped; a cancelled or assigned job frees its slot.
#[test]
fn the_pending_cap_is_per_account() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let mut ids = vec![];
		for _ in 0..8 {
			ids.push(NextJobId::<Test>::get());
			assert_ok!(Market::submit_job(
				RuntimeOrigin::signed(1),
				HASH_SEARCH,
				trivial_search(1),
				1,
				1,
				1,
				50
			));
		}
		assert_noop!(
			Market::submit_job(
				RuntimeOrigin::signed(1),
				HASH_SEARCH,
				trivial_search(1),
				1,
				1,
				1,
				50
			),
			Error::<Test>::TooManyPending
		);
		// Others are not affected.
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(2),
			HASH_SEARCH,
			trivial_search(1),
			1,
			1,
			1,
			50
		));
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), ids[0]));
		assert_eq!(PendingCount::<Test>::get(1), 7);
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			trivial_search(1),
			1,
			1,
			1,
			50
		));
		run_to_block(2);
		assert!(PendingCount::<Test>::get(1) < 8);
	});
}

/// An honest replica that could not be judged (no quorum) may be drawn again for the same job;
/// the liars may not.
#[test]
fn only_failed_providers_are_excluded_from_later_attempts() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul(10..=13);
		// Three different results: no quorum, nobody provably wrong.
		for (i, p) in ps.iter().enumerate() {
			assert_ok!(commit(*p, id, H256::repeat_byte(i as u8 + 1), &[]));
		}
		for (i, p) in ps.iter().enumerate() {
			assert_ok!(reveal(*p, id, H256::repeat_byte(i as u8 + 1), vec![]));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Pending);
		assert!(PreviousProviders::<Test>::get(id).is_empty());
		run_to_block(3);
		assert_eq!(Jobs::<Test>::get(id).unwrap().attempts, 2);
	});
}

/// Hash search: when no replica finds a nonce, "nothing found" is not slashed.
#[test]
fn an_empty_claim_is_not_slashed_when_nobody_found_a_nonce() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		register(11, 100);
		let p = JobParams {
			seed: [5u8; 32],
			dims: BoundedVec::truncate_from(vec![1]),
			target: Some([0u8; 32]),
			inputs: Default::default(),
			publish_output: false,
		};
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(RuntimeOrigin::signed(1), HASH_SEARCH, p, 1, 2, 5, 50));
		run_to_block(2);
		let empty = H256(sp_io::hashing::blake2_256(&[]));
		for who in [10, 11] {
			assert_ok!(commit(who, id, empty, &[]));
		}
		for who in [10, 11] {
			assert_ok!(reveal(who, id, empty, vec![]));
		}
		assert_eq!(bond_of(10), 100);
		assert_eq!(bond_of(11), 100);
	});
}

/// `try_state` notices a broken market: escrow that the escrow account does not back.
#[test]
fn try_state_catches_unbacked_escrow() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			trivial_search(1),
			1,
			1,
			7,
			50
		));
		assert_ok!(Market::do_try_state());
		Jobs::<Test>::mutate(id, |j| j.as_mut().unwrap().escrow += 1);
		assert!(Market::do_try_state().is_err());
	});
}

/// The escrow account exists from genesis with its existential deposit, so that budgets of any
/// size move in and out, and it holds exactly the open jobs' escrow on top.
#[test]
fn the_escrow_account_backs_open_jobs() {
	new_test_ext().execute_with(|| {
		let escrow = Market::escrow_account();
		assert_eq!(Balances::total_balance(&escrow), ED);
		register(10, 100);
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			trivial_search(1),
			3,
			1,
			1,
			50
		));
		assert_eq!(Balances::total_balance(&escrow), ED + 3);
		assert_eq!(escrow_of(1), 3);
	});
}
