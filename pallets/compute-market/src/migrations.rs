//! Storage migrations of the compute market, one module per storage version, each a
//! [`VersionedMigration`] so that it runs once and only from the version it was written for.

use crate::{pallet::*, types::*};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		UncheckedOnRuntimeUpgrade,
	},
};
use sp_runtime::traits::{Saturating, Zero};

/// Version 0 → 1 (issue #9, "an honest market under adversaries"):
///
/// * open jobs' budgets move from the consumers' `JobEscrow` holds into the market's escrow
///   account (which first gets its existential deposit);
/// * workloads gain a work bound and a work rate: `max_work` = the product of the dimensions'
///   maxima (at most [`MAX_WORK`]), every dimension's power 1 (the old unit), and a work rate
///   of the whole bound per block, which keeps version 0's fixed commit windows;
/// * providers gain `declared_at` (block 0 for every class: declared before every job);
/// * jobs gain `needed_units` and `work_blocks` (recomputed from the migrated workload), no fee,
///   no deposit, and their assignments `declined: false`;
/// * attempts open at the upgrade are restarted, nobody judged: their commitments were made to
///   version 0's layout, which version 1 can no longer check, so judging them would slash honest
///   providers. The jobs go back to the queue (or, with the queue full, are refunded);
/// * [`PendingCount`] is counted from the queue.
pub mod v1 {
	use super::*;

