//! Step 1b: open programs — anyone publishes an OpenCL program (its source a blob, its
//! interface a [`Manifest`], the kernel ABI of [`crucible_primitives::program`]) with a deposit
//! and a price floor, and it becomes a workload like the built-ins, named by the `blake2_256` of
//! its source (the source blob's name).
//!
//! * **Publish** (`publish_program`): the manifest must pass [`Manifest::check`] (each refusal
//!   its own error, nothing stored), the source must be a stored blob of at most
//!   [`MAX_SOURCE_BYTES`], and no listed program may have the same source. The publisher's
//!   `ProgramDeposit` is held ([`HoldReason::ProgramDeposit`]) while the program is listed.
//! * **Jobs** on a program give its dimensions and inputs; their work is the manifest's `work`,
//!   their inputs must have the lengths its expressions give, and the source must be kept (as
//!   an input is) until the deadline: the publisher renews the source blob to keep its program
//!   usable. Only providers that opted in (`set_program_limit`, a bound on the work of one
//!   job) are assigned them.
//! * **Retire** (`retire_program`, by the publisher): the program takes no new jobs and its
//!   deposit is released. **Delist** (`delist_program`, by governance): the same, but the
//!   deposit goes to the treasury.
//! * **Removal**: once a program is retired and the last job on it is pruned, its workload and
//!   program records are removed; so the registry holds at most `MaxPrograms` programs, listed
//!   or with jobs still on them.

