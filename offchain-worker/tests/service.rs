//! The JSON-RPC service end to end over HTTP: submit, poll, result equal to the reference,
//! output by digest, typed errors for bad input and a full queue, health, graceful shutdown.

mod common;

use common::{call, runtime, wait_done};
use crucible_worker::{
	blake2_256,
	kernels::{self, Kernel},
	service::{self, JobResultView, ServiceConfig, StatusView},
	JobParams,
};
use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	time::Duration,
};

fn config() -> ServiceConfig {
	ServiceConfig {
		listen: "127.0.0.1:0".parse().unwrap(),
		max_queue: 4,
		max_work: 1 << 32,
		..Default::default()
	}
}

fn p(dims: &[u32]) -> JobParams {
	JobParams::new(blake2_256(b"svc"), dims, None).unwrap()
}

#[test]
fn jobs_run_over_json_rpc_and_match_the_reference() {
	let rt = runtime();
	let svc = rt.block_on(service::start(config())).expect("service starts");
	let a = svc.local_addr;

	let kernels: Vec<Value> = call(a, "worker_kernels", json!([])).unwrap();
	assert_eq!(kernels.len(), kernels::library().len());

	let params = p(&[1000]);
	let ticket: u64 = call(a, "worker_submit", json!(["merkle-root", params])).unwrap();
	assert_eq!(wait_done(a, ticket).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([ticket])).unwrap();
	let reference = kernels::MerkleRoot.reference(&params, &[]).unwrap();
	assert_eq!(r.output_digest, format!("0x{}", hex::encode(reference.digest())));
	assert_eq!(r.small_output, format!("0x{}", hex::encode(&reference.small)));
	assert_eq!(r.kernel_hash, format!("0x{}", hex::encode(kernels::MerkleRoot.kernel_hash())));
	assert_eq!(r.worker_version, service::WORKER_VERSION);
	assert!(!r.device_class.is_empty());
	let full: String = call(a, "worker_output", json!([r.output_digest])).unwrap();
	assert_eq!(full, format!("0x{}", hex::encode(&reference.bytes)));

	// Typed errors, nothing queued.
	assert_eq!(call::<u64>(a, "worker_submit", json!(["no-such-kernel", params])), Err(-32001));
	assert_eq!(call::<u64>(a, "worker_submit", json!(["merkle-root", p(&[0])])), Err(-32602));
	assert_eq!(
		call::<u64>(a, "worker_submit", json!(["matmul-modp", p(&[4096])])),
		Err(-32002),
		"4096³ > 2^32"
	);
	assert_eq!(call::<StatusView>(a, "worker_status", json!([999_999u64])), Err(-32004));
	assert_eq!(call::<JobResultView>(a, "worker_result", json!([999_999u64])), Err(-32004));

	// A full queue answers with a clear error; the worker stays healthy and drains it.
	let big = JobParams::new(blake2_256(b"q"), &[1 << 22], Some([0; 32])).unwrap();
	let mut tickets = Vec::new();
	let mut full_err = None;
	for _ in 0..12 {
		match call::<u64>(a, "worker_submit", json!(["hash-search", big])) {
			Ok(t) => tickets.push(t),
			Err(code) => {
				full_err = Some(code);
				break;
			},
		}
	}
	assert_eq!(full_err, Some(-32003), "the queue of 4 fills up");
	let h: Value = call(a, "worker_health", json!([])).unwrap();
	assert_eq!(h["ok"], true);
	for t in tickets {
		assert_eq!(wait_done(a, t).state, "done");
	}
	rt.block_on(svc.stop());
	assert!(call::<Value>(a, "worker_health", json!([])).is_err(), "stopped");
}

#[test]
fn a_job_past_its_timeout_is_reported_and_the_worker_stays_healthy() {
	let rt = runtime();
	let svc = rt
		.block_on(service::start(ServiceConfig {
			job_timeout: Duration::from_millis(1),
			..config()
		}))
		.unwrap();
	let a = svc.local_addr;
	let slow = JobParams::new(blake2_256(b"t"), &[1 << 21], Some([0; 32])).unwrap();
	let t: u64 = call(a, "worker_submit", json!(["hash-search", slow])).unwrap();
	let s = wait_done(a, t);
	assert_eq!(s.state, "failed");
	assert!(s.error.unwrap().contains("timed out"));
	let h: Value = call(a, "worker_health", json!([])).unwrap();
	assert_eq!(h["ok"], true);
	// And it still runs the next job.
	let ok: u64 = call(a, "worker_submit", json!(["merkle-root", p(&[8])])).unwrap();
	assert_eq!(wait_done(a, ok).state, "failed", "every job exceeds a 1 ms timeout");
	rt.block_on(svc.stop());
}

