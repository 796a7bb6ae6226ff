//! Step 4: orders — `submit_job` moves the budget into the market's escrow account, pays the
//! submission fee and holds the storage deposit before anything else happens; `cancel_job`
//! refunds the budget before assignment; `quote` prices a prospective job.

use crate::{pallet::*, types::*};
use frame_support::{
	defensive, ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::Preservation,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{
	AccountIdConversion, CheckedAdd, CheckedMul, Saturating, UniqueSaturatedInto, Zero,
};

impl<T: Config> Pallet<T> {
	/// The market's escrow account: every open job's budget is here, out of reach of any lock,
	/// freeze or hold of its consumer's.
	pub fn escrow_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Give the escrow account the existential deposit if it lacks it (genesis, migration), so
	/// that budgets of any size can be moved in and out of it.
	pub fn ensure_escrow_account() {
		let escrow = Self::escrow_account();
		let ed = T::Currency::minimum_balance();
		let have = T::Currency::balance(&escrow);
		if have < ed {
			let _ = T::Currency::mint_into(&escrow, ed.saturating_sub(have));
		}
	}

	/// The storage deposit of one job: `DepositPerByte` × the largest encoding a job can take.
	pub fn job_deposit() -> BalanceOf<T> {
		T::DepositPerByte::get()
			.saturating_mul(BalanceOf::<T>::from(JobOf::<T>::max_encoded_len() as u32))
	}

	/// Providers that could be drawn for a job of `consumer` (active, with a weight, and not
	/// the consumer itself).
	pub fn eligible_providers(consumer: Option<&T::AccountId>) -> u32 {
		Self::eligible_among(&Candidates::<T>::get(), consumer, &[])
	}

	/// How many of `candidates` could be drawn for a job of `consumer` that excludes `excluded`.
	pub(crate) fn eligible_among(
		candidates: &[(T::AccountId, u128)],
		consumer: Option<&T::AccountId>,
		excluded: &[T::AccountId],
	) -> u32 {
		candidates
			.iter()
			.filter(|(a, w)| *w > 0 && Some(a) != consumer && !excluded.contains(a))
			.count() as u32
	}

	/// Validate a prospective job and price it, or say which [`Error`] `submit_job` would fail
	/// with. Changes nothing. The runtime API's `quote` serves it.
	pub fn quote_job(
		consumer: Option<&T::AccountId>,
		workload: WorkloadId,
		params: &JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
	) -> Result<Quote<BalanceOf<T>>, Error<T>> {
		Self::price_job(consumer, workload, params, units, replicas, price_per_unit)
			.map(|(q, ..)| q)
	}

	/// [`Self::quote_job`], with the workload and the blocks the job's work adds to a commit
	/// window, for `submit_job` (one read of the workload).
	fn price_job(
		consumer: Option<&T::AccountId>,
		workload: WorkloadId,
		params: &JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
	) -> Result<(Quote<BalanceOf<T>>, WorkloadOf<T>, u32, bool), Error<T>> {
		let w = Workloads::<T>::get(workload).ok_or(Error::<T>::UnknownWorkload)?;
		ensure!(!w.retired, Error::<T>::WorkloadRetired);
		// An open program's work and inputs follow its manifest.
		let program = Programs::<T>::get(workload);
		let program_work = program.as_ref().map(|p| Self::program_work(p, params)).transpose()?;
		let (min_units, work_blocks) = match program_work {
			Some(work) => Self::units_of_work(&w, work)?,
			None => Self::required_units(&w, params)?,
		};
		ensure!(units >= min_units.max(1) && units <= w.max_units, Error::<T>::InvalidUnits);
		ensure!(
			replicas >= 1 && replicas as u32 <= T::MaxReplicas::get(),
			Error::<T>::InvalidReplicas
		);
		if let VerificationClass::Replicated { quorum, .. } = w.verification {
			// Never two disjoint groups that both reach the quorum (replicas < 2 × quorum), and,
			// above a quorum of one, one more replica than the quorum so that a single liar
			// cannot block it.
			let least = if quorum <= 1 { 1 } else { quorum as u32 + 1 };
			ensure!(
				replicas as u32 >= least && (replicas as u32) < 2 * quorum as u32,
				Error::<T>::InvalidReplicas
			);
		}
		// On an open program only the providers that opted in for its work count.
		let eligible = match program_work {
			Some(work) => Self::eligible_among(
				&Self::program_candidates(
					&Candidates::<T>::get(),
					&ProgramProviders::<T>::get(),
					work,
				),
				consumer,
				&[],
			),
			None => Self::eligible_providers(consumer),
		};
		ensure!(replicas as u32 <= eligible, Error::<T>::NotEnoughProviders);
		ensure!(price_per_unit >= w.price_floor, Error::<T>::PriceBelowFloor);
		let input_bytes = Self::check_inputs(&w, program.is_some(), params)?;
		let input_fee = Self::input_fee(input_bytes);
		let payment = price_per_unit
			.checked_mul(&BalanceOf::<T>::from(units))
			.ok_or(Error::<T>::Overflow)?;
		let output_reserve = Self::output_reserve(params);
		let budget = payment
			.checked_add(&input_fee)
			.and_then(|p| p.checked_mul(&BalanceOf::<T>::from(replicas as u32)))
			.and_then(|b| b.checked_add(&output_reserve))
			.ok_or(Error::<T>::Overflow)?;
		let fee = T::SubmissionFee::get();
		let deposit = Self::job_deposit();
		budget
			.checked_add(&fee)
			.and_then(|b| b.checked_add(&deposit))
			.ok_or(Error::<T>::Overflow)?;
		let commit_window: u32 = T::CommitWindow::get()
			.saturating_add(work_blocks.into())
			.unique_saturated_into();
		let quote = Quote {
			min_units,
			budget,
			input_bytes,
			input_fee,
			output_reserve,
			price_floor: w.price_floor,
			reward_per_provider: Self::reward_cap(min_units, payment),
			fee,
			deposit,
			commit_window,
		};
		Ok((quote, w, work_blocks, program.is_some()))
	}

	/// Order a job. Returns its id. Changes nothing if it fails.
	pub fn do_submit_job(
		who: T::AccountId,
		workload: WorkloadId,
		params: JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
		deadline: BlockNumberFor<T>,
	) -> Result<JobId, DispatchError> {
		frame_support::storage::with_storage_layer(|| {
			let (quote, w, work_blocks, is_program) =
				Self::price_job(Some(&who), workload, &params, units, replicas, price_per_unit)?;
			let needed_units = quote.min_units;
			let now = frame_system::Pallet::<T>::block_number();
			// Assigned at the earliest in the next block, settled the block after its reveal window.
			let earliest = now
				.saturating_add(1u32.into())
				.saturating_add(Self::attempt_length(work_blocks));
			ensure!(
				deadline >= earliest && deadline <= now.saturating_add(T::MaxJobDuration::get()),
				Error::<T>::InvalidDeadline
			);
			// Outputs of earlier jobs that are published already are read as their blobs.
			let mut params = params;
			let status = match Self::resolve_outputs(&mut params, deadline) {
				crate::pipelines::Resolution::Ready => JobStatus::Pending,
				crate::pipelines::Resolution::Waiting { .. } => JobStatus::Waiting,
				// `check_inputs` refused every other way to fail: a published output that is
				// kept for less long than the deadline is what is left.
				crate::pipelines::Resolution::Failed { .. } => {
					return Err(Error::<T>::InputExpiresTooSoon.into())
				},
			};
			Self::check_input_retention(&params, deadline)?;
			if is_program {
				Self::check_source_retention(&w.kernel_hash, deadline)?;
				Self::note_program_job(workload);
			}
			ensure!(
				JobsOf::<T>::decode_len(&who).unwrap_or(0) < T::MaxJobsPerAccount::get() as usize,
				Error::<T>::TooManyJobs
			);
			ensure!(
				PendingCount::<T>::get(&who) < T::MaxPendingPerAccount::get(),
				Error::<T>::TooManyPending
			);
			ensure!(
				PendingJobs::<T>::decode_len().unwrap_or(0) < T::MaxPendingJobs::get() as usize,
				Error::<T>::QueueFull
			);
			// The money first: the fee to the treasury, the budget into escrow, the deposit held.
			// Each respects the consumer's locks and freezes (it can only spend what it may).
			if !quote.fee.is_zero() {
				T::Currency::transfer(
					&who,
					&T::TreasuryAccount::get(),
					quote.fee,
					Preservation::Preserve,
				)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			}
			T::Currency::transfer(
				&who,
				&Self::escrow_account(),
				quote.budget,
				Preservation::Preserve,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
			if !quote.deposit.is_zero() {
				T::Currency::hold(&HoldReason::JobDeposit.into(), &who, quote.deposit)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
			}

			let id = NextJobId::<T>::get();
			NextJobId::<T>::put(id.saturating_add(1));
			// Both bounds were checked above.
			JobsOf::<T>::try_mutate(&who, |v| v.try_push(id))
				.map_err(|_| Error::<T>::TooManyJobs)?;
			PendingJobs::<T>::try_mutate(|q| q.try_push(id)).map_err(|_| Error::<T>::QueueFull)?;
			PendingCount::<T>::mutate(&who, |c| *c = c.saturating_add(1));
			let job = Job {
				consumer: who.clone(),
				workload,
				kernel_hash: w.kernel_hash,
				params,
				units,
				needed_units,
				work_blocks,
				replicas,
				price_per_unit,
				input_fee: quote.input_fee,
				escrow: quote.budget,
				fee: quote.fee,
				deposit: quote.deposit,
				deadline,
				submitted_at: now,
				status,
				attempts: 0,
				assignments: BoundedVec::new(),
				assigned_at: Zero::zero(),
				commit_until: Zero::zero(),
				reveal_until: Zero::zero(),
				result: None,
				finished_at: None,
			};
			Jobs::<T>::insert(id, job);
			Stats::<T>::mutate(|s| s.submitted = s.submitted.saturating_add(1));
			Self::deposit_event(Event::JobSubmitted {
				job: id,
				consumer: who,
				workload,
				budget: quote.budget,
				fee: quote.fee,
				deposit: quote.deposit,
			});
			Ok(id)
		})
	}

	/// Cancel a pending job and refund its escrow.
	pub fn do_cancel_job(who: T::AccountId, id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.consumer == who, Error::<T>::NotJobOwner);
		ensure!(
			matches!(job.status, JobStatus::Pending | JobStatus::Waiting),
			Error::<T>::NotCancellable
		);
		PendingJobs::<T>::mutate(|q| q.retain(|j| *j != id));
		Self::note_unqueued(&who);
		Stats::<T>::mutate(|s| s.refunded = s.refunded.saturating_add(1));
		let refund = Self::refund_escrow(&mut job);
		Self::finish(id, &mut job, JobStatus::Refunded);
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::JobCancelled { job: id, refund });
		Ok(())
	}

	/// One job of `consumer` left the queue.
	pub(crate) fn note_unqueued(consumer: &T::AccountId) {
		PendingCount::<T>::mutate_exists(consumer, |c| {
			let n = c.unwrap_or(0);
			if n == 0 {
				defensive!("a job left the queue that was not counted");
			}
			*c = n.checked_sub(1).filter(|n| *n > 0);
		});
	}

	/// Move `amount` of a job's escrow out of the escrow account to `dest`. Returns what moved:
	/// all of it, or nothing.
	pub(crate) fn pay_from_escrow(
		job: &mut JobOf<T>,
		dest: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		let amount = amount.min(job.escrow);
		if amount.is_zero() {
			return Zero::zero();
		}
		// The escrow account keeps its existential deposit, so `Preserve` never refuses an amount
		// that the job still has in escrow.
		match T::Currency::transfer(&Self::escrow_account(), dest, amount, Preservation::Preserve) {
			Ok(moved) => {
				job.escrow = job.escrow.saturating_sub(moved);
				moved
			},
			Err(e) => {
				// Only a destination that cannot exist (below the existential deposit) refuses.
				log::warn!(target: crate::LOG_TARGET, "escrow transfer of {amount:?} to {dest:?} failed: {e:?}");
				Zero::zero()
			},
		}
	}

	/// Return whatever escrow the job still has to its consumer. Should the consumer's account
	/// be unable to receive it (gone, and the amount below the existential deposit), it goes to
	/// the treasury rather than stay in escrow for ever.
	pub(crate) fn refund_escrow(job: &mut JobOf<T>) -> BalanceOf<T> {
		let consumer = job.consumer.clone();
		let amount = job.escrow;
		let refunded = Self::pay_from_escrow(job, &consumer, amount);
		if !job.escrow.is_zero() {
			let rest = job.escrow;
			if Self::pay_from_escrow(job, &T::TreasuryAccount::get(), rest) != rest {
				defensive!(
					"the escrow of a job could be neither refunded nor given to the treasury"
				);
			}
		}
		refunded
	}

	/// Release a pruned job's storage deposit.
	pub(crate) fn release_deposit(job: &JobOf<T>) -> BalanceOf<T> {
		if job.deposit.is_zero() {
			return Zero::zero();
		}
		T::Currency::release(
			&HoldReason::JobDeposit.into(),
			&job.consumer,
			job.deposit,
			frame_support::traits::tokens::Precision::BestEffort,
		)
		.unwrap_or_else(|_| {
			defensive!("a job's deposit was not held");
			Zero::zero()
		})
	}
}
