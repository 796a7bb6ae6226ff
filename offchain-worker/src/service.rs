//! The worker service: a bounded job queue in front of one OpenCL device (one job at a time),
//! served over JSON-RPC (`jsonrpsee`), with Prometheus metrics.
//!
//! | method | params | result |
//! | --- | --- | --- |
//! | `worker_submit` | `kernel`, `params` | ticket (`u64`) |
//! | `worker_submit_program` | `source` ([`DataRef`]), `manifest` ([`Manifest`]), `params` | ticket |
//! | `worker_status` | `ticket` | `{ state, error? }`, state ∈ queued, running, done, failed |
//! | `worker_result` | `ticket` | [`JobResultView`] |
//! | `worker_output` | `digest` (hex) | the full canonical output (hex) |
//! | `worker_log` | `hash` (hex) | the log of a failed open program's run, by its `blake2_256` |
//! | `worker_kernels` | — | name, kernel hash, entry point, parameters of each kernel |
//! | `worker_health` | — | [`Health`] |
//! | `worker_devices` | — | the machine's OpenCL devices |
//!
//! Errors carry the codes of [`crucible_primitives::worker_rpc`], which the chain's offchain
//! worker reads too: −32602 invalid parameters, −32001 unknown kernel, −32002 job too large,
//! −32003 queue full, −32004 unknown ticket or digest, −32005 not finished yet.
//!
//! Open programs run out of process ([`crate::program`]). A run that fails (the source does not
//! build, a launch is refused, a limit is hit, a kernel writes out of bounds or crashes) is a
//! result, not an error: its output is [`Failure::preimage`] and its small output the
//! `blake2_256` of its log, which `worker_log` serves.
//!
//! [`DataRef`]: crucible_primitives::DataRef
//! [`Manifest`]: crucible_primitives::program::Manifest
//! [`Failure::preimage`]: crucible_primitives::program::Failure::preimage

use std::{
	collections::{HashMap, VecDeque},
	net::SocketAddr,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Condvar, Mutex,
	},
	time::{Duration, Instant},
};

use crucible_primitives::worker_rpc::{
	INTERNAL, INVALID_PARAMS, NOT_FINISHED, QUEUE_FULL, TOO_LARGE, UNKNOWN_KERNEL, UNKNOWN_TICKET,
};
use crucible_primitives::{
	program::{Failure, Manifest},
	DataRef,
};
use jsonrpsee::{
	server::{Server, ServerHandle},
	types::{ErrorObject, ErrorObjectOwned},
	RpcModule,
};
use serde::{Deserialize, Serialize};
use substrate_prometheus_endpoint::{
	register, CounterVec, HistogramOpts, HistogramVec, Opts, Registry, U64,
};

use crate::{
	device::{self, Device, DeviceChoice},
	inputs::{Fetcher, InputError, InputRef},
	kernels::{self, Kernel, Output},
	program::{self, Runner},
	JobParams, WorkerError,
};

/// The worker version reported in results and attested on-chain.
pub const WORKER_VERSION: u32 = 1;

/// How the service runs.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
	/// JSON-RPC listen address.
	pub listen: SocketAddr,
	/// Prometheus listen address, if any.
	pub metrics: Option<SocketAddr>,
	/// The OpenCL device.
	pub device: DeviceChoice,
	/// Most jobs waiting (not counting the running one).
	pub max_queue: usize,
	/// Most work items one job may need (see [`Kernel::validate`]).
	pub max_work: u64,
	/// Jobs running longer than this are reported as timed out.
	pub job_timeout: Duration,
	/// Most finished jobs (and their full outputs) kept for `worker_result`/`worker_output`.
	pub retain: usize,
	/// Most bytes of full outputs kept (the oldest dropped first), whatever their count.
	pub retain_bytes: u64,
	/// Runs open programs in child processes; `None`: this worker refuses them.
	pub programs: Option<Runner>,
	/// Fetches jobs' inputs; `None`: URLs only, no cache, [`MAX_INPUT_BYTES`] and 60 s bounds.
	///
	/// [`MAX_INPUT_BYTES`]: crucible_primitives::MAX_INPUT_BYTES
	pub inputs: Option<Arc<Fetcher>>,
	/// Test builds only: report a corrupted digest and small output for every job, to play a
	/// byzantine provider in end-to-end tests.
	#[cfg(feature = "byzantine")]
	pub byzantine: bool,
}

