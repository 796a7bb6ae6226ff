//! Step 7: settlement — pay and reward the accepted providers from escrow, slash the wrong and
//! the absent, move reputations, refund what is left, re-assign or fail, and prune finished
//! jobs later.

use crate::{pallet::*, types::*, verification::Outcome, WeightInfo};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

/// Reputation gained for an accepted result.
pub const REPUTATION_GAIN: u32 = 10;
/// Reputation lost for a rejected result.
pub const REPUTATION_LOSS_WRONG: u32 = 100;
/// Reputation lost for not committing or not revealing.
pub const REPUTATION_LOSS_NO_SHOW: u32 = 50;

impl<T: Config> Pallet<T> {
	/// Settle every attempt whose reveal window ended with the previous block.
	pub(crate) fn settle_due(now: BlockNumberFor<T>) -> Weight {
		let due = SettleAt::<T>::take(now);
		let mut weight = T::DbWeight::get().reads_writes(1, 1);
		for (id, attempt) in due {
			let Some(job) = Jobs::<T>::get(id) else { continue };
			// A job settled early (every provider revealed) has moved on.
			if job.attempts != attempt ||
				!matches!(job.status, JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing)
			{
				continue
			}
			weight.saturating_accrue(T::WeightInfo::settle_job(job.assignments.len() as u32));
			Self::settle(id, job, now);
		}
		weight
	}

	/// Judge the current attempt of job `id` and act on the verdict. Writes the job back.
	pub(crate) fn settle(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) {
		let verdict = match Workloads::<T>::get(job.workload) {
			Some(w) => Self::judge(&job, &w.verification),
			// Workloads are retired, never removed; should one be missing, nobody is judged.
			None => crate::verification::Verdict {
				outcomes: job.assignments.iter().map(|_| Outcome::Unjudged).collect(),
				result: None,
			},
		};
		let payment = job.price_per_unit.saturating_mul(BalanceOf::<T>::from(job.units));
		let assignments = core::mem::take(&mut job.assignments);
		let mut previous = PreviousProviders::<T>::get(id);

		for (a, outcome) in assignments.iter().zip(verdict.outcomes.iter()) {
			let who = &a.provider;
			ProviderJobs::<T>::mutate(who, |v| v.retain(|j| *j != id));
			let _ = previous.try_push(who.clone());
			let Some(mut info) = Providers::<T>::get(who) else { continue };
			info.open_assignments = info.open_assignments.saturating_sub(1);
			match outcome {
				Outcome::Accepted => {
					Self::pay_provider(id, &mut job, who, payment);
					info.reputation = info.reputation.saturating_add(REPUTATION_GAIN).min(MAX_REPUTATION);
				},
				Outcome::Wrong => {
					Self::slash_provider(id, who, &mut info, T::SlashWrong::get(), SlashReason::WrongResult);
					info.reputation = info.reputation.saturating_sub(REPUTATION_LOSS_WRONG);
				},
				Outcome::NoShow => {
					Self::slash_provider(id, who, &mut info, T::SlashNoShow::get(), SlashReason::NoShow);
					info.reputation = info.reputation.saturating_sub(REPUTATION_LOSS_NO_SHOW);
				},
				Outcome::Unjudged => {},
			}
			let weight = (info.status == ProviderStatus::Active).then(|| Self::draw_weight(&info));
			Self::set_candidate(who, weight);
			Providers::<T>::insert(who, info);
		}
		// Keep the record of who ran this attempt.
		job.assignments = assignments;

		if let Some(result) = verdict.result {
			let digest = result.output_digest;
			let accepted = result.accepted;
			job.result = Some(result);
			let refund = Self::refund_escrow(&mut job);
			if !refund.is_zero() {
				Self::deposit_event(Event::EscrowRefunded { job: id, amount: refund });
			}
			Self::finish(id, &mut job, JobStatus::Verified);
			Stats::<T>::mutate(|s| s.verified = s.verified.saturating_add(1));
			Self::deposit_event(Event::JobVerified { job: id, output_digest: digest, accepted });
		} else if job.attempts < T::MaxAttempts::get() &&
			now.saturating_add(Self::attempt_length()) <= job.deadline &&
			PendingJobs::<T>::try_mutate(|q| q.try_push(id)).is_ok()
		{
			job.status = JobStatus::Pending;
			Self::deposit_event(Event::JobReassigned { job: id, attempts: job.attempts });
		} else {
			let refund = Self::refund_escrow(&mut job);
			Self::finish(id, &mut job, JobStatus::Failed);
			Stats::<T>::mutate(|s| s.failed = s.failed.saturating_add(1));
			Self::deposit_event(Event::JobFailed { job: id, refund });
		}
		PreviousProviders::<T>::insert(id, previous);
		Jobs::<T>::insert(id, job);
	}

