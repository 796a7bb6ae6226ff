//! Every kernel equals its Rust reference bit for bit on the OpenCL device (PoCL in CI), across
//! sizes including the edges; the multithreaded native version agrees too; bad parameters are
//! refused before anything is allocated.

use crucible_primitives::DataRef;
use crucible_worker::{
	blake2_256,
	device::{Device, DeviceChoice},
	kernels::{self, Kernel},
	JobParams, WorkerError,
};
use std::sync::OnceLock;

fn device() -> &'static Device {
	static D: OnceLock<Device> = OnceLock::new();
	D.get_or_init(|| Device::open(DeviceChoice::Auto).expect("an OpenCL device (PoCL in CI)"))
}

fn params(seed: u8, dims: &[u32], target: Option<[u8; 32]>) -> JobParams {
	JobParams::new(blake2_256(&[seed]), dims, target).unwrap()
}

fn check(kernel: &dyn Kernel, p: &JobParams) {
	check_on(kernel, p, &[])
}

/// Reference, native and OpenCL agree bit for bit on `p` over `inputs`.
fn check_on(kernel: &dyn Kernel, p: &JobParams, inputs: &[Vec<u8>]) {
	let reference = kernel.reference(p, inputs).expect("reference runs");
	let native = kernel.native_parallel(p, inputs).expect("native runs");
	let opencl = device().run(kernel, p, inputs).expect("OpenCL runs");
	assert_eq!(native, reference, "{} native ≠ reference for {:?}", kernel.name(), p.dims);
	assert_eq!(
		opencl.bytes,
		reference.bytes,
		"{} OpenCL ≠ reference for {:?}",
		kernel.name(),
		p.dims
	);
	assert_eq!(opencl.small, reference.small);
	assert!(opencl.small.len() <= kernels::MAX_SMALL_OUTPUT);
}

fn target_with_first_byte(b: u8) -> [u8; 32] {
	let mut t = [0u8; 32];
	t[0] = b;
	t
}

#[test]
fn hash_search_matches_reference_and_the_chain_layout() {
	let k = kernels::HashSearch;
	for (seed, range, t0) in [
		(1, 1, 0xff),
		(2, 1000, 0x10),
		(3, 3 * (1 << 20) + 7, 0x00),
		(4, 5000, 0x01),
		(5, 100_000, 0x02),
	] {
		let p = params(seed, &[range], Some(target_with_first_byte(t0)));
		check(&k, &p);
	}
	// The small output is `nonce_le64 ‖ blake2_256(seed ‖ nonce_le64)`, hash below the target:
	// exactly what the pallet's `check_hash_search` recomputes.
	let p = params(9, &[10_000], Some(target_with_first_byte(0x08)));
	let out = device().run(&k, &p, &[]).unwrap();
	assert_eq!(out.small.len(), 40);
	let mut pre = p.seed.to_vec();
	pre.extend_from_slice(&out.small[..8]);
	assert_eq!(blake2_256(&pre)[..], out.small[8..]);
	assert!(out.small[8..] < p.target.unwrap()[..]);
	assert_eq!(out.digest(), blake2_256(&out.small));
	// A target nothing can meet: empty output, all nonces searched.
	let none = device().run(&k, &params(9, &[50_000], Some([0u8; 32])), &[]).unwrap();
	assert!(none.bytes.is_empty());
}

#[test]
fn matmul_matches_reference() {
	let k = kernels::MatMulModP;
	for n in [1, 2, 3, 4, 5, 17, 64, 100, 129] {
		check(&k, &params(n as u8, &[n], None));
	}
}

#[test]
fn matmul_is_a_real_product_mod_p() {
	// C[0][0] = Σ_k A[0][k]·B[k][0] mod p, from the documented input generator.
	let p = params(7, &[3], None);
	let out = kernels::MatMulModP.reference(&p, &[]).unwrap();
	let s = kernels::seed64(&p.seed);
	let a = |i: u64| kernels::splitmix64(s.wrapping_add(i)) % 65_521;
	let b = |i: u64| kernels::splitmix64(s.wrapping_add(9 + i)) % 65_521;
	let c00 = (0..3).map(|k| a(k) * b(3 * k)).sum::<u64>() % 65_521;
	assert_eq!(u32::from_le_bytes(out.bytes[..4].try_into().unwrap()) as u64, c00);
}

#[test]
fn mandelbrot_matches_reference() {
	let k = kernels::Mandelbrot;
	for (i, dims) in [[1, 1, 1], [7, 5, 50], [64, 48, 256], [257, 129, 1000], [33, 1, 65535]]
		.iter()
		.enumerate()
	{
		check(&k, &params(i as u8, dims, None));
	}
	// Points of the main cardioid never escape; far points escape at once.
	assert_eq!(kernels::mandelbrot::escape(-(1i64 << 27), 0, 500), 500);
	assert!(kernels::mandelbrot::escape(2i64 << 28, 2i64 << 28, 500) <= 1);
}

