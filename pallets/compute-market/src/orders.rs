//! Step 3: orders — `submit_job` escrows the budget first, `cancel_job` refunds it before
//! assignment, `quote` prices a prospective job.

use crate::{pallet::*, types::*};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedMul, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Validate a prospective job and price it. Changes nothing.
	pub fn quote_job(
		workload: WorkloadId,
		params: &JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
	) -> Result<Quote<BalanceOf<T>>, DispatchError> {
		let w = Workloads::<T>::get(workload).ok_or(Error::<T>::UnknownWorkload)?;
		ensure!(!w.retired, Error::<T>::WorkloadRetired);
		let min_units = Self::required_units(&w, params)?;
		ensure!(units >= min_units.max(1) && units <= w.max_units, Error::<T>::InvalidUnits);
		ensure!(replicas >= 1 && replicas as u32 <= T::MaxReplicas::get(), Error::<T>::InvalidReplicas);
		if let VerificationClass::Replicated { quorum, .. } = w.verification {
			// Enough replicas to reach the quorum, and never two disjoint groups that both do.
			ensure!(replicas >= quorum && (replicas as u32) < 2 * quorum as u32, Error::<T>::InvalidReplicas);
		}
		ensure!(price_per_unit >= w.price_floor, Error::<T>::PriceBelowFloor);
		let budget = price_per_unit
			.checked_mul(&BalanceOf::<T>::from(units))
			.and_then(|b| b.checked_mul(&BalanceOf::<T>::from(replicas as u32)))
			.ok_or(Error::<T>::Overflow)?;
		let reward_per_provider = T::RewardPerUnit::get().saturating_mul(BalanceOf::<T>::from(units));
		Ok(Quote { min_units, budget, price_floor: w.price_floor, reward_per_provider })
	}

	/// Order a job. Returns its id.
	pub fn do_submit_job(
		who: T::AccountId,
		workload: WorkloadId,
		params: JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
		deadline: BlockNumberFor<T>,
	) -> Result<JobId, DispatchError> {
		let quote = Self::quote_job(workload, &params, units, replicas, price_per_unit)?;
		let kernel_hash = Workloads::<T>::get(workload).map(|w| w.kernel_hash).unwrap_or_default();
		let now = frame_system::Pallet::<T>::block_number();
		// Assigned at the earliest in the next block, settled the block after its reveal window.
		let earliest = now.saturating_add(1u32.into()).saturating_add(Self::attempt_length());
		ensure!(
			deadline >= earliest && deadline <= now.saturating_add(T::MaxJobDuration::get()),
			Error::<T>::InvalidDeadline
		);
		ensure!(
			JobsOf::<T>::decode_len(&who).unwrap_or(0) < T::MaxJobsPerAccount::get() as usize,
			Error::<T>::TooManyJobs
		);
		ensure!(
			PendingJobs::<T>::decode_len().unwrap_or(0) < T::MaxPendingJobs::get() as usize,
			Error::<T>::QueueFull
		);
		// Escrow first: nothing is written unless the budget is held.
		T::Currency::hold(&HoldReason::JobEscrow.into(), &who, quote.budget)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		let id = NextJobId::<T>::get();
		NextJobId::<T>::put(id.saturating_add(1));
		// Both bounds were checked above.
		JobsOf::<T>::mutate(&who, |v| v.try_push(id)).map_err(|_| Error::<T>::TooManyJobs)?;
		PendingJobs::<T>::mutate(|q| q.try_push(id)).map_err(|_| Error::<T>::QueueFull)?;
		let job = Job {
			consumer: who.clone(),
			workload,
			kernel_hash,
			params,
			units,
			replicas,
			price_per_unit,
			escrow: quote.budget,
			deadline,
			submitted_at: now,
			status: JobStatus::Pending,
			attempts: 0,
			assignments: BoundedVec::new(),
			commit_until: Zero::zero(),
			reveal_until: Zero::zero(),
			result: None,
			finished_at: None,
		};
		Jobs::<T>::insert(id, job);
		Stats::<T>::mutate(|s| s.submitted = s.submitted.saturating_add(1));
		Self::deposit_event(Event::JobSubmitted { job: id, consumer: who, workload, budget: quote.budget });
		Ok(id)
	}

	/// Cancel a pending job and refund its escrow.
	pub fn do_cancel_job(who: T::AccountId, id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.consumer == who, Error::<T>::NotJobOwner);
		ensure!(job.status == JobStatus::Pending, Error::<T>::NotCancellable);
		PendingJobs::<T>::mutate(|q| q.retain(|j| *j != id));
		Stats::<T>::mutate(|s| s.refunded = s.refunded.saturating_add(1));
		let refund = Self::refund_escrow(&mut job);
		Self::finish(id, &mut job, JobStatus::Refunded);
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::JobCancelled { job: id, refund });
		Ok(())
	}

	/// Release whatever escrow the job still holds back to its consumer.
	pub(crate) fn refund_escrow(job: &mut JobOf<T>) -> BalanceOf<T> {
		if job.escrow.is_zero() {
			return Zero::zero()
		}
		let held = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &job.consumer);
		let amount = job.escrow.min(held);
		let released = T::Currency::release(
			&HoldReason::JobEscrow.into(),
			&job.consumer,
			amount,
			Precision::BestEffort,
		)
		.unwrap_or_else(|e| {
			log::error!(target: "runtime::compute-market", "escrow release failed: {:?}", e);
			Zero::zero()
		});
		job.escrow = job.escrow.saturating_sub(released);
		released
	}
}
