//! Storage migrations: a market left by an older version decodes, keeps its funds and goes on.

use super::*;
use crate::migrations::v1::{v0, MigrateV0ToV1};
use frame_support::{
	assert_ok,
	storage::unhashed,
	traits::{fungible::MutateHold, GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};
use sp_core::H256;

#[test]
fn version_0_storage_migrates_to_version_1_and_jobs_go_on() {
	new_test_ext().execute_with(|| {
		// A market as version 0 left it: a workload, three providers, and a pending job whose
		// budget is held on its consumer.
		StorageVersion::new(0).put::<Market>();
		let workload: WorkloadId = NextWorkloadId::<Test>::get();
		let old_workload = v0::Workload::<Balance> {
			name: BoundedVec::truncate_from(b"old-matmul".to_vec()),
			kernel_hash: H256::repeat_byte(0x44),
			entry_point: BoundedVec::truncate_from(b"matmul".to_vec()),
			schema: v0::ParamSchema {
				dims: BoundedVec::truncate_from(vec![v0::DimBound { min: 1, max: 1024 }]),
				needs_target: false,
			},
			verification: VerificationClass::Replicated { quorum: 2, bit_exact: true },
			unit_size: 64,
			price_floor: 2,
			max_units: 1_000,
			retired: false,
		};
		unhashed::put(&Workloads::<Test>::hashed_key_for(workload), &old_workload);
		NextWorkloadId::<Test>::put(workload + 1);
		for p in 10..=12 {
			register(p, 100);
			let new = Providers::<Test>::get(p).unwrap();
			let old = v0::ProviderInfoOf::<Test> {
				bond: new.bond,
				compute_key: new.compute_key,
				device_classes: new.device_classes,
				status: new.status,
				reputation: new.reputation,
				// Assigned to the open job below.
				open_assignments: 1,
			};
			unhashed::put(&Providers::<Test>::hashed_key_for(p), &old);
		}
		assert_ok!(Balances::hold(&RuntimeHoldReason::Market(HoldReason::JobEscrow), &1, 30));
		let old_job = v0::JobOf::<Test> {
			consumer: 1,
			workload,
			kernel_hash: H256::repeat_byte(0x44),
			params: params(vec![100]),
			units: 3,
			replicas: 3,
			price_per_unit: 10,
			escrow: 30,
			deadline: 50,
			submitted_at: 1,
			status: JobStatus::Pending,
			attempts: 0,
			assignments: BoundedVec::new(),
			commit_until: 0,
			reveal_until: 0,
			result: None,
			finished_at: None,
		};
		let id = NextJobId::<Test>::get();
		unhashed::put(&Jobs::<Test>::hashed_key_for(id), &old_job);
		// A second job, of consumer 2, in the middle of an attempt: 10 committed to version 0's
		// layout (which version 1 cannot check), 11 and 12 not yet.
		assert_ok!(Balances::hold(&RuntimeHoldReason::Market(HoldReason::JobEscrow), &2, 30));
		let open = v0::JobOf::<Test> {
			consumer: 2,
			status: JobStatus::Committing,
			attempts: 1,
			assignments: BoundedVec::truncate_from(
				[10, 11, 12]
					.iter()
					.map(|p| v0::Assignment {
						provider: *p,
						commitment: (*p == 10).then(|| H256::repeat_byte(0xc0)),
						reveal: None,
					})
					.collect(),
			),
			commit_until: 5,
			reveal_until: 8,
			..old_job.clone()
		};
		unhashed::put(&Jobs::<Test>::hashed_key_for(id + 1), &open);
		for p in 10..=12 {
			ProviderJobs::<Test>::insert(p, BoundedVec::truncate_from(vec![id + 1]));
		}
		SettleAt::<Test>::insert(9, BoundedVec::truncate_from(vec![(id + 1, 1)]));
		NextJobId::<Test>::put(id + 2);
		JobsOf::<Test>::insert(1, BoundedVec::truncate_from(vec![id]));
		JobsOf::<Test>::insert(2, BoundedVec::truncate_from(vec![id + 1]));
		PendingJobs::<Test>::put(BoundedVec::truncate_from(vec![id]));
		let escrow_before = Balances::free_balance(Market::escrow_account());

		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Market::on_chain_storage_version(), 1);
		let w = Workloads::<Test>::get(workload).expect("the workload decodes");
		assert_eq!((w.schema.dims[0].power, w.max_work, w.work_per_block), (1, 1024, 1024));
		assert_eq!(
			Providers::<Test>::get(10).expect("the provider decodes").declared_at.to_vec(),
			vec![0, 0]
		);
		let job = Jobs::<Test>::get(id).expect("the job decodes");
		// 100 items at 64 a unit: 2 needed of the 3 bought.
		assert_eq!((job.escrow, job.needed_units, job.fee, job.deposit), (30, 2, 0, 0));
		assert_eq!(
			Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::JobEscrow), &1),
			0
		);
		assert_eq!(Balances::free_balance(Market::escrow_account()), escrow_before + 60);
		assert_eq!(PendingCount::<Test>::get(1), 1);
		// The open attempt restarted: nobody judged, back in the queue, its providers free.
		let restarted = Jobs::<Test>::get(id + 1).expect("the open job decodes");
		assert_eq!(
			(restarted.status, restarted.attempts, restarted.escrow),
			(JobStatus::Pending, 1, 30)
		);
		assert!(restarted.assignments.is_empty());
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![id, id + 1]);
		for p in 10..=12 {
			assert_eq!(bond_of(p), 100);
			assert_eq!(Providers::<Test>::get(p).unwrap().open_assignments, 0);
			assert!(ProviderJobs::<Test>::get(p).is_empty());
		}
		assert_ok!(Market::do_try_state());

		// Jobs go on: assigned, run, verified, paid from the escrow account.
		run_to_block(System::block_number() + 1);
		let ps: Vec<AccountId> = assigned_to(id);
		assert_eq!(ps.len(), 3);
		let d = H256::repeat_byte(0xaa);
		for p in &ps {
			assert_ok!(commit(*p, id, d, &[1]));
		}
		for p in &ps {
			assert_ok!(reveal(*p, id, d, vec![1]));
		}
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!((job.status, job.escrow), (JobStatus::Verified, 0));
		assert_eq!(Balances::free_balance(Market::escrow_account()), escrow_before + 30);

		// A second run is a no-op: the version says it ran.
		let job = codec::Encode::encode(&Jobs::<Test>::get(id));
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(codec::Encode::encode(&Jobs::<Test>::get(id)), job);
		assert_eq!(Balances::free_balance(Market::escrow_account()), escrow_before + 30);
	});
}