impl Default for ServiceConfig {
	fn default() -> Self {
		Self {
			listen: "127.0.0.1:9955".parse().expect("valid address"),
			metrics: None,
			device: DeviceChoice::Auto,
			max_queue: 64,
			max_work: crucible_primitives::MAX_WORK,
			job_timeout: Duration::from_secs(120),
			retain: 256,
			retain_bytes: 256 * 1024 * 1024,
			programs: None,
			inputs: None,
			#[cfg(feature = "byzantine")]
			byzantine: false,
		}
	}
}

/// What `worker_result` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobResultView {
	/// The kernel that ran.
	pub kernel: String,
	/// Its kernel hash (hex).
	pub kernel_hash: String,
	/// `blake2_256` of the full output (hex).
	pub output_digest: String,
	/// The small output for the chain (hex).
	pub small_output: String,
	/// Bytes of the full output.
	pub output_bytes: u64,
	/// Device class that computed it.
	pub device_class: String,
	/// Worker version.
	pub worker_version: u32,
	/// Seconds the job ran.
	pub seconds: f64,
}

/// What `worker_status` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
	/// queued, running, done or failed.
	pub state: String,
	/// Why it failed.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub error: Option<String>,
}

/// What `worker_health` returns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Health {
	/// Always true while the service answers.
	pub ok: bool,
	/// The device's class.
	pub device_class: String,
	/// `GPU`, `CPU`, …
	pub device_kind: String,
	/// Jobs waiting.
	pub queued: usize,
	/// Whether a job is running.
	pub running: bool,
	/// Worker version.
	pub worker_version: u32,
}

/// A kernel as `worker_kernels` lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KernelView {
	/// Name (the workload name on-chain).
	pub name: String,
	/// Kernel hash (hex).
	pub kernel_hash: String,
	/// Entry point.
	pub entry_point: String,
	/// What the dimensions mean.
	pub params: String,
}

enum State {
	Queued,
	Running,
	Done(JobResultView),
	Failed(String),
}

/// What a job runs.
#[derive(Clone)]
enum Work {
	/// A kernel of the library.
	Builtin(Arc<dyn Kernel>),
	/// An open program: its source (checked against its hash, the kernel hash) and manifest.
	Program(Arc<(DataRef, Manifest)>),
}

impl Work {
	fn name(&self) -> &'static str {
		match self {
			Work::Builtin(k) => k.name(),
			Work::Program(_) => "program",
		}
	}

	fn kernel_hash(&self) -> [u8; 32] {
		match self {
			Work::Builtin(k) => k.kernel_hash(),
			Work::Program(p) => p.0.hash().copied().unwrap_or_default(),
		}
	}
}

struct Job {
	work: Work,
	params: JobParams,
	state: State,
}

/// Full outputs kept, by digest, in the order they were made, with their bytes in total.
#[derive(Default)]
struct Retained {
	by_digest: HashMap<[u8; 32], Vec<u8>>,
	order: VecDeque<([u8; 32], u64)>,
	bytes: u64,
}

struct Metrics {
	jobs: CounterVec<U64>,
	seconds: HistogramVec,
	bytes: CounterVec<U64>,
}

impl Metrics {
	fn new(registry: &Registry) -> Result<Self, substrate_prometheus_endpoint::PrometheusError> {
		Ok(Self {
			jobs: register(
				CounterVec::new(
					Opts::new("crucible_worker_jobs_total", "Jobs by final state"),
					&["state"],
				)?,
				registry,
			)?,
			seconds: register(
				HistogramVec::new(
					HistogramOpts::new("crucible_worker_job_seconds", "Seconds per job, by kernel")
						.buckets(vec![0.001, 0.01, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0]),
					&["kernel"],
				)?,
				registry,
			)?,
			bytes: register(
				CounterVec::new(
					Opts::new(
						"crucible_worker_output_bytes_total",
						"Output bytes produced, by kernel",
					),
					&["kernel"],
				)?,
				registry,
			)?,
		})
	}
}

/// The service's shared state.
pub struct Worker {
	config: ServiceConfig,
	device_class: String,
	device_kind: String,
	next_ticket: AtomicU64,
	jobs: Mutex<HashMap<u64, Job>>,
	queue: Mutex<VecDeque<u64>>,
	wake: Condvar,
	outputs: Mutex<Retained>,
	/// Logs of failed program runs, by their hash, oldest first (at most `retain`).
	logs: Mutex<VecDeque<([u8; 32], String)>>,
	metrics: Metrics,
	stopping: std::sync::atomic::AtomicBool,
	fetcher: Arc<Fetcher>,
	runtime: tokio::runtime::Handle,
}

