//! Benchmarks of every call and of the per-job work of the hooks (frame-benchmarking v2).

use super::*;
use crate::pallet::Pallet as Market;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::{
	traits::{One, Saturating},
	RuntimeAppPublic,
};

const SEED: u32 = 0;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, SEED);
	let amount = T::MinProviderBond::get()
		.saturating_mul(1_000_000u32.into())
		.max(1_000_000_000u32.into());
	let _ = T::Currency::set_balance(&who, amount);
	who
}

fn device_class() -> DeviceClass {
	BoundedVec::truncate_from(b"bench/cpu/1".to_vec())
}

fn max_device_classes<T: Config>() -> BoundedVec<DeviceClass, T::MaxDeviceClasses> {
	let classes: Vec<DeviceClass> = (0..T::MaxDeviceClasses::get())
		.map(|i| {
			let mut c = device_class().to_vec();
			c.extend_from_slice(&i.to_le_bytes());
			BoundedVec::truncate_from(c)
		})
		.collect();
	let mut classes = classes;
	classes[0] = device_class();
	BoundedVec::truncate_from(classes)
}

/// Register `n` fresh providers, on a market without any (a genesis may have registered some,
/// and every benchmark wants the whole `MaxProviders` range).
fn register_providers<T: Config>(n: u32) -> Vec<T::AccountId> {
	let _ = Providers::<T>::clear(u32::MAX, None);
	Candidates::<T>::kill();
	(0..n)
		.map(|i| {
			let who = funded::<T>("provider", i);
			let key = crypto::Public::generate_pair(None);
			Market::<T>::do_register_provider(
				who.clone(),
				T::MinProviderBond::get(),
				key,
				max_device_classes::<T>(),
			)
			.expect("provider registers");
			who
		})
		.collect()
}

/// The replicas a job may have that is closest to `r` from above: a replicated workload admits
/// 1 (quorum 1) or `quorum + 1 ..= 2 × quorum − 1`, which leaves out 2.
fn valid_replicas(r: u32) -> u32 {
	if r == 2 {
		3
	} else {
		r
	}
}

/// A replicated workload whose quorum admits `valid_replicas(replicas)` replicas; not bit-exact,
/// so that reveals also check the device classes' age.
fn workload<T: Config>(replicas: u32) -> WorkloadId {
	let replicas = valid_replicas(replicas);
	let quorum = (replicas / 2 + 1) as u8;
	let w = Workload {
		name: BoundedVec::truncate_from(b"bench".to_vec()),
		kernel_hash: H256::repeat_byte(7),
		entry_point: BoundedVec::truncate_from(b"bench".to_vec()),
		schema: ParamSchema {
			dims: BoundedVec::truncate_from(vec![
				DimBound { min: 1, max: 1 << 20, power: 1 };
				MAX_DIMS as usize
			]),
			needs_target: false,
			// The most inputs, each of one byte (every dimension is 1 in the benchmark jobs):
			// each is looked up at submission and checked against every reveal.
			inputs: BoundedVec::truncate_from(vec![
				InputShape { elem_bytes: 1, power: 1 };
				MAX_INPUTS as usize
			]),
		},
		verification: VerificationClass::Replicated { quorum, bit_exact: false },
		unit_size: 1,
		max_work: MAX_WORK,
		work_per_block: MAX_WORK,
		price_floor: 1u32.into(),
		max_units: u32::MAX,
		retired: false,
	};
	Market::<T>::do_register_workload(w).expect("workload registers")
}

/// The benchmark job's parameters: every dimension 1, and the most inputs, each a stored blob
/// of one byte kept for a long time.
fn job_params<T: Config>() -> JobParams {
	use crucible_primitives::data::BlobInspect;
	let inputs = (0..MAX_INPUTS as u8)
		.map(|i| {
			let hash = [0xb0 + i; 32];
			T::Blobs::insert_for_benchmark(hash, 1, sp_runtime::traits::Bounded::max_value());
			DataRef::Blob { digest: hash, bytes: 1 }
		})
		.collect::<Vec<_>>();
	JobParams {
		seed: [1; 32],
		dims: BoundedVec::truncate_from(vec![1; MAX_DIMS as usize]),
		target: None,
		inputs: BoundedVec::truncate_from(inputs),
		// Verification keeps a reserve and opens publishing turns: the heavier settlement.
		publish_output: true,
	}
}

