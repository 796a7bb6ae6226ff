//! The market's invariants, checked by `try_state` (after every block of every test, and by
//! `try-runtime` against live chains).

use crate::{pallet::*, types::*};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the market's storage:
	///
	/// 1. **Escrow is backed.** The escrow account holds at least its existential deposit plus
	///    the escrow of every job; finished jobs have no escrow left.
	/// 2. **Deposits are held.** Each consumer's `JobDeposit` hold equals the deposits of its
	///    unpruned jobs, and each of those jobs is listed in its [`JobsOf`].
	/// 3. **The queue is exact.** [`PendingJobs`] holds each pending or waiting job once and
	///    nothing else;
	///    [`PendingCount`] counts each consumer's entries and stays within
	///    `MaxPendingPerAccount` for new orders.
	/// 4. **Assignments are indexed.** An open job has `replicas` assignments; each provider's
	///    [`ProviderJobs`] lists exactly the open jobs it is assigned to, `open_assignments`
	///    counts them, and its `ProviderBond` hold equals its recorded bond.
	/// 5. **Candidates are the active providers**, each with its current draw weight.
	/// 6. **Minting stays within the cap**: `RewardsThisBlock ≤ MaxRewardPerBlock`.
	/// 7. **Outputs awaited are queued**: a job waiting for its output is in
	///    [`AwaitingOutput`], has a result, and keeps at most its output reserve.
	/// 8. **Only waiting jobs name unresolved outputs**: a `Waiting` job (queued like a pending
	///    one) names at least one earlier job's output not yet resolved, and no open job past
	///    waiting names any.
	/// 9. **Programs are accounted**: each program has a workload whose kernel hash is its
	///    source; [`ProgramCount`] counts them (within `MaxPrograms`); [`ProgramOfSource`]
	///    names exactly the listed ones; each counts the unpruned jobs on it; a retired one has
	///    jobs left and no deposit; each publisher's `ProgramDeposit` hold equals the deposits
	///    of its programs; [`ProgramProviders`] lists registered providers, each once.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		// 1 and 2.
		let mut escrow_total = BalanceOf::<T>::zero();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut pending: BTreeSet<JobId> = BTreeSet::new();
		let mut assigned: BTreeMap<T::AccountId, BTreeSet<JobId>> = BTreeMap::new();
		for (id, job) in Jobs::<T>::iter() {
			escrow_total = escrow_total.saturating_add(job.escrow);
			if job.status.is_final() {
				ensure!(job.escrow.is_zero(), "a finished job still has escrow");
			}
			let d = deposits.entry(job.consumer.clone()).or_insert_with(Zero::zero);
			*d = d.saturating_add(job.deposit);
			ensure!(JobsOf::<T>::get(&job.consumer).contains(&id), "a job is missing from JobsOf");
			match job.status {
				JobStatus::Pending | JobStatus::Waiting => {
					pending.insert(id);
					ensure!(
						(job.status == JobStatus::Waiting)
							== Self::names_unresolved_output(&job.params),
						"a job waits without an unresolved output, or is pending with one"
					);
				},
				JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing => {
					ensure!(
						job.assignments.len() == job.replicas as usize,
						"an open job has not `replicas` assignments"
					);
					for a in &job.assignments {
						assigned.entry(a.provider.clone()).or_default().insert(id);
					}
				},
				JobStatus::Publishing => {
					ensure!(
						AwaitingOutput::<T>::contains_key(id) && job.result.is_some(),
						"a job waits for its output unqueued or without a result"
					);
					ensure!(
						job.escrow <= Self::output_reserve(&job.params),
						"a job waiting for its output keeps more than the reserve"
					);
				},
				_ => {},
			}
			if job.status != JobStatus::Waiting && !job.status.is_final() {
				ensure!(
					!Self::names_unresolved_output(&job.params),
					"a job past waiting still names an unresolved output"
				);
			}
		}
		let in_escrow = T::Currency::balance(&Self::escrow_account());
		ensure!(
			in_escrow >= escrow_total.saturating_add(T::Currency::minimum_balance()),
			"the escrow account does not back the jobs' escrow"
		);
		for (consumer, total) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::JobDeposit.into(), &consumer) == total,
				"a consumer's deposit hold differs from its jobs' deposits"
			);
		}

		// 3.
		let queue = PendingJobs::<T>::get();
		let queued: BTreeSet<JobId> = queue.iter().copied().collect();
		ensure!(queued.len() == queue.len(), "a job is queued twice");
		ensure!(queued == pending, "the queue is not the set of pending jobs");
		let mut per_account: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for id in queue.iter() {
			if let Some(job) = Jobs::<T>::get(id) {
				*per_account.entry(job.consumer).or_default() += 1;
			}
		}
		let counted: BTreeMap<T::AccountId, u32> = PendingCount::<T>::iter().collect();
		ensure!(counted == per_account, "PendingCount differs from the queue");

		// 4 and 5.
		let candidates: BTreeMap<T::AccountId, u128> = Candidates::<T>::get().into_iter().collect();
		let mut active = 0usize;
		for (who, info) in Providers::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who) == info.bond,
				"a provider's bond hold differs from its recorded bond"
			);
			ensure!(
				info.declared_at.len() == info.device_classes.len(),
				"a device class without its declaration block"
			);
			let jobs: BTreeSet<JobId> = ProviderJobs::<T>::get(&who).into_iter().collect();
			let expected = assigned.remove(&who).unwrap_or_default();
			ensure!(jobs == expected, "ProviderJobs differs from the open assignments");
			ensure!(info.open_assignments as usize == jobs.len(), "open_assignments is off");
			if info.status == ProviderStatus::Active {
				active += 1;
				ensure!(
					candidates.get(&who) == Some(&Self::draw_weight(&info)),
					"an active provider is not a candidate with its weight"
				);
			} else {
				ensure!(!candidates.contains_key(&who), "an inactive provider is a candidate");
			}
		}
		ensure!(assigned.is_empty(), "a job is assigned to an unregistered provider");
		ensure!(candidates.len() == active, "a candidate is not a registered provider");

		// 6.
		ensure!(
			RewardsThisBlock::<T>::get() <= T::MaxRewardPerBlock::get(),
			"more was minted in this block than the cap"
		);

		// 9.
		let mut jobs_on: BTreeMap<WorkloadId, u32> = BTreeMap::new();
		for (_, job) in Jobs::<T>::iter() {
			*jobs_on.entry(job.workload).or_default() += 1;
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut programs = 0u32;
		for (id, p) in Programs::<T>::iter() {
			programs += 1;
			let w = Workloads::<T>::get(id).ok_or("a program without its workload")?;
			ensure!(
				p.jobs == jobs_on.get(&id).copied().unwrap_or(0),
				"a program miscounts its jobs"
			);
			let listed = ProgramOfSource::<T>::get(w.kernel_hash) == Some(id);
			ensure!(listed != w.retired, "ProgramOfSource differs from the listed programs");
			ensure!(
				!w.retired || (p.jobs > 0 && p.deposit.is_zero()),
				"a retired program is kept without jobs, or keeps its deposit"
			);
			let d = deposits.entry(p.owner.clone()).or_default();
			*d = d.saturating_add(p.deposit);
		}
		ensure!(ProgramCount::<T>::get() == programs, "ProgramCount is off");
		ensure!(programs <= T::MaxPrograms::get(), "more programs than MaxPrograms");
		ensure!(
			ProgramOfSource::<T>::iter().all(|(_, id)| Programs::<T>::contains_key(id)),
			"ProgramOfSource names a program that does not exist"
		);
		for (owner, deposit) in deposits {
			ensure!(
				Self::program_deposit_held(&owner) == deposit,
				"a publisher's ProgramDeposit hold differs from its programs' deposits"
			);
		}
		let limits = ProgramProviders::<T>::get();
		for (i, (p, _)) in limits.iter().enumerate() {
			ensure!(Providers::<T>::contains_key(p), "a program limit of a non-provider");
			ensure!(
				limits.iter().take(i).all(|(q, _)| q != p),
				"a provider with two program limits"
			);
		}
		Ok(())
	}
}
