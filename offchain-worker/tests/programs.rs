//! Open programs on the worker: run out of process on the OpenCL device (PoCL in CI), compiled
//! once per kernel hash and device, and every way a run can fail — a source that does not
//! build, a kernel that loops forever, one that writes out of bounds, one that crashes, a child
//! above its memory limit — ends as a typed failure with a log, while the worker goes on and
//! runs the next job.

mod common;

use common::{call, wait_done};
use crucible_primitives::{
	program::{Arg, Buffer, Dim, Expr, Failure, Launch, Manifest, Term, Verification},
	BoundedVec, DataRef, JobParams,
};
use crucible_worker::{
	blake2_256,
	device::DeviceChoice,
	inputs::Fetcher,
	program::{Outcome, Runner},
	service::{self, JobResultView, ServiceConfig},
};
use serde_json::json;
use std::{
	collections::HashMap,
	path::PathBuf,
	sync::Arc,
	time::{Duration, Instant},
};

const HISTOGRAM: &str = include_str!("../../examples/histogram/histogram.cl");

/// A loop no compiler may remove: it never ends for the values the job gives.
const LOOPS: &str = r#"
__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
	uint i = get_global_id(0);
	volatile uint x = values[i % n];
	while (x != 0xffffffffu || n != 0) { x = x * 1664525u + 1013904223u; bins[x & 255] = x; }
}
"#;

/// Writes one word past the end of its output.
const OUT_OF_BOUNDS: &str = r#"
__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
	if (get_global_id(0) == 0) { bins[256] = 7u; }
}
"#;

/// Writes a gigabyte past the end of its output: the child crashes.
const CRASHES: &str = r#"
__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
	__global uint *far = bins + (1ul << 38);
	if (get_global_id(0) == 0) { for (ulong k = 0; k < (1ul << 20); k++) far[k << 10] = 7u; }
}
"#;

const DOES_NOT_BUILD: &str =
	"__kernel void histogram(__global uint *bins) { bins[0] = undeclared; }";

fn name(s: &str) -> crucible_primitives::program::Name {
	BoundedVec::truncate_from(s.as_bytes().to_vec())
}

/// examples/histogram/manifest.json in the chain's form.
fn histogram() -> Manifest {
	Manifest {
		dims: BoundedVec::truncate_from(vec![Dim { name: name("n"), min: 1, max: 1 << 24 }]),
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
			local: BoundedVec::truncate_from(vec![64]),
			args: BoundedVec::truncate_from(vec![
				Arg::Buffer(0),
				Arg::Buffer(1),
				Arg::Uint(Expr::dim(0)),
			]),
		}]),
		output: BoundedVec::truncate_from(vec![1]),
		verification: Verification { quorum: 2, bit_exact: true },
		work: Expr::dim(0),
		unit_size: 65536,
		max_work: 1 << 24,
	}
}

/// `n` pseudo-random u32 values, little-endian.
fn values(n: u32) -> Vec<u8> {
	let mut x = 0x2545_f491u32;
	(0..n)
		.flat_map(|_| {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			x.to_le_bytes()
		})
		.collect()
}

/// The histogram computed here: 256 u32 counts of `value >> 24`.
fn reference(input: &[u8]) -> Vec<u8> {
	let mut bins = [0u32; 256];
	for v in input.chunks_exact(4) {
		bins[(u32::from_le_bytes(v.try_into().unwrap()) >> 24) as usize] += 1;
	}
	bins.iter().flat_map(|b| b.to_le_bytes()).collect()
}

