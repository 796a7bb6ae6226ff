//! Step 8: settlement — pay and reward the accepted providers from escrow, slash the wrong and
//! the absent, move reputations, refund what is left, re-assign or fail, and prune finished
//! jobs later.
//!
//! ## Rewards that cannot be farmed
//!
//! An accepted provider is paid `price_per_unit × units + input_fee` from escrow, of which the treasury
//! takes `TreasuryCut`, and is minted
//!
//! ```text
//! reward = min(RewardPerUnit × needed_units,      // the work the parameters actually need
//!              treasury cut of its payment,       // what the consumer irrevocably paid for it
//!              MaxRewardPerBlock / (MaxAssignPerBlock × MaxReplicas),  // its fair share
//!              what is left of MaxRewardPerBlock in this block)
//! ```
//!
//! A consumer trading with its own providers pays the submission fee and the cut to the
//! treasury and gets at most the cut back as reward: for every workload and every value of the
//! governed parameters, the pair ends poorer by at least the fee (and the transaction fees).
//! A payment that could not be made (the escrow could not move) is neither counted nor
//! rewarded.

use crate::{pallet::*, types::*, verification::Outcome, WeightInfo};
use frame_support::{defensive, pallet_prelude::*, traits::fungible::Mutate};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::{Saturating, Zero};

/// Reputation gained for an accepted result.
pub const REPUTATION_GAIN: u32 = 10;
/// Reputation lost for a rejected result.
pub const REPUTATION_LOSS_WRONG: u32 = 100;
/// Reputation lost for not committing.
pub const REPUTATION_LOSS_NO_SHOW: u32 = 50;
/// Reputation lost for declining an assignment (so that a provider that declines everything
/// is drawn less and less).
pub const REPUTATION_LOSS_DECLINE: u32 = 5;

impl<T: Config> Pallet<T> {
	/// The weight of settling an attempt with `replicas` providers: the heavier of its two
	/// extremes (everyone paid and rewarded, or everyone slashed and the job queued again).
	pub fn settle_weight(replicas: u32) -> Weight {
		T::WeightInfo::settle_job(replicas).max(T::WeightInfo::settle_job_all_slashed(replicas))
	}

	/// Settle every attempt whose reveal window ended with the previous block.
	pub(crate) fn settle_due(now: BlockNumberFor<T>) -> Weight {
		let due = SettleAt::<T>::take(now);
		let mut weight = T::DbWeight::get().reads_writes(1, 1);
		for (id, attempt) in due {
			let Some(job) = Jobs::<T>::get(id) else { continue };
			// A job settled early (every provider revealed) has moved on.
			if job.attempts != attempt
				|| !matches!(
					job.status,
					JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing
				) {
				continue;
			}
			weight.saturating_accrue(Self::settle_weight(job.assignments.len() as u32));
			Self::settle(id, job, now);
		}
		weight
	}

