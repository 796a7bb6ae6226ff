//! Step 5: assignment — in `on_initialize`, pending jobs get `replicas` distinct active
//! providers, drawn with probability proportional to bond × reputation. Each attempt's commit
//! window grows with the job's work (`CommitWindow + work_blocks`), so that the slowest
//! admitted device can finish it.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, traits::Randomness};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Blocks from an assignment to its settlement, for a job whose work adds `work_blocks` to
	/// the commit window: commit window, reveal window, and the settlement block.
	pub fn attempt_length(work_blocks: u32) -> BlockNumberFor<T> {
		T::CommitWindow::get()
			.saturating_add(work_blocks.into())
			.saturating_add(T::RevealWindow::get())
			.saturating_add(1u32.into())
	}

	/// Look at up to `MaxAssignPerBlock` jobs at the front of the queue: resolve the inputs of
	/// those waiting for earlier jobs' outputs ([`crate::pipelines`]; still waiting, they go to
	/// the back of the queue), end those whose
	/// deadline leaves no room for an attempt or for which too few providers are left at all
	/// (refunded), assign those for which enough providers are free, and move the others (their
	/// providers are busy) to the back of the queue. A job whose settlement block is full keeps
	/// its place for the next block.
	pub(crate) fn assign_pending(now: BlockNumberFor<T>) -> Weight {
		let mut weight = T::WeightInfo::on_initialize_base();
		let queue = PendingJobs::<T>::get();
		if queue.is_empty() {
			return weight;
		}
		let candidates = Candidates::<T>::get();
		// The program limits, read once a block and only if a job on a program is looked at.
		let mut limits = None;
		let budget = T::MaxAssignPerBlock::get() as usize;

		let mut waiting: Vec<JobId> = Vec::new();
		let mut kept: Vec<JobId> = Vec::new();
		let mut examined = 0usize;
		for &id in queue.iter() {
			if examined >= budget {
				break;
			}
			examined += 1;
			let Some(mut job) = Jobs::<T>::get(id) else { continue };
			// A job waiting for earlier jobs' outputs: resolve them (it may become pending now).
			if job.status == JobStatus::Waiting {
				weight.saturating_accrue(T::WeightInfo::resolve_outputs());
				if Self::advance_waiting(id, &mut job) {
					continue;
				}
			}
			if !matches!(job.status, JobStatus::Pending | JobStatus::Waiting) {
				continue;
			}
			let settle_at = now.saturating_add(Self::attempt_length(job.work_blocks));
			let excluded = PreviousProviders::<T>::get(id);
			// Jobs on open programs go only to the providers that opted in, within their limits.
			let opted_in;
			let candidates: &[(T::AccountId, u128)] = match Programs::<T>::get(job.workload) {
				Some(p) => {
					let work = p.manifest.job_work(&job.params.dims).unwrap_or(u64::MAX);
					let limits = limits.get_or_insert_with(ProgramProviders::<T>::get);
					opted_in = Self::program_candidates(&candidates, limits, work);
					&opted_in
				},
				None => &candidates,
			};
			// No room for an attempt before the deadline, or too few providers left for it even
			// when all are free: the job ends now and is refunded, instead of holding a place in
			// the queue until its deadline.
			let impossible = Self::eligible_among(candidates, Some(&job.consumer), &excluded)
				< job.replicas as u32;
			if settle_at > job.deadline || impossible {
				weight.saturating_accrue(T::WeightInfo::expire_job());
				Self::note_unqueued(&job.consumer);
				let refund = Self::refund_escrow(&mut job);
				if job.attempts == 0 {
					Self::finish(id, &mut job, JobStatus::Expired);
					Stats::<T>::mutate(|s| s.refunded = s.refunded.saturating_add(1));
					Self::deposit_event(Event::JobExpired { job: id, refund });
				} else {
					Self::finish(id, &mut job, JobStatus::Failed);
					Stats::<T>::mutate(|s| s.failed = s.failed.saturating_add(1));
					Self::deposit_event(Event::JobFailed { job: id, refund });
				}
				Jobs::<T>::insert(id, job);
				continue;
			}
			if job.status == JobStatus::Waiting {
				waiting.push(id);
				continue;
			}
			// Jobs of one size settle together; with that block full, the job keeps its place.
			let mut settle_list = SettleAt::<T>::get(settle_at);
			if settle_list.is_full() {
				kept.push(id);
				continue;
			}
			weight.saturating_accrue(T::WeightInfo::assign_job(candidates.len() as u32));
			let chosen = Self::draw_providers(id, &job, candidates, &excluded);
			if chosen.len() < job.replicas as usize {
				waiting.push(id);
				continue;
			}
			let mut assignments = BoundedVec::new();
			let mut providers = BoundedVec::new();
			for who in chosen {
				Providers::<T>::mutate(&who, |p| {
					if let Some(p) = p {
						p.open_assignments = p.open_assignments.saturating_add(1);
					}
				});
				// `draw_providers` only returns providers with room in their index.
				let _ = ProviderJobs::<T>::try_mutate(&who, |v| v.try_push(id));
				let _ = assignments.try_push(Assignment {
					provider: who.clone(),
					commitment: None,
					reveal: None,
					declined: false,
				});
				let _ = providers.try_push(who);
			}
			Self::note_unqueued(&job.consumer);
			job.attempts = job.attempts.saturating_add(1);
			job.status = JobStatus::Assigned;
			job.assignments = assignments;
			job.assigned_at = now;
			job.commit_until = now
				.saturating_add(T::CommitWindow::get())
				.saturating_add(job.work_blocks.into());
			job.reveal_until = job.commit_until.saturating_add(T::RevealWindow::get());
			// Room was checked at the top of the loop.
			let _ = settle_list.try_push((id, job.attempts));
			SettleAt::<T>::insert(settle_at, settle_list);
			Self::deposit_event(Event::JobAssigned {
				job: id,
				attempt: job.attempts,
				providers,
				commit_until: job.commit_until,
				reveal_until: job.reveal_until,
			});
			Jobs::<T>::insert(id, job);
		}
		// Jobs kept for their settlement block stay in front, the untouched rest keeps its place,
		// the waiting ones go to the back.
		let rest = queue.iter().skip(examined).copied();
		let next: Vec<JobId> = kept.into_iter().chain(rest).chain(waiting).collect();
		PendingJobs::<T>::put(BoundedVec::truncate_from(next));
		weight
	}

	/// Draw up to `job.replicas` distinct providers for job `id`, without replacement,
	/// weighted by their draw weight. Skips the consumer, `excluded` providers, and providers
	/// that are not active or have no room for another assignment.
	pub(crate) fn draw_providers(
		id: JobId,
		job: &JobOf<T>,
		candidates: &[(T::AccountId, u128)],
		excluded: &[T::AccountId],
	) -> Vec<T::AccountId> {
		let mut pool: Vec<(T::AccountId, u128)> = candidates
			.iter()
			.filter(|(a, w)| *w > 0 && *a != job.consumer && !excluded.contains(a))
			.cloned()
			.collect();
		let (seed, _) = T::Randomness::random(&(b"crucible/assign", id, job.attempts).encode());
		let seed = seed.encode();
		let mut chosen = Vec::new();
		let mut draw = 0u32;
		while chosen.len() < job.replicas as usize && !pool.is_empty() {
			let total: u128 = pool.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
			let r =
				u128::from_le_bytes(sp_io::hashing::blake2_128(&(&seed, draw).encode())) % total;
			draw = draw.saturating_add(1);
			let mut acc = 0u128;
			let mut pick = pool.len() - 1;
			for (i, (_, w)) in pool.iter().enumerate() {
				acc = acc.saturating_add(*w);
				if r < acc {
					pick = i;
					break;
				}
			}
			let (who, _) = pool.swap_remove(pick);
			let eligible = Providers::<T>::get(&who).is_some_and(|p| {
				p.status == ProviderStatus::Active
					&& p.open_assignments < T::MaxAssignmentsPerProvider::get()
			}) && ProviderJobs::<T>::decode_len(&who).unwrap_or(0)
				< T::MaxAssignmentsPerProvider::get() as usize;
			if eligible {
				chosen.push(who);
			}
		}
		chosen
	}
}
