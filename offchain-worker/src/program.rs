//! Open programs: OpenCL C source a consumer published on-chain with a [`Manifest`], run **out
//! of process**.
//!
//! The worker never runs a stranger's kernel in its own process (which, embedded, is the
//! validator's node). For each job it writes the source, the manifest and the inputs to a job
//! directory and starts a child ([`Runner::run`]: `crucible-worker run-program DIR`, or the
//! node's own `crucible-node compute-run-program DIR`), which compiles the source ([`build`],
//! cached on disk per kernel hash and device), allocates the manifest's buffers with guard bytes
//! after each, runs the launches in order and writes the output buffers ([`child_main`]). The
//! parent watches it: past the wall-time limit or above the memory limit it is killed. So a
//! kernel that loops, crashes the driver or asks for 100 GiB costs one failed job, never the
//! node. Every way a run fails is a [`Failure`] with a log (the build log, the driver's error,
//! the child's last words), which the worker reports to the chain instead of an output.

use std::{
	io::{Read, Seek, SeekFrom},
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Command, ExitCode, Stdio},
	time::{Duration, Instant},
};

use crucible_primitives::program::{Arg, Buffer, Failure, Manifest};
use ocl::{enums::ProgramInfo, enums::ProgramInfoResult, SpatialDims};
use serde::{Deserialize, Serialize};

use crate::{
	blake2_256,
	device::{Device, DeviceChoice},
	WorkerError,
};

/// Bytes after the end of every buffer, filled with [`GUARD`] and checked after the run: a
/// kernel that wrote there wrote out of bounds.
pub const GUARD_BYTES: usize = 4096;
/// The guard bytes' value.
pub const GUARD: u8 = 0xa5;
/// Most bytes of a failure's log kept (its tail).
pub const MAX_LOG_BYTES: usize = 16 * 1024;
/// Most bytes the child may write to its stderr (the driver's messages; its stdout, where a
/// kernel's `printf` goes, is discarded) before it is stopped as over its memory limit, so that
/// no run fills the provider's disk.
pub const MAX_STDERR_BYTES: u64 = 16 << 20;
/// The child's exit code when the worker, not the program, failed (no device, a file it could
/// not read or write): the job is declined, not reported failed.
pub const WORKER_FAILED: u8 = 3;

/// What the parent tells the child, as `request.json` in the job directory (next to
/// `source.cl` and `input-0`, `input-1`, …).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
	/// The device, as `--device` takes it.
	pub device: String,
	/// Where compiled programs are cached, if anywhere.
	pub cache: Option<PathBuf>,
	/// The program's kernel hash (its source's blob name), hex.
	pub kernel_hash: String,
	/// The program's manifest.
	pub manifest: Manifest,
	/// The job's dimensions.
	pub dims: Vec<u32>,
}

/// What the child tells the parent, as `result.json`; the output is in `output.bin`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildResult {
	/// Why the run failed; `None`: `output.bin` holds the output.
	pub failure: Option<Failure>,
	/// The build log, or the error that ended the run.
	pub log: String,
	/// Whether the compiled program came from the cache.
	pub cached: bool,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
	/// The output buffers' bytes, concatenated in the manifest's order.
	Done {
		/// The output.
		output: Vec<u8>,
		/// Whether the program was compiled before (the disk cache).
		cached: bool,
	},
	/// The program failed, and why.
	Failed(Failure, String),
}

/// Starts and watches the children that run open programs.
#[derive(Clone, Debug)]
pub struct Runner {
	/// The executable to start (the worker's or the node's own).
	pub exe: PathBuf,
	/// Its arguments before the job directory (`run-program`, `compute-run-program`).
	pub args: Vec<String>,
	/// Where job directories are made (each removed when its run ends).
	pub work_dir: PathBuf,
	/// Where compiled programs are cached; `None`: compiled for every job.
	pub cache_dir: Option<PathBuf>,
	/// Wall time a run may take, compiling included; keep it well inside the chain's commit
	/// window, so that a failure can still be committed.
	pub timeout: Duration,
	/// Memory a child may use beyond the job's buffers (the driver, the compiler), in bytes.
	pub memory_overhead: u64,
}

