//! Throughput of each kernel at a realistic size: OpenCL (on the chosen device, PoCL on CPU
//! machines) vs the single-threaded Rust reference vs multithreaded native Rust (rayon), in one
//! run on the same machine. Prints a table; every run's output is checked against the others.
//!
//! `crucible-worker-bench [--quick] [--device auto|P:D]`

use crucible_worker::{
	blake2_256,
	device::{Device, DeviceChoice},
	kernels::{self, Kernel},
	JobParams,
};
use std::time::{Duration, Instant};

/// Median wall time of `runs` runs of `f` (after one warm-up run).
fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
	f();
	let mut t: Vec<Duration> = (0..runs)
		.map(|_| {
			let s = Instant::now();
			f();
			s.elapsed()
		})
		.collect();
	t.sort();
	t[t.len() / 2]
}

fn main() {
	let args: Vec<String> = std::env::args().skip(1).collect();
	let quick = args.iter().any(|a| a == "--quick");
	let choice = args
		.iter()
		.position(|a| a == "--device")
		.and_then(|i| args.get(i + 1))
		.map(|s| s.parse::<DeviceChoice>().expect("--device auto|P:D"))
		.unwrap_or(DeviceChoice::Auto);
	let device = Device::open(choice).expect("an OpenCL device");
	let seed = blake2_256(b"bench");
	let scale = |full: u32, q: u32| if quick { q } else { full };
	// A target nothing meets: the hash search scans the whole range.
	// Inputs of the data kernels: bytes from splitmix64, as a consumer's file would be.
	let data = |bytes: usize| -> Vec<u8> {
		(0..bytes.div_ceil(8) as u64)
			.flat_map(|i| kernels::splitmix64(i).to_le_bytes())
			.take(bytes)
			.collect()
	};
	let with_input = |dims: u32, bytes: usize| {
		let input = data(bytes);
		let named = crucible_primitives::DataRef::Blob {
			digest: crucible_worker::blake2_256(&input),
			bytes: input.len() as u64,
		};
		let p = JobParams::new(seed, &[dims], None)
			.and_then(|p| p.with_inputs(vec![named]))
			.expect("one dimension, one input");
		(p, vec![input])
	};
	let (psd, psd_in) = with_input(scale(1 << 24, 1 << 20), 4 * scale(1 << 24, 1 << 20) as usize);
	let (mrd, mrd_in) = with_input(scale(1 << 20, 1 << 16), 32 * scale(1 << 20, 1 << 16) as usize);
	let jobs: Vec<(Box<dyn Kernel>, JobParams, Vec<Vec<u8>>, &str)> = vec![
		(
			Box::new(kernels::HashSearch),
			JobParams::new(seed, &[scale(1 << 22, 1 << 18)], Some([0; 32]))
				.expect("at most MAX_DIMS sizes"),
			vec![],
			"hashes",
		),
		(
			Box::new(kernels::MatMulModP),
			JobParams::new(seed, &[scale(768, 256)], None).expect("at most MAX_DIMS sizes"),
			vec![],
			"mul-adds",
		),
		(
			Box::new(kernels::Mandelbrot),
			JobParams::new(seed, &[scale(1024, 256), scale(768, 192), 512], None)
				.expect("at most MAX_DIMS sizes"),
			vec![],
			"pixels",
		),
		(
			Box::new(kernels::MerkleRoot),
			JobParams::new(seed, &[scale(1 << 20, 1 << 16)], None).expect("at most MAX_DIMS sizes"),
			vec![],
			"hashes",
		),
		(
			Box::new(kernels::PrefixSum),
			JobParams::new(seed, &[scale(1 << 24, 1 << 20)], None).expect("at most MAX_DIMS sizes"),
			vec![],
			"values",
		),
		(Box::new(kernels::PrefixSumData), psd, psd_in, "values"),
		(Box::new(kernels::MerkleRootData), mrd, mrd_in, "hashes"),
	];
	let runs = if quick { 3 } else { 5 };
	println!(
		"device: {} ({}), rayon threads: {}",
		device.class,
		device.kind,
		rayon::current_num_threads()
	);
	println!(
		"{:<17} {:>20} {:>12} {:>12} {:>12} {:>9} {:>9}",
		"kernel", "size", "opencl", "rust 1T", "rust MT", "ocl/1T", "ocl/MT"
	);
	for (k, p, inputs, unit) in &jobs {
		let program = device.program(k.as_ref()).expect("program builds");
		let reference = k.reference(p, inputs).expect("reference");
		let ocl_out = k.run_opencl(&device, &program, p, inputs).expect("opencl");
		let mt_out = k.native_parallel(p, inputs).expect("native");
		assert_eq!(ocl_out, reference, "{}: OpenCL differs from the reference", k.name());
		assert_eq!(mt_out, reference, "{}: native differs from the reference", k.name());
		let t_ocl = time(runs, || drop(k.run_opencl(&device, &program, p, inputs).unwrap()));
		let t_1t = time(runs.min(3), || drop(k.reference(p, inputs).unwrap()));
		let t_mt = time(runs, || drop(k.native_parallel(p, inputs).unwrap()));
		let work = match k.name() {
			"matmul-modp" => (p.dims[0] as f64).powi(3),
			"mandelbrot-fixed" => p.dims[0] as f64 * p.dims[1] as f64,
			"merkle-root" | "merkle-root-data" => 2.0 * p.dims[0] as f64,
			_ => p.dims[0] as f64,
		};
		let rate = |t: Duration| work / t.as_secs_f64() / 1e6;
		println!(
			"{:<17} {:>20} {:>8.1} M/s {:>8.1} M/s {:>8.1} M/s {:>8.2}x {:>8.2}x   ({unit})",
			k.name(),
			format!("{:?}", p.dims),
			rate(t_ocl),
			rate(t_1t),
			rate(t_mt),
			t_1t.as_secs_f64() / t_ocl.as_secs_f64(),
			t_mt.as_secs_f64() / t_ocl.as_secs_f64(),
		);
	}
}
