//! Steps 5–6, off-chain: the offchain worker runs its node's assignments on the native compute
//! worker and commits and reveals the results.
//!
//! On every imported block, for each compute key of this pallet's type ([`KEY_TYPE`]) in the
//! node's keystore whose account is a registered provider with that compute key, the hook
//! walks the provider's open assignments ([`ProviderJobs`]) and moves each one step along
//!
//! ```text
//!   (nothing) ─post─▶ Posted ─result─▶ Computed ─commit tx─▶ Committed ─reveal tx─▶ Revealed
//!      └──────────────────┴─worker refused or failed / wrong kernel─▶ Failed ─decline tx─▶ Declined
//! ```
//!
//! and, for each verified job waiting for its output ([`AwaitingOutput`]) whose accepted
//! providers include it, publishes the output in its turn (step 9, [`crate::outputs`]): the
//! worker's retained output (`worker_output`), checked against the accepted digest, in a
//! `publish_output` transaction.
//!
//! A job the worker refuses (too large, unknown kernel) or fails is declined with
//! `decline_job` while the commit window is open: no slash, a small reputation loss.
//! A job of an open program (its workload is in [`Programs`]) goes to `worker_submit_program`
//! with the program's source (the blob its kernel hash names) and manifest; a run of it that
//! fails is not declined but committed and revealed like any result: the worker reports the
//! failure's digest and its log's hash, which the chain judges ([`crate::verification`]).
//!
//! * **The worker** is reached over HTTP JSON-RPC (`worker_submit`, `worker_status`,
//!   `worker_result`, `worker_health`) at the URL the node stores under [`WORKER_URL_KEY`] in
//!   persistent offchain storage; without one the hook does nothing. Every request has a
//!   deadline ([`HTTP_DEADLINE_MS`]); a worker that is down or slow leaves the job where it
//!   was, so the worst it costs is a no-show, never a wrong result. A result is committed only
//!   if the worker ran the kernel whose hash the job names.
//! * **Progress** of each (job, attempt, provider) is kept in persistent offchain storage, so a
//!   node restarted in the middle of a job picks it up where it was; a ticket the worker no
//!   longer knows (it restarted) is posted again.
//! * **Never twice.** Runs are serialized by a [`StorageLock`]; a commit or reveal is sent once
//!   and sent again only if, [`RESEND_AFTER`] blocks later, the chain still does not show it
//!   (the transaction was dropped), and only while its window is open. Nonces are tracked
//!   across runs so that transactions still in the pool are not replaced.
//! * **Windows.** A transaction sent after block `n` lands in `n + 1` at the earliest: commits
//!   go out while `n < commit_until`, reveals once the commit window is over (or everyone
//!   committed) and while `n < reveal_until`.
//! * **Device classes.** The attestation names the worker's device class; a provider whose
//!   registered classes lack it first declares it with `set_device_classes`.