impl Runner {
	/// A runner that starts this very executable with `args`, in `work_dir`, with the given
	/// limits.
	pub fn current_exe(
		args: &[&str],
		work_dir: PathBuf,
		cache_dir: Option<PathBuf>,
		timeout: Duration,
	) -> std::io::Result<Self> {
		Ok(Self {
			exe: std::env::current_exe()?,
			args: args.iter().map(|a| a.to_string()).collect(),
			work_dir,
			cache_dir,
			timeout,
			memory_overhead: 1 << 30,
		})
	}

	/// Run one job of a program in a child and wait for it, within the limits. `Err` when the
	/// worker could not run it at all (the job is declined); a failure of the program is an
	/// [`Outcome::Failed`].
	#[allow(clippy::too_many_arguments)]
	pub fn run(
		&self,
		id: u64,
		device: DeviceChoice,
		kernel_hash: &[u8; 32],
		manifest: &Manifest,
		dims: &[u32],
		source: &[u8],
		inputs: &[Vec<u8>],
	) -> Result<Outcome, WorkerError> {
		let io = |what: &str, e: std::io::Error| WorkerError::OpenCl(format!("{what}: {e}"));
		let dir = self.work_dir.join(format!("job-{id}"));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).map_err(|e| io("the job directory", e))?;
		let outcome = self.run_in(&dir, device, kernel_hash, manifest, dims, source, inputs);
		let _ = std::fs::remove_dir_all(&dir);
		outcome.map_err(|e| match e {
			RunError::Io(what, e) => io(&what, e),
			RunError::Worker(msg) => WorkerError::OpenCl(msg),
		})
	}

	#[allow(clippy::too_many_arguments)]
	fn run_in(
		&self,
		dir: &Path,
		device: DeviceChoice,
		kernel_hash: &[u8; 32],
		manifest: &Manifest,
		dims: &[u32],
		source: &[u8],
		inputs: &[Vec<u8>],
	) -> Result<Outcome, RunError> {
		let write = |name: &str, bytes: &[u8]| {
			std::fs::write(dir.join(name), bytes).map_err(|e| RunError::Io(name.into(), e))
		};
		let request = Request {
			device: device.to_string(),
			cache: self.cache_dir.clone(),
			kernel_hash: hex::encode(kernel_hash),
			manifest: manifest.clone(),
			dims: dims.to_vec(),
		};
		let json = serde_json::to_vec(&request)
			.map_err(|e| RunError::Worker(format!("the request: {e}")))?;
		write("request.json", &json)?;
		write("source.cl", source)?;
		for (i, bytes) in inputs.iter().enumerate() {
			write(&format!("input-{i}"), bytes)?;
		}
		let stderr = std::fs::File::create(dir.join("stderr"))
			.map_err(|e| RunError::Io("stderr".into(), e))?;
		let buffers: u64 = manifest
			.buffers
			.iter()
			.filter_map(|b| match b {
				Buffer::Input(i) => inputs.get(usize::from(*i)).map(|b| b.len() as u64),
				other => manifest.buffer_bytes(other, dims).ok(),
			})
			.sum();
		let memory = buffers.saturating_add(self.memory_overhead);
		let started = Instant::now();
		let mut command = Command::new(&self.exe);
		command
			.args(&self.args)
			.arg(dir)
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(stderr);
		// SAFETY: `prctl` is async-signal-safe and touches no memory of ours: the child is
		// killed when the thread that started it ends (the node or worker died or stopped),
		// so a looping kernel never outlives the validator that ran it.
		unsafe {
			command.pre_exec(|| {
				if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
					return Err(std::io::Error::last_os_error());
				}
				Ok(())
			});
		}
		let mut child = command
			.spawn()
			.map_err(|e| RunError::Io(format!("starting {}", self.exe.display()), e))?;
		let status = loop {
			if let Some(status) = child.try_wait().map_err(|e| RunError::Io("waiting".into(), e))? {
				break status;
			}
			let stop = if started.elapsed() > self.timeout {
				Some((Failure::Timeout, format!("stopped after {} ms", self.timeout.as_millis())))
			} else {
				let logged = std::fs::metadata(dir.join("stderr")).map(|m| m.len()).unwrap_or(0);
				match resident_bytes(child.id()) {
					Some(rss) if rss > memory => Some((
						Failure::Memory,
						format!("stopped at {rss} bytes resident, above the limit of {memory}"),
					)),
					_ if logged > MAX_STDERR_BYTES => Some((
						Failure::Memory,
						format!("stopped after {logged} bytes of log, above {MAX_STDERR_BYTES}"),
					)),
					_ => None,
				}
			};
			if let Some((failure, why)) = stop {
				let _ = child.kill();
				let _ = child.wait();
				log::warn!("open program {}: {why}", hex::encode(kernel_hash));
				return Ok(Outcome::Failed(failure, with_tail(why, &dir.join("stderr"))));
			}
			std::thread::sleep(Duration::from_millis(10));
		};
		if status.code() == Some(WORKER_FAILED.into()) {
			return Err(RunError::Worker(with_tail(
				"the program runner failed".into(),
				&dir.join("stderr"),
			)));
		}
		let result = std::fs::read(dir.join("result.json"))
			.ok()
			.and_then(|b| serde_json::from_slice::<ChildResult>(&b).ok());
		let Some(result) = result.filter(|_| status.success()) else {
			return Ok(Outcome::Failed(
				Failure::Crashed,
				with_tail(
					format!("the run ended without a result ({status})"),
					&dir.join("stderr"),
				),
			));
		};
		if let Some(failure) = result.failure {
			return Ok(Outcome::Failed(failure, truncate_log(result.log)));
		}
		let want = manifest
			.output_bytes(dims)
			.map_err(|e| RunError::Worker(format!("the output's size: {e:?}")))?;
		let path = dir.join("output.bin");
		let written = std::fs::metadata(&path)
			.map_err(|e| RunError::Io("output.bin".into(), e))?
			.len();
		if written != want {
			return Ok(Outcome::Failed(
				Failure::Crashed,
				format!("the run wrote {written} output bytes, not {want}"),
			));
		}
		let output = std::fs::read(&path).map_err(|e| RunError::Io("output.bin".into(), e))?;
		Ok(Outcome::Done { output, cached: result.cached })
	}
}

