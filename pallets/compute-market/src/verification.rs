//! Step 7: verification — re-check on-chain-checkable claims, group replicated results (the
//! digest and the small output together), and judge the silent.
//!
//! On an open program, a replica whose run failed reveals the digest of
//! [`Failure::preimage`](crucible_primitives::program::Failure::preimage) with the hash of its
//! log as the small output. Failure reports are grouped by digest alone (drivers word their
//! logs differently), and are never slashed: a quorum of them ends the job
//! `ProgramFailed` (the replicas that got a result instead are left unjudged: a faster device
//! may finish inside the time limit), and a lone one against an accepted result costs what a
//! decline costs.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use crucible_primitives::program::Failure;
use sp_core::H256;

/// How one assigned provider's part in an attempt is judged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
	/// Its result was accepted: it is paid and rewarded.
	Accepted,
	/// It revealed a result that was rejected, or committed and never revealed (it saw the
	/// others' reveals and kept silent): slashed `SlashWrong`.
	Wrong,
	/// It neither committed nor declined: slashed `SlashNoShow`.
	NoShow,
	/// It declined before committing (its worker cannot run the job): neither paid nor slashed,
	/// and not drawn for the job again. When every replica declines, the attempt ends at once
	/// and the job goes to other providers, or fails when none are left: nobody is slashed.
	Declined,
	/// Its result could not be judged (another device class of a non-bit-exact workload, no
	/// quorum, or a hash search that nobody found a nonce for): neither paid nor slashed.
	Unjudged,
}

/// The judgement of one attempt.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Verdict {
	/// One outcome per assignment, in assignment order.
	pub outcomes: Vec<Outcome>,
	/// The accepted result, if any.
	pub result: Option<JobResult>,
}

/// Length of a hash-search small output: `nonce_le64 ‖ hash`.
pub const HASH_SEARCH_OUTPUT_LEN: usize = 8 + 32;

/// Check a hash-search claim: the small output is `nonce_le64 ‖ hash` with
/// `hash = blake2_256(seed ‖ nonce_le64)`, `hash < target` (as big-endian numbers), the nonce
/// within the searched range `0 .. dims[0]`, and the digest is `blake2_256(small_output)`.
pub fn check_hash_search(params: &JobParams, small_output: &[u8], digest: &H256) -> bool {
	let (Some(target), Some(range)) = (params.target, params.dims.first()) else { return false };
	if small_output.len() != HASH_SEARCH_OUTPUT_LEN {
		return false;
	}
	let mut nonce_bytes = [0u8; 8];
	nonce_bytes.copy_from_slice(&small_output[..8]);
	let nonce = u64::from_le_bytes(nonce_bytes);
	if nonce >= *range as u64 {
		return false;
	}
	let mut preimage = [0u8; 40];
	preimage[..32].copy_from_slice(&params.seed);
	preimage[32..].copy_from_slice(&nonce_bytes);
	let hash = sp_io::hashing::blake2_256(&preimage);
	hash[..] == small_output[8..]
		&& hash < target
		&& sp_io::hashing::blake2_256(small_output) == digest.0
}

impl<T: Config> Pallet<T> {
	/// The digests a failed run of `workload` reveals, each with its reason: none unless it is
	/// an open program.
	pub fn failure_digests(workload: WorkloadId) -> Vec<(H256, Failure)> {
		if !Programs::<T>::contains_key(workload) {
			return Vec::new();
		}
		Failure::ALL
			.iter()
			.map(|f| (H256(sp_io::hashing::blake2_256(&f.preimage())), *f))
			.collect()
	}

	/// Why a run of `workload` failed, if `digest` reports a failure.
	pub fn program_failure(workload: WorkloadId, digest: &H256) -> Option<Failure> {
		Self::failure_digests(workload)
			.into_iter()
			.find(|(d, _)| d == digest)
			.map(|(_, f)| f)
	}