use crate::{crypto, pallet::*, types::*, LOG_TARGET};
use alloc::{format, string::String, vec::Vec};
use codec::{Decode, Encode};
use crucible_primitives::worker_rpc::{REFUSALS, UNKNOWN_TICKET};
use frame_system::{
	offchain::{AppCrypto, CreateSignedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_core::H256;
use sp_runtime::{
	offchain::{
		http,
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	traits::{IdentifyAccount, Saturating},
	RuntimeAppPublic,
};

/// Persistent offchain storage key under which the node puts its compute worker's URL.
pub const WORKER_URL_KEY: &[u8] = b"crucible::compute-worker-url";
/// Prefix of the per-job progress entries.
const PROGRESS_PREFIX: &[u8] = b"crucible::ocw::job::";
/// Key of the list of tracked progress entries (for clean-up).
const TRACKED_KEY: &[u8] = b"crucible::ocw::tracked";
/// Prefix of the per-account nonce tracker.
const NONCE_PREFIX: &[u8] = b"crucible::ocw::nonce::";
/// Prefix of the per-job "output publication sent" entries.
const PUBLISH_PREFIX: &[u8] = b"crucible::ocw::publish::";
/// Key of the lock that serializes runs.
const LOCK_KEY: &[u8] = b"crucible::ocw::lock";
/// Deadline of each HTTP request to the worker.
pub const HTTP_DEADLINE_MS: u64 = 2_000;
/// Blocks after which a transaction the chain does not show is sent again.
pub const RESEND_AFTER: u32 = 4;
/// Most progress entries tracked at once (older ones are forgotten first).
const MAX_TRACKED: usize = 512;

/// Where one assignment stands, as this node sees it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Progress<BlockNumber> {
	/// Posted to the worker under `ticket`.
	Posted {
		/// The worker's ticket.
		ticket: u64,
	},
	/// The worker's result, and the salt of the commitment.
	Computed(Computed),
	/// The commitment was sent at `sent_at`.
	Committed {
		/// The result.
		computed: Computed,
		/// Block after which the transaction was sent.
		sent_at: BlockNumber,
	},
	/// The reveal was sent at `sent_at`.
	Revealed {
		/// The result.
		computed: Computed,
		/// Block after which the transaction was sent.
		sent_at: BlockNumber,
	},
	/// The worker could not produce an acceptable result; the assignment is to be declined.
	Failed,
	/// The assignment was declined (the transaction was sent at `sent_at`).
	Declined {
		/// Block after which the transaction was sent.
		sent_at: BlockNumber,
	},
}

/// A result from the worker, ready to commit and reveal.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Computed {
	/// `blake2_256` of the full output.
	pub output_digest: H256,
	/// The small output.
	pub small_output: Vec<u8>,
	/// The worker's device class.
	pub device_class: Vec<u8>,
	/// The worker's version.
	pub worker_version: u32,
	/// Salt of the commitment.
	pub salt: [u8; 32],
}

/// Why a call to the worker did not give an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum WorkerCallError {
	/// No answer in time, or not HTTP 200.
	Unreachable,
	/// The answer was not the JSON-RPC we expect.
	BadResponse,
	/// A JSON-RPC error with this code.
	Rpc(i32),
}

/// `worker_status` of a ticket.
#[derive(Debug, PartialEq, Eq)]
pub enum TicketState {
	/// Queued or running.
	Busy,
	/// Finished; `worker_result` has it.
	Done,
	/// Failed on the worker.
	Failed,
	/// The worker does not know the ticket (it restarted).
	Unknown,
}

/// A JSON-RPC call over HTTP POST, bounded by [`HTTP_DEADLINE_MS`].
pub fn rpc_call(
	url: &str,
	method: &str,
	params: &str,
) -> Result<serde_json::Value, WorkerCallError> {
	let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#);
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_DEADLINE_MS));
	let pending = http::Request::post(url, alloc::vec![body.into_bytes()])
		.add_header("Content-Type", "application/json")
		.deadline(deadline)
		.send()
		.map_err(|_| WorkerCallError::Unreachable)?;
	let response = pending
		.try_wait(deadline)
		.map_err(|_| WorkerCallError::Unreachable)?
		.map_err(|_| WorkerCallError::Unreachable)?;
	if response.code != 200 {
		return Err(WorkerCallError::Unreachable);
	}
	let bytes = response.body().collect::<Vec<u8>>();
	let mut value: serde_json::Value =
		serde_json::from_slice(&bytes).map_err(|_| WorkerCallError::BadResponse)?;
	if let Some(err) = value.get("error") {
		return Err(WorkerCallError::Rpc(
			err.get("code")
				.and_then(|c| c.as_i64())
				.and_then(|c| i32::try_from(c).ok())
				.unwrap_or(0),
		));
	}
	value.get_mut("result").map(|r| r.take()).ok_or(WorkerCallError::BadResponse)
}