#[test]
fn merkle_matches_reference() {
	let k = kernels::MerkleRoot;
	for n in [1, 2, 3, 4, 5, 7, 8, 9, 1000, 4097, 65_536] {
		check(&k, &params(n as u8, &[n], None));
	}
	// One leaf: the root is that leaf's hash.
	let p = params(1, &[1], None);
	let s = kernels::seed64(&p.seed);
	let leaf: Vec<u8> = (0..4)
		.flat_map(|j| kernels::splitmix64(s.wrapping_add(j)).to_le_bytes())
		.collect();
	assert_eq!(k.reference(&p, &[]).unwrap().bytes, blake2_256(&leaf).to_vec());
}

#[test]
fn prefix_sum_matches_reference() {
	let k = kernels::PrefixSum;
	for n in [1, 2, 3, 4095, 4096, 4097, 100_000, 1 << 20] {
		check(&k, &params(n as u8, &[n], None));
	}
}

#[test]
fn invalid_params_are_refused_before_allocation() {
	let cases: Vec<(Box<dyn Kernel>, JobParams)> = vec![
		(Box::new(kernels::HashSearch), params(1, &[100], None)),
		(Box::new(kernels::HashSearch), params(1, &[0], Some([0xff; 32]))),
		(Box::new(kernels::HashSearch), params(1, &[100, 2], Some([0xff; 32]))),
		(Box::new(kernels::MatMulModP), params(1, &[0], None)),
		(Box::new(kernels::MatMulModP), params(1, &[4097], None)),
		(Box::new(kernels::MatMulModP), params(1, &[4], Some([0; 32]))),
		(Box::new(kernels::Mandelbrot), params(1, &[8, 8], None)),
		(Box::new(kernels::Mandelbrot), params(1, &[8, 8, 0], None)),
		(Box::new(kernels::Mandelbrot), params(1, &[8193, 8, 10], None)),
		(Box::new(kernels::MerkleRoot), params(1, &[(1 << 22) + 1], None)),
		(Box::new(kernels::PrefixSum), params(1, &[], None)),
		(Box::new(kernels::PrefixSum), params(1, &[u32::MAX], None)),
	];
	for (k, p) in cases {
		assert!(
			matches!(k.validate(&p), Err(WorkerError::InvalidParams(_))),
			"{} {:?}",
			k.name(),
			p
		);
		assert!(matches!(device().run(k.as_ref(), &p, &[]), Err(WorkerError::InvalidParams(_))));
		assert!(matches!(k.reference(&p, &[]), Err(WorkerError::InvalidParams(_))));
	}
}

#[test]
fn kernel_hashes_name_the_exact_sources_and_programs_are_cached() {
	for k in kernels::library() {
		assert_eq!(k.kernel_hash(), blake2_256(k.source().as_bytes()));
		assert!(k.source().contains(&format!("kernel void {}", k.entry_point())));
	}
	let d = Device::open(DeviceChoice::Auto).unwrap();
	let k = kernels::MerkleRoot;
	d.run(&k, &params(1, &[4], None), &[]).unwrap();
	d.run(&k, &params(2, &[5], None), &[]).unwrap();
	assert_eq!(d.cached_programs(), 1);
	assert!(!d.class.is_empty() && d.class.len() <= 96);
}

#[test]
fn mandelbrot_renders_as_a_png_of_its_escape_counts() {
	use crucible_worker::kernels::mandelbrot::write_png;
	let k = kernels::Mandelbrot;
	let p = JobParams::new([3; 32], &[40, 30, 50], None).unwrap();
	let out = k.reference(&p, &[]).unwrap();
	let mut png_bytes = Vec::new();
	write_png(&p, &out.bytes, &mut png_bytes).unwrap();
	let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
	let mut reader = decoder.read_info().unwrap();
	let mut buf = vec![0; reader.output_buffer_size()];
	let info = reader.next_frame(&mut buf).unwrap();
	assert_eq!((info.width, info.height, info.color_type), (40, 30, png::ColorType::Grayscale));
	for (px, b) in buf[..info.buffer_size()].iter().zip(out.bytes.chunks_exact(2)) {
		let i = u16::from_le_bytes([b[0], b[1]]) as u32;
		assert_eq!(*px == 0, i >= 50, "black exactly where the point never escapes");
	}
	assert!(buf.contains(&0) && buf.iter().any(|&v| v > 0), "both inside and outside in view");
	// An output of the wrong size is refused.
	assert!(write_png(&p, &out.bytes[2..], &mut Vec::new()).is_err());
}

