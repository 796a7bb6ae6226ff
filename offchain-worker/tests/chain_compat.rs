//! The worker's results are what the chain accepts: its hash-search output passes the pallet's
//! own on-chain check, and its kernel hashes are `blake2_256` of the sources, as the registry
//! stores them.

use crucible_worker::{blake2_256, device::{Device, DeviceChoice}, kernels, JobParams};
use frame_support::BoundedVec;

#[test]
fn hash_search_output_passes_the_pallets_on_chain_check() {
	let device = Device::open(DeviceChoice::Auto).expect("an OpenCL device");
	for (i, t0) in [0x40u8, 0x10, 0x04].into_iter().enumerate() {
		let mut target = [0u8; 32];
		target[0] = t0;
		let p = JobParams { seed: blake2_256(&[i as u8, 42]), dims: vec![200_000], target: Some(target) };
		let out = device.run(&kernels::HashSearch, &p).unwrap();
		let chain_params = pallet_compute_market::JobParams {
			seed: p.seed,
			dims: BoundedVec::truncate_from(p.dims.clone()),
			target: p.target,
		};
		assert!(pallet_compute_market::verification::check_hash_search(
			&chain_params,
			&out.small,
			&sp_core_h256(out.digest()),
		));
		// A tampered claim fails the same check.
		let mut bad = out.small.clone();
		bad[0] ^= 1;
		assert!(!pallet_compute_market::verification::check_hash_search(
			&chain_params,
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
		assert_eq!(w.kernel_hash.0, k.kernel_hash(), "kernel hash of {}", k.name());
		assert_eq!(w.entry_point.to_vec(), k.entry_point().as_bytes().to_vec());
		// Every parameter set the chain's schema admits at its bounds, the worker accepts.
		let dims_max: Vec<u32> = w.schema.dims.iter().map(|d| d.max).collect();
		let dims_min: Vec<u32> = w.schema.dims.iter().map(|d| d.min).collect();
		let target = w.schema.needs_target.then_some([0xff; 32]);
		for dims in [dims_min, dims_max] {
			let p = JobParams { seed: [0; 32], dims, target };
			assert!(k.validate(&p).is_ok(), "{} refuses {:?}", k.name(), p.dims);
		}
	}
}
