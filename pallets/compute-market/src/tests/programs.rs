//! Step 1b: open programs — published with a deposit, checked against the kernel ABI, run only
//! by providers that opted in, retired by their publisher or delisted by governance, and
//! removed once their last job is pruned.

use super::*;
use crucible_primitives::program::{
	Arg, Buffer, Dim, Expr, Launch, Manifest, Term, Verification, MAX_SOURCE_BYTES,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect, BoundedVec};
use sp_core::H256;
use sp_runtime::DispatchError;

pub(super) const SOURCE: [u8; 32] = [0x5c; 32];
pub(super) const INPUT: [u8; 32] = [0x1a; 32];
/// Values of the test job: 4,096 bytes of input.
pub(super) const N: u32 = 1024;
pub(super) const PUBLISHER: AccountId = 5;

fn name(s: &str) -> crucible_primitives::program::Name {
	BoundedVec::truncate_from(s.as_bytes().to_vec())
}

/// A histogram of `n` u32 values into 256 bins: input `4·n` bytes, output 1,024 bytes, work `n`
/// (1,024 a unit), quorum 2.
pub(super) fn histogram() -> Manifest {
	Manifest {
		dims: BoundedVec::truncate_from(vec![Dim { name: name("n"), min: 1, max: 1 << 20 }]),
		inputs: BoundedVec::truncate_from(vec![
			Expr::new(vec![Term::new(4, &[0]).unwrap()]).unwrap()
		]),
		buffers: BoundedVec::truncate_from(vec![
			Buffer::Input(0),
			Buffer::Output(Expr::constant(1024)),
		]),
		launches: BoundedVec::truncate_from(vec![Launch {
			entry: name("histogram"),
			global: BoundedVec::truncate_from(vec![Expr::dim(0)]),
			local: Default::default(),
			args: BoundedVec::truncate_from(vec![
				Arg::Buffer(0),
				Arg::Buffer(1),
				Arg::Uint(Expr::dim(0)),
			]),
		}]),
		output: BoundedVec::truncate_from(vec![1]),
		verification: Verification { quorum: 2, bit_exact: true },
		work: Expr::dim(0),
		unit_size: 1024,
		max_work: 1 << 20,
	}
}

fn terms() -> ProgramTerms<Balance> {
	ProgramTerms { price_floor: 3, max_units: 1_000, work_per_block: 1 << 16 }
}

fn publish_as(who: AccountId, source: [u8; 32], m: Manifest) -> Result<WorkloadId, DispatchError> {
	let id = NextWorkloadId::<Test>::get();
	Market::publish_program(
		RuntimeOrigin::signed(who),
		BoundedVec::truncate_from(b"histogram".to_vec()),
		H256(source),
		m,
		terms(),
	)
	.map(|_| id)
}

/// The source stored until block 1,000, providers 10, 11 and 12 opted in (13 registered but
/// not), the job's input stored; the histogram published by [`PUBLISHER`].
pub(super) fn setup() -> WorkloadId {
	put_blob(SOURCE, 2_000, 1_000);
	put_blob(INPUT, 4 * N as u64, 1_000);
	for p in [10, 11, 12, 13] {
		register(p, 100);
	}
	for p in [10, 11, 12] {
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(p), Some(1 << 20)));
	}
	publish_as(PUBLISHER, SOURCE, histogram()).unwrap()
}

pub(super) fn job(seed: u8) -> JobParams {
	let mut p = params(vec![N])
		.with_inputs(vec![DataRef::Blob { digest: INPUT, bytes: 4 * N as u64 }])
		.unwrap();
	p.seed = [seed; 32];
	p
}

pub(super) fn order(w: WorkloadId, p: JobParams) -> Result<JobId, DispatchError> {
	let id = NextJobId::<Test>::get();
	Market::submit_job(RuntimeOrigin::signed(1), w, p, 1, 3, 3, System::block_number() + 50)
		.map(|_| id)
}

fn program_deposit_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::ProgramDeposit), &who)
}

