//! Storage migrations: a market left by an older version decodes, keeps its funds and goes on.

use super::*;
use crate::migrations::v2::{v1, MigrateV1ToV2};
use frame_support::{
	assert_ok,
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};
use sp_core::H256;

#[test]
fn version_1_storage_migrates_to_version_2_and_open_attempts_go_on() {
	new_test_ext().execute_with(|| {
		// A market as version 1 left it: a workload, and a job in the middle of an attempt.
		StorageVersion::new(1).put::<Market>();
		for p in [10, 11, 12] {
			register(p, 100);
		}
		let workload: WorkloadId = NextWorkloadId::<Test>::get();
		let m = matmul_workload();
		let old_workload = v1::Workload::<Balance> {
			name: BoundedVec::truncate_from(b"old-matmul".to_vec()),
			kernel_hash: m.kernel_hash,
			entry_point: m.entry_point.clone(),
			schema: v1::ParamSchema { dims: m.schema.dims.clone(), needs_target: false },
			verification: m.verification,
			unit_size: m.unit_size,
			max_work: m.max_work,
			work_per_block: m.work_per_block,
			price_floor: m.price_floor,
			max_units: m.max_units,
			retired: false,
		};
		assert_ok!(Market::do_register_workload(WorkloadOf::<Test> {
			name: old_workload.name.clone(),
			..m.clone()
		}));
		// Submitted and assigned under the new code, then stored back in version 1's layout.
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(1),
			workload,
			params(vec![20]),
			2,
			3,
			10,
			System::block_number() + 50,
		));
		run_to_block(System::block_number() + 1);
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Assigned);
		let old_job = v1::JobOf::<Test> {
			consumer: job.consumer,
			workload,
			kernel_hash: job.kernel_hash,
			params: v1::JobParams {
				seed: job.params.seed,
				dims: job.params.dims.clone(),
				target: None,
			},
			units: job.units,
			needed_units: job.needed_units,
			work_blocks: job.work_blocks,
			replicas: job.replicas,
			price_per_unit: job.price_per_unit,
			escrow: job.escrow,
			fee: job.fee,
			deposit: job.deposit,
			deadline: job.deadline,
			submitted_at: job.submitted_at,
			status: job.status,
			attempts: job.attempts,
			assignments: job.assignments.clone(),
			assigned_at: job.assigned_at,
			commit_until: job.commit_until,
			reveal_until: job.reveal_until,
			result: None,
			finished_at: None,
		};
		// Every workload in version 1's layout, the genesis ones too.
		for (wid, w) in Workloads::<Test>::iter().collect::<Vec<_>>() {
			let v1 = v1::Workload::<Balance> {
				name: w.name,
				kernel_hash: w.kernel_hash,
				entry_point: w.entry_point,
				schema: v1::ParamSchema {
					dims: w.schema.dims,
					needs_target: w.schema.needs_target,
				},
				verification: w.verification,
				unit_size: w.unit_size,
				max_work: w.max_work,
				work_per_block: w.work_per_block,
				price_floor: w.price_floor,
				max_units: w.max_units,
				retired: w.retired,
			};
			unhashed::put(&Workloads::<Test>::hashed_key_for(wid), &v1);
		}
		unhashed::put(&Workloads::<Test>::hashed_key_for(workload), &old_workload);
		unhashed::put(&Jobs::<Test>::hashed_key_for(id), &old_job);
		assert!(Jobs::<Test>::try_get(id).is_err(), "version 1's layout does not decode as 2");

		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Market::on_chain_storage_version(), 2);
		assert_eq!(
			Workloads::<Test>::iter().count() as u32,
			NextWorkloadId::<Test>::get(),
			"every workload decodes"
		);
		let w = Workloads::<Test>::get(workload).expect("the workload decodes");
		assert!(w.schema.inputs.is_empty());
		assert_eq!(w.schema.dims, m.schema.dims);
		let migrated = Jobs::<Test>::get(id).expect("the job decodes");
		assert_eq!(
			codec::Encode::encode(&migrated),
			codec::Encode::encode(&JobOf::<Test> { input_fee: 0, ..job }),
			"only the new fields are new"
		);
		assert_ok!(Market::do_try_state());

		// The open attempt goes on: committed, revealed, verified, paid.
		let ps: Vec<AccountId> = assigned_to(id);
		let d = H256::repeat_byte(0xaa);
		for p in &ps {
			assert_ok!(commit(*p, id, d, &[1]));
		}
		for p in &ps {
			assert_ok!(reveal(*p, id, d, vec![1]));
		}
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Verified, 0));

		// A second run is a no-op: the version says it ran.
		let before = codec::Encode::encode(&Jobs::<Test>::get(id));
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(codec::Encode::encode(&Jobs::<Test>::get(id)), before);
	});
}