fn rpc_error(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, msg.into(), None::<()>)
}

impl From<WorkerError> for ErrorObjectOwned {
	fn from(e: WorkerError) -> Self {
		let code = match e {
			WorkerError::InvalidParams(_) => INVALID_PARAMS,
			WorkerError::UnknownKernel(_) => UNKNOWN_KERNEL,
			WorkerError::TooLarge { .. } => TOO_LARGE,
			_ => INTERNAL,
		};
		rpc_error(code, e.to_string())
	}
}

impl Worker {
	/// Queue a job; refused with a typed error before anything is allocated.
	pub fn submit(&self, kernel: &str, params: JobParams) -> Result<u64, ErrorObjectOwned> {
		let kernel: Arc<dyn Kernel> = kernels::by_name(kernel)
			.ok_or_else(|| WorkerError::UnknownKernel(kernel.into()))?
			.into();
		let work = kernel.check(&params)?;
		self.enqueue(Work::Builtin(kernel), params, work)
	}

	/// Queue a job of an open program: its source (a blob or URL, named by its hash, at most
	/// [`MAX_SOURCE_BYTES`]), its manifest and the job's parameters, all checked as the chain
	/// checks them (the manifest against the ABI, the dimensions and inputs against the
	/// manifest) before anything is allocated.
	///
	/// [`MAX_SOURCE_BYTES`]: crucible_primitives::program::MAX_SOURCE_BYTES
	pub fn submit_program(
		&self,
		source: DataRef,
		manifest: Manifest,
		params: JobParams,
	) -> Result<u64, ErrorObjectOwned> {
		if self.config.programs.is_none() {
			return Err(WorkerError::UnknownKernel(
				"open programs (this worker runs none; see --program-dir)".into(),
			)
			.into());
		}
		let invalid = |m: String| ErrorObjectOwned::from(WorkerError::InvalidParams(m));
		if matches!(source, DataRef::Output { .. })
			|| source.size() == 0
			|| source.size() > crucible_primitives::program::MAX_SOURCE_BYTES
		{
			return Err(invalid(format!(
				"the source must be a blob or URL of 1 to {} bytes",
				crucible_primitives::program::MAX_SOURCE_BYTES
			)));
		}
		manifest
			.check()
			.map_err(|e| invalid(format!("the manifest is refused: {e:?}")))?;
		let work = manifest
			.job_work(&params.dims)
			.map_err(|e| invalid(format!("the dimensions are refused: {e:?}")))?;
		if params.inputs.len() != manifest.inputs.len() {
			return Err(invalid(format!(
				"the program takes {} inputs, the job names {}",
				manifest.inputs.len(),
				params.inputs.len()
			)));
		}
		for (i, r) in params.inputs.iter().enumerate() {
			manifest
				.check_input(i, &params.dims, r.size())
				.map_err(|e| invalid(format!("input {i} is refused: {e:?}")))?;
		}
		self.enqueue(Work::Program(Arc::new((source, manifest))), params, work)
	}

	fn enqueue(
		&self,
		work_of: Work,
		params: JobParams,
		work: u64,
	) -> Result<u64, ErrorObjectOwned> {
		let sources = match &work_of {
			Work::Program(p) => vec![&p.0],
			Work::Builtin(_) => vec![],
		};
		if let Some(crucible_primitives::DataRef::Output { job, .. }) = params
			.inputs
			.iter()
			.find(|r| matches!(r, crucible_primitives::DataRef::Output { .. }))
		{
			return Err(WorkerError::InvalidParams(format!(
				"input names the output of job {job}, not yet resolved to its blob (the chain \
				 assigns a job once all its inputs are blobs or URLs)"
			))
			.into());
		}
		if params
			.inputs
			.iter()
			.chain(sources)
			.any(|r| matches!(r, crucible_primitives::DataRef::Blob { .. }))
			&& !self.fetcher.serves_blobs()
		{
			return Err(WorkerError::InvalidParams(
				"a blob input, and no node to fetch blobs from (see --node)".into(),
			)
			.into());
		}
		if work > self.config.max_work {
			return Err(WorkerError::TooLarge { work, bound: self.config.max_work }.into());
		}
		let mut queue = self.queue.lock().map_err(|_| rpc_error(INTERNAL, "queue poisoned"))?;
		if queue.len() >= self.config.max_queue {
			self.metrics.jobs.with_label_values(&["rejected"]).inc();
			return Err(rpc_error(
				QUEUE_FULL,
				format!("queue full ({} jobs waiting)", queue.len()),
			));
		}
		let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
		self.jobs
			.lock()
			.map_err(|_| rpc_error(INTERNAL, "jobs poisoned"))?
			.insert(ticket, Job { work: work_of, params, state: State::Queued });
		queue.push_back(ticket);
		self.wake.notify_one();
		Ok(ticket)
	}