/// Persistent offchain storage key of the progress of `provider` on `attempt` of `job`:
/// `"crucible::ocw::job::" ‖ SCALE(job, attempt, provider)`.
pub fn progress_key<T: Config>(job: JobId, attempt: u8, provider: &T::AccountId) -> Vec<u8> {
	let mut key = PROGRESS_PREFIX.to_vec();
	(job, attempt, provider).encode_to(&mut key);
	key
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut s = String::with_capacity(2 + bytes.len() * 2);
	s.push_str("0x");
	for b in bytes {
		s.push(DIGITS[(b >> 4) as usize] as char);
		s.push(DIGITS[(b & 15) as usize] as char);
	}
	s
}

/// Bytes of (optionally `0x`-prefixed) hex; `None` if it is not hex.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if !s.len().is_multiple_of(2) {
		return None;
	}
	let nibble = |c: u8| match c {
		b'0'..=b'9' => Some(c - b'0'),
		b'a'..=b'f' => Some(c - b'a' + 10),
		b'A'..=b'F' => Some(c - b'A' + 10),
		_ => None,
	};
	s.as_bytes()
		.chunks(2)
		.map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
		.collect()
}

/// The JSON `params` of `worker_submit` for a job: `[kernel, {seed, dims, target}]`.
pub fn submit_params(kernel: &[u8], params: &JobParams) -> String {
	let kernel = core::str::from_utf8(kernel).unwrap_or_default();
	// `JobParams` is the worker's own type: the JSON it expects, by construction.
	serde_json::to_string(&(kernel, params)).unwrap_or_default()
}

/// The JSON `params` of `worker_submit_program` for a job of an open program:
/// `[source, manifest, params]`, the source the blob the job's kernel hash names.
pub fn program_params<T: Config>(program: &ProgramOf<T>, job: &JobOf<T>) -> String {
	let source = crucible_primitives::DataRef::Blob {
		digest: job.kernel_hash.0,
		bytes: u64::from(program.source_bytes),
	};
	serde_json::to_string(&(source, &program.manifest, &job.params)).unwrap_or_default()
}

/// The worker's result for a finished ticket, if it ran the kernel `kernel_hash`.
pub fn parse_result(
	value: &serde_json::Value,
	kernel_hash: &H256,
	salt: [u8; 32],
) -> Option<Computed> {
	let field = |name: &str| value.get(name).and_then(|v| v.as_str());
	let hash = from_hex(field("kernel_hash")?)?;
	if hash.as_slice() != kernel_hash.as_bytes() {
		return None;
	}
	let digest = from_hex(field("output_digest")?)?;
	if digest.len() != 32 {
		return None;
	}
	let small_output = from_hex(field("small_output")?)?;
	if small_output.len() > MAX_SMALL_OUTPUT as usize {
		return None;
	}
	let device_class = field("device_class")?.as_bytes().to_vec();
	if device_class.is_empty() || device_class.len() > MAX_DEVICE_CLASS_LEN as usize {
		return None;
	}
	let worker_version = u32::try_from(value.get("worker_version")?.as_u64()?).ok()?;
	Some(Computed {
		output_digest: H256::from_slice(&digest),
		small_output,
		device_class,
		worker_version,
		salt,
	})
}

