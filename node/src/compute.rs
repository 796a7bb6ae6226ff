//! The node's compute worker and compute keys.
//!
//! The compute-market pallet's offchain worker runs each assignment of this node's compute keys
//! on a native compute worker, which it reaches over HTTP JSON-RPC at the URL stored under
//! [`WORKER_URL_KEY`] in the node's persistent offchain storage. This module decides that URL:
//!
//! * `--compute-worker embedded` (the default): start [`crucible_worker`] inside the node, on
//!   a loopback port (`--compute-worker-port`, 0 = any free one), on `--compute-device`;
//! * `--compute-worker <URL>`: use an external worker, e.g. one on a GPU host;
//! * `--compute-worker none`: run no jobs (the stored URL is removed).
//!
//! Compute keys (key type `crcp`, sr25519) live in the keystore like session keys: real
//! validators insert theirs with `crucible-node key insert --key-type crcp --scheme sr25519`;
//! dev and local chains insert the dev accounts' keys (see [`insert_dev_compute_keys`]).

use std::{net::SocketAddr, str::FromStr};

use codec::Encode;
use crucible_worker::{
	device::DeviceChoice,
	service::{self, RunningService, ServiceConfig},
};
use pallet_compute_market::{offchain::WORKER_URL_KEY, KEY_TYPE};
use sc_client_api::Backend;
use sc_service::ChainType;
use sp_core::offchain::OffchainStorage;
use sp_keystore::KeystorePtr;

/// Bytes of job inputs the embedded worker keeps on disk (oldest dropped first).
pub const INPUT_CACHE_BYTES: u64 = 1 << 30;

/// Where the node's compute jobs run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerChoice {
	/// A worker inside this node.
	Embedded,
	/// An external worker at this URL.
	External(String),
	/// No worker: the node runs no compute jobs.
	None,
}

impl FromStr for WorkerChoice {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, String> {
		match s {
			"embedded" => Ok(Self::Embedded),
			"none" => Ok(Self::None),
			url if url.starts_with("http://") || url.starts_with("https://") => {
				Ok(Self::External(url.trim_end_matches('/').to_string()))
			},
			other => Err(format!("expected `embedded`, `none` or an http(s) URL, got `{other}`")),
		}
	}
}

/// The compute options of the `crucible-node` command line.
#[derive(Debug, Clone, clap::Args)]
pub struct ComputeArgs {
	/// Where this node's compute jobs run: `embedded` (a worker inside the node, on a loopback
	/// port), the URL of an external worker (e.g. `http://gpu-host:9955`), or `none`.
	#[arg(long, value_name = "embedded|URL|none", default_value = "embedded")]
	pub compute_worker: WorkerChoice,

	/// Loopback port of the embedded worker; 0 picks a free one.
	#[arg(long, value_name = "PORT", default_value_t = 0)]
	pub compute_worker_port: u16,

	/// OpenCL device of the embedded worker: `auto` (first GPU, else first CPU) or
	/// `PLATFORM:DEVICE` as `crucible-worker devices` lists them.
	#[arg(long, value_name = "auto|P:D", default_value = "auto")]
	pub compute_device: DeviceChoice,

	/// Wall time one job of an open program may take on the embedded worker (compiling
	/// included), in seconds; past it the run is stopped and reported failed. Keep it well
	/// inside the commit window (10 blocks, 30 s, plus the job's work blocks).
	#[arg(long, value_name = "SECS", default_value_t = 20)]
	pub compute_program_timeout_secs: u64,

	/// The embedded worker runs no open programs (it refuses their jobs, which are declined).
	#[arg(long)]
	pub compute_no_programs: bool,

	/// Test builds only: the embedded worker reports corrupted results (a byzantine provider).
	#[cfg(feature = "byzantine")]
	#[arg(long)]
	pub compute_byzantine: bool,
}

