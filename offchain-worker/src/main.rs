//! `crucible-worker`: `kernels` lists the kernel library, `devices` the OpenCL devices,
//! `run <kernel> <params-json>` runs one job and prints its result.

use crucible_worker::{device, kernels, JobParams};
use std::process::ExitCode;

fn usage() -> ExitCode {
	eprintln!(
		"usage:\n  crucible-worker kernels\n  crucible-worker devices\n  crucible-worker run <kernel> '<params json>' [--device auto|P:D] [--reference]\n\nparams json: {{\"seed\":\"0x<64 hex>\",\"dims\":[...],\"target\":\"0x<64 hex>\"}}"
	);
	ExitCode::from(2)
}

fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match args.first().map(String::as_str) {
		Some("kernels") => {
			for k in kernels::library() {
				println!("{:<18} 0x{}  {}", k.name(), hex::encode(k.kernel_hash()), k.describe_params());
			}
			ExitCode::SUCCESS
		},
		Some("devices") => {
			for d in device::list() {
				println!("{}:{}  {:<4} {:>3} CUs  {}", d.platform, d.device, d.kind, d.compute_units, d.class);
			}
			ExitCode::SUCCESS
		},
		Some("run") if args.len() >= 3 => {
			let Some(kernel) = kernels::by_name(&args[1]) else {
				eprintln!("unknown kernel `{}`; see `crucible-worker kernels`", args[1]);
				return ExitCode::from(2)
			};
			let params: JobParams = match serde_json::from_str(&args[2]) {
				Ok(p) => p,
				Err(e) => {
					eprintln!("invalid params: {e}");
					return ExitCode::from(2)
				},
			};
			let mut choice = device::DeviceChoice::Auto;
			let mut reference = false;
			let mut rest = args[3..].iter();
			while let Some(a) = rest.next() {
				match a.as_str() {
					"--reference" => reference = true,
					"--device" => match rest.next().map(|s| s.parse()) {
						Some(Ok(c)) => choice = c,
						_ => return usage(),
					},
					_ => return usage(),
				}
			}
			let started = std::time::Instant::now();
			let result = if reference {
				kernel.reference(&params).map(|o| (o, "rust-reference".to_string()))
			} else {
				device::Device::open(choice).and_then(|d| d.run(kernel.as_ref(), &params).map(|o| (o, d.class.clone())))
			};
			match result {
				Ok((out, class)) => {
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
		_ => usage(),
	}
}
