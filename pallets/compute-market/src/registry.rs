//! Step 1 of a job's life: the governance-managed workload registry, and the checks a job's
//! parameters must pass against their workload.

use crate::{pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*};

impl<T: Config> Pallet<T> {
	/// Check a workload's definition for consistency.
	pub fn validate_workload(w: &WorkloadOf<T>) -> DispatchResult {
		ensure!(!w.name.is_empty() && !w.entry_point.is_empty(), Error::<T>::InvalidWorkload);
		ensure!(w.unit_size > 0 && w.max_units > 0, Error::<T>::InvalidWorkload);
		ensure!(!w.schema.dims.is_empty(), Error::<T>::InvalidWorkload);
		ensure!(
			w.schema
				.dims
				.iter()
				.all(|d| d.min >= 1 && d.min <= d.max && (1..=3).contains(&d.power)),
			Error::<T>::InvalidWorkload
		);
		ensure!(
			w.schema.inputs.iter().all(|i| i.elem_bytes >= 1 && (1..=3).contains(&i.power)),
			Error::<T>::InvalidWorkload
		);
		// Every admitted job is one the worker accepts and can finish inside a window.
		ensure!(w.max_work >= 1 && w.max_work <= MAX_WORK, Error::<T>::InvalidWorkload);
		ensure!(
			w.work_per_block >= 1 && w.max_work / w.work_per_block <= MAX_WORK_BLOCKS,
			Error::<T>::InvalidWorkload
		);
		match w.verification {
			VerificationClass::Replicated { quorum, .. } => {
				ensure!(
					quorum >= 1 && quorum as u32 <= T::MaxReplicas::get(),
					Error::<T>::InvalidWorkload
				);
			},
			VerificationClass::OnChainCheck(OnChainCheckKind::HashSearch) => {
				// The search range is the first dimension; the target is compulsory; the runtime
				// checks a claim from the parameters alone, so there are no inputs.
				ensure!(
					w.schema.needs_target && w.schema.inputs.is_empty(),
					Error::<T>::InvalidWorkload
				);
			},
		}
		Ok(())
	}

	/// Register a workload, returning its id. Used by the call and by genesis.
	pub fn do_register_workload(mut w: WorkloadOf<T>) -> Result<WorkloadId, DispatchError> {
		Self::validate_workload(&w)?;
		let id = NextWorkloadId::<T>::get();
		// Built-in workloads: the ids not given to programs (which have their own bound).
		ensure!(
			id.saturating_sub(ProgramIds::<T>::get()) < T::MaxWorkloads::get(),
			Error::<T>::TooManyWorkloads
		);
		w.retired = false;
		NextWorkloadId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::WorkloadRegistered {
			workload: id,
			name: w.name.clone(),
			kernel_hash: w.kernel_hash,
		});
		Workloads::<T>::insert(id, w);
		Ok(id)
	}

	/// Apply a [`WorkloadUpdate`].
	pub fn do_update_workload(
		id: WorkloadId,
		update: WorkloadUpdate<BalanceOf<T>>,
	) -> DispatchResult {
		Workloads::<T>::try_mutate(id, |maybe| -> DispatchResult {
			let w = maybe.as_mut().ok_or(Error::<T>::UnknownWorkload)?;
			ensure!(!w.retired, Error::<T>::WorkloadRetired);
			let mut next = w.clone();
			if let Some(h) = update.kernel_hash {
				next.kernel_hash = h;
			}
			if let Some(s) = update.schema {
				next.schema = s;
			}
			if let Some(p) = update.price_floor {
				next.price_floor = p;
			}
			if let Some(m) = update.max_units {
				next.max_units = m;
			}
			if let Some(m) = update.max_work {
				next.max_work = m;
			}
			if let Some(m) = update.work_per_block {
				next.work_per_block = m;
			}
			Self::validate_workload(&next)?;
			*w = next;
			Ok(())
		})?;
		Self::deposit_event(Event::WorkloadUpdated { workload: id });
		Ok(())
	}

	/// Retire a workload.
	pub fn do_retire_workload(id: WorkloadId) -> DispatchResult {
		Workloads::<T>::try_mutate(id, |maybe| -> DispatchResult {
			let w = maybe.as_mut().ok_or(Error::<T>::UnknownWorkload)?;
			ensure!(!w.retired, Error::<T>::WorkloadRetired);
			w.retired = true;
			Ok(())
		})?;
		Self::deposit_event(Event::WorkloadRetired { workload: id });
		Ok(())
	}

	/// Check `params` against the workload's schema and return their work: the product of the
	/// dimensions, each raised to its power. Refused above the workload's `max_work`.
	pub fn work_of(w: &WorkloadOf<T>, params: &JobParams) -> Result<u64, Error<T>> {
		ensure!(params.dims.len() == w.schema.dims.len(), Error::<T>::InvalidParams);
		ensure!(params.target.is_some() == w.schema.needs_target, Error::<T>::InvalidParams);
		let mut work: u128 = 1;
		for (v, b) in params.dims.iter().zip(w.schema.dims.iter()) {
			ensure!(*v >= b.min && *v <= b.max, Error::<T>::InvalidParams);
			work = work.saturating_mul((*v as u128).saturating_pow(b.power as u32));
		}
		ensure!(work <= w.max_work as u128, Error::<T>::WorkTooLarge);
		Ok(work as u64)
	}

	/// The units of work `params` need, `⌈work / unit_size⌉`, and the blocks their work adds to
	/// a commit window, `⌊work / work_per_block⌋`.
	pub fn required_units(w: &WorkloadOf<T>, params: &JobParams) -> Result<(u32, u32), Error<T>> {
		Self::units_of_work(w, Self::work_of(w, params)?)
	}

	/// The units and commit-window blocks of `work` on workload `w`.
	pub fn units_of_work(w: &WorkloadOf<T>, work: u64) -> Result<(u32, u32), Error<T>> {
		let units = u32::try_from(work.div_ceil(w.unit_size.max(1)))
			.map_err(|_| Error::<T>::InvalidUnits)?;
		// At most `MAX_WORK_BLOCKS`, by `validate_workload`.
		let blocks = (work / w.work_per_block.max(1)).min(MAX_WORK_BLOCKS) as u32;
		Ok((units, blocks))
	}
}
