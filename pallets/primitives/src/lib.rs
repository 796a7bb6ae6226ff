//! What Crucible's runtime (the compute-market pallet) and its native compute worker must agree
//! on, defined once. Both sides import these; neither writes them again.

#![cfg_attr(not(feature = "std"), no_std)]

/// The most work one job may ask for, in the worker's own measure of a kernel's work (nonces
/// hashed, pixel-iterations, multiply-adds, …). The chain refuses workloads whose bound exceeds
/// it; the worker refuses nothing at or below it (its default `max_work`). So every job the
/// chain admits is one every provider's worker accepts.
pub const MAX_WORK: u64 = 1 << 36;

/// The largest small output a reveal carries on-chain, in bytes.
pub const MAX_SMALL_OUTPUT: u32 = 1024;

/// The error codes of the worker's JSON-RPC (`worker_*` methods): the worker answers with
/// them, the chain's offchain worker acts on them.
pub mod worker_rpc {
	/// Anything else (the job failed, an internal lock was poisoned).
	pub const INTERNAL: i32 = -32000;
	/// No kernel of the asked name.
	pub const UNKNOWN_KERNEL: i32 = -32001;
	/// The job's work exceeds the worker's per-job bound.
	pub const TOO_LARGE: i32 = -32002;
	/// The job queue is full; try again later.
	pub const QUEUE_FULL: i32 = -32003;
	/// No job with this ticket, or no retained output with this digest.
	pub const UNKNOWN_TICKET: i32 = -32004;
	/// The job has not finished yet.
	pub const NOT_FINISHED: i32 = -32005;
	/// The parameters do not fit the kernel (JSON-RPC's own "invalid params").
	pub const INVALID_PARAMS: i32 = -32602;
	/// The codes of a job the worker will never run, whatever its load: the offchain worker
	/// declines such an assignment instead of retrying it.
	pub const REFUSALS: [i32; 3] = [INVALID_PARAMS, UNKNOWN_KERNEL, TOO_LARGE];
}