impl<T: Config> Pallet<T> {
	/// The offchain worker's work after block `now` (see the module docs).
	pub fn run_offchain_worker(now: BlockNumberFor<T>) {
		let Some(url) = StorageValueRef::persistent(WORKER_URL_KEY)
			.get::<Vec<u8>>()
			.ok()
			.flatten()
			.and_then(|u| String::from_utf8(u).ok())
		else {
			return;
		};
		let keys = crypto::Public::all();
		if keys.is_empty() {
			return;
		}
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				LOCK_KEY,
				3,
				Duration::from_millis(30_000),
			);
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG_TARGET, "offchain worker of #{now:?} skipped: a run is in progress");
			return;
		};
		let mut live: Vec<Vec<u8>> = Vec::new();
		for key in keys {
			let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic =
				key.clone().into();
			let public: T::Public = generic.into();
			let account = public.clone().into_account();
			let Some(info) = Providers::<T>::get(&account) else { continue };
			if info.compute_key != key {
				log::warn!(target: LOG_TARGET, "local compute key is not the registered one of {account:?}");
				continue;
			}
			let mut agent =
				Agent::<T> { url: &url, key, public, account, now, device_class: None, info };
			for id in ProviderJobs::<T>::get(&agent.account) {
				if let Some(k) = agent.step(id) {
					live.push(k);
				}
			}
			for (id, since) in AwaitingOutput::<T>::iter() {
				if let Some(k) = agent.publish(id, since) {
					live.push(k);
				}
			}
		}
		Self::forget_finished(live);
	}

	/// Drop progress entries of assignments that are no longer open.
	fn forget_finished(live: Vec<Vec<u8>>) {
		let tracked = StorageValueRef::persistent(TRACKED_KEY);
		let old = tracked.get::<Vec<Vec<u8>>>().ok().flatten().unwrap_or_default();
		for k in old.iter().filter(|k| !live.contains(k)) {
			StorageValueRef::persistent(k).clear();
		}
		let mut live = live;
		if live.len() > MAX_TRACKED {
			live.drain(..live.len() - MAX_TRACKED);
		}
		tracked.set(&live);
	}
}

/// One local provider's view during one run.
struct Agent<'a, T: Config> {
	url: &'a str,
	key: crypto::Public,
	public: T::Public,
	account: T::AccountId,
	now: BlockNumberFor<T>,
	/// The worker's device class, once asked.
	device_class: Option<Vec<u8>>,
	info: ProviderInfoOf<T>,
}