	/// A job's state.
	pub fn status(&self, ticket: u64) -> Result<StatusView, ErrorObjectOwned> {
		let jobs = self.jobs.lock().map_err(|_| rpc_error(INTERNAL, "jobs poisoned"))?;
		let job = jobs
			.get(&ticket)
			.ok_or_else(|| rpc_error(UNKNOWN_TICKET, format!("unknown ticket {ticket}")))?;
		Ok(match &job.state {
			State::Queued => StatusView { state: "queued".into(), error: None },
			State::Running => StatusView { state: "running".into(), error: None },
			State::Done(_) => StatusView { state: "done".into(), error: None },
			State::Failed(e) => StatusView { state: "failed".into(), error: Some(e.clone()) },
		})
	}

	/// A finished job's result.
	pub fn result(&self, ticket: u64) -> Result<JobResultView, ErrorObjectOwned> {
		let jobs = self.jobs.lock().map_err(|_| rpc_error(INTERNAL, "jobs poisoned"))?;
		let job = jobs
			.get(&ticket)
			.ok_or_else(|| rpc_error(UNKNOWN_TICKET, format!("unknown ticket {ticket}")))?;
		match &job.state {
			State::Done(r) => Ok(r.clone()),
			State::Failed(e) => Err(rpc_error(INTERNAL, format!("job failed: {e}"))),
			_ => Err(rpc_error(NOT_FINISHED, "not finished yet")),
		}
	}

	/// A retained full output by its digest.
	pub fn output(&self, digest: &str) -> Result<String, ErrorObjectOwned> {
		let bytes = hex::decode(digest.trim_start_matches("0x"))
			.ok()
			.and_then(|b| <[u8; 32]>::try_from(b).ok())
			.ok_or_else(|| rpc_error(INVALID_PARAMS, "digest must be 32 bytes of hex"))?;
		let outputs = self.outputs.lock().map_err(|_| rpc_error(INTERNAL, "outputs poisoned"))?;
		outputs
			.by_digest
			.get(&bytes)
			.map(|o| format!("0x{}", hex::encode(o)))
			.ok_or_else(|| rpc_error(UNKNOWN_TICKET, "no retained output with this digest"))
	}

	/// A retained log of a failed program run, by its `blake2_256`.
	pub fn log(&self, hash: &str) -> Result<String, ErrorObjectOwned> {
		let bytes = hex::decode(hash.trim_start_matches("0x"))
			.ok()
			.and_then(|b| <[u8; 32]>::try_from(b).ok())
			.ok_or_else(|| rpc_error(INVALID_PARAMS, "hash must be 32 bytes of hex"))?;
		let logs = self.logs.lock().map_err(|_| rpc_error(INTERNAL, "logs poisoned"))?;
		logs.iter()
			.find(|(h, _)| *h == bytes)
			.map(|(_, l)| l.clone())
			.ok_or_else(|| rpc_error(UNKNOWN_TICKET, "no retained log with this hash"))
	}

	/// Health and load.
	pub fn health(&self) -> Health {
		let queued = self.queue.lock().map(|q| q.len()).unwrap_or(0);
		let running = self
			.jobs
			.lock()
			.map(|j| j.values().any(|j| matches!(j.state, State::Running)))
			.unwrap_or(false);
		Health {
			ok: true,
			device_class: self.device_class.clone(),
			device_kind: self.device_kind.clone(),
			queued,
			running,
			worker_version: WORKER_VERSION,
		}
	}