#[test]
fn a_published_program_is_a_workload_named_by_its_source() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let workload = Workloads::<Test>::get(w).unwrap();
		assert_eq!(workload.kernel_hash, H256(SOURCE));
		assert_eq!(workload.entry_point.to_vec(), b"histogram".to_vec());
		assert_eq!(
			workload.verification,
			VerificationClass::Replicated { quorum: 2, bit_exact: true }
		);
		assert_eq!((workload.price_floor, workload.max_units), (3, 1_000));
		let program = Programs::<Test>::get(w).unwrap();
		assert_eq!((program.owner, program.deposit, program.jobs), (PUBLISHER, 50, 0));
		assert_eq!(program.manifest, histogram());
		assert_eq!(program_deposit_of(PUBLISHER), 50);
		assert_eq!(ProgramOfSource::<Test>::get(H256(SOURCE)), Some(w));
		assert_eq!(ProgramCount::<Test>::get(), 1);
		assert!(market_events().contains(&Event::ProgramPublished {
			workload: w,
			owner: PUBLISHER,
			kernel_hash: H256(SOURCE),
			deposit: 50,
		}));
		// A job on it is priced by its manifest: 1,024 values of work are one unit.
		let quote = Market::quote_job(Some(&1), w, &job(1), 1, 3, 3).unwrap();
		assert_eq!(quote.min_units, 1);
		assert_eq!(quote.input_bytes, 4 * N as u64);
		assert_ok!(order(w, job(1)));
		assert_eq!(Programs::<Test>::get(w).unwrap().jobs, 1);
	});
}

#[test]
fn refused_manifests_change_nothing() {
	new_test_ext().execute_with(|| {
		put_blob(SOURCE, 2_000, 1_000);
		let cases: Vec<(Box<dyn Fn(&mut Manifest)>, Error<Test>)> = vec![
			(Box::new(|m| m.dims[0].min = 0), Error::ManifestBadDims),
			(Box::new(|m| m.work = Expr::dim(1)), Error::ManifestUnknownDim),
			(
				Box::new(|m| m.work = Expr::new(vec![Term::new(u64::MAX, &[0]).unwrap()]).unwrap()),
				Error::ManifestOverflow,
			),
			(
				Box::new(|m| m.buffers[0] = Buffer::Scratch(Expr::constant(4))),
				Error::ManifestBadInputs,
			),
			(Box::new(|m| m.buffers[1] = Buffer::Output(Expr::constant(0))), Error::ManifestEmpty),
			(
				Box::new(|m| m.buffers[1] = Buffer::Output(Expr::constant(1 << 40))),
				Error::ManifestTooMuchMemory,
			),
			(Box::new(|m| m.launches[0].entry = name("1st")), Error::ManifestBadLaunch),
			(
				Box::new(|m| m.launches[0].local = BoundedVec::truncate_from(vec![512])),
				Error::ManifestBadLocalSize,
			),
			(Box::new(|m| m.launches[0].args[0] = Arg::Buffer(7)), Error::ManifestBadArg),
			(Box::new(|m| m.output.clear()), Error::ManifestBadOutput),
			(Box::new(|m| m.verification.quorum = 0), Error::ManifestBadVerification),
			(Box::new(|m| m.unit_size = 0), Error::ManifestBadWork),
			// The ABI admits it, the registry does not: more replicas than `MaxReplicas`.
			(Box::new(|m| m.verification.quorum = 9), Error::InvalidWorkload),
		];
		for (breaks, error) in cases {
			let mut m = histogram();
			breaks(&mut m);
			assert_noop!(publish_as(PUBLISHER, SOURCE, m), error);
		}
		assert_eq!(program_deposit_of(PUBLISHER), 0);
		assert_eq!(ProgramCount::<Test>::get(), 0);
		Market::do_try_state().unwrap();
	});
}

#[test]
fn a_source_must_be_a_stored_blob_of_at_most_a_mib_and_listed_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(publish_as(PUBLISHER, SOURCE, histogram()), Error::<Test>::UnknownBlob);
		put_blob(SOURCE, MAX_SOURCE_BYTES + 1, 1_000);
		assert_noop!(publish_as(PUBLISHER, SOURCE, histogram()), Error::<Test>::SourceTooLarge);
		put_blob(SOURCE, MAX_SOURCE_BYTES, 1_000);
		assert_ok!(publish_as(PUBLISHER, SOURCE, histogram()));
		// Somebody else cannot list the same source under other terms.
		assert_noop!(publish_as(6, SOURCE, histogram()), Error::<Test>::ProgramExists);
	});
}

