//! `crucible-worker`: `serve` runs the JSON-RPC service, `kernels` lists the kernel library,
//! `devices` the OpenCL devices, `run <kernel> <params-json>` runs one job and prints its result,
//! `fetch <hash> --size N` fetches and checks one input as a job's would be; `run-program DIR`
//! is the child that runs one job of an open program (see `crucible_worker::program`).

use crucible_worker::{device, kernels, JobParams};
use std::process::ExitCode;

fn usage() -> ExitCode {
	eprintln!(
		"usage:\n  crucible-worker serve [--listen 127.0.0.1:9955] [--metrics 127.0.0.1:9956] [--device auto|P:D] [--queue 64] [--timeout-secs 120] [--node http://127.0.0.1:9944] [--input-cache DIR] [--program-dir DIR] [--program-timeout-secs 20]\n  crucible-worker kernels\n  crucible-worker devices\n  crucible-worker run <kernel> '<params json>' [--input FILE]... [--out FILE] [--device auto|P:D] [--reference] [--png out.png (mandelbrot-fixed)]\n  crucible-worker fetch <0x hash> --size BYTES [--url URL | --node http://127.0.0.1:9944] [--out FILE] [--cache DIR] [--max-bytes N] [--timeout-secs 60]\n\nparams json: {{\"seed\":\"0x<64 hex>\",\"dims\":[...],\"target\":\"0x<64 hex>\",\"inputs\":[...]}}\n  --input FILE gives an input's bytes (named in the params, or added as a blob of the file's hash); --out writes the full output"
	);
	ExitCode::from(2)
}

fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match args.first().map(String::as_str) {
		Some("serve") => serve(&args[1..]),
		Some("run-program") if args.len() == 2 => {
			crucible_worker::program::child_main(std::path::Path::new(&args[1]))
		},
		Some("kernels") => {
			for k in kernels::library() {
				println!(
					"{:<18} 0x{}  {}",
					k.name(),
					hex::encode(k.kernel_hash()),
					k.describe_params()
				);
			}
			ExitCode::SUCCESS
		},
		Some("devices") => {
			for d in device::list() {
				println!(
					"{}:{}  {:<4} {:>3} CUs  {}",
					d.platform, d.device, d.kind, d.compute_units, d.class
				);
			}
			ExitCode::SUCCESS
		},
		Some("run") if args.len() >= 3 => {
			let Some(kernel) = kernels::by_name(&args[1]) else {
				eprintln!("unknown kernel `{}`; see `crucible-worker kernels`", args[1]);
				return ExitCode::from(2);
			};
			let mut params: JobParams = match serde_json::from_str(&args[2]) {
				Ok(p) => p,
				Err(e) => {
					eprintln!("invalid params: {e}");
					return ExitCode::from(2);
				},
			};
			let mut choice = device::DeviceChoice::Auto;
			let mut reference = false;
			let mut png_path: Option<String> = None;
			let mut out_path: Option<String> = None;
			let mut inputs: Vec<Vec<u8>> = Vec::new();
			let mut rest = args[3..].iter();
			while let Some(a) = rest.next() {
				match a.as_str() {
					"--reference" => reference = true,
					"--out" => match rest.next() {
						Some(p) => out_path = Some(p.clone()),
						None => return usage(),
					},
					"--input" => match rest.next().map(std::fs::read) {
						Some(Ok(bytes)) => inputs.push(bytes),
						Some(Err(e)) => {
							eprintln!("cannot read the input: {e}");
							return ExitCode::from(2);
						},
						None => return usage(),
					},
					"--png" => match rest.next() {
						Some(p) if kernel.name() == "mandelbrot-fixed" => {
							png_path = Some(p.clone())
						},
						_ => return usage(),
					},
					"--device" => match rest.next().map(|s| s.parse()) {
						Some(Ok(c)) => choice = c,
						_ => return usage(),
					},
					_ => return usage(),
				}
			}
			if params.inputs.is_empty() && !inputs.is_empty() {
				let named = inputs
					.iter()
					.map(|b| crucible_primitives::DataRef::Blob {
						digest: crucible_worker::blake2_256(b),
						bytes: b.len() as u64,
					})
					.collect();
				let Some(p) = params.clone().with_inputs(named) else { return usage() };
				params = p;
			}
			let started = std::time::Instant::now();
			let result = if reference {
				kernel
					.check(&params)
					.and_then(|_| kernels::check_input_bytes(&params, &inputs))
					.and_then(|_| kernel.reference(&params, &inputs))
					.map(|o| (o, "rust-reference".to_string()))
			} else {
				device::Device::open(choice).and_then(|d| {
					d.run(kernel.as_ref(), &params, &inputs).map(|o| (o, d.class.clone()))
				})
			};
			match result {
				Ok((out, class)) => {
					if let Some(path) = &out_path {
						if let Err(e) = std::fs::write(path, &out.bytes) {
							eprintln!("error: {path}: {e}");
							return ExitCode::FAILURE;
						}
					}
					if let Some(path) = &png_path {
						let written = std::fs::File::create(path)
							.map_err(|e| {
								crucible_worker::WorkerError::InvalidParams(format!("{path}: {e}"))
							})
							.and_then(|f| {
								kernels::mandelbrot::write_png(
									&params,
									&out.bytes,
									std::io::BufWriter::new(f),
								)
							});
						if let Err(e) = written {
							eprintln!("error: {e}");
							return ExitCode::FAILURE;
						}
					}
					println!(
						"{}",
						serde_json::json!({
							"kernel": kernel.name(),
							"kernel_hash": format!("0x{}", hex::encode(kernel.kernel_hash())),
							"output_digest": format!("0x{}", hex::encode(out.digest())),
							"small_output": format!("0x{}", hex::encode(&out.small)),
							"output_bytes": out.bytes.len(),
							"device_class": class,
							"seconds": started.elapsed().as_secs_f64(),
						})
					);
					ExitCode::SUCCESS
				},
				Err(e) => {
					eprintln!("error: {e}");
					ExitCode::FAILURE
				},
			}
		},
		Some("fetch") if args.len() >= 2 => fetch(&args[1..]),
		_ => usage(),
	}
}

