//! Randomized sequences: many consumers and providers, random calls; byzantine, lazy, flaky,
//! colluding, selectively silent and forging providers; a consumer that locks its funds after
//! ordering, a wash trader with its own provider, infeasible orders; cancellations, evictions
//! and expiry. Before and after every block the market's invariants must hold.

use super::*;
use frame_support::{
	traits::{fungible::Inspect, LockableCurrency, WithdrawReasons},
	BoundedVec,
};
use sp_core::H256;

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
	/// Reveals a random wrong result.
	Byzantine,
	/// Never commits.
	Lazy,
	/// Commits or reveals half the time.
	Flaky,
	/// Colludes with the other colluders: all reveal the same wrong result for a job.
	Colluding,
	/// Commits a wrong result, then stays silent once it sees the others' reveals.
	SelectiveRevealer,
	/// Reveals the right digest with a forged small output.
	Forger,
	/// The wash trader's own provider: honest on its consumer's jobs, declines everyone else's.
	WashProvider,
}

const CONSUMERS: std::ops::RangeInclusive<AccountId> = 1..=6;
/// Consumer 5 locks its whole balance after each order; consumer 6 is a wash trader.
const LOCKER: AccountId = 5;
const WASH_CONSUMER: AccountId = 6;
const WASH_PROVIDER: AccountId = 19;
const PROVIDERS: std::ops::RangeInclusive<AccountId> = 10..=19;

fn behaviour_of(who: AccountId) -> Behaviour {
	match who {
		10 | 11 | 15 => Behaviour::Honest,
		12 => Behaviour::Byzantine,
		13 => Behaviour::Flaky,
		14 => Behaviour::Lazy,
		16 | 17 => Behaviour::Colluding,
		18 => {
			if System::block_number().is_multiple_of(2) {
				Behaviour::SelectiveRevealer
			} else {
				Behaviour::Forger
			}
		},
		WASH_PROVIDER => Behaviour::WashProvider,
		_ => Behaviour::Honest,
	}
}

/// Whether the honest workers refuse the job (as the native worker refuses work it cannot
/// run): the largest renders.
fn infeasible(job: &JobOf<Test>) -> bool {
	job.workload == RENDER && job.params.dims.iter().all(|d| *d >= 4000)
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
	let deadline = now + 12 + rng.below(40);
	let (workload, p, units, replicas) = if who == WASH_CONSUMER {
		// The most reward for the least work the old market paid: a 1-nonce search with an
		// always-met target, the most units, at the floor price.
		let p = JobParams {
			seed: [rng.below(255) as u8; 32],
			dims: BoundedVec::truncate_from(vec![1]),
			target: Some([0xff; 32]),
			inputs: Default::default(),
			publish_output: false,
		};
		(HASH_SEARCH, p, 1_000, 1)
	} else {
		match rng.below(4) {
			0 => {
				let mut target = [0u8; 32];
				target[0] = 0x10;
				let p = JobParams {
					seed: sp_io::hashing::blake2_256(&rng.next().to_le_bytes()),
					dims: BoundedVec::truncate_from(vec![1 + rng.below(900) as u32]),
					target: Some(target),
					inputs: Default::default(),
					publish_output: false,
				};
				(HASH_SEARCH, p, 1, 1 + rng.below(3) as u8)
			},
			1 => (MATMUL, params(vec![1 + rng.below(16) as u32]), 1, 3),
			2 => (RENDER, params(vec![1 + rng.below(256) as u32, 1 + rng.below(256) as u32]), 1, 3),
			// Infeasible: every honest worker refuses it.
			_ => (
				RENDER,
				params(vec![4000 + rng.below(96) as u32, 4000 + rng.below(96) as u32]),
				256,
				3,
			),
		}
	};
	let price = if who == WASH_CONSUMER { 1 } else { 1 + rng.below(20) as u128 };
	let ok = Market::submit_job(
		RuntimeOrigin::signed(who),
		workload,
		p,
		units,
		replicas,
		price,
		deadline,
	)
	.is_ok();
	if ok && who == LOCKER {
		// The escrow is out of reach: locking everything changes nothing for the providers.
		Balances::set_lock(*b"delegate", &who, INITIAL * 10, WithdrawReasons::all());
	}
}

