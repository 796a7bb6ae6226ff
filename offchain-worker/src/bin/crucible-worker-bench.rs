//! Throughput of each kernel at a realistic size: OpenCL (on the chosen device, PoCL on CPU
//! machines) vs the single-threaded Rust reference vs multithreaded native Rust (rayon), in one
//! run on the same machine. Prints a table; every run's output is checked against the others.
//!
//! The last row is an open program, `examples/mlp-digits` (int8 inference of a 64 → 32 ReLU →
//! 10 MLP): its OpenCL source run through the program runner in this process (compiled once,
//! then from the disk cache, as a provider's child runs it), against the same forward pass in
//! single-threaded and rayon Rust and, with `CRUCIBLE_PY` set (`scripts/py-env.sh`), in numpy
//! (`examples/mlp-digits/bench.py`: int8 matmuls via int32); and one job of it out of process,
//! as `crucible-worker run-program` runs it for a provider.
//!
//! `crucible-worker-bench [--quick] [--device auto|P:D]`

use crucible_worker::{
	blake2_256,
	device::{Device, DeviceChoice},
	kernels::{self, Kernel},
	JobParams,
};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// `examples/mlp-digits`: its source, shape and forward pass (mlp.cl's, in Rust).
mod mlp {
	use crucible_primitives::program::{
		Arg, Buffer, Dim, Expr, Launch, Manifest, Term, Verification,
	};
	use crucible_primitives::BoundedVec;

	pub const SOURCE: &str = include_str!("../../../examples/mlp-digits/mlp.cl");
	const IN: usize = 64;
	const HIDDEN: usize = 32;
	const OUT: usize = 10;
	const SHIFT: u32 = 24;
	const B1: usize = IN * HIDDEN;
	const W2: usize = B1 + 4 * HIDDEN;
	const B2: usize = W2 + HIDDEN * OUT;
	const M1: usize = B2 + 4 * OUT;
	pub const WEIGHT_BYTES: usize = M1 + 4;
	pub const IMAGE_BYTES: usize = IN;
	/// Multiply-adds per image.
	pub const MACS: usize = IN * HIDDEN + HIDDEN * OUT;

	/// examples/mlp-digits/manifest.json in the chain's form.
	pub fn manifest() -> Manifest {
		let name = |s: &str| BoundedVec::truncate_from(s.as_bytes().to_vec());
		let per_n = |c: u64| Expr::new(vec![Term::new(c, &[0]).expect("one dimension")]);
		Manifest {
			dims: BoundedVec::truncate_from(vec![Dim { name: name("n"), min: 1, max: 65536 }]),
			inputs: BoundedVec::truncate_from(vec![
				Expr::constant(WEIGHT_BYTES as u64),
				per_n(IMAGE_BYTES as u64).expect("a term"),
			]),
			buffers: BoundedVec::truncate_from(vec![
				Buffer::Input(0),
				Buffer::Input(1),
				Buffer::Output(per_n(4).expect("a term")),
			]),
			launches: BoundedVec::truncate_from(vec![Launch {
				entry: name("mlp"),
				global: BoundedVec::truncate_from(vec![Expr::dim(0)]),
				local: BoundedVec::truncate_from(vec![64]),
				args: BoundedVec::truncate_from(vec![
					Arg::Buffer(0),
					Arg::Buffer(1),
					Arg::Buffer(2),
					Arg::Uint(Expr::dim(0)),
				]),
			}]),
			output: BoundedVec::truncate_from(vec![2]),
			verification: Verification { quorum: 2, bit_exact: true },
			work: per_n(2368).expect("a term"),
			unit_size: 65536,
			max_work: 155_189_248,
		}
	}

	/// The network widened once (as numpy's `astype`), laid out for the inner loops.
	pub struct Net {
		w1: Vec<[i32; HIDDEN]>,
		b1: [i32; HIDDEN],
		w2: Vec<[i32; OUT]>,
		b2: [i32; OUT],
		m1: i64,
	}

	pub fn unpack(w: &[u8]) -> Net {
		let le = |o: usize| i32::from_le_bytes([w[o], w[o + 1], w[o + 2], w[o + 3]]);
		Net {
			w1: (0..IN)
				.map(|k| core::array::from_fn(|j| w[k * HIDDEN + j] as i8 as i32))
				.collect(),
			b1: core::array::from_fn(|j| le(B1 + 4 * j)),
			w2: (0..HIDDEN)
				.map(|j| core::array::from_fn(|o| w[W2 + j * OUT + o] as i8 as i32))
				.collect(),
			b2: core::array::from_fn(|o| le(B2 + 4 * o)),
			m1: i64::from(le(M1)),
		}
	}