/// `params` naming `inputs` as blobs of their own hashes.
fn with_inputs(p: JobParams, inputs: &[Vec<u8>]) -> JobParams {
	p.with_inputs(
		inputs
			.iter()
			.map(|b| DataRef::Blob { digest: blake2_256(b), bytes: b.len() as u64 })
			.collect(),
	)
	.unwrap()
}

/// The seeded values of the prefix-sum kernel, as a file of u32 LE values.
fn seeded_values(seed: &[u8; 32], n: u64) -> Vec<u8> {
	let s = kernels::seed64(seed);
	(0..n)
		.flat_map(|i| (kernels::splitmix64(s.wrapping_add(i)) as u32).to_le_bytes())
		.collect()
}

#[test]
fn prefix_sum_over_an_input_is_the_prefix_sum_of_its_values() {
	for n in [1u32, 5, 4096, 100_003] {
		let p = params(4, &[n], None);
		let file = vec![seeded_values(&p.seed, n as u64)];
		let data = with_inputs(p.clone(), &file);
		check_on(&kernels::PrefixSumData, &data, &file);
		// The same values uploaded give the seeded kernel's result, bit for bit.
		assert_eq!(
			kernels::PrefixSumData.reference(&data, &file).unwrap(),
			kernels::PrefixSum.reference(&p, &[]).unwrap(),
			"n = {n}"
		);
	}
	// A short last value is zero-padded: 3 bytes of 0x01 are the value 0x010101.
	let file = vec![vec![1, 0, 0, 0, 1, 1, 1]];
	let p = with_inputs(params(1, &[2], None), &file);
	let out = kernels::PrefixSumData.reference(&p, &file).unwrap();
	assert_eq!(
		out.bytes,
		[1u32, 1 + 0x010101].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>()
	);
	check_on(&kernels::PrefixSumData, &p, &file);
}

#[test]
fn merkle_root_over_an_input_is_the_root_of_its_leaves() {
	for leaves in [1u32, 2, 7, 1000] {
		let p = params(5, &[leaves], None);
		// The seeded kernel's leaves, written out as a file.
		let s = kernels::seed64(&p.seed);
		let file: Vec<u8> = (0..4 * leaves as u64)
			.flat_map(|w| kernels::splitmix64(s.wrapping_add(w)).to_le_bytes())
			.collect();
		let file = vec![file];
		let data = with_inputs(p.clone(), &file);
		check_on(&kernels::MerkleRootData, &data, &file);
		assert_eq!(
			kernels::MerkleRootData.reference(&data, &file).unwrap(),
			kernels::MerkleRoot.reference(&p, &[]).unwrap(),
			"{leaves} leaves"
		);
	}
	// One leaf of 5 bytes: the root is the hash of the bytes zero-padded to 32.
	let file = vec![b"hello".to_vec()];
	let p = with_inputs(params(1, &[1], None), &file);
	let mut leaf = [0u8; 32];
	leaf[..5].copy_from_slice(b"hello");
	assert_eq!(kernels::MerkleRootData.reference(&p, &file).unwrap().bytes, blake2_256(&leaf));
	check_on(&kernels::MerkleRootData, &p, &file);
}

#[test]
fn data_kernels_refuse_missing_misnamed_or_misshaped_inputs() {
	let k = kernels::PrefixSumData;
	let file = vec![vec![0u8; 40]];
	// No input named, or one of 40 bytes for 11 values.
	assert!(matches!(k.check(&params(1, &[10], None)), Err(WorkerError::InvalidParams(_))));
	let eleven = with_inputs(params(1, &[11], None), &file);
	assert!(matches!(k.check(&eleven), Err(WorkerError::InvalidParams(_))));
	// Named right, but other bytes handed over (a fetch would never: it checks them).
	let ten = with_inputs(params(1, &[10], None), &file);
	assert!(k.check(&ten).is_ok());
	for wrong in [vec![], vec![vec![0u8; 39]], vec![vec![0u8; 40], vec![0u8; 40]]] {
		assert!(matches!(k.reference(&ten, &wrong), Err(WorkerError::InvalidParams(_))));
		assert!(matches!(device().run(&k, &ten, &wrong), Err(WorkerError::InvalidParams(_))));
	}
	// A seeded kernel takes no inputs.
	let seeded = with_inputs(params(1, &[10], None), &file);
	assert!(matches!(kernels::PrefixSum.check(&seeded), Err(WorkerError::InvalidParams(_))));
}