/// Start the embedded worker if asked, and store the worker URL for the offchain worker.
/// A worker that cannot start (no OpenCL device) is logged, not fatal: the node runs, and its
/// assignments become no-shows.
///
/// The embedded worker reads blob inputs from `blobs` (the node's own database: the bytes its
/// transaction index keeps) and URL inputs over HTTP(S), caching them in `input_cache`. It runs
/// open programs in children of this executable (`crucible-node compute-run-program DIR`),
/// their jobs' directories and compiled programs under `program_dir`.
pub async fn start_worker<B: sp_runtime::traits::Block, BE: Backend<B>>(
	args: &ComputeArgs,
	backend: &BE,
	blobs: crucible_worker::inputs::LocalBlobs,
	input_cache: std::path::PathBuf,
	program_dir: std::path::PathBuf,
) -> Option<RunningService> {
	let (url, running) = match &args.compute_worker {
		WorkerChoice::None => (None, None),
		WorkerChoice::External(url) => (Some(url.clone()), None),
		WorkerChoice::Embedded => {
			let fetcher = match crucible_worker::inputs::Fetcher::new(
				None,
				Some(input_cache),
				INPUT_CACHE_BYTES,
				pallet_compute_market::MAX_INPUT_BYTES,
				std::time::Duration::from_secs(60),
			) {
				Ok(f) => f.with_local(blobs),
				Err(e) => {
					log::error!("🧮 The embedded compute worker's input cache: {e}");
					return None;
				},
			};
			let programs = if args.compute_no_programs {
				None
			} else {
				match crucible_worker::program::Runner::current_exe(
					&["compute-run-program"],
					program_dir.join("jobs"),
					Some(program_dir.join("cache")),
					std::time::Duration::from_secs(args.compute_program_timeout_secs),
				) {
					Ok(r) => Some(r),
					Err(e) => {
						log::error!("🧮 The embedded compute worker runs no open programs: {e}");
						None
					},
				}
			};
			let config = ServiceConfig {
				inputs: Some(std::sync::Arc::new(fetcher)),
				programs,
				listen: SocketAddr::from(([127, 0, 0, 1], args.compute_worker_port)),
				device: args.compute_device,
				#[cfg(feature = "byzantine")]
				byzantine: args.compute_byzantine,
				..ServiceConfig::default()
			};
			match service::start(config).await {
				Ok(running) => {
					let health = running.worker.health();
					log::info!(
						"🧮 Embedded compute worker on http://{} ({} device: {})",
						running.local_addr,
						health.device_kind,
						health.device_class
					);
					(Some(format!("http://{}", running.local_addr)), Some(running))
				},
				Err(e) => {
					log::error!("🧮 The embedded compute worker did not start: {e}. This node runs no compute jobs.");
					(None, None)
				},
			}
		},
	};
	match backend.offchain_storage() {
		Some(mut storage) => match &url {
			Some(url) => {
				if !matches!(args.compute_worker, WorkerChoice::Embedded) {
					log::info!("🧮 Compute jobs go to the worker at {url}");
				}
				storage.set(
					sp_offchain::STORAGE_PREFIX,
					WORKER_URL_KEY,
					&url.as_bytes().to_vec().encode(),
				);
			},
			None => storage.remove(sp_offchain::STORAGE_PREFIX, WORKER_URL_KEY),
		},
		None => log::warn!("🧮 No offchain storage: compute jobs cannot run on this node"),
	}
	running
}

/// On development and local chains, put the dev accounts' compute keys into the keystore
/// (in memory, like their session keys): the key of the node's `--alice`/`--bob`/… account,
/// and on a development chain, where one node serves every genesis provider, Bob's and Ferdie's
/// as well.
pub fn insert_dev_compute_keys(
	keystore: &KeystorePtr,
	chain_type: ChainType,
	dev_key_seed: Option<&str>,
) -> Result<(), String> {
	let mut seeds: Vec<&str> = dev_key_seed.into_iter().collect();
	if chain_type == ChainType::Development && !seeds.is_empty() {
		for s in ["//Alice", "//Bob", "//Ferdie"] {
			if !seeds.contains(&s) {
				seeds.push(s);
			}
		}
	}
	if !matches!(chain_type, ChainType::Development | ChainType::Local) {
		return Ok(());
	}
	for seed in seeds {
		let public = keystore
			.sr25519_generate_new(KEY_TYPE, Some(seed))
			.map_err(|e| format!("cannot insert the compute key of {seed}: {e}"))?;
		log::info!("🔑 Compute key of {seed} inserted: {public}");
	}
	Ok(())
}