/// A job verified on `valid_replicas(MaxReplicas)` replicas that all revealed `output`'s digest,
/// now waiting for its output. Returns the job and its accepted providers.
fn awaiting_output<T: Config>(output: &[u8]) -> (JobId, Vec<T::AccountId>) {
	let (id, providers) = assigned_job::<T>(T::MaxReplicas::get());
	let mut job = Jobs::<T>::get(id).expect("job");
	let d = H256(sp_io::hashing::blake2_256(output));
	for a in job.assignments.iter_mut() {
		a.commitment = Some(H256::zero());
		a.reveal = Some(Reveal {
			output_digest: d,
			small_output: full_output(),
			device_class: device_class(),
			worker_version: 1,
		});
	}
	let now = frame_system::Pallet::<T>::block_number();
	Market::<T>::settle(id, job, now);
	assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Publishing));
	(id, providers)
}

/// The largest manifest the kernel ABI admits in every bound that costs the chain work: the
/// most dimensions (1 to 2 each), inputs, buffers, launches and arguments, each expression of
/// the most terms of the most factors.
fn max_manifest() -> Manifest {
	use crucible_primitives::program::*;
	let name = |c: u8| Name::truncate_from(vec![c; MAX_NAME_LEN as usize]);
	let term = Term::new(1, &[0, 1, 2, 3][..MAX_FACTORS.min(MAX_DIMS) as usize]).expect("term");
	let expr = Expr::new(vec![term; MAX_TERMS as usize]).expect("expr");
	let dims = (0..MAX_DIMS as u8)
		.map(|i| Dim { name: name(b'a' + i), min: 1, max: 2 })
		.collect();
	let inputs = vec![expr.clone(); MAX_INPUTS as usize];
	let buffers: Vec<Buffer> =
		(0..MAX_BUFFERS as u8)
			.map(|i| {
				if (i as u32) < MAX_INPUTS {
					Buffer::Input(i)
				} else {
					Buffer::Output(expr.clone())
				}
			})
			.collect();
	let output = (MAX_INPUTS as u8..MAX_BUFFERS as u8).collect::<Vec<_>>();
	let args = (0..MAX_ARGS)
		.map(|i| match i % 3 {
			0 => Arg::Buffer((i % MAX_BUFFERS) as u8),
			1 => Arg::Uint(expr.clone()),
			_ => Arg::Local(expr.clone()),
		})
		.collect::<Vec<_>>();
	let launch = Launch {
		entry: name(b'k'),
		global: BoundedVec::truncate_from(vec![expr.clone(); 3]),
		local: BoundedVec::truncate_from(vec![1; 3]),
		args: BoundedVec::truncate_from(args),
	};
	let m = Manifest {
		dims: BoundedVec::truncate_from(dims),
		inputs: BoundedVec::truncate_from(inputs),
		buffers: BoundedVec::truncate_from(buffers),
		launches: BoundedVec::truncate_from(vec![launch; MAX_LAUNCHES as usize]),
		output: BoundedVec::truncate_from(output),
		verification: Verification { quorum: 1, bit_exact: false },
		work: expr,
		unit_size: 1,
		max_work: MAX_WORK,
	};
	assert_eq!(m.check(), Ok(()), "the benchmark manifest passes its checks");
	m
}

/// A stored source blob of the largest size, kept for a long time.
fn program_source<T: Config>(i: u8) -> H256 {
	use crucible_primitives::data::BlobInspect;
	let hash = [0x5c ^ i; 32];
	T::Blobs::insert_for_benchmark(
		hash,
		crucible_primitives::program::MAX_SOURCE_BYTES,
		sp_runtime::traits::Bounded::max_value(),
	);
	H256(hash)
}

fn program_terms<T: Config>() -> ProgramTerms<BalanceOf<T>> {
	ProgramTerms { price_floor: 1u32.into(), max_units: u32::MAX, work_per_block: MAX_WORK }
}

/// Publish the largest program with a quorum admitting `valid_replicas(replicas)` replicas, and
/// opt every registered provider in to it.
fn program<T: Config>(replicas: u32) -> WorkloadId {
	let replicas = valid_replicas(replicas);
	let mut m = max_manifest();
	m.verification.quorum = (replicas / 2 + 1) as u8;
	let owner = funded::<T>("publisher", 0);
	let id = Market::<T>::do_publish_program(
		owner,
		BoundedVec::truncate_from(b"bench-program".to_vec()),
		program_source::<T>(0),
		m,
		program_terms::<T>(),
	)
	.expect("program publishes");
	for (who, _) in Providers::<T>::iter() {
		Market::<T>::do_set_program_limit(who, Some(MAX_WORK)).expect("opts in");
	}
	id
}