fn random_provider_call(rng: &mut Rng) {
	let who = PROVIDERS.start() + rng.below(10);
	let o = RuntimeOrigin::signed(who);
	let _ = match rng.below(8) {
		0..=2 => Market::register_provider(
			o,
			100 + rng.below(400) as u128,
			crypto::Public::from(sp_core::Pair::public(&compute_pair(who))),
			BoundedVec::truncate_from(vec![gpu_class(), other_class()]),
		),
		3 => Market::bond_more(o, 1 + rng.below(100) as u128),
		4 => Market::unbond(o),
		5 => Market::evict_provider(RuntimeOrigin::signed(1), PROVIDERS.start() + rng.below(10)),
		_ => Market::withdraw_bond(o),
	};
}

/// Providers act on their open assignments according to their behaviour.
fn providers_work(rng: &mut Rng) {
	let now = System::block_number();
	let open: Vec<(JobId, JobOf<Test>)> = Jobs::<Test>::iter()
		.filter(|(_, j)| {
			matches!(j.status, JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing)
		})
		.collect();
	for (id, job) in open {
		let (truth, out) = true_result(&job);
		for a in job.assignments.iter() {
			let who = a.provider;
			let b = behaviour_of(who);
			// Nobody's worker runs an infeasible job: the honest providers decline it (their
			// offchain worker does), the others stay silent.
			let refuses = infeasible(&job);
			let decline = (refuses && matches!(b, Behaviour::Honest | Behaviour::WashProvider))
				|| (b == Behaviour::WashProvider && job.consumer != WASH_CONSUMER);
			if a.commitment.is_none() && !a.declined && decline {
				let _ = Market::decline_job(RuntimeOrigin::signed(who), id);
				continue;
			}
			if refuses {
				continue;
			}
			if b == Behaviour::Lazy || (b == Behaviour::Flaky && rng.chance(50)) {
				continue;
			}
			let (d, o) = match b {
				Behaviour::Byzantine | Behaviour::SelectiveRevealer => {
					let lie = H256(sp_io::hashing::blake2_256(&(id, who).encode()));
					(lie, lie.as_bytes()[..8].to_vec())
				},
				Behaviour::Colluding => {
					let lie = H256(sp_io::hashing::blake2_256(&(id, b"collude").encode()));
					(lie, lie.as_bytes()[..8].to_vec())
				},
				Behaviour::Forger => (truth, b"forged!!".to_vec()),
				_ => (truth, out.clone()),
			};
			if a.commitment.is_none() && !a.declined && now <= job.commit_until {
				let _ = commit(who, id, d, &o);
			} else if a.commitment.is_some()
				&& a.reveal.is_none()
				&& b != Behaviour::SelectiveRevealer
			{
				// Alternate device classes on the non-bit-exact workload.
				let class = if job.workload == RENDER && who % 3 == 0 {
					other_class()
				} else {
					gpu_class()
				};
				let _ = reveal_on(who, id, d, o, class);
			}
		}
	}
}

struct Ledger {
	initial_issuance: Balance,
	wash_wealth: Balance,
}