	/// The types as version 0 stored them.
	pub mod v0 {
		use super::*;
		use crate::crypto;

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct DimBound {
			pub min: u32,
			pub max: u32,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct ParamSchema {
			pub dims: BoundedVec<DimBound, ConstU32<MAX_DIMS>>,
			pub needs_target: bool,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct Workload<Balance> {
			pub name: WorkloadName,
			pub kernel_hash: sp_core::H256,
			pub entry_point: EntryPoint,
			pub schema: ParamSchema,
			pub verification: VerificationClass,
			pub unit_size: u64,
			pub price_floor: Balance,
			pub max_units: u32,
			pub retired: bool,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		#[scale_info(skip_type_params(MaxDeviceClasses))]
		pub struct ProviderInfo<Balance, BlockNumber, MaxDeviceClasses: Get<u32>> {
			pub bond: Balance,
			pub compute_key: crypto::Public,
			pub device_classes: BoundedVec<DeviceClass, MaxDeviceClasses>,
			pub status: ProviderStatus<BlockNumber>,
			pub reputation: u32,
			pub open_assignments: u32,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct Assignment<AccountId> {
			pub provider: AccountId,
			pub commitment: Option<sp_core::H256>,
			pub reveal: Option<Reveal>,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		#[scale_info(skip_type_params(MaxReplicas))]
		pub struct Job<AccountId, Balance, BlockNumber, MaxReplicas: Get<u32>> {
			pub consumer: AccountId,
			pub workload: WorkloadId,
			pub kernel_hash: sp_core::H256,
			pub params: JobParams,
			pub units: u32,
			pub replicas: u8,
			pub price_per_unit: Balance,
			pub escrow: Balance,
			pub deadline: BlockNumber,
			pub submitted_at: BlockNumber,
			pub status: JobStatus,
			pub attempts: u8,
			pub assignments: BoundedVec<Assignment<AccountId>, MaxReplicas>,
			pub commit_until: BlockNumber,
			pub reveal_until: BlockNumber,
			pub result: Option<JobResult>,
			pub finished_at: Option<BlockNumber>,
		}

		/// A version-0 job of runtime `T`.
		pub type JobOf<T> = Job<
			AccountIdOf<T>,
			BalanceOf<T>,
			frame_system::pallet_prelude::BlockNumberFor<T>,
			<T as Config>::MaxReplicas,
		>;
		/// A version-0 provider of runtime `T`.
		pub type ProviderInfoOf<T> = ProviderInfo<
			BalanceOf<T>,
			frame_system::pallet_prelude::BlockNumberFor<T>,
			<T as Config>::MaxDeviceClasses,
		>;
	}

	/// A version-0 workload as version 1 stores it.
	pub fn workload_v1<B>(old: v0::Workload<B>) -> Workload<B> {
		let max_work = old
			.schema
			.dims
			.iter()
			.fold(1u128, |w, d| w.saturating_mul(d.max as u128))
			.min(MAX_WORK as u128) as u64;
		Workload {
			name: old.name,
			kernel_hash: old.kernel_hash,
			entry_point: old.entry_point,
			schema: ParamSchema {
				dims: BoundedVec::truncate_from(
					old.schema
						.dims
						.iter()
						.map(|d| DimBound { min: d.min, max: d.max, power: 1 })
						.collect(),
				),
				needs_target: old.schema.needs_target,
			},
			verification: old.verification,
			unit_size: old.unit_size,
			max_work,
			// The whole bound in one block: windows stay as version 0 had them, until governance
			// sets the workload's real rate with `update_workload`.
			work_per_block: max_work.max(1),
			price_floor: old.price_floor,
			max_units: old.max_units,
			retired: old.retired,
		}
	}

	/// The unchecked step; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads = 0u64;
			let mut writes = 0u64;
			Pallet::<T>::ensure_escrow_account();
			Workloads::<T>::translate::<v0::Workload<BalanceOf<T>>, _>(|_, old| {
				reads += 1;
				writes += 1;
				Some(workload_v1(old))
			});
			Providers::<T>::translate::<v0::ProviderInfoOf<T>, _>(|_, old| {
				reads += 1;
				writes += 1;
				Some(ProviderInfo {
					bond: old.bond,
					compute_key: old.compute_key,
					declared_at: BoundedVec::truncate_from(
						old.device_classes.iter().map(|_| Zero::zero()).collect(),
					),
					device_classes: old.device_classes,
					status: old.status,
					reputation: old.reputation,
					open_assignments: old.open_assignments,
				})
			});
			let escrow_account = Pallet::<T>::escrow_account();
			let mut restarted = alloc::vec::Vec::new();
			Jobs::<T>::translate::<v0::JobOf<T>, _>(|id, old| {
				reads += 3;
				writes += 4;
				let (needed_units, work_blocks) = Workloads::<T>::get(old.workload)
					.and_then(|w| Pallet::<T>::required_units(&w, &old.params).ok())
					.map_or((old.units, 0), |(u, b)| (u.min(old.units), b));
				let open = matches!(
					old.status,
					JobStatus::Assigned | JobStatus::Committing | JobStatus::Revealing
				);
				if open {
					// Restart the attempt: free its providers, judge nobody.
					for a in old.assignments.iter() {
						reads += 2;
						writes += 2;
						ProviderJobs::<T>::mutate(&a.provider, |v| v.retain(|j| *j != id));
						Providers::<T>::mutate(&a.provider, |p| {
							if let Some(p) = p {
								p.open_assignments = p.open_assignments.saturating_sub(1);
							}
						});
					}
					restarted.push(id);
				}
				// Open jobs' budgets leave the consumer's hold for the escrow account.
				let escrow = if old.escrow.is_zero() {
					Zero::zero()
				} else {
					let reason = HoldReason::JobEscrow.into();
					let held = T::Currency::balance_on_hold(&reason, &old.consumer);
					T::Currency::transfer_on_hold(
						&reason,
						&old.consumer,
						&escrow_account,
						old.escrow.min(held),
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)
					.unwrap_or_else(|_| Zero::zero())
				};
				Some(Job {
					consumer: old.consumer,
					workload: old.workload,
					kernel_hash: old.kernel_hash,
					params: old.params,
					units: old.units,
					needed_units,
					work_blocks,
					replicas: old.replicas,
					price_per_unit: old.price_per_unit,
					escrow,
					fee: Zero::zero(),
					deposit: Zero::zero(),
					deadline: old.deadline,
					submitted_at: old.submitted_at,
					status: if open { JobStatus::Pending } else { old.status },
					attempts: old.attempts,
					assignments: if open {
						BoundedVec::new()
					} else {
						BoundedVec::truncate_from(
							old.assignments
								.into_iter()
								.map(|a| Assignment {
									provider: a.provider,
									commitment: a.commitment,
									reveal: a.reveal,
									declined: false,
								})
								.collect(),
						)
					},
					assigned_at: old.commit_until.saturating_sub(T::CommitWindow::get()),
					commit_until: old.commit_until,
					reveal_until: old.reveal_until,
					result: old.result,
					finished_at: old.finished_at,
				})
			});
			for id in restarted {
				reads += 1;
				writes += 2;
				if PendingJobs::<T>::try_mutate(|q| q.try_push(id)).is_err() {
					if let Some(mut job) = Jobs::<T>::get(id) {
						let refund = Pallet::<T>::refund_escrow(&mut job);
						Pallet::<T>::finish(id, &mut job, JobStatus::Failed);
						Jobs::<T>::insert(id, job);
						Pallet::<T>::deposit_event(Event::JobFailed { job: id, refund });
					}
				}
			}
			for id in PendingJobs::<T>::get() {
				reads += 1;
				if let Some(job) = Jobs::<T>::get(id) {
					writes += 1;
					PendingCount::<T>::mutate(&job.consumer, |c| *c = c.saturating_add(1));
				}
			}
			T::DbWeight::get().reads_writes(reads.saturating_add(2), writes.saturating_add(2))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let jobs = Jobs::<T>::iter_keys().count() as u64;
			let providers = Providers::<T>::count();
			Ok((jobs, providers).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (jobs, providers) = <(u64, u32)>::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			ensure!(Jobs::<T>::iter_values().count() as u64 == jobs, "a job did not decode");
			ensure!(
				Providers::<T>::iter_values().count() as u32 == providers,
				"a provider did not decode"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// Version 0 → 1, run once.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