fn scratch(tag: &str) -> PathBuf {
	let d = std::env::temp_dir().join(format!("crucible-programs-{tag}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&d);
	d
}

fn runner(tag: &str, timeout: Duration) -> Runner {
	let d = scratch(tag);
	Runner {
		exe: env!("CARGO_BIN_EXE_crucible-worker").into(),
		args: vec!["run-program".into()],
		work_dir: d.join("jobs"),
		cache_dir: Some(d.join("cache")),
		timeout,
		memory_overhead: 1 << 30,
	}
}

fn run(r: &Runner, source: &str, n: u32) -> Outcome {
	let input = values(n);
	r.run(
		1,
		DeviceChoice::Auto,
		&blake2_256(source.as_bytes()),
		&histogram(),
		&[n],
		source.as_bytes(),
		&[input],
	)
	.expect("the worker runs the child")
}

#[test]
fn a_program_runs_out_of_process_equals_its_reference_and_is_compiled_once() {
	let r = runner("ok", Duration::from_secs(60));
	for (n, cached) in [(1000, false), (100_003, true)] {
		match run(&r, HISTOGRAM, n) {
			Outcome::Done { output, cached: c } => {
				assert_eq!(output, reference(&values(n)), "n = {n}");
				assert_eq!(c, cached, "the second run loads the compiled program from disk");
			},
			other => panic!("n = {n}: {other:?}"),
		}
	}
	let cache: Vec<_> = std::fs::read_dir(r.cache_dir.as_ref().unwrap()).unwrap().collect();
	assert_eq!(cache.len(), 1, "one binary for one kernel hash on one device");
	assert!(!r.work_dir.join("job-1").exists(), "the job directory is removed");
}

#[test]
fn a_source_that_does_not_build_fails_with_its_build_log() {
	let r = runner("build", Duration::from_secs(60));
	match run(&r, DOES_NOT_BUILD, 1000) {
		Outcome::Failed(Failure::Build, log) => assert!(log.contains("undeclared"), "{log}"),
		other => panic!("{other:?}"),
	}
	// An entry point the manifest names and the source lacks is a build failure too.
	let other_name = HISTOGRAM.replace("void histogram(", "void hist(");
	match run(&r, &other_name, 1000) {
		Outcome::Failed(Failure::Build, log) => assert!(log.contains("histogram"), "{log}"),
		other => panic!("{other:?}"),
	}
}

#[test]
fn a_kernel_that_loops_forever_is_stopped_at_the_time_limit() {
	let r = runner("loop", Duration::from_secs(3));
	let started = Instant::now();
	match run(&r, LOOPS, 1000) {
		Outcome::Failed(Failure::Timeout, log) => assert!(log.contains("stopped after"), "{log}"),
		other => panic!("{other:?}"),
	}
	let took = started.elapsed();
	assert!(took < Duration::from_secs(10), "stopped {took:?} after it started");
	// The worker goes on: the next job runs.
	assert!(matches!(run(&r, HISTOGRAM, 1000), Outcome::Done { .. }));
}

/// The pids of the processes whose command line names `dir`.
fn processes_naming(dir: &std::path::Path) -> Vec<u32> {
	let want = dir.to_string_lossy().into_owned();
	std::fs::read_dir("/proc")
		.unwrap()
		.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
		.filter(|pid| {
			std::fs::read(format!("/proc/{pid}/cmdline"))
				.map(|c| String::from_utf8_lossy(&c).contains(&want))
				.unwrap_or(false)
		})
		.collect()
}

/// Run by `a_runaway_child_dies_with_the_worker_that_started_it` in a process of its own (this
/// test binary again, filtered to this test): runs the looping kernel with an hour's time limit.
#[test]
fn runaway_child_parent() {
	let Ok(tag) = std::env::var("CRUCIBLE_RUNAWAY_PARENT") else { return };
	let r = runner(&tag, Duration::from_secs(3600));
	let _ = run(&r, LOOPS, 1000);
}

#[test]
fn a_runaway_child_dies_with_the_worker_that_started_it() {
	// The parent (a worker or node) is killed while its child runs a kernel that never ends:
	// the child must not outlive it (PR_SET_PDEATHSIG), or it would hold the device forever.
	let tag = format!("runaway-{}", std::process::id());
	let mut parent = std::process::Command::new(std::env::current_exe().unwrap())
		.args(["--exact", "runaway_child_parent", "--test-threads", "1", "--nocapture"])
		.env("CRUCIBLE_RUNAWAY_PARENT", &tag)
		.stdout(std::process::Stdio::null())
		.stderr(std::process::Stdio::null())
		.spawn()
		.unwrap();
	// `runner(tag)` works in `scratch(tag)/jobs`, and `run` names its job 1.
	let job_dir = std::env::temp_dir()
		.join(format!("crucible-programs-{tag}-{}", parent.id()))
		.join("jobs/job-1");
	let started = Instant::now();
	let child = loop {
		if let Some(pid) = processes_naming(&job_dir).into_iter().find(|p| *p != parent.id()) {
			break pid;
		}
		assert!(started.elapsed() < Duration::from_secs(30), "the child never started");
		std::thread::sleep(Duration::from_millis(50));
	};
	// It is still running a second later: the kernel loops.
	std::thread::sleep(Duration::from_secs(1));
	assert!(processes_naming(&job_dir).contains(&child), "the child ended by itself");
	parent.kill().unwrap();
	parent.wait().unwrap();
	let killed = Instant::now();
	while processes_naming(&job_dir).contains(&child) {
		assert!(killed.elapsed() < Duration::from_secs(5), "the child {child} outlived its parent");
		std::thread::sleep(Duration::from_millis(20));
	}
	let _ = std::fs::remove_dir_all(job_dir.parent().unwrap().parent().unwrap());
}

#[test]
fn a_kernel_that_writes_out_of_bounds_is_caught_by_the_guard_bytes() {
	let r = runner("oob", Duration::from_secs(60));
	match run(&r, OUT_OF_BOUNDS, 1000) {
		Outcome::Failed(Failure::OutOfBounds, log) => assert!(log.contains("buffer 1"), "{log}"),
		other => panic!("{other:?}"),
	}
}

#[test]
fn a_kernel_that_crashes_its_process_fails_and_the_next_job_runs() {
	let r = runner("crash", Duration::from_secs(60));
	match run(&r, CRASHES, 1000) {
		Outcome::Failed(Failure::Crashed, log) => {
			assert!(log.contains("without a result"), "{log}")
		},
		other => panic!("{other:?}"),
	}
	assert!(matches!(run(&r, HISTOGRAM, 1000), Outcome::Done { .. }));
}

#[test]
fn a_child_above_its_memory_limit_is_stopped() {
	let mut r = runner("memory", Duration::from_secs(60));
	// No room beyond the buffers: the OpenCL runtime alone is above it.
	r.memory_overhead = 0;
	match run(&r, HISTOGRAM, 1000) {
		Outcome::Failed(Failure::Memory, log) => assert!(log.contains("resident"), "{log}"),
		other => panic!("{other:?}"),
	}
}

fn blob(bytes: &[u8]) -> DataRef {
	DataRef::Blob { digest: blake2_256(bytes), bytes: bytes.len() as u64 }
}

#[test]
fn the_service_runs_programs_reports_failures_and_serves_their_logs() {
	let n = 4096u32;
	let input = values(n);
	let blobs: HashMap<[u8; 32], Vec<u8>> = [HISTOGRAM, DOES_NOT_BUILD]
		.iter()
		.map(|s| s.as_bytes().to_vec())
		.chain([input.clone()])
		.map(|b| (blake2_256(&b), b))
		.collect();
	let blobs = Arc::new(blobs);
	let fetcher = Fetcher::new(None, None, 0, 1 << 28, Duration::from_secs(5))
		.unwrap()
		.with_local(Arc::new(move |h: &[u8; 32]| blobs.get(h).cloned()));
	let rt = tokio::runtime::Builder::new_multi_thread()
		.worker_threads(2)
		.enable_all()
		.build()
		.unwrap();
	let config = ServiceConfig {
		listen: "127.0.0.1:0".parse().unwrap(),
		inputs: Some(Arc::new(fetcher)),
		programs: Some(runner("service", Duration::from_secs(60))),
		..Default::default()
	};
	let svc = rt.block_on(service::start(config)).expect("service starts");
	let a = svc.local_addr;
	let params = JobParams::new([0; 32], &[n], None)
		.unwrap()
		.with_inputs(vec![blob(&input)])
		.unwrap();
	let submit = |source: &str, m: &Manifest, p: &JobParams| -> Result<u64, i32> {
		call(a, "worker_submit_program", json!([blob(source.as_bytes()), m, p]))
	};

	// A program's result: the histogram, under the source's hash as the kernel hash.
	let t = submit(HISTOGRAM, &histogram(), &params).unwrap();
	assert_eq!(wait_done(a, t).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([t])).unwrap();
	assert_eq!(r.kernel_hash, format!("0x{}", hex::encode(blake2_256(HISTOGRAM.as_bytes()))));
	assert_eq!(r.output_digest, format!("0x{}", hex::encode(blake2_256(&reference(&input)))));
	let full: String = call(a, "worker_output", json!([r.output_digest])).unwrap();
	assert_eq!(full, format!("0x{}", hex::encode(reference(&input))));

	// A failed run is a result: the failure's digest, the log's hash, the log served.
	let t = submit(DOES_NOT_BUILD, &histogram(), &params).unwrap();
	assert_eq!(wait_done(a, t).state, "done");
	let r: JobResultView = call(a, "worker_result", json!([t])).unwrap();
	assert_eq!(
		r.output_digest,
		format!("0x{}", hex::encode(blake2_256(&Failure::Build.preimage())))
	);
	let log: String = call(a, "worker_log", json!([r.small_output])).unwrap();
	assert!(log.contains("undeclared"), "{log}");
	assert_eq!(r.small_output, format!("0x{}", hex::encode(blake2_256(log.as_bytes()))));

	// Refused before anything runs: a manifest the ABI refuses, dimensions out of bounds, an
	// input of another length, a source above 1 MiB.
	let mut bad = histogram();
	bad.output = BoundedVec::truncate_from(vec![0]);
	assert_eq!(submit(HISTOGRAM, &bad, &params), Err(-32602));
	let big = JobParams::new([0; 32], &[1 << 25], None)
		.unwrap()
		.with_inputs(vec![blob(&input)])
		.unwrap();
	assert_eq!(submit(HISTOGRAM, &histogram(), &big), Err(-32602));
	let short = JobParams::new([0; 32], &[n + 1], None)
		.unwrap()
		.with_inputs(vec![blob(&input)])
		.unwrap();
	assert_eq!(submit(HISTOGRAM, &histogram(), &short), Err(-32602));
	let huge = DataRef::Blob { digest: [1; 32], bytes: (1 << 20) + 1 };
	assert_eq!(
		call::<u64>(a, "worker_submit_program", json!([huge, histogram(), params])),
		Err(-32602)
	);
	rt.block_on(svc.stop());
}