	/// One image's prediction, exactly as mlp.cl computes it (wrapping int32 accumulators).
	pub fn predict(net: &Net, x: &[u8]) -> u32 {
		let mut acc = net.b1;
		for (k, row) in net.w1.iter().enumerate() {
			let xk = i32::from(x[k]);
			for (a, w) in acc.iter_mut().zip(row) {
				*a = a.wrapping_add(xk.wrapping_mul(*w));
			}
		}
		let mut out = net.b2;
		for (a, row) in acc.iter().zip(&net.w2) {
			let h = if *a > 0 {
				((i64::from(*a) * net.m1 + (1 << (SHIFT - 1))) >> SHIFT).min(127) as i32
			} else {
				0
			};
			for (o, w) in out.iter_mut().zip(row) {
				*o = o.wrapping_add(h.wrapping_mul(*w));
			}
		}
		let mut best = 0;
		for (o, a) in out.iter().enumerate() {
			if *a > out[best] {
				best = o;
			}
		}
		best as u32
	}

	/// Deterministic stand-ins for trained weights and images (the work is the same): int8
	/// weights, small biases, images of values 0..16, a multiplier keeping ReLU's outputs in
	/// range.
	pub fn inputs(n: usize) -> (Vec<u8>, Vec<u8>) {
		let bytes = |tag: u64, len: usize| -> Vec<u8> {
			(0..len.div_ceil(8) as u64)
				.flat_map(|i| crucible_worker::kernels::splitmix64(tag << 40 | i).to_le_bytes())
				.take(len)
				.collect()
		};
		let mut w = bytes(1, WEIGHT_BYTES);
		for (j, b) in (0..HIDDEN).map(|j| (j, (j as i32 - 16) * 64)) {
			w[B1 + 4 * j..B1 + 4 * j + 4].copy_from_slice(&b.to_le_bytes());
		}
		for o in 0..OUT {
			w[B2 + 4 * o..B2 + 4 * o + 4].copy_from_slice(&((o as i32 - 5) * 16).to_le_bytes());
		}
		w[M1..].copy_from_slice(&(1i32 << 19).to_le_bytes());
		let images = bytes(2, n * IN).into_iter().map(|b| b % 17).collect();
		(w, images)
	}
}

/// The numpy timing from `examples/mlp-digits/bench.py` (in `dir`), checked against `want`;
/// `None` (said why) when `CRUCIBLE_PY` is not set or the script fails.
fn numpy_mlp(
	dir: &std::path::Path,
	weights: &[u8],
	images: &[u8],
	runs: usize,
	want: &[u8],
) -> Option<Duration> {
	let Ok(python) = std::env::var("CRUCIBLE_PY") else {
		println!("  (numpy: skipped, CRUCIBLE_PY is not set: source scripts/py-env.sh)");
		return None;
	};
	std::fs::write(dir.join("weights.bin"), weights).ok()?;
	std::fs::write(dir.join("images.bin"), images).ok()?;
	let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/mlp-digits/bench.py");
	let out = std::process::Command::new(python)
		.arg(script)
		.arg(dir)
		.arg(runs.to_string())
		.output()
		.ok()?;
	if !out.status.success() {
		println!("  (numpy: bench.py failed: {})", String::from_utf8_lossy(&out.stderr).trim());
		return None;
	}
	let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
	let got = std::fs::read(dir.join("numpy.bin")).ok()?;
	assert_eq!(got, want, "mlp-digits: numpy differs from the Rust reference");
	Some(Duration::from_secs_f64(json["seconds"].as_f64()?))
}

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
	let device_arg = choice.to_string();
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
			format!("{:?}", &p.dims[..]),
			rate(t_ocl),
			rate(t_1t),
			rate(t_mt),
			t_1t.as_secs_f64() / t_ocl.as_secs_f64(),
			t_mt.as_secs_f64() / t_ocl.as_secs_f64(),
		);
	}
	bench_mlp(&device, &device_arg, scale(65536, 8192) as usize, runs);
}