#[test]
fn a_publisher_cannot_fill_the_registry_and_pays_a_deposit_for_each_program() {
	new_test_ext().execute_with(|| {
		for i in 0..3u8 {
			put_blob([i; 32], 100, 1_000);
			assert_ok!(publish_as(PUBLISHER, [i; 32], histogram()));
		}
		assert_eq!(program_deposit_of(PUBLISHER), 150);
		put_blob([9; 32], 100, 1_000);
		assert_noop!(publish_as(PUBLISHER, [9; 32], histogram()), Error::<Test>::TooManyPrograms);
		// Programs have their own bound: governance still registers built-ins up to
		// `MaxWorkloads` (8; genesis registered 3).
		for _ in 0..5 {
			assert_ok!(Market::do_register_workload(matmul_workload()));
		}
		assert_noop!(
			Market::register_workload(RuntimeOrigin::root(), matmul_workload()),
			Error::<Test>::TooManyWorkloads
		);
		// An account that cannot pay the deposit publishes nothing.
		assert_ok!(Market::retire_program(RuntimeOrigin::signed(PUBLISHER), 3));
		let poor = 99;
		assert_eq!(Balances::balance(&poor), 0);
		assert_noop!(publish_as(poor, [9; 32], histogram()), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn jobs_on_a_program_go_only_to_providers_that_opted_in() {
	new_test_ext().execute_with(|| {
		let w = setup();
		// Six jobs at once (four are assigned a block): without the opt-in, provider 13 would
		// be among the three drawn of four for nearly every one.
		let ids: Vec<JobId> = (0..6u8).map(|seed| order(w, job(seed)).unwrap()).collect();
		run_to_block(System::block_number() + 2);
		let assigned: std::collections::BTreeSet<AccountId> =
			ids.iter().flat_map(|id| assigned_to(*id)).collect();
		assert_eq!(ids.iter().filter(|id| !assigned_to(**id).is_empty()).count(), 6);
		assert!(!assigned.contains(&13), "a provider that did not opt in was assigned");
		assert!(assigned.is_subset(&[10, 11, 12].into()));
		// Provider 12 opts out, and 11 accepts less work than the job needs: too few are left.
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(12), None));
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(11), Some(N as u64 - 1)));
		assert_noop!(order(w, job(9)), Error::<Test>::NotEnoughProviders);
		// Limits decide: 13 opts in, 12 accepts exactly the job's work, 11 still too little.
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(13), Some(1 << 20)));
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(12), Some(N as u64)));
		let id = order(w, job(10)).unwrap();
		run_to_block(System::block_number() + 1);
		let mut got = assigned_to(id);
		got.sort();
		assert_eq!(got, vec![10, 12, 13]);
	});
}

#[test]
fn opting_in_is_for_registered_providers_and_ends_with_them() {
	new_test_ext().execute_with(|| {
		setup();
		assert_noop!(
			Market::set_program_limit(RuntimeOrigin::signed(1), Some(1)),
			Error::<Test>::NotProvider
		);
		assert_noop!(
			Market::set_program_limit(RuntimeOrigin::signed(10), Some(0)),
			Error::<Test>::InvalidProgramLimit
		);
		// Setting again replaces the limit.
		assert_ok!(Market::set_program_limit(RuntimeOrigin::signed(10), Some(7)));
		assert_eq!(ProgramProviders::<Test>::get().iter().filter(|(p, _)| *p == 10).count(), 1);
		assert!(ProgramProviders::<Test>::get().contains(&(10, 7)));
		// A provider that leaves takes its limit along.
		assert_ok!(Market::unbond(RuntimeOrigin::signed(10)));
		run_to_block(System::block_number() + 10);
		assert_ok!(Market::withdraw_bond(RuntimeOrigin::signed(10)));
		assert!(!ProgramProviders::<Test>::get().iter().any(|(p, _)| *p == 10));
	});
}

