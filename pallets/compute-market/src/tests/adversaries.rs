//! The attacks of issue #9, one test each. The first twelve were written against the market as
//! it was at b10b557 and failed there (the attack worked); they pass now. The rest cover the
//! calls and checks added to close them: how someone could profit from or grief with each.

use super::*;
use codec::MaxEncodedLen;
use frame_support::{
	assert_ok,
	traits::{LockableCurrency, WithdrawReasons},
	BoundedVec,
};
use sp_core::H256;

/// Sum of free and held balance of the accounts.
fn wealth(accounts: &[AccountId]) -> Balance {
	use frame_support::traits::fungible::Inspect;
	accounts.iter().map(Balances::total_balance).sum()
}

/// A hash search over `range` nonces with the easiest target: nonce 0 always wins.
fn trivial_search(range: u32) -> JobParams {
	JobParams {
		seed: [3u8; 32],
		dims: BoundedVec::truncate_from(vec![range]),
		target: Some([0xff; 32]),
		inputs: Default::default(),
		publish_output: false,
	}
}

/// Attack 1: a consumer and its own (sybil) provider trade a job with themselves. The job
/// asks for no work (a 1-nonce search with an always-met target) but buys the most units at
/// the floor price; the provider is minted `RewardPerUnit × units`. The pair must end poorer.
#[test]
fn wash_trading_never_pays() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let before = wealth(&[1, 10]);
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			trivial_search(1),
			1_000,
			1,
			1,
			System::block_number() + 50
		));
		run_to_block(System::block_number() + 1);
		let (out, d) = solve_hash_search([3u8; 32], 1, [0xff; 32]).unwrap();
		assert_ok!(commit(10, id, d, &out));
		assert_ok!(reveal(10, id, d, out));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert!(wealth(&[1, 10]) < before, "the wash trader gained {}", wealth(&[1, 10]) - before);
	});
}

/// Attack 2: the consumer locks its whole balance (as `convictionVoting.delegate` does) after
/// ordering; the provider must still be paid and the consumer must not get the escrow back.
#[test]
fn a_locked_consumer_still_pays() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let id = NextJobId::<Test>::get();
		let mut target = [0u8; 32];
		target[0] = 0x40;
		let p = JobParams {
			seed: [5u8; 32],
			dims: BoundedVec::truncate_from(vec![500]),
			target: Some(target),
			inputs: Default::default(),
			publish_output: false,
		};
		let consumer_total_before = wealth(&[1]);
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			p.clone(),
			1,
			1,
			50,
			System::block_number() + 50
		));
		Balances::set_lock(*b"delegate", &1, INITIAL, WithdrawReasons::all());
		run_to_block(System::block_number() + 1);
		let (out, d) = solve_hash_search(p.seed, 500, target).unwrap();
		let provider_before = Balances::free_balance(10);
		assert_ok!(commit(10, id, d, &out));
		assert_ok!(reveal(10, id, d, out));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
		assert!(Balances::free_balance(10) >= provider_before + 45, "the provider was not paid");
		assert!(wealth(&[1]) <= consumer_total_before - 50, "the consumer kept its escrow");
	});
}

/// Attack 3: a replica reveals the agreed digest with a forged small output; the consumer must
/// read the honest small output, and the forger must lose.
#[test]
fn a_forged_small_output_is_rejected() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = H256::repeat_byte(0xaa);
		assert_ok!(commit(ps[0], id, d, b"forged"));
		assert_ok!(commit(ps[1], id, d, b"honest"));
		assert_ok!(commit(ps[2], id, d, b"honest"));
		assert_ok!(reveal(ps[0], id, d, b"forged".to_vec()));
		assert_ok!(reveal(ps[1], id, d, b"honest".to_vec()));
		assert_ok!(reveal(ps[2], id, d, b"honest".to_vec()));
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.result.unwrap().small_output.to_vec(), b"honest".to_vec());
		assert!(bond_of(ps[0]) < 100, "the forger was not slashed");
	});
}