/// The open program's row: see the crate doc.
fn bench_mlp(device: &Device, device_arg: &str, n: usize, runs: usize) {
	use crucible_worker::program::{self, Outcome, Request, Runner};
	let dir = std::env::temp_dir().join(format!("crucible-bench-mlp-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).expect("a scratch directory");
	let (weights, images) = mlp::inputs(n);
	let inputs = vec![weights.clone(), images.clone()];
	let kernel_hash = blake2_256(mlp::SOURCE.as_bytes());
	let request = Request {
		device: device_arg.to_string(),
		cache: Some(dir.join("cache")),
		kernel_hash: hex::encode(kernel_hash),
		manifest: mlp::manifest(),
		dims: vec![n as u32],
	};
	let net = mlp::unpack(&weights);
	let reference: Vec<u8> = images
		.chunks_exact(mlp::IMAGE_BYTES)
		.flat_map(|x| mlp::predict(&net, x).to_le_bytes())
		.collect();
	let run_ocl = || match program::execute(device, &request, mlp::SOURCE.as_bytes(), &inputs) {
		Ok((output, ..)) => output,
		Err((failure, log)) => panic!("mlp-digits: {failure:?}: {log}"),
	};
	assert_eq!(run_ocl(), reference, "mlp-digits: OpenCL differs from the Rust reference");
	let mt = || -> Vec<u8> {
		let net = mlp::unpack(&weights);
		images
			.par_chunks_exact(mlp::IMAGE_BYTES)
			.flat_map_iter(|x| mlp::predict(&net, x).to_le_bytes())
			.collect()
	};
	assert_eq!(mt(), reference, "mlp-digits: rayon differs from the reference");
	let t_ocl = time(runs, || drop(run_ocl()));
	let t_1t = time(runs.min(3), || {
		let net = mlp::unpack(&weights);
		let sum: u32 = images.chunks_exact(mlp::IMAGE_BYTES).map(|x| mlp::predict(&net, x)).sum();
		std::hint::black_box(sum);
	});
	let t_mt = time(runs, || drop(mt()));
	let rate = |t: Duration| n as f64 / t.as_secs_f64() / 1e6;
	println!(
		"{:<17} {:>20} {:>8.3} M/s {:>8.3} M/s {:>8.3} M/s {:>8.2}x {:>8.2}x   (images, {} int8 MACs each)",
		"mlp-digits (open)",
		format!("[{n}]"),
		rate(t_ocl),
		rate(t_1t),
		rate(t_mt),
		t_1t.as_secs_f64() / t_ocl.as_secs_f64(),
		t_mt.as_secs_f64() / t_ocl.as_secs_f64(),
		mlp::MACS,
	);
	if let Some(t_np) = numpy_mlp(&dir, &weights, &images, runs, &reference) {
		println!(
			"{:<17} {:>20} {:>8.3} M/s {:>12} {:>12} {:>8.2}x            (ocl/numpy; int8 matmul via int32)",
			"mlp-digits numpy",
			format!("[{n}]"),
			rate(t_np),
			"",
			"",
			t_np.as_secs_f64() / t_ocl.as_secs_f64(),
		);
	}
	// One job as a provider runs it: a child process, the program from the disk cache.
	let worker = std::env::current_exe()
		.ok()
		.and_then(|e| Some(e.parent()?.join("crucible-worker")));
	match worker.filter(|w| w.exists()) {
		Some(exe) => {
			let runner = Runner {
				exe,
				args: vec!["run-program".into()],
				work_dir: dir.join("jobs"),
				cache_dir: Some(dir.join("cache")),
				timeout: Duration::from_secs(60),
				memory_overhead: 1 << 30,
			};
			let choice = device_arg.parse().expect("parsed before");
			let job = || match runner.run(
				1,
				choice,
				&kernel_hash,
				&request.manifest,
				&request.dims,
				mlp::SOURCE.as_bytes(),
				&inputs,
			) {
				Ok(Outcome::Done { output, .. }) => assert_eq!(output, reference),
				Ok(Outcome::Failed(f, log)) => panic!("mlp-digits out of process: {f:?}: {log}"),
				Err(e) => panic!("mlp-digits out of process: {e}"),
			};
			let t_job = time(runs, job);
			println!(
				"{:<17} {:>20} {:>8.1} ms a job, {:.2}x the in-process run (child start, device open, cached binary)",
				"mlp-digits child",
				format!("[{n}]"),
				t_job.as_secs_f64() * 1e3,
				t_job.as_secs_f64() / t_ocl.as_secs_f64(),
			);
		},
		None => println!("  (out of process: skipped, no crucible-worker next to this binary)"),
	}
	let _ = std::fs::remove_dir_all(&dir);
}
