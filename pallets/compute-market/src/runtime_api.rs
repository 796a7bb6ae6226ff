//! Typed runtime API for market queries; polkadot.js decodes every type from metadata.

use crate::types::*;
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use core::fmt::Debug;
use scale_info::TypeInfo;

/// Why a quote was refused: the same reasons `submit_job` would give.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub enum QuoteError {
	/// No such workload.
	UnknownWorkload,
	/// The workload is retired.
	WorkloadRetired,
	/// The parameters do not fit the workload's schema.
	InvalidParams,
	/// Units out of range.
	InvalidUnits,
	/// Replicas out of range.
	InvalidReplicas,
	/// Price below the workload's floor.
	PriceBelowFloor,
	/// The budget overflows.
	Overflow,
	/// The job asks for more work than its workload admits.
	WorkTooLarge,
	/// Fewer eligible providers than the replicas asked.
	NotEnoughProviders,
	/// Anything else.
	Other,
}

sp_api::decl_runtime_apis! {
	/// Queries of the compute market.
	pub trait ComputeMarketApi<AccountId, Balance, BlockNumber, MaxReplicas, MaxDeviceClasses>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		MaxReplicas: frame_support::traits::Get<u32>,
		MaxDeviceClasses: frame_support::traits::Get<u32>,
	{
		/// A job with its status, assignments and result.
		fn job(job: JobId) -> Option<Job<AccountId, Balance, BlockNumber, MaxReplicas>>;
		/// The unpruned jobs an account ordered.
		fn jobs_of(consumer: AccountId) -> Vec<JobId>;
		/// A provider's open assignments.
		fn assignments_of(provider: AccountId) -> Vec<JobId>;
		/// A provider's registration.
		fn provider(provider: AccountId) -> Option<ProviderInfo<Balance, BlockNumber, MaxDeviceClasses>>;
		/// Every registered provider (at most `MaxProviders`).
		fn providers() -> Vec<(AccountId, ProviderInfo<Balance, BlockNumber, MaxDeviceClasses>)>;
		/// Market-wide counters.
		fn stats() -> MarketStats<Balance>;
		/// A workload.
		fn workload(workload: WorkloadId) -> Option<Workload<Balance>>;
		/// The market's escrow account, which holds every open job's budget.
		fn escrow_account() -> AccountId;
		/// Price a prospective job, or say why `submit_job` would refuse it.
		fn quote(workload: WorkloadId, params: JobParams, units: u32, replicas: u8, price_per_unit: Balance) -> Result<Quote<Balance>, QuoteError>;
	}
}

impl<T: crate::Config> crate::Pallet<T> {
	/// Market-wide counters, with the provider and queue counts read from their sources.
	pub fn stats() -> MarketStats<BalanceOf<T>> {
		let mut s = crate::Stats::<T>::get();
		s.providers = crate::Providers::<T>::count();
		s.pending = crate::PendingJobs::<T>::decode_len().unwrap_or(0) as u32;
		s
	}

	/// [`crate::Pallet::quote_job`] with its error as a [`QuoteError`], for the runtime API.
	pub fn quote(
		workload: WorkloadId,
		params: &JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: BalanceOf<T>,
	) -> Result<Quote<BalanceOf<T>>, QuoteError> {
		use crate::Error;
		Self::quote_job(None, workload, params, units, replicas, price_per_unit).map_err(|e| {
			let is = |x: Error<T>| e == x.into();
			if is(Error::<T>::UnknownWorkload) {
				QuoteError::UnknownWorkload
			} else if is(Error::<T>::WorkloadRetired) {
				QuoteError::WorkloadRetired
			} else if is(Error::<T>::InvalidParams) {
				QuoteError::InvalidParams
			} else if is(Error::<T>::InvalidUnits) {
				QuoteError::InvalidUnits
			} else if is(Error::<T>::InvalidReplicas) {
				QuoteError::InvalidReplicas
			} else if is(Error::<T>::PriceBelowFloor) {
				QuoteError::PriceBelowFloor
			} else if is(Error::<T>::Overflow) {
				QuoteError::Overflow
			} else if is(Error::<T>::WorkTooLarge) {
				QuoteError::WorkTooLarge
			} else if is(Error::<T>::NotEnoughProviders) {
				QuoteError::NotEnoughProviders
			} else {
				QuoteError::Other
			}
		})
	}
}
