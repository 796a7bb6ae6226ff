//! Step 9: outputs — a job that asks for its full output (`publish_output` in its parameters)
//! reserves, in its budget, the publish fee of the largest blob. Once verified it waits
//! ([`JobStatus::Publishing`]) while the providers whose result was accepted take turns of
//! `PublishWindow` blocks, in assignment order, to publish the output as a blob whose name is
//! the accepted output digest (the runtime hashes the bytes); the publisher is paid
//! [`Pallet::publish_fee`] of its bytes and the rest of the reserve is refunded. When every
//! turn has passed unused, the reserve is refunded ([`Event::OutputNotPublished`]) and the job
//! is `Verified` without a published output.
//!
//! The consumer then downloads the output by its digest (`bitswap_v1_get`, or any IPFS client
//! by its CID), from any node that keeps the block.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use crucible_primitives::data::BlobStore;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// What publishing `bytes` bytes of output pays its publisher: `OutputPricePerMiB` per MiB,
	/// counted per KiB started, rounded up.
	pub fn publish_fee(bytes: u32) -> BalanceOf<T> {
		let kib = BalanceOf::<T>::from((bytes as u64).div_ceil(1024) as u32);
		let scaled = T::OutputPricePerMiB::get().saturating_mul(kib);
		let k = BalanceOf::<T>::from(1024u32);
		let whole = scaled / k;
		if (scaled % k).is_zero() {
			whole
		} else {
			whole.saturating_add(1u32.into())
		}
	}

	/// What a job with `params` reserves for publishing its output: the publish fee of the
	/// largest blob, or nothing if it does not ask for its output.
	pub fn output_reserve(params: &JobParams) -> BalanceOf<T> {
		if params.publish_output {
			Self::publish_fee(T::Blobs::max_blob_size())
		} else {
			Zero::zero()
		}
	}

	/// The block the last publishing turn of a job verified at `since` ends: every job gets
	/// `MaxReplicas` turns' time, so that the queue stays in order.
	pub fn last_turn_end(since: BlockNumberFor<T>) -> BlockNumberFor<T> {
		since.saturating_add(T::PublishWindow::get().saturating_mul(T::MaxReplicas::get().into()))
	}

	/// The providers whose result was accepted, in assignment order.
	pub fn accepted_providers(job: &JobOf<T>) -> Vec<T::AccountId> {
		let Some(result) = &job.result else { return Vec::new() };
		job.assignments
			.iter()
			.filter(|a| {
				a.reveal.as_ref().is_some_and(|r| {
					r.output_digest == result.output_digest && r.small_output == result.small_output
				})
			})
			.map(|a| a.provider.clone())
			.collect()
	}

	/// A job was verified now and asks for its output: keep the reserve in escrow, refund the
	/// rest, and open the publishing turns. Called by the settlement instead of finishing it.
	pub(crate) fn await_output(id: JobId, job: &mut JobOf<T>, now: BlockNumberFor<T>) {
		let keep = Self::output_reserve(&job.params).min(job.escrow);
		let above = job.escrow.saturating_sub(keep);
		let consumer = job.consumer.clone();
		let refund = Self::pay_from_escrow(job, &consumer, above);
		if !refund.is_zero() {
			Self::deposit_event(Event::EscrowRefunded { job: id, amount: refund });
		}
		job.status = JobStatus::Publishing;
		AwaitingOutput::<T>::insert(id, now);
		let tail = OutputTail::<T>::get();
		OutputQueue::<T>::insert(tail, (Self::last_turn_end(now), id));
		OutputTail::<T>::put(tail.saturating_add(1));
	}

	/// `publish_output`: see the call's docs.
	pub fn do_publish_output(who: T::AccountId, id: JobId, data: Vec<u8>) -> DispatchResult {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.status == JobStatus::Publishing, Error::<T>::NotAwaitingOutput);
		let since = AwaitingOutput::<T>::get(id).ok_or(Error::<T>::NotAwaitingOutput)?;
		let digest = job.result.as_ref().ok_or(Error::<T>::NotAwaitingOutput)?.output_digest;
		let turn = Self::accepted_providers(&job)
			.iter()
			.position(|a| *a == who)
			.ok_or(Error::<T>::NotAccepted)?;
		let now = frame_system::Pallet::<T>::block_number();
		let opens =
			since.saturating_add(T::PublishWindow::get().saturating_mul((turn as u32).into()));
		ensure!(now >= opens, Error::<T>::NotYourTurn);
		ensure!(sp_io::hashing::blake2_256(&data) == digest.0, Error::<T>::WrongOutput);
		let bytes = data.len() as u32;
		T::Blobs::store_as(&who, data)?;
		let payment = Self::pay_from_escrow(&mut job, &who, Self::publish_fee(bytes));
		let refund = Self::refund_escrow(&mut job);
		AwaitingOutput::<T>::remove(id);
		Self::finish(id, &mut job, JobStatus::Verified);
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::OutputPublished {
			job: id,
			blob: digest,
			bytes,
			by: who,
			payment,
			refund,
		});
		Ok(())
	}

	/// Refund the reserve of the jobs whose publishing turns all ended before `now` unused, at
	/// most `MaxAssignPerBlock` of them (the rest wait for the next block).
	pub(crate) fn close_output_turns(now: BlockNumberFor<T>) -> Weight {
		let mut head = OutputHead::<T>::get();
		let tail = OutputTail::<T>::get();
		let mut closed = 0u32;
		while head < tail && closed < T::MaxAssignPerBlock::get() {
			let Some((last, id)) = OutputQueue::<T>::get(head) else {
				head = head.saturating_add(1);
				continue;
			};
			if last >= now {
				break;
			}
			OutputQueue::<T>::remove(head);
			head = head.saturating_add(1);
			closed.saturating_inc();
			if AwaitingOutput::<T>::take(id).is_none() {
				continue;
			}
			let Some(mut job) = Jobs::<T>::get(id) else { continue };
			if job.status != JobStatus::Publishing {
				continue;
			}
			let refund = Self::refund_escrow(&mut job);
			Self::finish(id, &mut job, JobStatus::Verified);
			Jobs::<T>::insert(id, job);
			Self::deposit_event(Event::OutputNotPublished { job: id, refund });
		}
		OutputHead::<T>::put(head);
		T::WeightInfo::close_output_turns(closed)
	}
}
