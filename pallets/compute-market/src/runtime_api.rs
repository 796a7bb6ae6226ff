//! Typed runtime API for market queries; polkadot.js decodes every type from metadata.

use crate::types::*;
use alloc::vec::Vec;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Queries of the compute market.
	///
	/// `MarketError` is the pallet's own `Error` type: a refused quote names the error
	/// `submit_job` would fail with, with its docs in the metadata.
	pub trait ComputeMarketApi<AccountId, Balance, BlockNumber, MaxReplicas, MaxDeviceClasses, MarketError>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		MaxReplicas: frame_support::traits::Get<u32>,
		MaxDeviceClasses: frame_support::traits::Get<u32>,
		MarketError: Codec,
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
		/// Price a prospective job, or say with which error `submit_job` would refuse it.
		fn quote(workload: WorkloadId, params: JobParams, units: u32, replicas: u8, price_per_unit: Balance) -> Result<Quote<Balance>, MarketError>;
		/// The governed values as they apply now.
		fn params() -> MarketParams<Balance, BlockNumber>;
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
}