	/// Judge an attempt of `job` under `class`.
	pub fn judge(job: &JobOf<T>, class: &VerificationClass) -> Verdict {
		let mut outcomes: Vec<Outcome> = job
			.assignments
			.iter()
			.map(|a| match (a.declined, a.commitment.is_some(), a.reveal.is_some()) {
				(_, _, true) => Outcome::Unjudged,
				(_, true, false) => Outcome::Wrong,
				(true, false, false) => Outcome::Declined,
				(false, false, false) => Outcome::NoShow,
			})
			.collect();
		let reveals = || {
			job.assignments
				.iter()
				.enumerate()
				.filter_map(|(i, a)| a.reveal.as_ref().map(|r| (i, r)))
		};
		let mut result = None;
		let failures = Self::failure_digests(job.workload);
		let failed = |d: &H256| failures.iter().any(|(f, _)| f == d);
		match class {
			VerificationClass::OnChainCheck(OnChainCheckKind::HashSearch) => {
				let mut best: Option<(u64, &Reveal)> = None;
				let mut empty = Vec::new();
				for (i, r) in reveals() {
					if r.small_output.is_empty() {
						// "Nothing found in the range": not checkable on its own; wrong if
						// another replica proves a nonce exists.
						empty.push(i);
						continue;
					}
					if check_hash_search(&job.params, &r.small_output, &r.output_digest) {
						outcomes[i] = Outcome::Accepted;
						let mut n = [0u8; 8];
						n.copy_from_slice(&r.small_output[..8]);
						let nonce = u64::from_le_bytes(n);
						if best.is_none_or(|(b, _)| nonce < b) {
							best = Some((nonce, r));
						}
					} else {
						outcomes[i] = Outcome::Wrong;
					}
				}
				if let Some((_, r)) = best {
					for i in empty {
						outcomes[i] = Outcome::Wrong;
					}
					let accepted =
						outcomes.iter().filter(|o| **o == Outcome::Accepted).count() as u8;
					result = Some(JobResult {
						output_digest: r.output_digest,
						small_output: r.small_output.clone(),
						accepted,
					});
				}
			},
			VerificationClass::Replicated { quorum, bit_exact } => {
				// Count each (digest, small output, device class if not bit-exact); the largest
				// group wins if it reaches the quorum. Replicas < 2 × quorum, so at most one can.
				let key = |r: &Reveal| {
					(
						(
							r.output_digest,
							if failed(&r.output_digest) {
								SmallOutput::default()
							} else {
								r.small_output.clone()
							},
						),
						if *bit_exact { None } else { Some(r.device_class.clone()) },
					)
				};
				#[allow(clippy::type_complexity)]
				let mut groups: Vec<(
					((H256, SmallOutput), Option<DeviceClass>),
					u32,
					&Reveal,
				)> = Vec::new();
				for (_, r) in reveals() {
					let k = key(r);
					match groups.iter_mut().find(|(g, _, _)| *g == k) {
						Some(g) => g.1 += 1,
						None => groups.push((k, 1, r)),
					}
				}
				let winner = groups
					.iter()
					.filter(|(_, n, _)| *n >= *quorum as u32)
					.max_by_key(|(_, n, _)| *n)
					.cloned();
				if let Some((((digest, _), class), n, first)) = winner {
					let small_output = first.small_output.clone();
					for (i, r) in reveals() {
						outcomes[i] = if r.output_digest == digest
							&& (r.small_output == small_output || failed(&digest))
							&& class.as_ref().is_none_or(|c| *c == r.device_class)
						{
							Outcome::Accepted
						} else if class.as_ref().is_none_or(|c| *c == r.device_class) {
							// Same device class (or bit-exact workload): comparable, and wrong.
							Outcome::Wrong
						} else {
							Outcome::Unjudged
						};
					}
					result =
						Some(JobResult { output_digest: digest, small_output, accepted: n as u8 });
				}
			},
		}
		// Whether an input could be had is not judged against anyone: a URL may serve some
		// providers and not others, and the consumer controls it. So a replica that reported an
		// input unavailable is never slashed when a result is accepted, and a replica that
		// revealed a result is never slashed when the quorum reported an input unavailable;
		// either is left unjudged (neither paid nor slashed).
		let gone = Self::unavailable_digests(&job.params);
		let unavailable = |d: &H256| gone.contains(d);
		let quorum_unavailable = result.as_ref().is_some_and(|r| unavailable(&r.output_digest));
		// A lone report that a chain-stored input (a blob, which every node keeps until at least
		// the deadline) is unavailable, against an accepted result, costs what a decline costs
		// (no slash, no pay, a little reputation): otherwise it would be a free way out of work.
		// A URL is the consumer's to serve, so a lone report on one costs nothing.
		let on_blob = |d: &H256| {
			gone.iter().position(|g| g == d).is_some_and(|i| {
				matches!(job.params.inputs.get(i), Some(crucible_primitives::DataRef::Blob { .. }))
			})
		};
		// A failed run of an open program is judged the same way, whatever it ran on.
		let quorum_failed = result.as_ref().is_some_and(|r| failed(&r.output_digest));
		for (i, r) in reveals() {
			if outcomes[i] == Outcome::Wrong && (quorum_failed || failed(&r.output_digest)) {
				outcomes[i] = if quorum_failed { Outcome::Unjudged } else { Outcome::Declined };
				continue;
			}
			if outcomes[i] == Outcome::Wrong
				&& (quorum_unavailable || unavailable(&r.output_digest))
			{
				outcomes[i] = if !quorum_unavailable && on_blob(&r.output_digest) {
					Outcome::Declined
				} else {
					Outcome::Unjudged
				};
			}
		}
		Verdict { outcomes, result }
	}
}
