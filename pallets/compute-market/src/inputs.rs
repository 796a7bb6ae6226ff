//! Step 3: inputs — the data a job names ([`DataRef`]s: blobs stored on the chain, or URLs
//! with the hash and length their bytes must have) are checked when the job is ordered and
//! priced per MiB moved to each replica.
//!
//! At submission every input must:
//! * be one the workload's schema asks for (exactly as many as [`ParamSchema::inputs`]);
//! * be at most [`MAX_INPUT_BYTES`] (what every worker fetches);
//! * hold the elements the job's dimensions ask ([`InputShape::fits`]);
//! * for a blob: be stored, with the length the job names, until at least the deadline;
//! * for a URL: be `http://` or `https://`;
//! * for an earlier job's output: see [`crate::pipelines`].
//!
//! Nothing here fetches anything: whether a URL serves the named bytes is found out by the
//! providers, who report an input they cannot get as unavailable (see [`crate::settlement`]).

use crate::{pallet::*, types::*};
use crucible_primitives::data::BlobInspect;
use frame_support::ensure;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

/// One MiB, the unit inputs are priced in.
pub const MIB: u64 = 1 << 20;

impl<T: Config> Pallet<T> {
	/// Check the inputs `params` name against the workload `w` (everything but their
	/// retention, which depends on the deadline) and return their bytes in total.
	///
	/// The inputs of a job on an open program (`program`) were checked against its manifest
	/// already ([`Pallet::program_work`]); those of a built-in workload are checked here
	/// against its schema.
	pub fn check_inputs(
		w: &WorkloadOf<T>,
		program: bool,
		params: &JobParams,
	) -> Result<u64, Error<T>> {
		ensure!(
			program || params.inputs.len() == w.schema.inputs.len(),
			Error::<T>::WrongInputCount
		);
		let mut total = 0u64;
		for (i, input) in params.inputs.iter().enumerate() {
			let size = input.size();
			ensure!(size <= MAX_INPUT_BYTES, Error::<T>::InputTooLarge);
			ensure!(
				program || w.schema.inputs.get(i).is_some_and(|s| s.fits(&params.dims, size)),
				Error::<T>::InputSizeMismatch
			);
			match input {
				DataRef::Blob { digest: hash, bytes: size } => {
					let (stored, _) = T::Blobs::blob(hash).ok_or(Error::<T>::UnknownBlob)?;
					ensure!(stored == *size, Error::<T>::InputSizeMismatch);
				},
				DataRef::Output { job, bytes: size } => Self::check_upstream(*job, *size)?,
				DataRef::Url { url, .. } => {
					ensure!(
						url.starts_with(b"http://") || url.starts_with(b"https://"),
						Error::<T>::InvalidUrl
					);
					ensure!(
						url.iter().all(|b| b.is_ascii_graphic()) && url.len() > 8,
						Error::<T>::InvalidUrl
					);
				},
			}
			total = total.saturating_add(size);
		}
		Ok(total)
	}

	/// Check that every blob input is kept at least until `deadline`.
	pub fn check_input_retention(
		params: &JobParams,
		deadline: BlockNumberFor<T>,
	) -> Result<(), Error<T>> {
		for input in params.inputs.iter() {
			if let DataRef::Blob { digest: hash, .. } = input {
				let (_, last) = T::Blobs::blob(hash).ok_or(Error::<T>::UnknownBlob)?;
				ensure!(last >= deadline, Error::<T>::InputExpiresTooSoon);
			}
		}
		Ok(())
	}

	/// What each accepted provider is paid for fetching `bytes` bytes of inputs:
	/// `InputPricePerMiB` × the MiB, rounded up (nothing without inputs).
	pub fn input_fee(bytes: u64) -> BalanceOf<T> {
		let mib = bytes.div_ceil(MIB).min(u32::MAX as u64) as u32;
		T::InputPricePerMiB::get().saturating_mul(BalanceOf::<T>::from(mib))
	}

	/// Which input an output digest says is unavailable, if it is the
	/// [`crucible_primitives::unavailable_preimage`] digest of one of the job's inputs.
	pub fn unavailable_input(params: &JobParams, digest: &sp_core::H256) -> Option<u8> {
		Self::unavailable_digests(params)
			.iter()
			.position(|d| d == digest)
			.map(|i| i as u8)
	}

	/// The "input unavailable" digest of each of the job's inputs, in order (one hash each:
	/// compute them once where many reveals are compared).
	pub fn unavailable_digests(params: &JobParams) -> alloc::vec::Vec<sp_core::H256> {
		(0..params.inputs.len() as u8)
			.map(|i| {
				sp_core::H256(sp_io::hashing::blake2_256(
					&crucible_primitives::unavailable_preimage(i),
				))
			})
			.collect()
	}
}