	/// The executor loop: one job at a time on the device, until `stop`.
	fn execute(self: Arc<Self>, device: Device) {
		let choice = self.config.device;
		loop {
			let ticket = {
				let Ok(mut queue) = self.queue.lock() else { return };
				loop {
					if self.stopping.load(Ordering::Relaxed) {
						return;
					}
					if let Some(t) = queue.pop_front() {
						break t;
					}
					queue = match self.wake.wait_timeout(queue, Duration::from_millis(200)) {
						Ok((q, _)) => q,
						Err(_) => return,
					};
				}
			};
			let (work, params) = {
				let Ok(mut jobs) = self.jobs.lock() else { return };
				let Some(job) = jobs.get_mut(&ticket) else { continue };
				job.state = State::Running;
				(job.work.clone(), job.params.clone())
			};
			let started = Instant::now();
			let outcome = match (self.fetch_inputs(&params), &work) {
				(Ok(Ok(inputs)), Work::Builtin(kernel)) => {
					std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
						device.run(kernel.as_ref(), &params, &inputs)
					}))
					.unwrap_or_else(|_| Err(WorkerError::OpenCl("the kernel run panicked".into())))
				},
				(Ok(Ok(inputs)), Work::Program(p)) => {
					self.run_program(ticket, choice, p, &params, &inputs)
				},
				// An input that cannot be had is the job's result, reported to the chain.
				(Ok(Err(report)), _) => Ok(report),
				(Err(e), _) => Err(e),
			};
			let kernel = &work;
			let seconds = started.elapsed().as_secs_f64();
			let timed_out = started.elapsed() > self.config.job_timeout;
			let state = match outcome {
				Ok(_) if timed_out && matches!(work, Work::Builtin(_)) => State::Failed(
					WorkerError::Timeout(self.config.job_timeout.as_millis() as u64).to_string(),
				),
				#[allow(unused_mut)]
				Ok(mut out) => {
					#[cfg(feature = "byzantine")]
					if self.config.byzantine {
						out.bytes.push(0xba);
						if let Some(b) = out.small.last_mut() {
							*b ^= 0x01;
						}
						log::warn!("byzantine mode: job {ticket} reported with a corrupted result");
					}
					let digest = out.digest();
					self.metrics.seconds.with_label_values(&[kernel.name()]).observe(seconds);
					self.metrics
						.bytes
						.with_label_values(&[kernel.name()])
						.inc_by(out.bytes.len() as u64);
					let view = JobResultView {
						kernel: kernel.name().into(),
						kernel_hash: format!("0x{}", hex::encode(kernel.kernel_hash())),
						output_digest: format!("0x{}", hex::encode(digest)),
						small_output: format!("0x{}", hex::encode(&out.small)),
						output_bytes: out.bytes.len() as u64,
						device_class: self.device_class.clone(),
						worker_version: WORKER_VERSION,
						seconds,
					};
					if let Ok(mut outputs) = self.outputs.lock() {
						outputs.bytes = outputs.bytes.saturating_add(out.bytes.len() as u64);
						if let Some(old) = outputs.by_digest.insert(digest, out.bytes) {
							outputs.bytes = outputs.bytes.saturating_sub(old.len() as u64);
						}
						outputs.order.push_back((digest, ticket));
					}
					State::Done(view)
				},
				Err(e) => State::Failed(e.to_string()),
			};
			let label = match state {
				State::Done(_) => "done",
				_ => "failed",
			};
			self.metrics.jobs.with_label_values(&[label]).inc();
			if let Ok(mut jobs) = self.jobs.lock() {
				if let Some(job) = jobs.get_mut(&ticket) {
					job.state = state;
				}
			}
			self.forget_old();
		}
	}

	/// The bytes of the job's inputs, fetched and checked; or, when input `i` cannot be had
	/// (gone, or bytes of another hash or length), the report the chain reads as "input `i`
	/// unavailable": the output `unavailable_preimage(i)` with an empty small output, whose
	/// digest the chain recognises. `Err` when this worker cannot tell (an input above its
	/// bound): the job fails here and is declined.
	fn fetch_inputs(
		&self,
		params: &JobParams,
	) -> Result<Result<Vec<Vec<u8>>, Output>, WorkerError> {
		let mut out = Vec::with_capacity(params.inputs.len());
		for (i, r) in params.inputs.iter().enumerate() {
			// `submit` refused blob inputs already when no node serves blobs.
			let input = InputRef::from(r);
			match self.runtime.block_on(self.fetcher.fetch(&input)) {
				Ok(bytes) => out.push(bytes),
				Err(e @ InputError::TooLarge { .. }) => {
					return Err(WorkerError::InvalidParams(e.to_string()))
				},
				Err(e) => {
					log::warn!("input {i} unavailable: {e}");
					let bytes = crucible_primitives::unavailable_preimage(i as u8).to_vec();
					return Ok(Err(Output { bytes, small: Vec::new() }));
				},
			}
		}
		Ok(Ok(out))
	}

	/// Run a job of an open program in a child ([`Runner::run`]): its output, or the report
	/// of its failure (the failure's digest preimage, the hash of its log as the small output;
	/// the log kept for `worker_log`).
	fn run_program(
		&self,
		ticket: u64,
		device: DeviceChoice,
		program: &(DataRef, Manifest),
		params: &JobParams,
		inputs: &[Vec<u8>],
	) -> Result<Output, WorkerError> {
		let (source_ref, manifest) = program;
		let runner = self
			.config
			.programs
			.as_ref()
			.ok_or_else(|| WorkerError::UnknownKernel("open programs".into()))?;
		let kernel_hash = source_ref.hash().copied().unwrap_or_default();
		// The chain keeps a program's source for as long as its jobs run: not having it is this
		// worker's fault, not the program's, so the job is declined.
		let source = self
			.runtime
			.block_on(self.fetcher.fetch(&InputRef::from(source_ref)))
			.map_err(|e| WorkerError::InvalidParams(format!("the program's source: {e}")))?;
		match runner.run(ticket, device, &kernel_hash, manifest, &params.dims, &source, inputs)? {
			program::Outcome::Done { output, .. } => {
				Ok(Output::with_preview(output, kernels::PREVIEW_BYTES))
			},
			program::Outcome::Failed(failure, log) => Ok(self.failure_report(failure, log)),
		}
	}

	/// The output reporting a failed program run, its log kept by hash.
	fn failure_report(&self, failure: Failure, log: String) -> Output {
		let hash = crate::blake2_256(log.as_bytes());
		log::warn!("open program failed ({failure:?}), log 0x{}", hex::encode(hash));
		if let Ok(mut logs) = self.logs.lock() {
			if !logs.iter().any(|(h, _)| *h == hash) {
				logs.push_back((hash, log));
			}
			while logs.len() > self.config.retain {
				logs.pop_front();
			}
		}
		Output { bytes: failure.preimage().to_vec(), small: hash.to_vec() }
	}

	/// Keep at most `retain` finished jobs and outputs, and at most `retain_bytes` bytes of
	/// outputs, oldest dropped first.
	fn forget_old(&self) {
		let (Ok(mut outputs), Ok(mut jobs)) = (self.outputs.lock(), self.jobs.lock()) else {
			return;
		};
		while outputs.order.len() > self.config.retain
			|| (outputs.bytes > self.config.retain_bytes && outputs.order.len() > 1)
		{
			if let Some((digest, ticket)) = outputs.order.pop_front() {
				// A digest made twice is kept while a later job still names it.
				if !outputs.order.iter().any(|(d, _)| *d == digest) {
					if let Some(old) = outputs.by_digest.remove(&digest) {
						outputs.bytes = outputs.bytes.saturating_sub(old.len() as u64);
					}
				}
				jobs.remove(&ticket);
			}
		}
		let finished: Vec<u64> = jobs
			.iter()
			.filter(|(_, j)| matches!(j.state, State::Failed(_)))
			.map(|(t, _)| *t)
			.collect();
		if finished.len() > self.config.retain {
			for t in finished.iter().take(finished.len() - self.config.retain) {
				jobs.remove(t);
			}
		}
	}
}