/// Serve `body` over HTTP on a loopback port for up to `n` requests; returns the URL.
fn serve_file(body: Vec<u8>, n: usize) -> String {
	let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}/values.bin", listener.local_addr().unwrap());
	std::thread::spawn(move || {
		for stream in listener.incoming().take(n) {
			let Ok(mut s) = stream else { continue };
			let mut req = [0u8; 4096];
			let _ = s.read(&mut req);
			let _ = write!(
				s,
				"HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
				body.len()
			);
			let _ = s.write_all(&body);
		}
	});
	url
}

/// A job on the consumer's data: its input is fetched from a URL, checked, and the result is
/// the reference's; bytes of another hash are reported as the input being unavailable (the
/// report the chain recognises); a blob input with no node to ask is refused at submission.
#[test]
fn inputs_are_fetched_and_checked_and_unavailable_ones_reported() {
	use crucible_primitives::DataRef;
	let rt = runtime();
	let svc = rt.block_on(service::start(config())).expect("service starts");
	let a = svc.local_addr;
	let values: Vec<u8> = (0..10_000u32).flat_map(|v| (v * 7).to_le_bytes()).collect();
	let url = serve_file(values.clone(), 4);
	let named = |hash: [u8; 32]| {
		p(&[10_000])
			.with_inputs(vec![DataRef::Url {
				url: url.as_bytes().to_vec().try_into().unwrap(),
				digest: hash,
				bytes: values.len() as u64,
			}])
			.unwrap()
	};
	let good = named(blake2_256(&values));
	let t: u64 = call(a, "worker_submit", json!(["prefix-sum-data", good])).unwrap();
	assert_eq!(wait_done(a, t).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([t])).unwrap();
	let reference = kernels::PrefixSumData.reference(&good, std::slice::from_ref(&values)).unwrap();
	assert_eq!(r.output_digest, format!("0x{}", hex::encode(reference.digest())));

	// The URL serves bytes that do not hash to the named hash.
	let tampered = named([0xab; 32]);
	let t: u64 = call(a, "worker_submit", json!(["prefix-sum-data", tampered])).unwrap();
	assert_eq!(wait_done(a, t).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([t])).unwrap();
	let report = blake2_256(&crucible_primitives::unavailable_preimage(0));
	assert_eq!(r.output_digest, format!("0x{}", hex::encode(report)));
	assert_eq!(r.small_output, "0x");

	// Nothing listens there any more after the server's requests run out: unavailable too.
	let gone = p(&[1])
		.with_inputs(vec![DataRef::Url {
			url: b"http://127.0.0.1:9/none".to_vec().try_into().unwrap(),
			digest: [0; 32],
			bytes: 4,
		}])
		.unwrap();
	let t: u64 = call(a, "worker_submit", json!(["prefix-sum-data", gone])).unwrap();
	assert_eq!(wait_done(a, t).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([t])).unwrap();
	assert_eq!(r.output_digest, format!("0x{}", hex::encode(report)));

	// A blob, and no node configured: this worker cannot tell, so it refuses the job.
	let blob = p(&[1]).with_inputs(vec![DataRef::Blob { digest: [1; 32], bytes: 4 }]).unwrap();
	assert_eq!(call::<u64>(a, "worker_submit", json!(["prefix-sum-data", blob])), Err(-32602));
	// The wrong number of inputs, or an input of the wrong shape: refused too.
	assert_eq!(call::<u64>(a, "worker_submit", json!(["prefix-sum-data", p(&[1])])), Err(-32602));
	assert_eq!(
		call::<u64>(
			a,
			"worker_submit",
			json!(["prefix-sum-data", named([0; 32]).with_inputs(vec![]).unwrap()])
		),
		Err(-32602)
	);
	rt.block_on(svc.stop());
}
