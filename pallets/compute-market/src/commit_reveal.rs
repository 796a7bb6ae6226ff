//! Step 6: commit, then reveal. Commitments stop replicas from copying one another's results;
//! the attestation binds each revealed result — digest and small output — to the provider's
//! compute key. A provider whose worker cannot run a job declines it before committing.

use crate::{pallet::*, types::*, WeightInfo};
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*};
use sp_core::H256;
use sp_runtime::RuntimeAppPublic;

impl<T: Config> Pallet<T> {
	/// `blake2_256(job_le64 ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖ provider)`, the
	/// provider as its SCALE encoding (the 32 account bytes for `AccountId32`).
	pub fn commitment_of(
		job: JobId,
		output_digest: &H256,
		small_output: &[u8],
		salt: &[u8; 32],
		provider: &T::AccountId,
	) -> H256 {
		let mut buf = alloc::vec::Vec::with_capacity(8 + 32 + 32 + 32 + 32);
		buf.extend_from_slice(&job.to_le_bytes());
		buf.extend_from_slice(output_digest.as_bytes());
		buf.extend_from_slice(&sp_io::hashing::blake2_256(small_output));
		buf.extend_from_slice(salt);
		provider.encode_to(&mut buf);
		H256(sp_io::hashing::blake2_256(&buf))
	}

	/// The bytes a compute key signs for an attestation.
	pub fn attestation_message(
		job: JobId,
		kernel_hash: H256,
		output_digest: H256,
		small_output: &[u8],
		worker_version: u32,
		device_class: &DeviceClass,
	) -> alloc::vec::Vec<u8> {
		AttestationPayload {
			domain: ATTESTATION_DOMAIN,
			job,
			kernel_hash,
			output_digest,
			small_output_hash: H256(sp_io::hashing::blake2_256(small_output)),
			worker_version,
			device_class: device_class.clone(),
		}
		.encode()
	}

	/// Job `id` and the index of `who`'s assignment in it, if `who` may still commit or
	/// decline: assigned to the current attempt, inside the commit window, and neither
	/// committed nor declined yet.
	fn uncommitted_slot(id: JobId, who: &T::AccountId) -> Result<(JobOf<T>, usize), DispatchError> {
		let job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(
			matches!(job.status, JobStatus::Assigned | JobStatus::Committing),
			Error::<T>::JobNotActive
		);
		let i = job
			.assignments
			.iter()
			.position(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() <= job.commit_until,
			Error::<T>::CommitWindowClosed
		);
		let slot = &job.assignments[i];
		ensure!(slot.commitment.is_none() && !slot.declined, Error::<T>::AlreadyCommitted);
		Ok((job, i))
	}

	/// Record a provider's commitment.
	pub fn do_commit(who: T::AccountId, id: JobId, commitment: H256) -> DispatchResult {
		let (mut job, i) = Self::uncommitted_slot(id, &who)?;
		job.assignments[i].commitment = Some(commitment);
		job.status = JobStatus::Committing;
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::ResultCommitted { job: id, provider: who });
		Ok(())
	}

	/// Check and record a provider's reveal; settle the attempt if it was the last one.
	pub fn do_reveal(
		who: T::AccountId,
		id: JobId,
		output_digest: H256,
		salt: [u8; 32],
		small_output: SmallOutput,
		attestation: Attestation,
	) -> DispatchResultWithPostInfo {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(
			matches!(job.status, JobStatus::Committing | JobStatus::Revealing),
			Error::<T>::JobNotActive
		);
		let now = frame_system::Pallet::<T>::block_number();
		let all_committed = job.assignments.iter().all(|a| a.commitment.is_some() || a.declined);
		let idx = job
			.assignments
			.iter()
			.position(|a| a.provider == who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(now > job.commit_until || all_committed, Error::<T>::RevealTooEarly);
		ensure!(now <= job.reveal_until, Error::<T>::RevealWindowClosed);
		let slot = &job.assignments[idx];
		ensure!(slot.reveal.is_none(), Error::<T>::AlreadyRevealed);
		let commitment = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(
			Self::commitment_of(id, &output_digest, &small_output, &salt, &who) == commitment,
			Error::<T>::CommitmentMismatch
		);

		let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		let class_index = provider
			.device_classes
			.iter()
			.position(|c| *c == attestation.device_class)
			.ok_or(Error::<T>::UnknownDeviceClass)?;
		// Where results are compared within a device class, the class must have been declared
		// before the job was assigned: no fresh class chosen after seeing the others' reveals.
		if Self::compares_within_classes(job.workload) {
			let declared =
				provider.declared_at.get(class_index).copied().unwrap_or(job.assigned_at);
			ensure!(declared < job.assigned_at, Error::<T>::DeviceClassesChanged);
		}
		let message = Self::attestation_message(
			id,
			job.kernel_hash,
			output_digest,
			&small_output,
			attestation.worker_version,
			&attestation.device_class,
		);
		ensure!(
			provider.compute_key.verify(&message, &attestation.signature),
			Error::<T>::BadAttestation
		);

		job.assignments[idx].reveal = Some(Reveal {
			output_digest,
			small_output,
			device_class: attestation.device_class,
			worker_version: attestation.worker_version,
		});
		job.status = JobStatus::Revealing;
		Self::deposit_event(Event::ResultRevealed { job: id, provider: who, output_digest });
		if Self::nothing_left_to_wait_for(&job) {
			let replicas = job.assignments.len() as u32;
			Self::settle(id, job, now);
			Ok(Some(T::WeightInfo::reveal_result().saturating_add(Self::settle_weight(replicas)))
				.into())
		} else {
			Jobs::<T>::insert(id, job);
			Ok(Some(T::WeightInfo::reveal_result()).into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Whether results of `workload` are only compared within one device class (it is not
	/// bit-exact across devices).
	pub fn compares_within_classes(workload: WorkloadId) -> bool {
		Workloads::<T>::get(workload).is_some_and(|w| {
			matches!(w.verification, VerificationClass::Replicated { bit_exact: false, .. })
		})
	}

	/// Every assigned provider has revealed or declined: the attempt can settle now.
	pub(crate) fn nothing_left_to_wait_for(job: &JobOf<T>) -> bool {
		job.assignments.iter().all(|a| a.reveal.is_some() || a.declined)
	}

	/// Record that an assigned provider declines the job; settle the attempt if nobody is left
	/// to wait for.
	pub fn do_decline(who: T::AccountId, id: JobId) -> DispatchResultWithPostInfo {
		let (mut job, i) = Self::uncommitted_slot(id, &who)?;
		let now = frame_system::Pallet::<T>::block_number();
		job.assignments[i].declined = true;
		Self::deposit_event(Event::AssignmentDeclined { job: id, provider: who });
		if Self::nothing_left_to_wait_for(&job) {
			let replicas = job.assignments.len() as u32;
			Self::settle(id, job, now);
			Ok(Some(T::WeightInfo::decline_job().saturating_add(Self::settle_weight(replicas)))
				.into())
		} else {
			Jobs::<T>::insert(id, job);
			Ok(Some(T::WeightInfo::decline_job()).into())
		}
	}
}
