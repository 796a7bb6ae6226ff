//! Step 3b: pipelines — an input may be the published output of an earlier job
//! ([`DataRef::Output`]), so that jobs chain: the output of one is the input of the next.
//!
//! At submission the earlier job ("upstream") must exist and ask for its output
//! (`publish_output`), and must not have ended without publishing it; if it has published
//! already, the reference is replaced at once by the blob it published (of the named length).
//! Otherwise the job is queued `Waiting`: it holds its place in [`PendingJobs`] (it counts
//! against the consumer's `MaxPendingPerAccount` and the queue's bound like a pending job), and
//! each time the assignment step looks at it ([`crate::assignment`]) its references are
//! resolved against their upstreams:
//!
//! * every upstream published an output of the named length, kept until the deadline: the
//!   references become those blobs ([`Event::JobInputsReady`]) and the job is `Pending`, to be
//!   assigned like any other;
//! * an upstream ended without such an output (failed, expired, cancelled, unpublished,
//!   another length, a blob that expires before the deadline, or pruned): the job ends
//!   `InputUnavailable` and its escrow is refunded in full ([`Event::JobUpstreamFailed`]) —
//!   nobody worked on it;
//! * otherwise it keeps waiting, at the back of the queue; its deadline still applies (it
//!   expires, refunded, when no attempt fits before it), and the consumer may cancel it.
//!
//! Providers never see an [`DataRef::Output`]: a job is assigned only once all its inputs are
//! blobs or URLs. Upstreams always have smaller ids than the job, so references form no cycle.

use crate::{pallet::*, types::*};
use crucible_primitives::data::BlobInspect;
use frame_support::ensure;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;

/// Where the output of an upstream job stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Upstream<BlockNumber> {
	/// Not yet published, and it may still be.
	Running,
	/// Published (or anyway stored) as blob `digest` of `bytes` bytes, kept until `until`.
	Published { digest: H256, bytes: u64, until: BlockNumber },
	/// Ended without an output.
	Failed,
}

/// What resolving a job's output references found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Resolution {
	/// Every input is a blob or a URL now.
	Ready,
	/// At least one upstream has not published yet (and none has failed); `resolved`: some
	/// other reference was replaced by its blob now.
	Waiting { resolved: bool },
	/// The upstream of input `input`, job `upstream`, ended without an output that fits.
	Failed { input: u8, upstream: JobId },
}

impl<T: Config> Pallet<T> {
	/// Where the output of job `upstream` stands.
	pub fn upstream_output(upstream: &JobOf<T>) -> Upstream<BlockNumberFor<T>> {
		match (upstream.status, &upstream.result) {
			(JobStatus::Verified, Some(r)) => match T::Blobs::blob(&r.output_digest.0) {
				Some((bytes, until)) => {
					Upstream::Published { digest: r.output_digest, bytes, until }
				},
				None => Upstream::Failed,
			},
			(s, _) if s.is_final() => Upstream::Failed,
			_ => Upstream::Running,
		}
	}

	/// Check a reference to the output of job `upstream`, of `bytes` bytes, at submission.
	pub fn check_upstream(upstream: JobId, bytes: u64) -> Result<(), Error<T>> {
		let job = Jobs::<T>::get(upstream).ok_or(Error::<T>::UnknownUpstream)?;
		ensure!(job.params.publish_output, Error::<T>::UpstreamWithoutOutput);
		match Self::upstream_output(&job) {
			Upstream::Running => Ok(()),
			Upstream::Published { bytes: stored, .. } => {
				ensure!(stored == bytes, Error::<T>::InputSizeMismatch);
				Ok(())
			},
			Upstream::Failed => Err(Error::<T>::UpstreamFailed),
		}
	}

	/// Replace each output reference of `params` whose upstream has published by the blob it
	/// published, and say whether the job is ready, still waits, or cannot be run. An output
	/// of another length, or kept less long than `deadline`, fails the reference.
	pub fn resolve_outputs(params: &mut JobParams, deadline: BlockNumberFor<T>) -> Resolution {
		let (mut waiting, mut resolved) = (false, false);
		for (i, input) in params.inputs.iter_mut().enumerate() {
			let DataRef::Output { job, bytes } = *input else { continue };
			match Jobs::<T>::get(job).map(|j| Self::upstream_output(&j)) {
				Some(Upstream::Published { digest, bytes: stored, until })
					if stored == bytes && until >= deadline =>
				{
					*input = DataRef::Blob { digest: digest.0, bytes };
					resolved = true;
				},
				Some(Upstream::Running) => waiting = true,
				_ => return Resolution::Failed { input: i as u8, upstream: job },
			}
		}
		if waiting {
			Resolution::Waiting { resolved }
		} else {
			Resolution::Ready
		}
	}

	/// Look at waiting job `id` (from the assignment step): make it `Pending` once its inputs
	/// are ready, or end and refund it if one cannot be had. Returns whether it ended.
	pub(crate) fn advance_waiting(id: JobId, job: &mut JobOf<T>) -> bool {
		match Self::resolve_outputs(&mut job.params, job.deadline) {
			Resolution::Waiting { resolved } => {
				if resolved {
					Jobs::<T>::insert(id, &*job);
				}
				false
			},
			Resolution::Ready => {
				job.status = JobStatus::Pending;
				Jobs::<T>::insert(id, &*job);
				Self::deposit_event(Event::JobInputsReady { job: id });
				false
			},
			Resolution::Failed { input, upstream } => {
				Self::note_unqueued(&job.consumer);
				let refund = Self::refund_escrow(job);
				Self::finish(id, job, JobStatus::InputUnavailable);
				Stats::<T>::mutate(|s| s.refunded = s.refunded.saturating_add(1));
				Jobs::<T>::insert(id, &*job);
				Self::deposit_event(Event::JobUpstreamFailed { job: id, input, upstream, refund });
				true
			},
		}
	}

	/// Whether `params` still name an output not yet resolved.
	pub fn names_unresolved_output(params: &JobParams) -> bool {
		params.inputs.iter().any(|i| matches!(i, DataRef::Output { .. }))
	}
}