/// `fetch <hash> --size N …`: one input, fetched and checked as a job's inputs are; prints what
/// it got (or the reason it is unavailable, exit 1).
fn fetch(args: &[String]) -> ExitCode {
	use crucible_worker::inputs::{Fetcher, InputRef};
	let mut hash = [0u8; 32];
	if hex::decode_to_slice(args[0].trim_start_matches("0x"), &mut hash).is_err() {
		eprintln!("not a 32-byte hex hash: {}", args[0]);
		return usage();
	}
	let (mut size, mut url, mut node, mut out, mut cache) = (None, None, None, None, None);
	let (mut max_bytes, mut timeout) = (crucible_primitives::MAX_INPUT_BYTES, 60u64);
	let mut it = args[1..].iter();
	while let Some(flag) = it.next() {
		let Some(value) = it.next() else { return usage() };
		let ok = match flag.as_str() {
			"--size" => value.parse().map(|v| size = Some(v)).is_ok(),
			"--url" => {
				url = Some(value.clone());
				true
			},
			"--node" => {
				node = Some(value.clone());
				true
			},
			"--out" => {
				out = Some(value.clone());
				true
			},
			"--cache" => {
				cache = Some(std::path::PathBuf::from(value));
				true
			},
			"--max-bytes" => value.parse().map(|v| max_bytes = v).is_ok(),
			"--timeout-secs" => value.parse().map(|v| timeout = v).is_ok(),
			_ => false,
		};
		if !ok {
			eprintln!("bad value for {flag}: {value}");
			return usage();
		}
	}
	let Some(size) = size else { return usage() };
	let input = InputRef { hash, size, url };
	let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
		Ok(rt) => rt,
		Err(e) => {
			eprintln!("error: {e}");
			return ExitCode::FAILURE;
		},
	};
	let started = std::time::Instant::now();
	let fetched = rt.block_on(async {
		let fetcher = Fetcher::new(
			node,
			cache,
			4 * max_bytes,
			max_bytes,
			std::time::Duration::from_secs(timeout),
		)
		.map_err(|e| e.to_string())?;
		fetcher.fetch(&input).await.map_err(|e| e.to_string())
	});
	match fetched {
		Ok(bytes) => {
			if let Some(path) = &out {
				if let Err(e) = std::fs::write(path, &bytes) {
					eprintln!("error: {path}: {e}");
					return ExitCode::FAILURE;
				}
			}
			println!(
				"{}",
				serde_json::json!({
					"hash": format!("0x{}", hex::encode(hash)),
					"cid": crucible_primitives::data::cid_of(&hash),
					"bytes": bytes.len(),
					"seconds": started.elapsed().as_secs_f64(),
				})
			);
			ExitCode::SUCCESS
		},
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}