enum RunError {
	Io(String, std::io::Error),
	Worker(String),
}

/// Resident memory of a process, from `/proc` (Linux); `None` elsewhere or once it is gone.
fn resident_bytes(pid: u32) -> Option<u64> {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
	let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
	let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
	Some(kib.saturating_mul(1024))
}

/// `why`, then the last bytes the child wrote to its stderr.
fn with_tail(why: String, stderr: &Path) -> String {
	let mut tail = String::new();
	if let Ok(mut f) = std::fs::File::open(stderr) {
		let len = f.metadata().map(|m| m.len()).unwrap_or(0);
		let _ = f.seek(SeekFrom::Start(len.saturating_sub(MAX_LOG_BYTES as u64 / 2)));
		let mut bytes = Vec::new();
		let _ = f.read_to_end(&mut bytes);
		tail = String::from_utf8_lossy(&bytes).into_owned();
	}
	if tail.trim().is_empty() {
		why
	} else {
		truncate_log(format!("{why}\n{tail}"))
	}
}

/// A log cut to its last [`MAX_LOG_BYTES`].
pub fn truncate_log(log: String) -> String {
	if log.len() <= MAX_LOG_BYTES {
		return log;
	}
	let mut start = log.len() - MAX_LOG_BYTES;
	while !log.is_char_boundary(start) {
		start += 1;
	}
	log[start..].to_string()
}

/// The child: run the job in `dir` and write `result.json` (and `output.bin`). The exit code is
/// 0 when it wrote a result, [`WORKER_FAILED`] when it could not.
pub fn child_main(dir: &Path) -> ExitCode {
	match child_run(dir) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("crucible program runner: {e}");
			ExitCode::from(WORKER_FAILED)
		},
	}
}