#[test]
fn a_job_on_a_program_is_checked_against_its_manifest() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let mut p = job(1);
		p.inputs[0] = DataRef::Blob { digest: INPUT, bytes: 4 * N as u64 - 1 };
		assert_noop!(order(w, p), Error::<Test>::InputSizeMismatch);
		let mut p = job(1);
		p.dims[0] = (1 << 20) + 1;
		assert_noop!(order(w, p), Error::<Test>::InvalidParams);
		let mut p = job(1);
		p.target = Some([0; 32]);
		assert_noop!(order(w, p), Error::<Test>::InvalidParams);
		let mut p = job(1);
		p.inputs.clear();
		assert_noop!(order(w, p), Error::<Test>::WrongInputCount);
		// An input blob of the right length that is not stored.
		let mut p = job(1);
		p.inputs[0] = DataRef::Blob { digest: [0xee; 32], bytes: 4 * N as u64 };
		assert_noop!(order(w, p), Error::<Test>::UnknownBlob);
		// The source must be kept until the deadline.
		put_blob(SOURCE, 2_000, System::block_number() + 10);
		assert_noop!(order(w, job(1)), Error::<Test>::SourceExpiresTooSoon);
	});
}

#[test]
fn retiring_releases_the_deposit_and_the_program_goes_with_its_last_job() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let id = order(w, job(1)).unwrap();
		assert_noop!(
			Market::retire_program(RuntimeOrigin::signed(6), w),
			Error::<Test>::NotProgramOwner
		);
		let before = Balances::balance(&PUBLISHER);
		assert_ok!(Market::retire_program(RuntimeOrigin::signed(PUBLISHER), w));
		assert_eq!(Balances::balance(&PUBLISHER), before + 50);
		assert_eq!(program_deposit_of(PUBLISHER), 0);
		assert!(market_events().contains(&Event::ProgramRetired {
			workload: w,
			delisted: false,
			deposit: 50
		}));
		assert_noop!(order(w, job(2)), Error::<Test>::WorkloadRetired);
		assert_noop!(
			Market::retire_program(RuntimeOrigin::signed(PUBLISHER), w),
			Error::<Test>::WorkloadRetired
		);
		// The job on it runs to its end; the program stays while the job is unpruned.
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), id));
		assert!(Programs::<Test>::contains_key(w));
		// Its source may be listed again at once.
		let again = publish_as(6, SOURCE, histogram()).unwrap();
		run_to_block(System::block_number() + 21);
		assert!(!Jobs::<Test>::contains_key(id));
		assert!(!Programs::<Test>::contains_key(w) && !Workloads::<Test>::contains_key(w));
		assert!(market_events().contains(&Event::ProgramRemoved { workload: w }));
		assert_eq!(ProgramCount::<Test>::get(), 1);
		assert_eq!(ProgramOfSource::<Test>::get(H256(SOURCE)), Some(again));
	});
}

#[test]
fn governance_delists_a_program_into_the_treasury_and_cannot_edit_one() {
	new_test_ext().execute_with(|| {
		let w = setup();
		assert_noop!(
			Market::delist_program(RuntimeOrigin::signed(PUBLISHER), w),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Market::update_workload(
				RuntimeOrigin::root(),
				w,
				WorkloadUpdate {
					kernel_hash: Some(H256::repeat_byte(1)),
					schema: None,
					price_floor: None,
					max_units: None,
					max_work: None,
					work_per_block: None,
				}
			),
			Error::<Test>::IsProgram
		);
		assert_noop!(Market::retire_workload(RuntimeOrigin::root(), w), Error::<Test>::IsProgram);
		assert_noop!(
			Market::delist_program(RuntimeOrigin::root(), MATMUL),
			Error::<Test>::NotProgram
		);
		let treasury = Balances::balance(&TREASURY);
		let publisher = Balances::balance(&PUBLISHER);
		assert_ok!(Market::delist_program(RuntimeOrigin::root(), w));
		assert_eq!(Balances::balance(&TREASURY), treasury + 50);
		assert_eq!(Balances::balance(&PUBLISHER), publisher);
		assert_eq!(program_deposit_of(PUBLISHER), 0);
		// Without jobs it is removed at once.
		assert!(!Programs::<Test>::contains_key(w) && !Workloads::<Test>::contains_key(w));
		assert_eq!(ProgramCount::<Test>::get(), 0);
	});
}