fn serve(args: &[String]) -> ExitCode {
	let mut config = crucible_worker::service::ServiceConfig::default();
	let (mut node, mut cache) = (None, None);
	let (mut program_dir, mut program_timeout) = (None, std::time::Duration::from_secs(20));
	let mut it = args.iter();
	while let Some(flag) = it.next() {
		let Some(value) = it.next() else { return usage() };
		let ok = match flag.as_str() {
			"--listen" => value.parse().map(|a| config.listen = a).is_ok(),
			"--metrics" => value.parse().map(|a| config.metrics = Some(a)).is_ok(),
			"--device" => value.parse().map(|d| config.device = d).is_ok(),
			"--queue" => value.parse().map(|q| config.max_queue = q).is_ok(),
			"--timeout-secs" => value
				.parse()
				.map(|s| config.job_timeout = std::time::Duration::from_secs(s))
				.is_ok(),
			"--node" => {
				node = Some(value.trim_end_matches('/').to_string());
				true
			},
			"--input-cache" => {
				cache = Some(std::path::PathBuf::from(value));
				true
			},
			"--program-dir" => {
				program_dir = Some(std::path::PathBuf::from(value));
				true
			},
			"--program-timeout-secs" => value
				.parse()
				.map(|s| program_timeout = std::time::Duration::from_secs(s))
				.is_ok(),
			_ => false,
		};
		if !ok {
			eprintln!("bad value for {flag}: {value}");
			return usage();
		}
	}
	// Open programs run in children of this executable, in (and cached under) `--program-dir`.
	if let Some(dir) = program_dir {
		match crucible_worker::program::Runner::current_exe(
			&["run-program"],
			dir.join("jobs"),
			Some(dir.join("cache")),
			program_timeout,
		) {
			Ok(r) => config.programs = Some(r),
			Err(e) => {
				eprintln!("error: the program runner: {e}");
				return ExitCode::FAILURE;
			},
		}
	}
	let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(rt) => rt,
		Err(e) => {
			eprintln!("error: {e}");
			return ExitCode::FAILURE;
		},
	};
	// Inputs: blobs from the node's RPC, URLs directly; cached (1 GiB) when asked.
	let fetcher = crucible_worker::inputs::Fetcher::new(
		node,
		cache,
		1 << 30,
		crucible_primitives::MAX_INPUT_BYTES,
		std::time::Duration::from_secs(60),
	);
	match fetcher {
		Ok(f) => config.inputs = Some(std::sync::Arc::new(f)),
		Err(e) => {
			eprintln!("error: input fetcher: {e}");
			return ExitCode::FAILURE;
		},
	}
	rt.block_on(async move {
		// Install the signal handlers before the OpenCL runtime starts its threads.
		let mut term =
			match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
				Ok(t) => t,
				Err(e) => {
					eprintln!("error: {e}");
					return ExitCode::FAILURE;
				},
			};
		let mut int = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
		{
			Ok(t) => t,
			Err(e) => {
				eprintln!("error: {e}");
				return ExitCode::FAILURE;
			},
		};
		let svc = match crucible_worker::service::start(config.clone()).await {
			Ok(s) => s,
			Err(e) => {
				eprintln!("error: {e}");
				return ExitCode::FAILURE;
			},
		};
		let h = svc.worker.health();
		println!(
			"crucible-worker {} serving JSON-RPC on http://{} (device: {}, {})",
			env!("CARGO_PKG_VERSION"),
			svc.local_addr,
			h.device_class,
			h.device_kind
		);
		if let Some(m) = config.metrics {
			println!("Prometheus metrics on http://{m}/metrics");
		}
		tokio::select! {
			_ = int.recv() => {},
			_ = term.recv() => {},
		}
		println!("shutting down: finishing the running job");
		svc.stop().await;
		ExitCode::SUCCESS
	})
}