	/// Pay `payment` from the job's escrow (less the treasury's cut) to `who`, and mint its
	/// reward within the block's cap.
	fn pay_provider(id: JobId, job: &mut JobOf<T>, who: &T::AccountId, payment: BalanceOf<T>) {
		let reason = HoldReason::JobEscrow.into();
		let payment = payment.min(job.escrow);
		let cut = T::TreasuryCut::get() * payment;
		let to_provider = payment.saturating_sub(cut);
		let move_escrow = |dest: &T::AccountId, amount: BalanceOf<T>| -> BalanceOf<T> {
			if amount.is_zero() {
				return Zero::zero()
			}
			T::Currency::transfer_on_hold(
				&reason,
				&job.consumer,
				dest,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)
			.unwrap_or_else(|e| {
				log::error!(target: "runtime::compute-market", "escrow transfer failed: {:?}", e);
				Zero::zero()
			})
		};
		let paid = move_escrow(who, to_provider);
		// If the treasury cannot take the cut (e.g. it would stay below the existential deposit),
		// the cut stays in escrow and goes back to the consumer.
		let treasury_cut = move_escrow(&T::TreasuryAccount::get(), cut);
		job.escrow = job.escrow.saturating_sub(paid).saturating_sub(treasury_cut);

		let cap = T::MaxRewardPerBlock::get().saturating_sub(RewardsThisBlock::<T>::get());
		let want = T::RewardPerUnit::get().saturating_mul(BalanceOf::<T>::from(job.units)).min(cap);
		let reward = if want.is_zero() {
			Zero::zero()
		} else {
			T::Currency::mint_into(who, want).unwrap_or_else(|e| {
				log::error!(target: "runtime::compute-market", "reward mint failed: {:?}", e);
				Zero::zero()
			})
		};
		RewardsThisBlock::<T>::mutate(|r| *r = r.saturating_add(reward));
		Stats::<T>::mutate(|s| {
			s.rewards_minted = s.rewards_minted.saturating_add(reward);
			s.paid_to_providers = s.paid_to_providers.saturating_add(paid);
		});
		Self::deposit_event(Event::ProviderPaid {
			job: id,
			provider: who.clone(),
			payment: paid,
			reward,
			treasury_cut,
		});
	}

	/// Put a job into an end state and queue it for pruning.
	pub(crate) fn finish(id: JobId, job: &mut JobOf<T>, status: JobStatus) {
		let now = frame_system::Pallet::<T>::block_number();
		job.status = status;
		job.finished_at = Some(now);
		let tail = PruneTail::<T>::get();
		PruneQueue::<T>::insert(tail, (now, id));
		PruneTail::<T>::put(tail.saturating_add(1));
	}

	/// Remove finished jobs older than `RetentionPeriod`, oldest first, within `remaining`.
	pub(crate) fn prune(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let per_job = T::WeightInfo::prune_job();
		let mut used = T::DbWeight::get().reads(2);
		if remaining.any_lt(used.saturating_add(per_job)) {
			return Weight::zero()
		}
		let mut head = PruneHead::<T>::get();
		let tail = PruneTail::<T>::get();
		while head < tail && used.saturating_add(per_job).all_lte(remaining) {
			let Some((finished, id)) = PruneQueue::<T>::get(head) else {
				head = head.saturating_add(1);
				continue
			};
			if finished.saturating_add(T::RetentionPeriod::get()) > now {
				break
			}
			used.saturating_accrue(per_job);
			PruneQueue::<T>::remove(head);
			head = head.saturating_add(1);
			if let Some(job) = Jobs::<T>::take(id) {
				JobsOf::<T>::mutate(&job.consumer, |v| v.retain(|j| *j != id));
			}
			PreviousProviders::<T>::remove(id);
			Self::deposit_event(Event::JobPruned { job: id });
		}
		PruneHead::<T>::put(head);
		used.saturating_add(T::DbWeight::get().writes(1))
	}
}
