//! The worker's results are what the chain accepts: its hash-search output passes the pallet's
//! own on-chain check, and its kernel hashes are `blake2_256` of the sources, as the registry
//! stores them.

use crucible_primitives::DataRef;
use crucible_worker::{
	blake2_256,
	device::{Device, DeviceChoice},
	kernels, JobParams,
};

#[test]
fn hash_search_output_passes_the_pallets_on_chain_check() {
	let device = Device::open(DeviceChoice::Auto).expect("an OpenCL device");
	for (i, t0) in [0x40u8, 0x10, 0x04].into_iter().enumerate() {
		let mut target = [0u8; 32];
		target[0] = t0;
		let p = JobParams {
			seed: blake2_256(&[i as u8, 42]),
			dims: vec![200_000].try_into().unwrap(),
			target: Some(target),
			inputs: Default::default(),
			publish_output: false,
		};
		let out = device.run(&kernels::HashSearch, &p, &[]).unwrap();
		// The chain's and the worker's parameters are one type.
		assert!(pallet_compute_market::verification::check_hash_search(
			&p,
			&out.small,
			&sp_core_h256(out.digest()),
		));
		// A tampered claim fails the same check.
		let mut bad = out.small.clone();
		bad[0] ^= 1;
		assert!(!pallet_compute_market::verification::check_hash_search(
			&p,
			&bad,
			&sp_core_h256(blake2_256(&bad)),
		));
	}
}

fn sp_core_h256(b: [u8; 32]) -> sp_core::H256 {
	sp_core::H256(b)
}

#[test]
fn the_runtimes_builtin_workloads_name_the_workers_kernels() {
	let registered = crucible_runtime::genesis_config_presets::builtin_workloads();
	let library = kernels::library();
	assert_eq!(registered.len(), library.len());
	for (w, k) in registered.iter().zip(library.iter()) {
		assert_eq!(w.name.to_vec(), k.name().as_bytes().to_vec());
		// The same inputs, of the same shapes.
		let shapes: Vec<(u32, u8)> =
			w.schema.inputs.iter().map(|i| (i.elem_bytes, i.power)).collect();
		assert_eq!(shapes, k.input_shapes().to_vec(), "input shapes of {}", k.name());
		assert_eq!(w.kernel_hash.0, k.kernel_hash(), "kernel hash of {}", k.name());
		assert_eq!(w.entry_point.to_vec(), k.entry_point().as_bytes().to_vec());
		// Every parameter set the chain's schema admits at its bounds, the worker accepts.
		let dims_max: Vec<u32> = w.schema.dims.iter().map(|d| d.max).collect();
		let dims_min: Vec<u32> = w.schema.dims.iter().map(|d| d.min).collect();
		let target = w.schema.needs_target.then_some([0xff; 32]);
		for dims in [dims_min, dims_max] {
			let p = JobParams {
				seed: [0; 32],
				dims: dims.try_into().unwrap(),
				target,
				inputs: Default::default(),
				publish_output: false,
			};
			assert!(k.validate(&p).is_ok(), "{} refuses {:?}", k.name(), p.dims);
		}
	}
}

/// What the pallet's offchain worker sends `worker_submit` parses into the worker's params, and
/// what `worker_result` returns parses back into what the offchain worker commits.
#[test]
fn offchain_worker_requests_and_worker_results_agree() {
	use crucible_worker::service::{JobResultView, WORKER_VERSION};
	use pallet_compute_market::offchain::{parse_result, submit_params};
	let chain = JobParams::new(blake2_256(b"compat"), &[64, 48, 100], Some([0x10; 32])).unwrap();
	let (kernel, params): (String, JobParams) =
		serde_json::from_str(&submit_params(b"mandelbrot-fixed", &chain))
			.expect("the worker parses it");
	assert_eq!(kernel, "mandelbrot-fixed");
	assert_eq!(params, chain);

	// Inputs travel too, and their JSON is the documented one.
	let with_inputs = chain
		.clone()
		.with_inputs(vec![
			DataRef::Blob { digest: [1; 32], bytes: 4096 },
			DataRef::Url {
				url: b"https://example.com/a.bin".to_vec().try_into().unwrap(),
				digest: [2; 32],
				bytes: 10,
			},
		])
		.unwrap();
	let json = submit_params(b"prefix-sum-data", &with_inputs);
	assert!(json.contains(&format!(
		r#""inputs":[{{"blob":{{"digest":"0x{}","bytes":4096}}}},{{"url":{{"url":"https://example.com/a.bin","digest":"0x{}","bytes":10}}}}]"#,
		hex::encode([1u8; 32]),
		hex::encode([2u8; 32])
	)), "{json}");
	let (_, parsed): (String, JobParams) = serde_json::from_str(&json).unwrap();
	assert_eq!(parsed, with_inputs);
	// A job without inputs sends none (workers from before inputs parse it).
	assert!(!submit_params(b"mandelbrot-fixed", &chain).contains("inputs"));

	let k = kernels::by_name("mandelbrot-fixed").unwrap();
	let out = k.reference(&JobParams { target: None, ..params }, &[]).unwrap();
	let view = JobResultView {
		kernel: k.name().into(),
		kernel_hash: format!("0x{}", hex::encode(k.kernel_hash())),
		output_digest: format!("0x{}", hex::encode(out.digest())),
		small_output: format!("0x{}", hex::encode(&out.small)),
		output_bytes: out.bytes.len() as u64,
		device_class: "Vendor/Device/1.0".into(),
		worker_version: WORKER_VERSION,
		seconds: 0.5,
	};
	let json = serde_json::to_value(&view).unwrap();
	let computed = parse_result(&json, &sp_core::H256(k.kernel_hash()), [9; 32])
		.expect("the chain side parses it");
	assert_eq!(computed.output_digest.0, out.digest());
	assert_eq!(computed.small_output, out.small);
	assert_eq!(computed.device_class, b"Vendor/Device/1.0".to_vec());
	assert_eq!(computed.worker_version, WORKER_VERSION);
	// A result of another kernel is refused.
	assert!(parse_result(&json, &sp_core::H256([0xee; 32]), [9; 32]).is_none());
}

