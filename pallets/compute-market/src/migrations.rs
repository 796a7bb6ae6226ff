//! Storage migrations of the compute market, one module per storage version, each a
//! [`VersionedMigration`] so that it runs once and only from the version it was written for.
//!
//! Version 0 → 1 (issue #9) ran on every chain that had version 0 and was removed once none
//! was left: every Crucible chain since starts at version 1 or later.

use crate::{pallet::*, types::*};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use sp_runtime::traits::Zero;

/// Version 1 → 2 (issue #11, "consumers' own data in"):
///
/// * workloads' schemas gain `inputs`, empty: every version-1 workload generates its data from
///   the seed;
/// * jobs' parameters gain `inputs`, empty, and `publish_output`, false, and jobs gain
///   `input_fee`, zero: no version-1 job named inputs, paid for them or asked for its output.
///
/// Nothing else changes: statuses, assignments and commitments keep their encoding (the new
/// status `InputUnavailable` is a new last variant), so open attempts go on untouched.
pub mod v2 {
	use super::*;

	/// The types as version 1 stored them.
	pub mod v1 {
		use super::*;

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct JobParams {
			pub seed: [u8; 32],
			pub dims: BoundedVec<u32, ConstU32<MAX_DIMS>>,
			pub target: Option<[u8; 32]>,
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
			pub max_work: u64,
			pub work_per_block: u64,
			pub price_floor: Balance,
			pub max_units: u32,
			pub retired: bool,
		}

		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		#[scale_info(skip_type_params(MaxReplicas))]
		pub struct Job<AccountId, Balance, BlockNumber, MaxReplicas: Get<u32>> {
			pub consumer: AccountId,
			pub workload: WorkloadId,
			pub kernel_hash: sp_core::H256,
			pub params: JobParams,
			pub units: u32,
			pub needed_units: u32,
			pub work_blocks: u32,
			pub replicas: u8,
			pub price_per_unit: Balance,
			pub escrow: Balance,
			pub fee: Balance,
			pub deposit: Balance,
			pub deadline: BlockNumber,
			pub submitted_at: BlockNumber,
			pub status: JobStatus,
			pub attempts: u8,
			pub assignments: BoundedVec<Assignment<AccountId>, MaxReplicas>,
			pub assigned_at: BlockNumber,
			pub commit_until: BlockNumber,
			pub reveal_until: BlockNumber,
			pub result: Option<JobResult>,
			pub finished_at: Option<BlockNumber>,
		}

		/// A version-1 job of runtime `T`.
		pub type JobOf<T> = Job<
			AccountIdOf<T>,
			BalanceOf<T>,
			frame_system::pallet_prelude::BlockNumberFor<T>,
			<T as Config>::MaxReplicas,
		>;
	}

	/// A version-1 workload as version 2 stores it.
	pub fn workload_v2<B>(old: v1::Workload<B>) -> Workload<B> {
		Workload {
			name: old.name,
			kernel_hash: old.kernel_hash,
			entry_point: old.entry_point,
			schema: ParamSchema {
				dims: old.schema.dims,
				needs_target: old.schema.needs_target,
				inputs: BoundedVec::new(),
			},
			verification: old.verification,
			unit_size: old.unit_size,
			max_work: old.max_work,
			work_per_block: old.work_per_block,
			price_floor: old.price_floor,
			max_units: old.max_units,
			retired: old.retired,
		}
	}

	/// A version-1 job as version 2 stores it.
	pub fn job_v2<T: Config>(old: v1::JobOf<T>) -> JobOf<T> {
		Job {
			consumer: old.consumer,
			workload: old.workload,
			kernel_hash: old.kernel_hash,
			params: JobParams {
				seed: old.params.seed,
				dims: old.params.dims,
				target: old.params.target,
				inputs: BoundedVec::new(),
				publish_output: false,
			},
			units: old.units,
			needed_units: old.needed_units,
			work_blocks: old.work_blocks,
			replicas: old.replicas,
			price_per_unit: old.price_per_unit,
			input_fee: Zero::zero(),
			escrow: old.escrow,
			fee: old.fee,
			deposit: old.deposit,
			deadline: old.deadline,
			submitted_at: old.submitted_at,
			status: old.status,
			attempts: old.attempts,
			assignments: old.assignments,
			assigned_at: old.assigned_at,
			commit_until: old.commit_until,
			reveal_until: old.reveal_until,
			result: old.result,
			finished_at: old.finished_at,
		}
	}

	/// The unchecked step; use [`MigrateV1ToV2`].
	pub struct InnerMigrateV1ToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Workloads::<T>::translate::<v1::Workload<BalanceOf<T>>, _>(|_, old| {
				count += 1;
				Some(workload_v2(old))
			});
			Jobs::<T>::translate::<v1::JobOf<T>, _>(|_, old| {
				count += 1;
				Some(job_v2::<T>(old))
			});
			T::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let jobs = Jobs::<T>::iter_keys().count() as u64;
			let workloads = Workloads::<T>::iter_keys().count() as u64;
			Ok((jobs, workloads).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (jobs, workloads) = <(u64, u64)>::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			ensure!(Jobs::<T>::iter_values().count() as u64 == jobs, "a job did not decode");
			ensure!(
				Workloads::<T>::iter_values().count() as u64 == workloads,
				"a workload did not decode"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// Version 1 → 2, run once.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