/// Attack 4: a job nobody can run (every assigned provider fails it) must not slash anyone.
/// At b10b557 the providers could only stay silent and were slashed as no-shows; now each
/// declines what its worker cannot run (the offchain worker does), and nobody is slashed.
#[test]
fn a_job_nobody_runs_slashes_nobody() {
	new_test_ext().execute_with(|| {
		for p in [10, 11, 12] {
			register(p, 100);
		}
		let id = submit_matmul(1, 3);
		run_to_block(System::block_number() + 1);
		for p in [10, 11, 12] {
			let _ = Market::decline_job(RuntimeOrigin::signed(p), id);
		}
		let settle = Jobs::<Test>::get(id).unwrap().reveal_until + 1;
		run_to_block(settle);
		for p in [10, 11, 12] {
			assert_eq!(bond_of(p), 100, "provider {p} was slashed for a job nobody ran");
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Failed);
	});
}

/// Attack 5a: a provider that committed a wrong digest and stays silent once it sees the
/// others' reveals loses as much as a wrong reveal.
#[test]
fn a_selective_silence_is_slashed_as_wrong() {
	new_test_ext().execute_with(|| {
		let (id, ps) = assigned_matmul([10, 11, 12]);
		let d = H256::repeat_byte(0xaa);
		assert_ok!(commit(ps[0], id, H256::repeat_byte(0xbb), &[]));
		assert_ok!(commit(ps[1], id, d, &[]));
		assert_ok!(commit(ps[2], id, d, &[]));
		assert_ok!(reveal(ps[1], id, d, vec![]));
		assert_ok!(reveal(ps[2], id, d, vec![]));
		run_to_block(Jobs::<Test>::get(id).unwrap().reveal_until + 1);
		assert_eq!(bond_of(ps[0]), 100 - SlashWrong::get() * 100);
	});
}

/// Attack 5b: with replicas = quorum = 2 one liar blocks the quorum; such orders are refused.
#[test]
fn replicas_equal_to_a_quorum_above_one_are_refused() {
	new_test_ext().execute_with(|| {
		for p in [10, 11, 12] {
			register(p, 100);
		}
		assert!(Market::submit_job(
			RuntimeOrigin::signed(1),
			MATMUL,
			params(vec![16]),
			1,
			2,
			10,
			50
		)
		.is_err());
	});
}

/// Attack 5c: an empty ("nothing found") hash-search claim is wrong when another replica
/// proved a nonce exists.
#[test]
fn an_empty_claim_is_wrong_when_a_nonce_exists() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		register(11, 100);
		let mut target = [0u8; 32];
		target[0] = 0x40;
		let p = JobParams {
			seed: [5u8; 32],
			dims: BoundedVec::truncate_from(vec![500]),
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
			2,
			5,
			50
		));
		run_to_block(System::block_number() + 1);
		let (out, d) = solve_hash_search(p.seed, 500, target).unwrap();
		let empty = H256(sp_io::hashing::blake2_256(&[]));
		assert_ok!(commit(10, id, d, &out));
		assert_ok!(commit(11, id, empty, &[]));
		assert_ok!(reveal(10, id, d, out));
		assert_ok!(reveal(11, id, empty, vec![]));
		assert_eq!(bond_of(11), 100 - SlashWrong::get() * 100);
	});
}