impl<T: Config> Agent<'_, T> {
	/// Move one assignment along; returns its progress key if it is still being worked on.
	fn step(&mut self, id: JobId) -> Option<Vec<u8>> {
		let job = Jobs::<T>::get(id)?;
		let slot = job.assignments.iter().find(|a| a.provider == self.account)?.clone();
		let key = progress_key::<T>(id, job.attempts, &self.account);
		let store = StorageValueRef::persistent(&key);
		let mut progress = store.get::<Progress<BlockNumberFor<T>>>().ok().flatten();
		let now = self.now;
		let committing = matches!(job.status, JobStatus::Assigned | JobStatus::Committing);
		let before = progress.clone();

		// Run the job until it has a result (while a commitment can still land).
		if committing && slot.commitment.is_none() && now < job.commit_until {
			progress = match progress {
				None | Some(Progress::Posted { .. }) => self.compute(&job, id, progress),
				other => other,
			};
		}
		// Commit (again, if the chain does not show the last one after a while).
		if committing && slot.commitment.is_none() && now < job.commit_until {
			progress = match progress {
				Some(Progress::Computed(c)) if !self.can_attest(&job, &c) => {
					// Its class was not declared before the assignment: a reveal would be refused,
					// so declare it for the jobs to come and decline this one.
					if let Ok(class) = DeviceClass::try_from(c.device_class.clone()) {
						self.declare(class);
					}
					self.decline(id)
				},
				Some(Progress::Computed(c)) => self.commit(id, c),
				Some(Progress::Committed { computed, sent_at }) if self.stale(sent_at) => {
					self.commit(id, computed)
				},
				other => other,
			};
		}
		// Decline what the worker cannot run, while that still spares a no-show.
		if committing && slot.commitment.is_none() && !slot.declined && now < job.commit_until {
			progress = match progress {
				Some(Progress::Failed) => self.decline(id),
				Some(Progress::Declined { sent_at }) if self.stale(sent_at) => self.decline(id),
				other => other,
			};
		}
		// Reveal once the chain allows it.
		let all_committed = job.assignments.iter().all(|a| a.commitment.is_some() || a.declined);
		if slot.commitment.is_some()
			&& slot.reveal.is_none()
			&& (now >= job.commit_until || all_committed)
			&& now < job.reveal_until
		{
			progress = match progress {
				Some(Progress::Committed { computed, .. }) => self.reveal(&job, id, computed),
				Some(Progress::Revealed { computed, sent_at }) if self.stale(sent_at) => {
					self.reveal(&job, id, computed)
				},
				other => other,
			};
		}
		if progress != before {
			if let Some(p) = &progress {
				store.set(p);
			}
		}
		Some(key)
	}

	fn stale(&self, sent_at: BlockNumberFor<T>) -> bool {
		self.now >= sent_at.saturating_add(RESEND_AFTER.into())
	}

	/// Post the job, or collect its result.
	fn compute(
		&mut self,
		job: &JobOf<T>,
		id: JobId,
		progress: Option<Progress<BlockNumberFor<T>>>,
	) -> Option<Progress<BlockNumberFor<T>>> {
		let post = |url: &str| -> Option<Progress<BlockNumberFor<T>>> {
			let (method, params) = match Programs::<T>::get(job.workload) {
				Some(program) => ("worker_submit_program", program_params::<T>(&program, job)),
				None => {
					let workload = Workloads::<T>::get(job.workload)?;
					("worker_submit", submit_params(&workload.name, &job.params))
				},
			};
			match rpc_call(url, method, &params) {
				Ok(t) => t.as_u64().map(|ticket| {
					log::info!(target: LOG_TARGET, "job {id}: posted to the worker as ticket {ticket}");
					Progress::Posted { ticket }
				}),
				// The worker answered and refuses the job (bad parameters, unknown kernel, too
				// large): it never will run it, so decline rather than stay silent.
				Err(WorkerCallError::Rpc(code)) if REFUSALS.contains(&code) => {
					log::warn!(target: LOG_TARGET, "job {id}: the worker refuses it (code {code})");
					Some(Progress::Failed)
				},
				Err(e) => {
					log::warn!(target: LOG_TARGET, "job {id}: worker_submit failed: {e:?}");
					None
				},
			}
		};
		let ticket = match progress {
			None => return post(self.url),
			Some(Progress::Posted { ticket }) => ticket,
			other => return other,
		};
		let state = match rpc_call(self.url, "worker_status", &format!("[{ticket}]")) {
			Ok(v) => match v.get("state").and_then(|s| s.as_str()) {
				Some("done") => TicketState::Done,
				Some("failed") => TicketState::Failed,
				Some(_) => TicketState::Busy,
				None => return progress,
			},
			Err(WorkerCallError::Rpc(UNKNOWN_TICKET)) => TicketState::Unknown,
			Err(_) => return progress,
		};
		match state {
			TicketState::Busy => progress,
			TicketState::Unknown => post(self.url).or(progress),
			TicketState::Failed => {
				log::warn!(target: LOG_TARGET, "job {id}: the worker failed it; no result from this node");
				Some(Progress::Failed)
			},
			TicketState::Done => {
				let Ok(v) = rpc_call(self.url, "worker_result", &format!("[{ticket}]")) else {
					return progress;
				};
				match parse_result(&v, &job.kernel_hash, sp_io::offchain::random_seed()) {
					Some(c) => {
						log::info!(target: LOG_TARGET, "job {id}: computed, digest {:?}", c.output_digest);
						Some(Progress::Computed(c))
					},
					None => {
						log::warn!(target: LOG_TARGET, "job {id}: the worker's result is not for this kernel or is malformed");
						Some(Progress::Failed)
					},
				}
			},
		}
	}

	/// Whether a reveal of `computed` on `job` can attest its device class: always on
	/// workloads that are bit-exact across devices; on the others only if the class was
	/// declared before the assignment.
	fn can_attest(&self, job: &JobOf<T>, computed: &Computed) -> bool {
		if !Pallet::<T>::compares_within_classes(job.workload) {
			return true;
		}
		self.info
			.device_classes
			.iter()
			.position(|c| c.as_slice() == computed.device_class.as_slice())
			.and_then(|i| self.info.declared_at.get(i))
			.is_some_and(|at| *at < job.assigned_at)
	}

	fn decline(&mut self, id: JobId) -> Option<Progress<BlockNumberFor<T>>> {
		if self.send(Call::<T>::decline_job { job: id }) {
			log::info!(target: LOG_TARGET, "job {id}: declined");
			Some(Progress::Declined { sent_at: self.now })
		} else {
			Some(Progress::Failed)
		}
	}

	fn commit(&mut self, id: JobId, computed: Computed) -> Option<Progress<BlockNumberFor<T>>> {
		let commitment = Pallet::<T>::commitment_of(
			id,
			&computed.output_digest,
			&computed.small_output,
			&computed.salt,
			&self.account,
		);
		if self.send(Call::<T>::commit_result { job: id, commitment }) {
			log::info!(target: LOG_TARGET, "job {id}: commitment sent");
			Some(Progress::Committed { computed, sent_at: self.now })
		} else {
			Some(Progress::Computed(computed))
		}
	}

	fn reveal(
		&mut self,
		job: &JobOf<T>,
		id: JobId,
		computed: Computed,
	) -> Option<Progress<BlockNumberFor<T>>> {
		let unchanged = Progress::Committed { computed: computed.clone(), sent_at: self.now };
		let Ok(device_class) = DeviceClass::try_from(computed.device_class.clone()) else {
			return Some(Progress::Failed);
		};
		if !self.info.device_classes.contains(&device_class) {
			// Declare it first; the reveal follows once the chain shows it.
			self.declare(device_class);
			return Some(unchanged);
		}
		let message = Pallet::<T>::attestation_message(
			id,
			job.kernel_hash,
			computed.output_digest,
			&computed.small_output,
			computed.worker_version,
			&device_class,
		);
		let Some(signature) = self.key.sign(&message) else {
			log::warn!(target: LOG_TARGET, "job {id}: the keystore cannot sign with the compute key");
			return Some(unchanged);
		};
		let Ok(small_output) = SmallOutput::try_from(computed.small_output.clone()) else {
			return Some(Progress::Failed);
		};
		let call = Call::<T>::reveal_result {
			job: id,
			output_digest: computed.output_digest,
			salt: computed.salt,
			small_output,
			attestation: Attestation {
				worker_version: computed.worker_version,
				device_class,
				signature,
			},
		};
		if self.send(call) {
			log::info!(target: LOG_TARGET, "job {id}: reveal sent");
			Some(Progress::Revealed { computed, sent_at: self.now })
		} else {
			Some(unchanged)
		}
	}

	/// Add the worker's device class to the provider's declared ones (once per run).
	fn declare(&mut self, class: DeviceClass) {
		if self.device_class.as_deref() == Some(class.as_slice())
			|| self.info.device_classes.contains(&class)
		{
			return;
		}
		self.device_class = Some(class.to_vec());
		let mut classes = self.info.device_classes.clone();
		if classes.is_full() && !classes.is_empty() {
			classes.remove(0);
		}
		if classes.try_push(class).is_ok()
			&& self.send(Call::<T>::set_device_classes { device_classes: classes })
		{
			log::info!(target: LOG_TARGET, "declaring the worker's device class for {:?}", self.account);
		}
	}

	/// Publish the output of verified job `id` (waiting since `since`) if this provider's result
	/// was accepted and its turn has come: the full output from the worker (`worker_output`),
	/// checked against the accepted digest, in a `publish_output` transaction. Sent once, and
	/// again only if the chain still waits for it [`RESEND_AFTER`] blocks later. Returns the
	/// key of the "sent" entry while the job waits.
	fn publish(&mut self, id: JobId, since: BlockNumberFor<T>) -> Option<Vec<u8>> {
		use crucible_primitives::data::BlobStore;
		use frame_support::traits::Get;
		let job = Jobs::<T>::get(id)?;
		if job.status != JobStatus::Publishing {
			return None;
		}
		let digest = job.result.as_ref()?.output_digest;
		let accepted = Pallet::<T>::accepted_providers(&job);
		let turn = accepted.iter().position(|a| *a == self.account)?;
		let opens =
			since.saturating_add(T::PublishWindow::get().saturating_mul((turn as u32).into()));
		// The chain lets a turn, once open, stay open to the end; the worker keeps to its own
		// turn (the last accepted provider to the end), so that a later provider's publication
		// does not race an earlier one's and pay the fees of a transaction bound to fail.
		let closes = if turn + 1 == accepted.len() {
			Pallet::<T>::last_turn_end(since)
		} else {
			opens.saturating_add(T::PublishWindow::get()).saturating_sub(1u32.into())
		};
		// Sent after this block, it lands in the next one at the earliest.
		let next = self.now.saturating_add(1u32.into());
		if next < opens || next > closes {
			return None;
		}
		let mut key = PUBLISH_PREFIX.to_vec();
		id.encode_to(&mut key);
		let store = StorageValueRef::persistent(&key);
		if let Some(sent_at) = store.get::<BlockNumberFor<T>>().ok().flatten() {
			if !self.stale(sent_at) {
				return Some(key);
			}
		}
		let params = format!("[\"{}\"]", to_hex(&digest.0));
		let bytes = match rpc_call(self.url, "worker_output", &params) {
			Ok(v) => v.as_str().and_then(from_hex)?,
			Err(e) => {
				log::warn!(target: LOG_TARGET, "job {id}: the worker has no output to publish: {e:?}");
				return None;
			},
		};
		if sp_io::hashing::blake2_256(&bytes) != digest.0
			|| bytes.len() as u64 > T::Blobs::max_blob_size() as u64
		{
			log::warn!(target: LOG_TARGET, "job {id}: the worker's output is not the accepted one, or too large to publish");
			return None;
		}
		if self.send(Call::<T>::publish_output { job: id, data: bytes }) {
			log::info!(target: LOG_TARGET, "job {id}: publishing its output");
			store.set(&self.now);
		}
		Some(key)
	}

	/// Sign and submit `call` from the provider's account with the next free nonce.
	fn send(&mut self, call: Call<T>) -> bool {
		let mut nonce_key = NONCE_PREFIX.to_vec();
		self.account.encode_to(&mut nonce_key);
		let tracker = StorageValueRef::persistent(&nonce_key);
		let chain = frame_system::Pallet::<T>::account_nonce(&self.account);
		// (next nonce of ours, the chain's nonce when last seen, since when it has not moved)
		let (next, seen, since) = tracker
			.get::<(T::Nonce, T::Nonce, BlockNumberFor<T>)>()
			.ok()
			.flatten()
			.unwrap_or((chain, chain, self.now));
		let since = if seen != chain { self.now } else { since };
		// Transactions of ours still in the pool: queue behind them, unless the chain's nonce
		// has not moved for a while (they were dropped; start again from the chain's).
		let nonce = if next > chain && !self.stale(since) { next } else { chain };
		let Some(xt) = <T as CreateSignedTransaction<Call<T>>>::create_signed_transaction::<
			T::AuthorityId,
		>(call.into(), self.public.clone(), self.account.clone(), nonce) else {
			return false;
		};
		if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
			log::warn!(target: LOG_TARGET, "the pool refused a transaction of {:?} (nonce {nonce:?})", self.account);
			return false;
		}
		let mut next = nonce;
		next.saturating_inc();
		tracker.set(&(next, chain, if nonce == chain { self.now } else { since }));
		true
	}
}