/// The units a job of [`program_params`] needs.
fn program_units() -> u32 {
	max_manifest().work.eval(&[1; MAX_DIMS as usize]).expect("work") as u32
}

/// Parameters of a job on [`program`]: every dimension 1, each input a stored blob of the
/// length the manifest gives.
fn program_params<T: Config>() -> JobParams {
	use crucible_primitives::data::BlobInspect;
	let m = max_manifest();
	let dims = vec![1; MAX_DIMS as usize];
	let inputs = (0..MAX_INPUTS as usize)
		.map(|i| {
			let hash = [0xa0 + i as u8; 32];
			let bytes = m.inputs[i].eval(&dims).expect("input length");
			T::Blobs::insert_for_benchmark(hash, bytes, sp_runtime::traits::Bounded::max_value());
			DataRef::Blob { digest: hash, bytes }
		})
		.collect::<Vec<_>>();
	JobParams {
		seed: [1; 32],
		dims: BoundedVec::truncate_from(dims),
		target: None,
		inputs: BoundedVec::truncate_from(inputs),
		publish_output: true,
	}
}

/// Make the workload of job `id` look like the largest open program to settlement, which reads
/// the program to know its failure reports.
fn as_program<T: Config>(id: JobId) {
	let w = Jobs::<T>::get(id).expect("job").workload;
	Programs::<T>::insert(
		w,
		Program {
			owner: funded::<T>("publisher", 0),
			deposit: sp_runtime::traits::Zero::zero(),
			source_bytes: crucible_primitives::program::MAX_SOURCE_BYTES as u32,
			manifest: max_manifest(),
			jobs: 1,
		},
	);
}

fn deadline<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
		.saturating_add(Market::<T>::attempt_length(0))
		.saturating_add(Market::<T>::attempt_length(0))
		.saturating_add(Market::<T>::attempt_length(0))
}

/// `consumer` orders the benchmark job on workload `w` with `replicas` replicas: one unit at a
/// price of 1, due by [`deadline`].
fn submit<T: Config>(consumer: T::AccountId, w: WorkloadId, replicas: u32) -> JobId {
	Market::<T>::do_submit_job(
		consumer,
		w,
		job_params::<T>(),
		1,
		replicas as u8,
		1u32.into(),
		deadline::<T>(),
	)
	.expect("job submits")
}

/// Submit a job with `valid_replicas(replicas)` replicas and assign it among `MaxProviders`
/// fresh providers (the most candidates a settlement updates; their device classes declared a
/// block before the assignment). Returns the job and its assigned providers.
fn assigned_job<T: Config>(replicas: u32) -> (JobId, Vec<T::AccountId>) {
	let replicas = valid_replicas(replicas);
	register_providers::<T>(T::MaxProviders::get().max(replicas));
	let consumer = funded::<T>("consumer", 0);
	let w = workload::<T>(replicas);
	let id = submit::<T>(consumer, w, replicas);
	let next = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
	frame_system::Pallet::<T>::set_block_number(next);
	Market::<T>::assign_pending(next);
	let job = Jobs::<T>::get(id).expect("job exists");
	assert_eq!(job.assignments.len() as u32, replicas);
	(id, job.assignments.iter().map(|a| a.provider.clone()).collect())
}

fn salt() -> [u8; 32] {
	[9; 32]
}

fn digest() -> H256 {
	H256::repeat_byte(0xd1)
}

fn commit_all<T: Config>(id: JobId, providers: &[T::AccountId]) {
	for p in providers {
		let c = Market::<T>::commitment_of(id, &digest(), &full_output(), &salt(), p);
		Market::<T>::do_commit(p.clone(), id, c).expect("commits");
	}
}

fn attestation<T: Config>(id: JobId, who: &T::AccountId) -> Attestation {
	let info = Providers::<T>::get(who).expect("provider");
	let job = Jobs::<T>::get(id).expect("job");
	let msg = Market::<T>::attestation_message(
		id,
		job.kernel_hash,
		digest(),
		&full_output(),
		1,
		&device_class(),
	);
	let signature = info.compute_key.sign(&msg).expect("key is in the keystore");
	Attestation { worker_version: 1, device_class: device_class(), signature }
}

