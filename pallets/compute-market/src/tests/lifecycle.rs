//! The life of one job, from order to pruning: the example the crate docs embed.

use super::*;
use frame_support::{assert_ok, BoundedVec};
use sp_core::H256;

#[docify::export]
#[test]
fn job_lifecycle() {
	new_test_ext().execute_with(|| {
		// Governance charges a submission fee and a storage deposit; three providers are bonded.
		SubmissionFee::set(2);
		DepositPerByte::set(1);
		for p in [10, 11, 12] {
			register(p, 100);
		}

		// 1. The consumer, account 1, prices a matrix product of side 16 (16³ = 4,096 work: one
		//    unit) on three replicas at 10 a unit, then orders it. The budget goes into escrow,
		//    the fee to the treasury, and the deposit is held.
		let quote = Market::quote_job(Some(&1), MATMUL, &params(vec![16]), 1, 3, 10).unwrap();
		assert_eq!((quote.min_units, quote.budget, quote.fee), (1, 30, 2));
		let deposit = quote.deposit;
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			MATMUL,
			params(vec![16]),
			1,
			3,
			10,
			System::block_number() + 50,
		));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Pending);
		assert_eq!(Balances::free_balance(1), INITIAL - 30 - 2 - deposit);
		assert_eq!(deposit_of(1), deposit);
		assert!(market_events().contains(&Event::JobSubmitted {
			job: id,
			consumer: 1,
			workload: MATMUL,
			budget: 30,
			fee: 2,
			deposit
		}));

		// 2. The next block draws three providers and opens the commit window (blocks 2 to 5),
		//    then the reveal window (up to block 8).
		run_to_block(2);
		let providers = assigned_to(id);
		let mut drawn = providers.clone();
		drawn.sort();
		assert_eq!(drawn, vec![10, 11, 12]);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Assigned);
		assert!(market_events().contains(&Event::JobAssigned {
			job: id,
			attempt: 1,
			providers: BoundedVec::truncate_from(providers.clone()),
			commit_until: 5,
			reveal_until: 8
		}));

		// 3. Each provider's worker runs the kernel; the provider commits to its output digest
		//    and small output, hidden behind a salt:
		//    blake2_256(job ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖ provider).
		let digest = H256::repeat_byte(0xaa);
		let small = b"result".to_vec();
		for &p in &providers {
			let commitment = Market::commitment_of(id, &digest, &small, &salt_of(p, id), &p);
			assert_ok!(Market::commit_result(RuntimeOrigin::signed(p), id, commitment));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Committing);

		// 4. Everyone has committed, so the reveals may start before the commit window ends.
		//    Each provider reveals its values with an attestation: its compute key's signature
		//    over the job, the kernel hash, the digest, the small output's hash, its worker
		//    version and device class.
		let reveal_by = |p: AccountId| {
			Market::reveal_result(
				RuntimeOrigin::signed(p),
				id,
				digest,
				salt_of(p, id),
				BoundedVec::truncate_from(small.clone()),
				attest(p, id, digest, &small, gpu_class()),
			)
		};
		for &p in &providers[..2] {
			assert_ok!(reveal_by(p));
		}
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Revealing);

		// 5. The last reveal settles the job at once (otherwise the block after the reveal
		//    window would): the three agree, which meets the quorum of two. Each is paid 10 from
		//    escrow less the treasury's 10% cut, and minted a reward of 1 (capped at the cut).
		assert_ok!(reveal_by(providers[2]));
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Verified, 0));
		for &p in &providers {
			assert_eq!(Balances::free_balance(p), INITIAL - 100 + 9 + 1);
			assert_eq!(bond_of(p), 100);
		}
		assert_eq!(Balances::free_balance(TREASURY), ED + 2 + 3);
		let events = market_events();
		for &p in &providers {
			assert!(events.contains(&Event::ProviderPaid {
				job: id,
				provider: p,
				payment: 9,
				reward: 1,
				treasury_cut: 1
			}));
		}
		assert!(events.contains(&Event::JobVerified {
			job: id,
			output_digest: digest,
			accepted: 3
		}));

		// 6. The consumer reads the result: the accepted digest (of the full output, which the
		//    providers' workers serve by it), the small output and how many providers agreed.
		let result = Jobs::<Test>::get(id).unwrap().result.unwrap();
		assert_eq!(result.output_digest, digest);
		assert_eq!(result.small_output.to_vec(), small);
		assert_eq!(result.accepted, 3);

		// 7. `RetentionPeriod` (20) blocks after it finished, the job is pruned and the deposit
		//    released: the consumer has paid the budget and the fee, nothing more.
		run_to_block(2 + 20);
		assert!(Jobs::<Test>::get(id).is_none());
		assert_eq!(deposit_of(1), 0);
		assert_eq!(Balances::free_balance(1), INITIAL - 30 - 2);
		assert!(market_events().contains(&Event::JobPruned { job: id, deposit }));
	});
}
