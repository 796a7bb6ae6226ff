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