	/// Judge the current attempt of job `id` and act on the verdict. Writes the job back.
	pub(crate) fn settle(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) {
		let verdict = match Workloads::<T>::get(job.workload) {
			Some(w) => Self::judge(&job, &w.verification),
			// Workloads are retired, never removed; should one be missing, nobody is judged.
			None => {
				defensive!("a job's workload is missing");
				crate::verification::Verdict {
					outcomes: job.assignments.iter().map(|_| Outcome::Unjudged).collect(),
					result: None,
				}
			},
		};
		// An accepted "input unavailable" report is paid the input fee alone, and rewarded
		// nothing: no work was done.
		let unavailable = verdict
			.result
			.as_ref()
			.and_then(|r| Self::unavailable_input(&job.params, &r.output_digest));
		// An accepted failure of an open program's run is paid `FailedRunShare` of the price (and
		// the input fee): the providers' time, and what a consumer pays for a program that
		// does not run. It is rewarded nothing: no work was verified.
		let failed_run = verdict
			.result
			.as_ref()
			.and_then(|r| Self::program_failure(job.workload, &r.output_digest));
		let price = job.price_per_unit.saturating_mul(BalanceOf::<T>::from(job.units));
		let (payment, reward_units) = match (unavailable, failed_run) {
			(Some(_), _) => (job.input_fee, 0),
			(None, Some(_)) => {
				((T::FailedRunShare::get() * price).saturating_add(job.input_fee), 0)
			},
			(None, None) => (price.saturating_add(job.input_fee), job.needed_units),
		};
		let assignments = core::mem::take(&mut job.assignments);
		let mut previous = PreviousProviders::<T>::get(id);

		for (a, outcome) in assignments.iter().zip(verdict.outcomes.iter()) {
			let who = &a.provider;
			ProviderJobs::<T>::mutate(who, |v| v.retain(|j| *j != id));
			// Those who failed this attempt are not drawn for the job again; an honest replica
			// that could not be judged may be.
			if matches!(outcome, Outcome::Wrong | Outcome::NoShow | Outcome::Declined) {
				let _ = previous.try_push(who.clone());
			}
			let Some(mut info) = Providers::<T>::get(who) else { continue };
			info.open_assignments = info.open_assignments.saturating_sub(1);
			match outcome {
				Outcome::Accepted => {
					Self::pay_provider(id, &mut job, who, payment, reward_units);
					if unavailable.is_none() && failed_run.is_none() {
						info.reputation =
							info.reputation.saturating_add(REPUTATION_GAIN).min(MAX_REPUTATION);
					}
				},
				Outcome::Wrong => {
					Self::slash_provider(
						id,
						who,
						&mut info,
						T::SlashWrong::get(),
						SlashReason::WrongResult,
					);
					info.reputation = info.reputation.saturating_sub(REPUTATION_LOSS_WRONG);
				},
				Outcome::NoShow => {
					Self::slash_provider(
						id,
						who,
						&mut info,
						T::SlashNoShow::get(),
						SlashReason::NoShow,
					);
					info.reputation = info.reputation.saturating_sub(REPUTATION_LOSS_NO_SHOW);
				},
				Outcome::Declined => {
					info.reputation = info.reputation.saturating_sub(REPUTATION_LOSS_DECLINE);
				},
				Outcome::Unjudged => {},
			}
			let weight = (info.status == ProviderStatus::Active).then(|| Self::draw_weight(&info));
			Self::set_candidate(who, weight);
			Providers::<T>::insert(who, info);
		}
		// Keep the record of who ran this attempt.
		job.assignments = assignments;

		if let (Some(reason), Some(result)) = (failed_run, verdict.result.as_ref()) {
			let log = H256::from_slice(
				&result
					.small_output
					.get(..32)
					.map(|l| l.to_vec())
					.unwrap_or_else(|| [0; 32].into()),
			);
			job.result = Some(result.clone());
			let refund = Self::refund_escrow(&mut job);
			Self::finish(id, &mut job, JobStatus::ProgramFailed(reason));
			Stats::<T>::mutate(|s| s.failed = s.failed.saturating_add(1));
			Self::deposit_event(Event::JobProgramFailed { job: id, reason, log, refund });
		} else if let (Some(input), Some(result)) = (unavailable, verdict.result.as_ref()) {
			job.result = Some(result.clone());
			let refund = Self::refund_escrow(&mut job);
			Self::finish(id, &mut job, JobStatus::InputUnavailable);
			Stats::<T>::mutate(|s| s.failed = s.failed.saturating_add(1));
			Self::deposit_event(Event::JobInputUnavailable { job: id, input, refund });
		} else if let Some(result) = verdict.result {
			let digest = result.output_digest;
			let accepted = result.accepted;
			job.result = Some(result);
			if job.params.publish_output {
				// Keep what publishing the output costs; the accepted providers take turns.
				Self::await_output(id, &mut job, now);
			} else {
				let refund = Self::refund_escrow(&mut job);
				if !refund.is_zero() {
					Self::deposit_event(Event::EscrowRefunded { job: id, amount: refund });
				}
				Self::finish(id, &mut job, JobStatus::Verified);
			}
			Stats::<T>::mutate(|s| s.verified = s.verified.saturating_add(1));
			Self::deposit_event(Event::JobVerified { job: id, output_digest: digest, accepted });
		} else if job.attempts < T::MaxAttempts::get()
			&& now.saturating_add(Self::attempt_length(job.work_blocks)) <= job.deadline
			&& PendingJobs::<T>::try_mutate(|q| q.try_push(id)).is_ok()
		{
			job.status = JobStatus::Pending;
			PendingCount::<T>::mutate(&job.consumer, |c| *c = c.saturating_add(1));
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

	/// The most reward one accepted provider of a job may be minted: `RewardPerUnit` per unit
	/// the parameters need, never above the treasury's cut of its `payment` nor its fair share
	/// of the per-block cap (see the module docs).
	pub fn reward_cap(needed_units: u32, payment: BalanceOf<T>) -> BalanceOf<T> {
		let slots = T::MaxAssignPerBlock::get().saturating_mul(T::MaxReplicas::get()).max(1);
		let share = T::MaxRewardPerBlock::get() / BalanceOf::<T>::from(slots);
		T::RewardPerUnit::get()
			.saturating_mul(BalanceOf::<T>::from(needed_units))
			.min(T::TreasuryCut::get() * payment)
			.min(share)
	}

	/// Pay `payment` from the job's escrow (less the treasury's cut) to `who`, and mint its
	/// reward: never more than the cut the treasury actually received.
	/// `reward_units` is what the reward is counted on (the units the parameters need; none for
	/// an input reported unavailable).
	fn pay_provider(
		id: JobId,
		job: &mut JobOf<T>,
		who: &T::AccountId,
		payment: BalanceOf<T>,
		reward_units: u32,
	) {
		let payment = payment.min(job.escrow);
		let cut = T::TreasuryCut::get() * payment;
		let to_provider = payment.saturating_sub(cut);
		let paid = Self::pay_from_escrow(job, who, to_provider);
		if paid != to_provider {
			// Nothing moved: not paid, not rewarded; the escrow goes back to the consumer.
			defensive!("a provider could not be paid from escrow");
			return;
		}
		let treasury_cut = Self::pay_from_escrow(job, &T::TreasuryAccount::get(), cut);
		let room = T::MaxRewardPerBlock::get().saturating_sub(RewardsThisBlock::<T>::get());
		let want = Self::reward_cap(reward_units, payment).min(treasury_cut).min(room);
		let reward = if want.is_zero() {
			Zero::zero()
		} else {
			T::Currency::mint_into(who, want).unwrap_or_else(|e| {
				log::warn!(target: crate::LOG_TARGET, "reward mint failed: {e:?}");
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
			return Weight::zero();
		}
		let mut head = PruneHead::<T>::get();
		let tail = PruneTail::<T>::get();
		while head < tail && used.saturating_add(per_job).all_lte(remaining) {
			let Some((finished, id)) = PruneQueue::<T>::get(head) else {
				head = head.saturating_add(1);
				continue;
			};
			if finished.saturating_add(T::RetentionPeriod::get()) > now {
				break;
			}
			used.saturating_accrue(per_job);
			PruneQueue::<T>::remove(head);
			head = head.saturating_add(1);
			let mut deposit = Zero::zero();
			if let Some(job) = Jobs::<T>::take(id) {
				JobsOf::<T>::mutate_exists(&job.consumer, |v| {
					if let Some(ids) = v {
						ids.retain(|j| *j != id);
						if ids.is_empty() {
							*v = None;
						}
					}
				});
				deposit = Self::release_deposit(&job);
				Self::note_program_job_pruned(job.workload);
			}
			PreviousProviders::<T>::remove(id);
			Self::deposit_event(Event::JobPruned { job: id, deposit });
		}
		PruneHead::<T>::put(head);
		used.saturating_add(T::DbWeight::get().writes(1))
	}
}