/// Attack 5d: on a workload that is not bit-exact, a liar declares a fresh device class after
/// seeing the others' reveals so that nobody can compare its result; it must still lose.
#[test]
fn a_fresh_device_class_does_not_dodge_judgement() {
	new_test_ext().execute_with(|| {
		for p in [10, 11, 12] {
			register(p, 100);
		}
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			RENDER,
			params(vec![16, 16]),
			1,
			3,
			5,
			50
		));
		run_to_block(System::block_number() + 1);
		let ps = assigned_to(id);
		let d = H256::repeat_byte(0xaa);
		let lie = H256::repeat_byte(0xbb);
		assert_ok!(commit(ps[0], id, lie, &[]));
		assert_ok!(commit(ps[1], id, d, &[]));
		assert_ok!(commit(ps[2], id, d, &[]));
		assert_ok!(reveal(ps[1], id, d, vec![]));
		assert_ok!(reveal(ps[2], id, d, vec![]));
		let fresh: DeviceClass = BoundedVec::truncate_from(b"fresh/never/seen".to_vec());
		let _ = Market::set_device_classes(
			RuntimeOrigin::signed(ps[0]),
			BoundedVec::truncate_from(vec![fresh.clone()]),
		);
		assert_eq!(
			reveal_on(ps[0], id, lie, vec![], fresh),
			Err(Error::<Test>::DeviceClassesChanged.into())
		);
		run_to_block(Jobs::<Test>::get(id).unwrap().reveal_until + 1);
		assert_eq!(bond_of(ps[0]), 100 - SlashWrong::get() * 100);
	});
}

/// Attack 6a: an order for more replicas than there are eligible providers would sit in the
/// queue until its deadline; it is refused.
#[test]
fn more_replicas_than_eligible_providers_are_refused() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let p = trivial_search(1);
		assert!(Market::submit_job(RuntimeOrigin::signed(1), HASH_SEARCH, p, 1, 3, 1, 50).is_err());
	});
}

/// Attack 6b: one account cannot fill the queue.
#[test]
fn one_account_cannot_fill_the_queue() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		let mut accepted = 0;
		for _ in 0..32 {
			if Market::submit_job(
				RuntimeOrigin::signed(1),
				HASH_SEARCH,
				trivial_search(1),
				1,
				1,
				1,
				50,
			)
			.is_ok()
			{
				accepted += 1;
			}
		}
		assert!(accepted < 32 / 2, "one account queued {accepted} jobs");
	});
}

/// Attack 6d: one job must not take the whole per-block reward cap from the others settled in
/// the same block.
#[test]
fn the_reward_cap_is_shared_within_a_block() {
	new_test_ext().execute_with(|| {
		register(10, 100);
		register(11, 100);
		let mut ids = vec![];
		for who in [1, 2] {
			let id = NextJobId::<Test>::get();
			assert_ok!(Market::submit_job(
				RuntimeOrigin::signed(who),
				HASH_SEARCH,
				trivial_search(1),
				1_000,
				1,
				100,
				50
			));
			ids.push(id);
		}
		run_to_block(System::block_number() + 1);
		let (out, d) = solve_hash_search([3u8; 32], 1, [0xff; 32]).unwrap();
		for id in &ids {
			let p = Jobs::<Test>::get(id).unwrap().assignments[0].provider;
			assert_ok!(commit(p, *id, d, &out));
		}
		for id in &ids {
			let p = Jobs::<Test>::get(id).unwrap().assignments[0].provider;
			assert_ok!(reveal(p, *id, d, out.clone()));
		}
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
		assert_eq!(rewards.len(), 2);
		assert!(rewards[1] > 0, "the second job got no reward: {rewards:?}");
	});
}

/// Attack 6f: an order costs something that is not refunded (a submission fee) and holds a
/// deposit for the storage it keeps.
#[test]
fn an_order_pays_a_fee_and_a_storage_deposit() {
	new_test_ext().execute_with(|| {
		SubmissionFee::set(3);
		DepositPerByte::set(1);
		register(10, 100);
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			HASH_SEARCH,
			trivial_search(1),
			1,
			1,
			1,
			50
		));
		// Budget 1; anything beyond it is the fee and the deposit.
		assert!(Balances::free_balance(1) < INITIAL - 1, "nothing beyond the budget was taken");
		let deposit = Market::job_deposit();
		assert_eq!(deposit, JobOf::<Test>::max_encoded_len() as Balance);
		assert_eq!(Balances::free_balance(1), INITIAL - 1 - 3 - deposit);
		assert_eq!(deposit_of(1), deposit);
		assert_eq!(Balances::free_balance(TREASURY), ED + 3);
	});
}