/// What the worker reports for an input it cannot have is what the chain reads as "input
/// unavailable", for that input and no other, and only on jobs that name it.
#[test]
fn an_unavailable_input_report_is_what_the_chain_recognises() {
	use crucible_runtime::Runtime;
	use pallet_compute_market::Pallet;
	let p = JobParams::new([0; 32], &[4], None)
		.unwrap()
		.with_inputs(vec![
			DataRef::Blob { digest: [1; 32], bytes: 16 },
			DataRef::Blob { digest: [2; 32], bytes: 16 },
		])
		.unwrap();
	for i in 0..2u8 {
		let report = blake2_256(&crucible_primitives::unavailable_preimage(i));
		assert_eq!(Pallet::<Runtime>::unavailable_input(&p, &sp_core::H256(report)), Some(i));
	}
	let third = blake2_256(&crucible_primitives::unavailable_preimage(2));
	assert_eq!(Pallet::<Runtime>::unavailable_input(&p, &sp_core::H256(third)), None);
	let none = JobParams::new([0; 32], &[4], None).unwrap();
	let first = blake2_256(&crucible_primitives::unavailable_preimage(0));
	assert_eq!(Pallet::<Runtime>::unavailable_input(&none, &sp_core::H256(first)), None);
}

/// One work bound for both sides: every job the chain admits for a built-in workload — at the
/// edges of its schema, each dimension alone at its maximum, and the largest the work bound
/// allows — is one the worker's default service accepts (its work is within `MAX_WORK`), and
/// the chain's work measure is the worker's (up to the Merkle root's two hashes a leaf).
#[test]
fn every_job_the_chain_admits_the_worker_runs() {
	use crucible_runtime::Runtime;
	use crucible_worker::service::ServiceConfig;
	use pallet_compute_market::{Pallet, MAX_WORK};
	assert_eq!(ServiceConfig::default().max_work, MAX_WORK);
	assert_eq!(MAX_WORK, crucible_primitives::MAX_WORK);
	let mut admitted = 0;
	for (w, k) in crucible_runtime::genesis_config_presets::builtin_workloads()
		.iter()
		.zip(kernels::library())
	{
		let mins: Vec<u32> = w.schema.dims.iter().map(|d| d.min).collect();
		let maxs: Vec<u32> = w.schema.dims.iter().map(|d| d.max).collect();
		let mut candidates = vec![mins.clone(), maxs.clone()];
		for i in 0..mins.len() {
			let mut one = mins.clone();
			one[i] = maxs[i];
			candidates.push(one);
		}
		// The largest admitted job: grow each dimension in turn as far as the bound allows.
		let mut largest = mins.clone();
		for i in 0..largest.len() {
			let (mut lo, mut hi) = (largest[i], maxs[i]);
			while lo < hi {
				let mid = lo + (hi - lo).div_ceil(2);
				let mut p = largest.clone();
				p[i] = mid;
				let chain =
					JobParams::new([0; 32], &p, w.schema.needs_target.then_some([0xff; 32]))
						.unwrap();
				if Pallet::<Runtime>::work_of(w, &chain).is_ok() {
					lo = mid;
				} else {
					hi = mid - 1;
				}
			}
			largest[i] = lo;
		}
		candidates.push(largest);
		for dims in candidates {
			let p = JobParams::new([0; 32], &dims, w.schema.needs_target.then_some([0xff; 32]))
				.unwrap();
			let Ok(chain_work) = Pallet::<Runtime>::work_of(w, &p) else { continue };
			admitted += 1;
			let work =
				k.validate(&p).unwrap_or_else(|e| panic!("{} refuses {dims:?}: {e}", k.name()));
			assert!(
				work <= MAX_WORK,
				"{} {dims:?}: the worker's work {work} is beyond its bound",
				k.name()
			);
			let factor = if k.name().starts_with("merkle-root") { 2 } else { 1 };
			assert_eq!(
				work,
				chain_work * factor,
				"{} {dims:?}: the chain and the worker measure work alike",
				k.name()
			);
		}
	}
	assert!(admitted >= 15, "{admitted}");
}