fn check_invariants(ledger: &Ledger, seq: u64) {
	let now = System::block_number();
	let stats = Stats::<Test>::get();
	// 1. Money is conserved: total issuance is the initial issuance plus the counted minted
	//    rewards, and it equals the sum of every account's free and held balance.
	let issuance = Balances::total_issuance();
	assert_eq!(
		issuance,
		ledger.initial_issuance + stats.rewards_minted,
		"seq {seq} block {now}: issuance"
	);
	let accounts: Vec<AccountId> = frame_system::Account::<Test>::iter_keys().collect();
	let sum: Balance = accounts.iter().map(Balances::total_balance).sum();
	assert_eq!(sum, issuance, "seq {seq} block {now}: free + held");

	// 2. The storage invariants (escrow backed, deposits held, queue, indexes, candidates).
	Market::do_try_state().unwrap_or_else(|e| panic!("seq {seq} block {now}: try_state: {e:?}"));
	for (id, job) in Jobs::<Test>::iter() {
		if !job.status.is_final() {
			// 3. No job outlives its deadline by more than the queue's rotation bound.
			assert!(
				now <= job.deadline + 8,
				"seq {seq} block {now}: job {id} ({:?}) outlived its deadline {}",
				job.status,
				job.deadline
			);
		}
	}

	// 4. The wash trader's pair never ends richer.
	let wash = Balances::total_balance(&WASH_CONSUMER) + Balances::total_balance(&WASH_PROVIDER);
	assert!(
		wash <= ledger.wash_wealth,
		"seq {seq} block {now}: the wash trader gained {}",
		wash - ledger.wash_wealth
	);

	let mut minted_this_block: Balance = 0;
	for e in System::events() {
		match e.event {
			// 5. Every payment is price × units less the cut; the reward never exceeds the cut
			//    nor the job's share of the block cap; only accepted results are paid, and the
			//    result the consumer reads is the one every accepted provider revealed.
			RuntimeEvent::Market(Event::ProviderPaid {
				job,
				provider,
				payment,
				reward,
				treasury_cut,
			}) => {
				let j = Jobs::<Test>::get(job).expect("paid job exists");
				assert_eq!(
					payment + treasury_cut,
					j.price_per_unit * j.units as u128,
					"seq {seq}: payment of job {job}"
				);
				assert_eq!(
					treasury_cut,
					TreasuryCut::get() * (j.price_per_unit * j.units as u128),
					"seq {seq}: cut"
				);
				assert!(
					reward <= treasury_cut,
					"seq {seq}: reward {reward} above the cut {treasury_cut}"
				);
				assert!(
					reward <= MaxRewardPerBlock::get() / (4 * 5),
					"seq {seq}: reward above the share"
				);
				minted_this_block += reward;
				let result = j.result.as_ref().expect("paid job has a result");
				let r = j
					.assignments
					.iter()
					.find(|a| a.provider == provider)
					.and_then(|a| a.reveal.clone())
					.unwrap();
				match Workloads::<Test>::get(j.workload).unwrap().verification {
					VerificationClass::Replicated { .. } => {
						assert_eq!(
							r.output_digest, result.output_digest,
							"seq {seq}: paid a non-accepted digest"
						);
						assert_eq!(
							r.small_output, result.small_output,
							"seq {seq}: paid a forged small output"
						);
					},
					VerificationClass::OnChainCheck(_) => assert!(
						verification::check_hash_search(
							&j.params,
							&r.small_output,
							&r.output_digest
						),
						"seq {seq}: paid an invalid claim"
					),
				}
			},
			// 6. No honest provider is ever slashed, unless colluders held a quorum of its job.
			RuntimeEvent::Market(Event::ProviderSlashed { job, provider, .. })
				if matches!(
					behaviour_of(provider),
					Behaviour::Honest | Behaviour::WashProvider
				) =>
			{
				let j = Jobs::<Test>::get(job).expect("slashed job exists");
				let colluders = j
					.assignments
					.iter()
					.filter(|a| behaviour_of(a.provider) == Behaviour::Colluding)
					.count();
				assert!(
					colluders >= 2,
					"seq {seq} block {now}: honest provider {provider} slashed on job {job}: {j:?}"
				);
			},
			_ => {},
		}
	}
	// 7. Minting stays within the cap.
	assert!(
		minted_this_block <= MaxRewardPerBlock::get(),
		"seq {seq}: minted {minted_this_block} in a block"
	);
	System::reset_events();
}

#[test]
fn random_sequences_keep_the_market_invariants() {
	let mut totals = (0u64, 0u64, 0u64, 0u64);
	for seq in 0..SEQUENCES {
		new_test_ext().execute_with(|| {
			let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seq + 1).wrapping_mul(0x1000_0000_01b3));
			RandomSalt::set(seq);
			SubmissionFee::set(1);
			DepositPerByte::set(1);
			// Rewards as generous as governance could make them.
			RewardPerUnit::set(1_000);
			let ledger = Ledger {
				initial_issuance: Balances::total_issuance(),
				wash_wealth: Balances::total_balance(&WASH_CONSUMER)
					+ Balances::total_balance(&WASH_PROVIDER),
			};
			// The wash trader's provider is there from the start.
			register(WASH_PROVIDER, 100);
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