use crate::{pallet::*, types::*};
use crucible_primitives::{
	data::BlobInspect,
	program::{AbiError, Manifest, MAX_SOURCE_BYTES},
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_core::H256;
use sp_runtime::traits::Zero;

impl<T: Config> From<AbiError> for Error<T> {
	fn from(e: AbiError) -> Self {
		match e {
			AbiError::BadDims => Error::<T>::ManifestBadDims,
			AbiError::UnknownDim => Error::<T>::ManifestUnknownDim,
			AbiError::Overflow => Error::<T>::ManifestOverflow,
			AbiError::BadInputs => Error::<T>::ManifestBadInputs,
			AbiError::Empty => Error::<T>::ManifestEmpty,
			AbiError::TooMuchMemory => Error::<T>::ManifestTooMuchMemory,
			AbiError::BadLaunch => Error::<T>::ManifestBadLaunch,
			AbiError::BadLocalSize => Error::<T>::ManifestBadLocalSize,
			AbiError::BadArg => Error::<T>::ManifestBadArg,
			AbiError::BadOutput => Error::<T>::ManifestBadOutput,
			AbiError::BadVerification => Error::<T>::ManifestBadVerification,
			AbiError::BadWork => Error::<T>::ManifestBadWork,
			AbiError::DimsOutOfBounds => Error::<T>::InvalidParams,
			AbiError::WorkTooLarge => Error::<T>::WorkTooLarge,
			AbiError::InputSize => Error::<T>::InputSizeMismatch,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The workload a program's manifest makes: its dimensions (each of power 1: a program's
	/// work is its manifest's `work`), its verification, unit and bound, and the publisher's
	/// name, price floor, unit limit and work per block.
	pub fn program_workload(
		name: WorkloadName,
		source: H256,
		manifest: &Manifest,
		terms: &ProgramTerms<BalanceOf<T>>,
	) -> WorkloadOf<T> {
		Workload {
			name,
			kernel_hash: source,
			entry_point: manifest
				.launches
				.first()
				.map(|l| EntryPoint::truncate_from(l.entry.to_vec()))
				.unwrap_or_default(),
			schema: ParamSchema {
				dims: BoundedVec::truncate_from(
					manifest
						.dims
						.iter()
						.map(|d| DimBound { min: d.min, max: d.max, power: 1 })
						.collect(),
				),
				needs_target: false,
				inputs: Default::default(),
			},
			verification: VerificationClass::Replicated {
				quorum: manifest.verification.quorum,
				bit_exact: manifest.verification.bit_exact,
			},
			unit_size: manifest.unit_size,
			max_work: manifest.max_work,
			work_per_block: terms.work_per_block,
			price_floor: terms.price_floor,
			max_units: terms.max_units,
			retired: false,
		}
	}

	/// Publish a program; returns its workload id. Changes nothing if it fails.
	pub fn do_publish_program(
		who: T::AccountId,
		name: WorkloadName,
		source: H256,
		manifest: Manifest,
		terms: ProgramTerms<BalanceOf<T>>,
	) -> Result<WorkloadId, DispatchError> {
		manifest.check().map_err(Error::<T>::from)?;
		let (bytes, _) = T::Blobs::blob(&source.0).ok_or(Error::<T>::UnknownBlob)?;
		ensure!(bytes <= MAX_SOURCE_BYTES, Error::<T>::SourceTooLarge);
		ensure!(!ProgramOfSource::<T>::contains_key(source), Error::<T>::ProgramExists);
		ensure!(ProgramCount::<T>::get() < T::MaxPrograms::get(), Error::<T>::TooManyPrograms);
		let w = Self::program_workload(name.clone(), source, &manifest, &terms);
		Self::validate_workload(&w)?;
		let deposit = T::ProgramDeposit::get();
		if !deposit.is_zero() {
			T::Currency::hold(&HoldReason::ProgramDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		let id = NextWorkloadId::<T>::get();
		NextWorkloadId::<T>::put(id.saturating_add(1));
		ProgramIds::<T>::mutate(|n| *n = n.saturating_add(1));
		ProgramCount::<T>::mutate(|n| *n = n.saturating_add(1));
		ProgramOfSource::<T>::insert(source, id);
		Workloads::<T>::insert(id, w);
		Programs::<T>::insert(
			id,
			Program { owner: who.clone(), deposit, source_bytes: bytes as u32, manifest, jobs: 0 },
		);
		Self::deposit_event(Event::WorkloadRegistered { workload: id, name, kernel_hash: source });
		Self::deposit_event(Event::ProgramPublished {
			workload: id,
			owner: who,
			kernel_hash: source,
			deposit,
		});
		Ok(id)
	}

	/// Retire program `id`: by its publisher (the deposit is released to it) or by governance
	/// (`delist`: the deposit goes to the treasury).
	pub fn do_retire_program(who: Option<T::AccountId>, id: WorkloadId) -> DispatchResult {
		let mut program = Programs::<T>::get(id).ok_or(Error::<T>::NotProgram)?;
		if let Some(who) = &who {
			ensure!(*who == program.owner, Error::<T>::NotProgramOwner);
		}
		Self::do_retire_workload(id)?;
		let deposit = core::mem::take(&mut program.deposit);
		let reason = HoldReason::ProgramDeposit.into();
		let moved = if who.is_some() {
			T::Currency::release(&reason, &program.owner, deposit, Precision::BestEffort)?
		} else {
			T::Currency::transfer_on_hold(
				&reason,
				&program.owner,
				&T::TreasuryAccount::get(),
				deposit,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?
		};
		let source = Workloads::<T>::get(id).map(|w| w.kernel_hash).unwrap_or_default();
		ProgramOfSource::<T>::remove(source);
		Programs::<T>::insert(id, program);
		Self::deposit_event(Event::ProgramRetired {
			workload: id,
			delisted: who.is_none(),
			deposit: moved,
		});
		Self::remove_program_if_done(id);
		Ok(())
	}

	/// Count a job submitted on workload `id` (nothing for a built-in one).
	pub(crate) fn note_program_job(id: WorkloadId) {
		Programs::<T>::mutate(id, |p| {
			if let Some(p) = p {
				p.jobs = p.jobs.saturating_add(1);
			}
		});
	}

	/// A job on workload `id` was pruned: uncount it, and remove a retired program without jobs.
	pub(crate) fn note_program_job_pruned(id: WorkloadId) {
		Programs::<T>::mutate(id, |p| {
			if let Some(p) = p {
				p.jobs = p.jobs.saturating_sub(1);
			}
		});
		Self::remove_program_if_done(id);
	}

	/// Remove program `id` and its workload once it is retired and no job refers to it.
	fn remove_program_if_done(id: WorkloadId) {
		let Some(program) = Programs::<T>::get(id) else { return };
		let retired = Workloads::<T>::get(id).is_none_or(|w| w.retired);
		if program.jobs == 0 && retired {
			Programs::<T>::remove(id);
			Workloads::<T>::remove(id);
			ProgramCount::<T>::mutate(|n| *n = n.saturating_sub(1));
			Self::deposit_event(Event::ProgramRemoved { workload: id });
		}
	}

	/// Set (or, with `None`, clear) the most work of one open-program job provider `who`
	/// accepts: providers are assigned jobs on programs only up to it.
	pub fn do_set_program_limit(who: T::AccountId, limit: Option<u64>) -> DispatchResult {
		ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotProvider);
		ProgramProviders::<T>::try_mutate(|list| -> DispatchResult {
			list.retain(|(p, _)| *p != who);
			if let Some(limit) = limit {
				ensure!(limit >= 1, Error::<T>::InvalidProgramLimit);
				// At most one entry per provider, and at most `MaxProviders` providers.
				list.try_push((who.clone(), limit)).map_err(|_| Error::<T>::TooManyProviders)?;
			}
			Ok(())
		})?;
		Self::deposit_event(Event::ProgramLimitSet { provider: who, limit });
		Ok(())
	}

	/// Forget a leaving provider's program limit.
	pub(crate) fn clear_program_limit(who: &T::AccountId) {
		ProgramProviders::<T>::mutate(|list| list.retain(|(p, _)| p != who));
	}

	/// The candidates that may be assigned a job of `work` on a program: those whose limit (in
	/// `limits`, the [`ProgramProviders`]) is at least `work`.
	pub(crate) fn program_candidates(
		candidates: &[(T::AccountId, u128)],
		limits: &[(T::AccountId, u64)],
		work: u64,
	) -> alloc::vec::Vec<(T::AccountId, u128)> {
		candidates
			.iter()
			.filter(|(c, _)| limits.iter().any(|(p, limit)| p == c && *limit >= work))
			.cloned()
			.collect()
	}

	/// The work of a job with `params` on program `program`, its inputs checked against the
	/// manifest.
	pub(crate) fn program_work(
		program: &ProgramOf<T>,
		params: &JobParams,
	) -> Result<u64, Error<T>> {
		ensure!(params.target.is_none(), Error::<T>::InvalidParams);
		let work = program.manifest.job_work(&params.dims)?;
		ensure!(params.inputs.len() == program.manifest.inputs.len(), Error::<T>::WrongInputCount);
		for (i, input) in params.inputs.iter().enumerate() {
			program.manifest.check_input(i, &params.dims, input.size())?;
		}
		Ok(work)
	}

	/// The source of a job's program must be kept until its deadline, as its inputs are.
	pub(crate) fn check_source_retention(
		source: &H256,
		deadline: frame_system::pallet_prelude::BlockNumberFor<T>,
	) -> Result<(), Error<T>> {
		let (_, last) = T::Blobs::blob(&source.0).ok_or(Error::<T>::UnknownBlob)?;
		ensure!(last >= deadline, Error::<T>::SourceExpiresTooSoon);
		Ok(())
	}

	/// What a publisher has on hold for its programs (for `try_state`).
	#[cfg(any(test, feature = "try-runtime"))]
	pub(crate) fn program_deposit_held(owner: &T::AccountId) -> BalanceOf<T> {
		use frame_support::traits::fungible::InspectHold;
		T::Currency::balance_on_hold(&HoldReason::ProgramDeposit.into(), owner)
	}
}
