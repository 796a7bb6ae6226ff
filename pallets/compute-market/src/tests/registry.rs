use super::*;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

#[test]
fn genesis_registers_the_builtin_workloads() {
	new_test_ext().execute_with(|| {
		assert_eq!(NextWorkloadId::<Test>::get(), 3);
		assert_eq!(
			Workloads::<Test>::get(HASH_SEARCH).unwrap().name.to_vec(),
			b"hash-search".to_vec()
		);
		assert_eq!(
			Workloads::<Test>::get(MATMUL).unwrap().verification,
			VerificationClass::Replicated { quorum: 2, bit_exact: true }
		);
	});
}

#[test]
fn register_requires_the_governance_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Market::register_workload(RuntimeOrigin::signed(1), matmul_workload()),
			DispatchError::BadOrigin
		);
		assert_ok!(Market::register_workload(RuntimeOrigin::root(), matmul_workload()));
		assert_eq!(NextWorkloadId::<Test>::get(), 4);
		assert!(matches!(
			market_events().last(),
			Some(Event::WorkloadRegistered { workload: 3, .. })
		));
	});
}

#[test]
fn inconsistent_workloads_are_refused() {
	new_test_ext().execute_with(|| {
		let bad: Vec<Box<dyn Fn(&mut WorkloadOf<Test>)>> = vec![
			Box::new(|w| w.name = BoundedVec::new()),
			Box::new(|w| w.entry_point = BoundedVec::new()),
			Box::new(|w| w.unit_size = 0),
			Box::new(|w| w.max_units = 0),
			Box::new(|w| w.schema.dims = BoundedVec::new()),
			Box::new(|w| {
				w.schema.dims =
					BoundedVec::truncate_from(vec![DimBound { min: 5, max: 4, power: 1 }])
			}),
			Box::new(|w| {
				w.schema.dims =
					BoundedVec::truncate_from(vec![DimBound { min: 0, max: 4, power: 1 }])
			}),
			Box::new(|w| {
				w.schema.dims =
					BoundedVec::truncate_from(vec![DimBound { min: 1, max: 4, power: 0 }])
			}),
			Box::new(|w| {
				w.schema.dims =
					BoundedVec::truncate_from(vec![DimBound { min: 1, max: 4, power: 4 }])
			}),
			Box::new(|w| w.max_work = 0),
			Box::new(|w| w.max_work = MAX_WORK + 1),
			Box::new(|w| w.work_per_block = 0),
			Box::new(|w| {
				w.verification = VerificationClass::Replicated { quorum: 0, bit_exact: true }
			}),
			Box::new(|w| {
				w.verification = VerificationClass::Replicated { quorum: 6, bit_exact: true }
			}),
			Box::new(|w| {
				w.verification = VerificationClass::OnChainCheck(OnChainCheckKind::HashSearch);
				w.schema.needs_target = false;
			}),
		];
		for f in bad {
			let mut w = matmul_workload();
			f(&mut w);
			assert_noop!(
				Market::register_workload(RuntimeOrigin::root(), w),
				Error::<Test>::InvalidWorkload
			);
		}
	});
}

#[test]
fn the_registry_is_bounded() {
	new_test_ext().execute_with(|| {
		for _ in 3..8 {
			assert_ok!(Market::register_workload(RuntimeOrigin::root(), matmul_workload()));
		}
		assert_noop!(
			Market::register_workload(RuntimeOrigin::root(), matmul_workload()),
			Error::<Test>::TooManyWorkloads
		);
	});
}

#[test]
fn update_changes_only_what_it_names_and_is_validated() {
	new_test_ext().execute_with(|| {
		let update = WorkloadUpdate {
			kernel_hash: None,
			schema: None,
			price_floor: Some(5),
			max_units: None,
			max_work: None,
			work_per_block: None,
		};
		assert_noop!(
			Market::update_workload(RuntimeOrigin::signed(1), MATMUL, update.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Market::update_workload(RuntimeOrigin::root(), 42, update.clone()),
			Error::<Test>::UnknownWorkload
		);
		assert_ok!(Market::update_workload(RuntimeOrigin::root(), MATMUL, update));
		let w = Workloads::<Test>::get(MATMUL).unwrap();
		assert_eq!(w.price_floor, 5);
		assert_eq!(w.kernel_hash, matmul_workload().kernel_hash);
		let bad = WorkloadUpdate {
			kernel_hash: None,
			schema: None,
			price_floor: None,
			max_units: Some(0),
			max_work: None,
			work_per_block: None,
		};
		assert_noop!(
			Market::update_workload(RuntimeOrigin::root(), MATMUL, bad),
			Error::<Test>::InvalidWorkload
		);
	});
}

#[test]
fn retired_workloads_take_no_jobs() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Market::retire_workload(RuntimeOrigin::signed(1), MATMUL),
			DispatchError::BadOrigin
		);
		assert_ok!(Market::retire_workload(RuntimeOrigin::root(), MATMUL));
		assert_noop!(
			Market::retire_workload(RuntimeOrigin::root(), MATMUL),
			Error::<Test>::WorkloadRetired
		);
		assert_noop!(
			Market::submit_job(RuntimeOrigin::signed(1), MATMUL, params(vec![16]), 1, 2, 10, 50),
			Error::<Test>::WorkloadRetired
		);
		let update = WorkloadUpdate {
			kernel_hash: None,
			schema: None,
			price_floor: Some(5),
			max_units: None,
			max_work: None,
			work_per_block: None,
		};
		assert_noop!(
			Market::update_workload(RuntimeOrigin::root(), MATMUL, update),
			Error::<Test>::WorkloadRetired
		);
	});
}

#[test]
fn required_units_round_up_and_check_the_schema() {
	new_test_ext().execute_with(|| {
		// Work n³, 4,096 a unit, 2^20 a block, one dimension 1..=1024, at most 2^28.
		let w = matmul_workload();
		assert_eq!(Market::required_units(&w, &params(vec![16])).unwrap(), (1, 0));
		assert_eq!(Market::required_units(&w, &params(vec![17])).unwrap(), (2, 0));
		assert_eq!(Market::required_units(&w, &params(vec![1])).unwrap(), (1, 0));
		assert_eq!(Market::required_units(&w, &params(vec![128])).unwrap(), (512, 2));
		assert!(matches!(
			Market::required_units(&w, &params(vec![1024])),
			Err(Error::<Test>::WorkTooLarge)
		));
		assert!(Market::required_units(&w, &params(vec![0])).is_err());
		assert!(Market::required_units(&w, &params(vec![1025])).is_err());
		assert!(Market::required_units(&w, &params(vec![4, 4])).is_err());
		let mut p = params(vec![4]);
		p.target = Some([0xff; 32]);
		assert!(Market::required_units(&w, &p).is_err());
	});
}