/// What [`child_main`] does, for executables with an exit path of their own (the node): `Err`
/// is to end the process with [`WORKER_FAILED`].
pub fn child_run(dir: &Path) -> Result<(), String> {
	let request: Request = std::fs::read(dir.join("request.json"))
		.map_err(|e| format!("request.json: {e}"))
		.and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("request.json: {e}")))?;
	let choice: DeviceChoice = request.device.parse()?;
	let device = Device::open(choice).map_err(|e| e.to_string())?;
	let source = std::fs::read(dir.join("source.cl")).map_err(|e| format!("source.cl: {e}"))?;
	let mut inputs = Vec::new();
	for i in 0..request.manifest.inputs.len() {
		inputs.push(
			std::fs::read(dir.join(format!("input-{i}"))).map_err(|e| format!("input {i}: {e}"))?,
		);
	}
	let result = match execute(&device, &request, &source, &inputs) {
		Ok((output, log, cached)) => {
			std::fs::write(dir.join("output.bin"), output)
				.map_err(|e| format!("output.bin: {e}"))?;
			ChildResult { failure: None, log, cached }
		},
		Err((failure, log)) => ChildResult { failure: Some(failure), log, cached: false },
	};
	let json = serde_json::to_vec(&result).map_err(|e| format!("result.json: {e}"))?;
	std::fs::write(dir.join("result.json"), json).map_err(|e| format!("result.json: {e}"))
}

type Run<T> = Result<T, (Failure, String)>;

/// Build `source` for `device`, from the disk cache in `cache` if it holds this kernel hash's
/// binary for this device class (`<kernel hash>-<blake2 of the class>.bin`), and put it there
/// if not. Returns the program and whether it came from the cache.
pub fn build(
	device: &Device,
	kernel_hash: &str,
	cache: Option<&Path>,
	source: &[u8],
) -> Run<(ocl::Program, bool)> {
	let file = cache.map(|c| {
		let class = hex::encode(&blake2_256(device.class.as_bytes())[..8]);
		c.join(format!("{kernel_hash}-{class}.bin"))
	});
	if let Some(bin) = file.as_ref().and_then(|f| std::fs::read(f).ok()) {
		let bins = [&bin[..]];
		let built = ocl::Program::builder()
			.devices(device.device)
			.binaries(&bins)
			.build(&device.context);
		if let Ok(p) = built {
			return Ok((p, true));
		}
		log::warn!("cached program {kernel_hash} did not load; compiling it again");
	}
	let source = std::str::from_utf8(source)
		.map_err(|e| (Failure::Build, format!("the source is not UTF-8: {e}")))?;
	let program = ocl::Program::builder()
		.src(source)
		.devices(device.device)
		.cmplr_opt("-cl-std=CL1.2")
		.build(&device.context)
		.map_err(|e| (Failure::Build, e.to_string()))?;
	if let (Some(file), Ok(ProgramInfoResult::Binaries(bins))) =
		(file, program.info(ProgramInfo::Binaries))
	{
		if let (Some(bin), Some(dir)) = (bins.first(), file.parent()) {
			let tmp = file.with_extension(format!("tmp{}", std::process::id()));
			let saved = std::fs::create_dir_all(dir)
				.and_then(|_| std::fs::write(&tmp, bin))
				.and_then(|_| std::fs::rename(&tmp, &file));
			if let Err(e) = saved {
				log::warn!("cannot cache program {kernel_hash}: {e}");
			}
		}
	}
	Ok((program, false))
}

