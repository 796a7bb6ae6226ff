//! Randomized sequences: many consumers and providers, random calls, byzantine reveals,
//! no-shows, cancellations and expiry. After every block the market's invariants must hold.

use super::*;
use frame_support::{traits::fungible::Inspect, BoundedVec};
use sp_core::H256;
use std::collections::BTreeMap;

/// Sequences run.
const SEQUENCES: u64 = 40;
/// Blocks per sequence.
const BLOCKS: u64 = 150;

/// A small deterministic PRNG (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Behaviour {
	Honest,
	Byzantine,
	Lazy,
	Flaky,
}

const CONSUMERS: std::ops::RangeInclusive<AccountId> = 1..=6;
const PROVIDERS: std::ops::RangeInclusive<AccountId> = 10..=19;

fn behaviour_of(who: AccountId) -> Behaviour {
	match who % 5 {
		0 | 1 => Behaviour::Honest,
		2 => Behaviour::Byzantine,
		3 => Behaviour::Flaky,
		_ => if who % 2 == 0 { Behaviour::Lazy } else { Behaviour::Honest },
	}
}

/// The correct result of a job, as a worker would compute it.
fn true_result(job: &JobOf<Test>) -> (H256, Vec<u8>) {
	match job.workload {
		HASH_SEARCH => {
			let target = job.params.target.unwrap();
			match solve_hash_search(job.params.seed, job.params.dims[0], target) {
				Some((out, d)) => (d, out),
				None => (H256(sp_io::hashing::blake2_256(&[])), vec![]),
			}
		},
		_ => {
			let d = H256(sp_io::hashing::blake2_256(&(job.workload, &job.params).encode()));
			(d, d.as_bytes()[..8].to_vec())
		},
	}
}
use codec::Encode;

fn random_submit(rng: &mut Rng) {
	let who = CONSUMERS.start() + rng.below(6);
	let now = System::block_number();
	let deadline = now + 8 + rng.below(40);
	let (workload, p, units, replicas) = match rng.below(3) {
		0 => {
			let mut target = [0u8; 32];
			target[0] = 0x10;
			let p = JobParams {
				seed: sp_io::hashing::blake2_256(&rng.next().to_le_bytes()),
				dims: BoundedVec::truncate_from(vec![1 + rng.below(900) as u32]),
				target: Some(target),
			};
			(HASH_SEARCH, p, 1, 1 + rng.below(3) as u8)
		},
		1 => (MATMUL, params(vec![1 + rng.below(64) as u32]), 1, 2 + rng.below(2) as u8),
		_ => (RENDER, params(vec![1 + rng.below(256) as u32, 1 + rng.below(256) as u32]), 1, 2 + rng.below(2) as u8),
	};
	let price = 1 + rng.below(20) as u128;
	let _ = Market::submit_job(RuntimeOrigin::signed(who), workload, p, units, replicas, price, deadline);
}

fn random_provider_call(rng: &mut Rng) {
	let who = PROVIDERS.start() + rng.below(10);
	let o = RuntimeOrigin::signed(who);
	let _ = match rng.below(6) {
		0 | 1 => Market::register_provider(
			o,
			100 + rng.below(400) as u128,
			crypto::Public::from(sp_core::Pair::public(&compute_pair(who))),
			BoundedVec::truncate_from(vec![gpu_class(), other_class()]),
		),
		2 => Market::bond_more(o, 1 + rng.below(100) as u128),
		3 => Market::unbond(o),
		_ => Market::withdraw_bond(o),
	};
}

/// Providers act on their open assignments according to their behaviour.
fn providers_work(rng: &mut Rng) {
	let now = System::block_number();
	let open: Vec<(JobId, JobOf<Test>)> = Jobs::<Test>::iter()
		.filter(|(_, j)| matches!(j.status, JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing))
		.collect();
	for (id, job) in open {
		let (truth, out) = true_result(&job);
		for a in job.assignments.iter() {
			let who = a.provider;
			let b = behaviour_of(who);
			if b == Behaviour::Lazy || (b == Behaviour::Flaky && rng.chance(50)) {
				continue
			}
			let (d, o) = if b == Behaviour::Byzantine {
				let lie = H256(sp_io::hashing::blake2_256(&(id, who).encode()));
				(lie, lie.as_bytes()[..8].to_vec())
			} else {
				(truth, out.clone())
			};
			if a.commitment.is_none() && now <= job.commit_until {
				let _ = commit(who, id, d);
			} else if a.commitment.is_some() && a.reveal.is_none() {
				// Alternate device classes on the non-bit-exact workload.
				let class = if job.workload == RENDER && who % 3 == 0 { other_class() } else { gpu_class() };
				let _ = reveal_on(who, id, d, o, class);
			}
		}
	}
}