/// A running service: stop it with [`RunningService::stop`].
pub struct RunningService {
	/// The JSON-RPC server's address.
	pub local_addr: SocketAddr,
	/// The shared state.
	pub worker: Arc<Worker>,
	handle: ServerHandle,
	executor: Option<std::thread::JoinHandle<()>>,
}

impl RunningService {
	/// Stop accepting requests, let the running job finish, and stop the executor.
	pub async fn stop(mut self) {
		let _ = self.handle.stop();
		self.handle.clone().stopped().await;
		self.worker.stopping.store(true, Ordering::Relaxed);
		self.worker.wake.notify_all();
		if let Some(t) = self.executor.take() {
			let _ = tokio::task::spawn_blocking(move || t.join()).await;
		}
	}

	/// Resolves when the server has stopped.
	pub async fn stopped(&self) {
		self.handle.clone().stopped().await
	}
}

/// Tickets start at the start time in microseconds, so that a restarted worker never hands
/// out a ticket an earlier run did (a client holding an old ticket gets "unknown ticket" and
/// posts again, instead of another job's result).
fn first_ticket() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_micros() as u64)
		.unwrap_or(1)
		.max(1)
}

/// Open the device, start the executor and the JSON-RPC server (and metrics, if asked).
pub async fn start(config: ServiceConfig) -> Result<RunningService, WorkerError> {
	let device = Device::open(config.device)?;
	let registry = Registry::new();
	let metrics =
		Metrics::new(&registry).map_err(|e| WorkerError::OpenCl(format!("metrics: {e}")))?;
	let worker = Arc::new(Worker {
		device_class: device.class.clone(),
		device_kind: device.kind.clone(),
		config: config.clone(),
		next_ticket: AtomicU64::new(first_ticket()),
		jobs: Mutex::new(HashMap::new()),
		queue: Mutex::new(VecDeque::new()),
		wake: Condvar::new(),
		outputs: Mutex::new(Retained::default()),
		logs: Mutex::new(VecDeque::new()),
		metrics,
		stopping: false.into(),
		fetcher: match &config.inputs {
			Some(f) => f.clone(),
			None => Arc::new(
				Fetcher::new(
					None,
					None,
					0,
					crucible_primitives::MAX_INPUT_BYTES,
					Duration::from_secs(60),
				)
				.map_err(|e| WorkerError::OpenCl(format!("input fetcher: {e}")))?,
			),
		},
		runtime: tokio::runtime::Handle::current(),
	});
	if let Some(addr) = config.metrics {
		tokio::spawn(async move {
			if let Err(e) = substrate_prometheus_endpoint::init_prometheus(addr, registry).await {
				log::error!("metrics endpoint on {addr}: {e}");
			}
		});
	}
	let executor = {
		let w = worker.clone();
		std::thread::Builder::new()
			.name("crucible-worker-executor".into())
			.spawn(move || w.execute(device))
			.map_err(|e| WorkerError::OpenCl(format!("executor thread: {e}")))?
	};
	let mut module = RpcModule::new(worker.clone());
	let reg = |e: jsonrpsee::core::RegisterMethodError| WorkerError::OpenCl(format!("rpc: {e}"));
	module
		.register_method("worker_submit", |p, w, _| {
			let (kernel, params): (String, JobParams) = p.parse()?;
			w.submit(&kernel, params)
		})
		.map_err(reg)?;
	module
		.register_method("worker_submit_program", |p, w, _| {
			let (source, manifest, params): (DataRef, Manifest, JobParams) = p.parse()?;
			w.submit_program(source, manifest, params)
		})
		.map_err(reg)?;
	module
		.register_method("worker_log", |p, w, _| {
			let (h,): (String,) = p.parse()?;
			w.log(&h)
		})
		.map_err(reg)?;
	module
		.register_method("worker_status", |p, w, _| {
			let (t,): (u64,) = p.parse()?;
			w.status(t)
		})
		.map_err(reg)?;
	module
		.register_method("worker_result", |p, w, _| {
			let (t,): (u64,) = p.parse()?;
			w.result(t)
		})
		.map_err(reg)?;
	module
		.register_method("worker_output", |p, w, _| {
			let (d,): (String,) = p.parse()?;
			w.output(&d)
		})
		.map_err(reg)?;
	module
		.register_method("worker_kernels", |_, _, _| {
			kernels::library()
				.iter()
				.map(|k| KernelView {
					name: k.name().into(),
					kernel_hash: format!("0x{}", hex::encode(k.kernel_hash())),
					entry_point: k.entry_point().into(),
					params: k.describe_params().into(),
				})
				.collect::<Vec<_>>()
		})
		.map_err(reg)?;
	module
		.register_method("worker_health", |_, w, _| Ok::<_, ErrorObjectOwned>(w.health()))
		.map_err(reg)?;
	module
		.register_method("worker_devices", |_, _, _| device::list())
		.map_err(reg)?;

	let server = Server::builder()
		.build(config.listen)
		.await
		.map_err(|e| WorkerError::OpenCl(format!("cannot listen on {}: {e}", config.listen)))?;
	let local_addr = server.local_addr().map_err(|e| WorkerError::OpenCl(e.to_string()))?;
	let handle = server.start(module);
	Ok(RunningService { local_addr, worker, handle, executor: Some(executor) })
}