/// Run a job of a program in this process: what the child does. Returns the output, the build
/// log and whether the program came from the cache, or the failure and its log.
pub fn execute(
	device: &Device,
	request: &Request,
	source: &[u8],
	inputs: &[Vec<u8>],
) -> Run<(Vec<u8>, String, bool)> {
	let manifest = &request.manifest;
	let dims = &request.dims[..];
	// The chain checked these; a worker checks again what it is about to allocate.
	let abi = |e: crucible_primitives::program::AbiError| {
		(Failure::Launch, format!("the manifest or dimensions are refused: {e:?}"))
	};
	manifest.check().map_err(abi)?;
	manifest.job_work(dims).map_err(abi)?;
	for (i, bytes) in inputs.iter().enumerate() {
		manifest.check_input(i, dims, bytes.len() as u64).map_err(abi)?;
	}
	let (program, cached) = build(device, &request.kernel_hash, request.cache.as_deref(), source)?;
	let names = match program.info(ProgramInfo::KernelNames) {
		Ok(ProgramInfoResult::KernelNames(n)) => n,
		_ => String::new(),
	};
	for l in &manifest.launches {
		let entry = String::from_utf8_lossy(&l.entry);
		if !names.split(';').any(|n| n == entry) {
			return Err((
				Failure::Build,
				format!("the source has no kernel `{entry}` (it has: {names})"),
			));
		}
	}
	let q = device.queue.clone();
	let launch = |what: &str, e: ocl::Error| (Failure::Launch, format!("{what}: {e}"));
	let mut buffers = Vec::with_capacity(manifest.buffers.len());
	for b in &manifest.buffers {
		let mut host = match b {
			Buffer::Input(i) => inputs.get(usize::from(*i)).cloned().unwrap_or_default(),
			other => vec![0u8; manifest.buffer_bytes(other, dims).map_err(abi)? as usize],
		};
		let len = host.len();
		host.resize(len + GUARD_BYTES, GUARD);
		let buffer = ocl::Buffer::<u8>::builder()
			.queue(q.clone())
			.flags(ocl::MemFlags::new().read_write())
			.len(host.len())
			.copy_host_slice(&host)
			.build()
			.map_err(|e| (Failure::Memory, format!("allocating {len} bytes: {e}")))?;
		buffers.push((buffer, len));
	}
	for (n, l) in manifest.launches.iter().enumerate() {
		let entry = String::from_utf8_lossy(&l.entry).into_owned();
		let mut global = Vec::with_capacity(l.global.len());
		for (d, e) in l.global.iter().enumerate() {
			let g = e.eval(dims).map_err(abi)? as usize;
			// Rounded up to a multiple of the local size: the kernel guards.
			global.push(match l.local.get(d) {
				Some(local) => g.div_ceil(*local as usize) * *local as usize,
				None => g,
			});
		}
		let mut k = ocl::Kernel::builder();
		k.program(&program)
			.name(entry.as_str())
			.queue(q.clone())
			.global_work_size(spatial(&global));
		if !l.local.is_empty() {
			let local: Vec<usize> = l.local.iter().map(|v| *v as usize).collect();
			k.local_work_size(spatial(&local));
		}
		for a in &l.args {
			match a {
				Arg::Buffer(i) => {
					let (b, _) = buffers.get(usize::from(*i)).ok_or_else(|| {
						(
							Failure::Launch,
							format!("launch {n} names buffer {i}, which is not there"),
						)
					})?;
					k.arg(b);
				},
				Arg::Uint(e) => {
					k.arg(e.eval(dims).map_err(abi)? as u32);
				},
				Arg::Ulong(e) => {
					k.arg(e.eval(dims).map_err(abi)?);
				},
				Arg::Local(e) => {
					k.arg_local::<u8>(e.eval(dims).map_err(abi)? as usize);
				},
			}
		}
		let kernel = k.build().map_err(|e| launch(&format!("launch {n} (`{entry}`)"), e))?;
		// SAFETY: the kernel's arguments are the buffers and scalars the manifest names, each
		// buffer followed by guard bytes; what the kernel does inside them is its own.
		unsafe { kernel.enq() }.map_err(|e| launch(&format!("launch {n} (`{entry}`)"), e))?;
	}
	q.finish().map_err(|e| launch("running", e))?;
	let mut hosts = Vec::with_capacity(buffers.len());
	for (i, (buffer, len)) in buffers.iter().enumerate() {
		let mut host = vec![0u8; len + GUARD_BYTES];
		buffer.read(&mut host).enq().map_err(|e| launch("reading the buffers", e))?;
		if host[*len..].iter().any(|b| *b != GUARD) {
			return Err((
				Failure::OutOfBounds,
				format!("a kernel wrote past the end of buffer {i} ({len} bytes)"),
			));
		}
		host.truncate(*len);
		hosts.push(host);
	}
	let mut output = Vec::new();
	for i in &manifest.output {
		output.extend_from_slice(&hosts[usize::from(*i)]);
	}
	let log = match program.build_info(device.device, ocl::enums::ProgramBuildInfo::BuildLog) {
		Ok(info) => info.to_string(),
		Err(_) => String::new(),
	};
	Ok((output, truncate_log(log), cached))
}

fn spatial(sizes: &[usize]) -> SpatialDims {
	match *sizes {
		[a] => SpatialDims::One(a),
		[a, b] => SpatialDims::Two(a, b),
		[a, b, c, ..] => SpatialDims::Three(a, b, c),
		[] => SpatialDims::One(1),
	}
}