struct Ledger {
	initial_issuance: Balance,
}

fn check_invariants(ledger: &Ledger, seq: u64) {
	let now = System::block_number();
	let stats = Stats::<Test>::get();
	// 1. Money is conserved: total issuance is the initial issuance plus the counted minted
	//    rewards, and it equals the sum of every account's free and held balance.
	let issuance = Balances::total_issuance();
	assert_eq!(issuance, ledger.initial_issuance + stats.rewards_minted, "seq {seq} block {now}: issuance");
	let accounts: Vec<AccountId> = frame_system::Account::<Test>::iter_keys().collect();
	let sum: Balance = accounts.iter().map(|a| Balances::total_balance(a)).sum();
	assert_eq!(sum, issuance, "seq {seq} block {now}: free + held");

	// 2. Held escrow equals the remaining budgets of open jobs; finished jobs hold nothing.
	let mut open_escrow: BTreeMap<AccountId, Balance> = BTreeMap::new();
	for (id, job) in Jobs::<Test>::iter() {
		if job.status.is_final() {
			assert_eq!(job.escrow, 0, "seq {seq} block {now}: finished job {id} still holds escrow");
		} else {
			*open_escrow.entry(job.consumer).or_default() += job.escrow;
			// 3. No job outlives its deadline by more than the queue's rotation bound.
			assert!(
				now <= job.deadline + 8,
				"seq {seq} block {now}: job {id} ({:?}) outlived its deadline {}",
				job.status,
				job.deadline
			);
		}
	}
	for c in CONSUMERS {
		assert_eq!(escrow_of(c), open_escrow.get(&c).copied().unwrap_or(0), "seq {seq} block {now}: escrow of {c}");
	}

	// Bonds: held bond equals the recorded bond; open assignments match the index.
	for (who, info) in Providers::<Test>::iter() {
		assert_eq!(bond_of(who), info.bond, "seq {seq} block {now}: bond of {who}");
		assert_eq!(
			ProviderJobs::<Test>::get(who).len() as u32,
			info.open_assignments,
			"seq {seq} block {now}: assignments of {who}"
		);
	}

	// 4. No provider whose digest was not accepted is ever paid.
	for e in System::events() {
		if let RuntimeEvent::Market(Event::ProviderPaid { job, provider, .. }) = e.event {
			let j = Jobs::<Test>::get(job).expect("paid job exists");
			let accepted = j.result.as_ref().expect("paid job has a result").output_digest;
			let revealed = j
				.assignments
				.iter()
				.find(|a| a.provider == provider)
				.and_then(|a| a.reveal.as_ref())
				.map(|r| r.output_digest);
			match Workloads::<Test>::get(j.workload).unwrap().verification {
				VerificationClass::Replicated { .. } => assert_eq!(revealed, Some(accepted), "seq {seq}: paid a non-accepted digest"),
				VerificationClass::OnChainCheck(_) => {
					let r = j.assignments.iter().find(|a| a.provider == provider).unwrap().reveal.clone().unwrap();
					assert!(verification::check_hash_search(&j.params, &r.small_output, &r.output_digest), "seq {seq}: paid an invalid claim");
				},
			}
		}
	}
	System::reset_events();
}

#[test]
fn random_sequences_keep_the_market_invariants() {
	let mut totals = (0u64, 0u64, 0u64, 0u64);
	for seq in 0..SEQUENCES {
		new_test_ext().execute_with(|| {
			let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seq + 1).wrapping_mul(0x1000_0000_01b3));
			RandomSalt::set(seq);
			let ledger = Ledger { initial_issuance: Balances::total_issuance() };
			for _ in 0..BLOCKS {
				for _ in 0..rng.below(4) {
					match rng.below(10) {
						0..=4 => random_submit(&mut rng),
						5 => {
							let who = CONSUMERS.start() + rng.below(6);
							if let Some(id) = JobsOf::<Test>::get(who).first().copied() {
								let _ = Market::cancel_job(RuntimeOrigin::signed(who), id);
							}
						},
						_ => random_provider_call(&mut rng),
					}
				}
				providers_work(&mut rng);
				check_invariants(&ledger, seq);
				run_to_block(System::block_number() + 1);
				check_invariants(&ledger, seq);
			}
			let s = Stats::<Test>::get();
			totals.0 += s.submitted;
			totals.1 += s.verified;
			totals.2 += s.failed;
			totals.3 += s.refunded;
		});
	}
	println!(
		"{SEQUENCES} sequences x {BLOCKS} blocks: {} jobs submitted, {} verified, {} failed, {} refunded/expired",
		totals.0, totals.1, totals.2, totals.3
	);
	// The sequences must exercise the whole flow, not just refusals.
	assert!(totals.1 > 100 && totals.2 > 0 && totals.3 > 0, "{totals:?}");
}