fn full_output() -> SmallOutput {
	BoundedVec::truncate_from(vec![0xab; MAX_SMALL_OUTPUT as usize])
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_workload() -> Result<(), BenchmarkError> {
		let origin =
			T::WorkloadOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let w = Workload {
			name: BoundedVec::truncate_from(vec![b'w'; MAX_NAME_LEN as usize]),
			kernel_hash: H256::repeat_byte(1),
			entry_point: BoundedVec::truncate_from(vec![b'e'; MAX_ENTRY_POINT_LEN as usize]),
			schema: ParamSchema {
				dims: BoundedVec::truncate_from(vec![
					DimBound { min: 1, max: 10, power: 3 };
					MAX_DIMS as usize
				]),
				needs_target: true,
				inputs: BoundedVec::truncate_from(vec![
					InputShape { elem_bytes: 1, power: 3 };
					MAX_INPUTS as usize
				]),
			},
			verification: VerificationClass::Replicated { quorum: 1, bit_exact: false },
			unit_size: 1,
			max_work: MAX_WORK,
			work_per_block: MAX_WORK / MAX_WORK_BLOCKS,
			price_floor: 1u32.into(),
			max_units: 10,
			retired: false,
		};
		let id = NextWorkloadId::<T>::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, w);
		assert!(Workloads::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn update_workload() -> Result<(), BenchmarkError> {
		let origin =
			T::WorkloadOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = workload::<T>(1);
		let update = WorkloadUpdate {
			kernel_hash: Some(H256::repeat_byte(2)),
			schema: Some(ParamSchema {
				dims: BoundedVec::truncate_from(vec![
					DimBound { min: 1, max: 9, power: 2 };
					MAX_DIMS as usize
				]),
				needs_target: false,
				inputs: BoundedVec::truncate_from(vec![
					InputShape { elem_bytes: 1, power: 1 };
					MAX_INPUTS as usize
				]),
			}),
			price_floor: Some(2u32.into()),
			max_units: Some(99),
			max_work: Some(MAX_WORK / 2),
			work_per_block: Some(MAX_WORK / MAX_WORK_BLOCKS),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, update);
		assert_eq!(Workloads::<T>::get(id).map(|w| w.max_units), Some(99));
		Ok(())
	}

	#[benchmark]
	fn retire_workload() -> Result<(), BenchmarkError> {
		let origin =
			T::WorkloadOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = workload::<T>(1);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Workloads::<T>::get(id).map(|w| w.retired), Some(true));
		Ok(())
	}

	#[benchmark]
	fn register_provider(p: Linear<0, { T::MaxProviders::get() - 1 }>) {
		register_providers::<T>(p);
		let who = funded::<T>("new", 0);
		let key = crypto::Public::generate_pair(None);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			T::MinProviderBond::get(),
			key,
			max_device_classes::<T>(),
		);
		assert!(Providers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn bond_more(p: Linear<1, { T::MaxProviders::get() }>) {
		let providers = register_providers::<T>(p);
		let who = providers[providers.len() - 1].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinProviderBond::get());
		assert_eq!(
			Providers::<T>::get(&who).map(|i| i.bond),
			Some(T::MinProviderBond::get().saturating_mul(2u32.into()))
		);
	}

	#[benchmark]
	fn unbond(p: Linear<1, { T::MaxProviders::get() }>) {
		let providers = register_providers::<T>(p);
		let who = providers[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(matches!(
			Providers::<T>::get(&who).map(|i| i.status),
			Some(ProviderStatus::Leaving { .. })
		));
	}

	#[benchmark]
	fn withdraw_bond() {
		let who = register_providers::<T>(1).remove(0);
		Market::<T>::do_unbond(who.clone()).expect("unbonds");
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Providers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn submit_job() {
		let consumer = funded::<T>("consumer", 0);
		let replicas = T::MaxReplicas::get();
		register_providers::<T>(T::MaxProviders::get());
		let w = workload::<T>(replicas);
		// A queue that is nearly full, filled by many accounts.
		let per_account = T::MaxPendingPerAccount::get().min(T::MaxJobsPerAccount::get()).max(1);
		for i in 0..T::MaxPendingJobs::get().saturating_sub(1) {
			let filler = if i % per_account == 0 {
				funded::<T>("filler", i / per_account)
			} else {
				account("filler", i / per_account, SEED)
			};
			let _ = Market::<T>::do_submit_job(
				filler,
				w,
				job_params::<T>(),
				1,
				replicas as u8,
				1u32.into(),
				deadline::<T>(),
			);
		}
		// The measured order is on an open program, the heavier path: its manifest checks the
		// dimensions and inputs, only opted-in providers count, and its source's retention is
		// checked.
		let pw = program::<T>(replicas);
		let id = NextJobId::<T>::get();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(consumer),
			pw,
			program_params::<T>(),
			1_000,
			replicas as u8,
			1_000u32.into(),
			deadline::<T>(),
		);
		assert!(Jobs::<T>::contains_key(id));
	}

	#[benchmark]
	fn cancel_job(q: Linear<1, { T::MaxPendingJobs::get() }>) {
		register_providers::<T>(1);
		let consumer = funded::<T>("consumer", 0);
		let w = workload::<T>(1);
		// `q` jobs queued by many accounts; the consumer's is the last.
		let per_account = T::MaxPendingPerAccount::get().min(T::MaxJobsPerAccount::get()).max(1);
		for i in 0..q.saturating_sub(1) {
			let filler = if i % per_account == 0 {
				funded::<T>("filler", i / per_account)
			} else {
				account("filler", i / per_account, SEED)
			};
			submit::<T>(filler, w, 1);
		}
		let last = submit::<T>(consumer.clone(), w, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer), last);
		assert_eq!(Jobs::<T>::get(last).map(|j| j.status), Some(JobStatus::Refunded));
	}

	#[benchmark]
	fn commit_result() {
		let (id, providers) = assigned_job::<T>(T::MaxReplicas::get());
		let who = providers[0].clone();
		let c = Market::<T>::commitment_of(id, &digest(), &full_output(), &salt(), &who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, c);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Committing));
	}

	/// A reveal that is not the last one (the settlement it may trigger is `settle_job`).
	#[benchmark]
	fn reveal_result() {
		let (id, providers) = assigned_job::<T>(T::MaxReplicas::get().max(2));
		commit_all::<T>(id, &providers);
		let who = providers[0].clone();
		let att = attestation::<T>(id, &who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, digest(), salt(), full_output(), att);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Revealing));
	}

	/// Replacing `MaxDeviceClasses` classes with as many others.
	#[benchmark]
	fn set_device_classes() {
		let who = register_providers::<T>(1)[0].clone();
		let classes: Vec<DeviceClass> = max_device_classes::<T>()
			.into_iter()
			.map(|c| {
				let mut c = c.to_vec();
				c.push(b'+');
				BoundedVec::truncate_from(c)
			})
			.collect();
		let classes = BoundedVec::truncate_from(classes);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), classes.clone());
		assert_eq!(Providers::<T>::get(&who).map(|i| i.device_classes), Some(classes));
	}

	/// `on_initialize` with nothing to settle and nothing pending.
	#[benchmark]
	fn on_initialize_base() {
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Market::<T>::on_initialize(now);
		}
	}

	/// Assigning one job with `MaxReplicas` replicas among `p` candidates, all but `MaxReplicas`
	/// of which are drawn and found ineligible (their assignment index is full): the draw reads
	/// every candidate.
	#[benchmark]
	fn assign_job(p: Linear<{ T::MaxReplicas::get() }, { T::MaxProviders::get() }>) {
		let providers = register_providers::<T>(p);
		let replicas = T::MaxReplicas::get();
		for who in providers.iter().skip(replicas as usize) {
			Providers::<T>::mutate(who, |i| {
				if let Some(i) = i {
					i.open_assignments = T::MaxAssignmentsPerProvider::get();
				}
			});
		}
		let consumer = funded::<T>("consumer", 0);
		// A job on an open program, with every provider opted in: the draw first filters the
		// candidates by their program limits.
		let w = program::<T>(replicas);
		let id = Market::<T>::do_submit_job(
			consumer,
			w,
			program_params::<T>(),
			program_units(),
			valid_replicas(replicas) as u8,
			1u32.into(),
			deadline::<T>(),
		)
		.expect("job submits");
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Market::<T>::assign_pending(now);
		}
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Assigned));
	}

	/// Expiring one pending job whose deadline has passed.
	#[benchmark]
	fn expire_job() {
		register_providers::<T>(1);
		let consumer = funded::<T>("consumer", 0);
		let w = workload::<T>(1);
		let id = submit::<T>(consumer, w, 1);
		let late = deadline::<T>();
		frame_system::Pallet::<T>::set_block_number(late);
		#[block]
		{
			Market::<T>::assign_pending(late);
		}
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Expired));
	}

	/// Settling an attempt with `r` replicas: all but one agree (paid, rewarded), one revealed
	/// another digest (slashed) — every settlement path at once.
	#[benchmark]
	fn settle_job(r: Linear<1, { T::MaxReplicas::get() }>) {
		let (id, providers) = assigned_job::<T>(r);
		commit_all::<T>(id, &providers);
		as_program::<T>(id);
		let mut job = Jobs::<T>::get(id).expect("job");
		job.assignments.truncate(r as usize);
		for (i, a) in job.assignments.iter_mut().enumerate() {
			let d = if i == 0 && r > 2 { H256::repeat_byte(0xee) } else { digest() };
			a.reveal = Some(Reveal {
				output_digest: d,
				small_output: full_output(),
				device_class: device_class(),
				worker_version: 1,
			});
		}
		let now = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		#[block]
		{
			Market::<T>::settle(id, job, now);
		}
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Publishing));
	}

	/// Settling an attempt with `r` replicas that all committed and none revealed: every one is
	/// slashed, and the job goes back to the queue for another attempt.
	#[benchmark]
	fn settle_job_all_slashed(r: Linear<1, { T::MaxReplicas::get() }>) {
		let (id, providers) = assigned_job::<T>(r);
		commit_all::<T>(id, &providers);
		as_program::<T>(id);
		let mut job = Jobs::<T>::get(id).expect("job");
		job.assignments.truncate(r as usize);
		let now = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		#[block]
		{
			Market::<T>::settle(id, job, now);
		}
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Pending));
	}

	/// Declining one assignment that is not the last one left (the settlement it may trigger
	/// is `settle_job`).
	#[benchmark]
	fn decline_job() {
		let (id, providers) = assigned_job::<T>(T::MaxReplicas::get());
		let who = providers[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert!(Jobs::<T>::get(id).is_some_and(|j| j.assignments[0].declined));
	}

	/// Evicting a suspended provider among `p`.
	#[benchmark]
	fn evict_provider(p: Linear<1, { T::MaxProviders::get() }>) {
		let providers = register_providers::<T>(p);
		let who = providers[0].clone();
		Providers::<T>::mutate(&who, |i| {
			if let Some(i) = i {
				i.status = ProviderStatus::Suspended;
			}
		});
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), who.clone());
		assert!(!Providers::<T>::contains_key(&who));
	}

	/// Pruning one finished job.
	/// Pruning the last job on a retired open program, which removes the program too.
	#[benchmark]
	fn prune_job() {
		register_providers::<T>(1);
		let consumer = funded::<T>("consumer", 0);
		let w = program::<T>(1);
		let id = Market::<T>::do_submit_job(
			consumer.clone(),
			w,
			program_params::<T>(),
			program_units(),
			1,
			1u32.into(),
			deadline::<T>(),
		)
		.expect("job submits");
		Market::<T>::do_cancel_job(consumer, id).expect("cancels");
		Market::<T>::do_retire_program(Some(account("publisher", 0, SEED)), w).expect("retires");
		assert!(Programs::<T>::contains_key(w));
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::RetentionPeriod::get());
		#[block]
		{
			Market::<T>::prune(later, Weight::MAX);
		}
		assert!(!Jobs::<T>::contains_key(id));
		assert!(!Programs::<T>::contains_key(w));
	}

	/// Publishing an output of `l` bytes: hashed, stored as a blob (checked against the
	/// extrinsic's bytes), the publisher paid and the consumer refunded.
	#[benchmark]
	fn publish_output(
		l: Linear<
			1,
			{ <T::Blobs as crucible_primitives::data::BlobStore<T::AccountId>>::max_blob_size() },
		>,
	) {
		let output = vec![0xab; l as usize];
		let (id, providers) = awaiting_output::<T>(&output);
		// The executive notes the extrinsic, which ends with the output, before dispatching it.
		frame_system::Pallet::<T>::set_extrinsic_index(0);
		frame_system::Pallet::<T>::note_extrinsic(output.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(providers[0].clone()), id, output);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Verified));
	}

	/// Closing the publishing turns of `n` jobs nobody published: each reserve refunded.
	#[benchmark]
	fn close_output_turns(n: Linear<0, { T::MaxAssignPerBlock::get() }>) {
		let (id, _) = awaiting_output::<T>(b"output");
		let escrow = Jobs::<T>::get(id).expect("job").escrow;
		let since = AwaitingOutput::<T>::get(id).expect("awaiting");
		// `n` copies of the job, each with its escrow in the escrow account.
		let tail = OutputTail::<T>::get();
		OutputQueue::<T>::remove(tail - 1);
		OutputTail::<T>::put(tail - 1);
		AwaitingOutput::<T>::remove(id);
		for i in 0..n as u64 {
			let copy = id + 1_000 + i;
			T::Currency::mint_into(&Market::<T>::escrow_account(), escrow).expect("mints");
			Jobs::<T>::insert(copy, Jobs::<T>::get(id).expect("job"));
			AwaitingOutput::<T>::insert(copy, since);
			let t = OutputTail::<T>::get();
			OutputQueue::<T>::insert(t, (Market::<T>::last_turn_end(since), copy));
			OutputTail::<T>::put(t + 1);
		}
		let after = Market::<T>::last_turn_end(since).saturating_add(One::one());
		#[block]
		{
			Market::<T>::close_output_turns(after);
		}
		assert_eq!(OutputHead::<T>::get(), OutputTail::<T>::get());
	}

	/// Resolving a waiting job's `MAX_INPUTS` output references, the worst case: every upstream
	/// is read with its blob, the first published, the last of another length, so that the job
	/// ends and is refunded.
	#[benchmark]
	fn resolve_outputs() {
		use crucible_primitives::data::BlobInspect;
		register_providers::<T>(1);
		let consumer = funded::<T>("consumer", 0);
		let w = workload::<T>(1);
		let upstreams: Vec<JobId> =
			(0..MAX_INPUTS).map(|_| submit::<T>(consumer.clone(), w, 1)).collect();
		let mut params = job_params::<T>();
		params.inputs = BoundedVec::truncate_from(
			upstreams
				.iter()
				.map(|u| DataRef::Output { job: *u, bytes: 1 })
				.collect::<Vec<_>>(),
		);
		let id =
			Market::<T>::do_submit_job(consumer, w, params, 1, 1, 1u32.into(), deadline::<T>())
				.expect("job submits");
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Waiting));
		for (i, u) in upstreams.iter().enumerate() {
			let d = H256::repeat_byte(0xc0 + i as u8);
			let bytes = if i + 1 == upstreams.len() { 2 } else { 1 };
			T::Blobs::insert_for_benchmark(d.0, bytes, sp_runtime::traits::Bounded::max_value());
			Jobs::<T>::mutate(u, |j| {
				let j = j.as_mut().expect("job");
				j.status = JobStatus::Verified;
				j.result = Some(JobResult {
					output_digest: d,
					small_output: Default::default(),
					accepted: 1,
				});
			});
		}
		let mut job = Jobs::<T>::get(id).expect("job");
		#[block]
		{
			Market::<T>::advance_waiting(id, &mut job);
		}
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::InputUnavailable));
	}

	/// Publishing the largest manifest: checked, the source looked up, the deposit held.
	#[benchmark]
	fn publish_program() {
		let owner = funded::<T>("publisher", 0);
		let source = program_source::<T>(1);
		let id = NextWorkloadId::<T>::get();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			BoundedVec::truncate_from(vec![b'p'; MAX_NAME_LEN as usize]),
			source,
			max_manifest(),
			program_terms::<T>(),
		);
		assert!(Programs::<T>::contains_key(id));
	}

	/// Retiring a program without jobs: the deposit released, the program and its workload
	/// removed.
	#[benchmark]
	fn retire_program() {
		let w = program::<T>(1);
		let owner: T::AccountId = account("publisher", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), w);
		assert!(!Programs::<T>::contains_key(w));
	}

	/// Setting a program limit with `p` providers opted in already.
	#[benchmark]
	fn set_program_limit(p: Linear<1, { T::MaxProviders::get() }>) {
		let providers = register_providers::<T>(p);
		for who in &providers {
			Market::<T>::do_set_program_limit(who.clone(), Some(1)).expect("opts in");
		}
		let who = providers.last().cloned().expect("a provider");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(MAX_WORK));
		assert!(ProgramProviders::<T>::get().iter().any(|(p, l)| *p == who && *l == MAX_WORK));
	}

	impl_benchmark_test_suite!(Market, crate::mock::new_test_ext(), crate::mock::Test);
}
