//! `compute_*` JSON-RPC methods: the compute market's runtime API as plain JSON, for clients
//! that do not decode SCALE (polkadot.js users can call `api.call.computeMarketApi.*` directly).
//!
//! | method | params | result |
//! | --- | --- | --- |
//! | `compute_job` | `job`, `at?` | [`JobView`] or `null` |
//! | `compute_jobsOf` | `account` (SS58), `at?` | the account's unpruned job ids |
//! | `compute_quote` | `workload`, `params` (`{seed, dims, target}`), `units`, `replicas`, `pricePerUnit`, `at?` | [`QuoteView`] |
//! | `compute_providers` | `at?` | [`ProviderView`] of every registered provider |
//!
//! Balances are decimal strings (they exceed JavaScript's safe integers); hashes and bytes are
//! `0x` hex; accounts are SS58. Errors: `-32602` bad parameters, `1001` the chain would refuse
//! this order (the reason is the error's `data`), `-32000` the runtime call failed.

use std::sync::Arc;

use crucible_runtime::{
	configs::{MarketError, MaxDeviceClasses, MaxReplicas},
	opaque::Block,
	AccountId, Balance, BlockNumber,
};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use pallet_compute_market::{
	runtime_api::ComputeMarketApi as ComputeMarketRuntimeApi, Job, JobId, JobParams, ProviderInfo,
	ProviderStatus, WorkloadId,
};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::Block as BlockT;

type BlockHash = <Block as BlockT>::Hash;

/// A job as `compute_job` returns it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
	pub id: JobId,
	pub consumer: String,
	pub workload: WorkloadId,
	pub kernel_hash: String,
	/// The job's parameters, in the worker's JSON (`seed` and `target` as hex).
	pub params: JobParams,
	pub units: u32,
	/// Units the parameters need: what rewards count.
	pub needed_units: u32,
	/// Blocks the job's work adds to each commit window.
	pub work_blocks: u32,
	pub replicas: u8,
	pub price_per_unit: String,
	pub escrow: String,
	/// The submission fee paid to the treasury (not refunded).
	pub fee: String,
	/// The storage deposit held until the job is pruned.
	pub deposit: String,
	pub deadline: BlockNumber,
	pub submitted_at: BlockNumber,
	/// `Pending`, `Assigned`, `Committing`, `Revealing`, `Verified`, `Failed`, `Refunded`,
	/// `Expired`.
	pub status: String,
	pub attempts: u8,
	pub assignments: Vec<AssignmentView>,
	pub commit_until: BlockNumber,
	pub reveal_until: BlockNumber,
	pub result: Option<ResultView>,
	pub finished_at: Option<BlockNumber>,
}

/// One provider's part in the current attempt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
	pub provider: String,
	pub committed: bool,
	/// The provider declined the assignment.
	pub declined: bool,
	/// The revealed output digest, once revealed.
	pub revealed_digest: Option<String>,
}

/// A verified job's accepted result.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResultView {
	pub output_digest: String,
	pub small_output: String,
	pub accepted: u8,
}

/// What `compute_quote` returns.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
	pub min_units: u32,
	pub budget: String,
	pub price_floor: String,
	pub reward_per_provider: String,
	pub fee: String,
	pub deposit: String,
	pub commit_window: u32,
}

/// A provider as `compute_providers` returns it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
	pub account: String,
	pub bond: String,
	pub compute_key: String,
	pub device_classes: Vec<String>,
	/// `Active`, `Suspended`, or `Leaving`.
	pub status: String,
	/// Set while leaving: the first block `withdraw_bond` works.
	pub unlock_at: Option<BlockNumber>,
	pub reputation: u32,
	pub open_assignments: u32,
}

/// The `compute_*` methods.
#[rpc(client, server)]
pub trait ComputeApi {
	/// A job, or `null` if there is none with this id (or it was pruned).
	#[method(name = "compute_job")]
	fn job(&self, job: JobId, at: Option<BlockHash>) -> RpcResult<Option<JobView>>;

	/// The unpruned jobs an account ordered.
	#[method(name = "compute_jobsOf")]
	fn jobs_of(&self, account: String, at: Option<BlockHash>) -> RpcResult<Vec<JobId>>;

	/// Price a prospective job, or say why `submitJob` would refuse it.
	#[method(name = "compute_quote")]
	fn quote(
		&self,
		workload: WorkloadId,
		params: JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: String,
		at: Option<BlockHash>,
	) -> RpcResult<QuoteView>;

	/// Every registered provider.
	#[method(name = "compute_providers")]
	fn providers(&self, at: Option<BlockHash>) -> RpcResult<Vec<ProviderView>>;
}

/// The `compute_*` methods over a client.
pub struct Compute<C> {
	client: Arc<C>,
}

impl<C> Compute<C> {
	/// Serve the market's runtime API of `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn invalid(msg: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(-32602, msg.into(), None::<()>)
}

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(-32000, format!("runtime API call failed: {e}"), None::<()>)
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", ::hex::encode(bytes))
}

fn account(s: &str) -> Result<AccountId, ErrorObjectOwned> {
	AccountId::from_ss58check(s).map_err(|e| invalid(format!("account `{s}`: {e:?}")))
}

fn job_view(id: JobId, j: Job<AccountId, Balance, BlockNumber, MaxReplicas>) -> JobView {
	JobView {
		id,
		consumer: j.consumer.to_ss58check(),
		workload: j.workload,
		kernel_hash: hex(j.kernel_hash.as_bytes()),
		params: j.params,
		units: j.units,
		needed_units: j.needed_units,
		work_blocks: j.work_blocks,
		replicas: j.replicas,
		price_per_unit: j.price_per_unit.to_string(),
		escrow: j.escrow.to_string(),
		fee: j.fee.to_string(),
		deposit: j.deposit.to_string(),
		deadline: j.deadline,
		submitted_at: j.submitted_at,
		status: format!("{:?}", j.status),
		attempts: j.attempts,
		assignments: j
			.assignments
			.iter()
			.map(|a| AssignmentView {
				provider: a.provider.to_ss58check(),
				committed: a.commitment.is_some(),
				declined: a.declined,
				revealed_digest: a.reveal.as_ref().map(|r| hex(r.output_digest.as_bytes())),
			})
			.collect(),
		commit_until: j.commit_until,
		reveal_until: j.reveal_until,
		result: j.result.map(|r| ResultView {
			output_digest: hex(r.output_digest.as_bytes()),
			small_output: hex(&r.small_output),
			accepted: r.accepted,
		}),
		finished_at: j.finished_at,
	}
}

fn provider_view(
	who: AccountId,
	p: ProviderInfo<Balance, BlockNumber, MaxDeviceClasses>,
) -> ProviderView {
	let (status, unlock_at) = match p.status {
		ProviderStatus::Active => ("Active", None),
		ProviderStatus::Suspended => ("Suspended", None),
		ProviderStatus::Leaving { unlock_at } => ("Leaving", Some(unlock_at)),
	};
	ProviderView {
		account: who.to_ss58check(),
		bond: p.bond.to_string(),
		compute_key: hex(p.compute_key.as_ref()),
		device_classes: p
			.device_classes
			.iter()
			.map(|c| String::from_utf8_lossy(c).into_owned())
			.collect(),
		status: status.into(),
		unlock_at,
		reputation: p.reputation,
		open_assignments: p.open_assignments,
	}
}

/// The compute market's runtime API over this runtime's types: what a client must serve for
/// the `compute_*` methods (one bound for the RPC module and its builder).
pub trait MarketRuntimeApi:
	ComputeMarketRuntimeApi<
	Block,
	AccountId,
	Balance,
	BlockNumber,
	MaxReplicas,
	MaxDeviceClasses,
	MarketError,
>
{
}
impl<A> MarketRuntimeApi for A where
	A: ComputeMarketRuntimeApi<
		Block,
		AccountId,
		Balance,
		BlockNumber,
		MaxReplicas,
		MaxDeviceClasses,
		MarketError,
	>
{
}

impl<C> ComputeApiServer for Compute<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MarketRuntimeApi,
{
	fn job(&self, job: JobId, at: Option<BlockHash>) -> RpcResult<Option<JobView>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let j = self.client.runtime_api().job(at, job).map_err(runtime_error)?;
		Ok(j.map(|j| job_view(job, j)))
	}

	fn jobs_of(&self, who: String, at: Option<BlockHash>) -> RpcResult<Vec<JobId>> {
		let who = account(&who)?;
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().jobs_of(at, who).map_err(runtime_error)
	}

	fn quote(
		&self,
		workload: WorkloadId,
		params: JobParams,
		units: u32,
		replicas: u8,
		price_per_unit: String,
		at: Option<BlockHash>,
	) -> RpcResult<QuoteView> {
		let price: Balance = price_per_unit
			.parse()
			.map_err(|e| invalid(format!("pricePerUnit `{price_per_unit}`: {e}")))?;
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		match self
			.client
			.runtime_api()
			.quote(at, workload, params, units, replicas, price)
			.map_err(runtime_error)?
		{
			Ok(q) => Ok(QuoteView {
				min_units: q.min_units,
				budget: q.budget.to_string(),
				price_floor: q.price_floor.to_string(),
				reward_per_provider: q.reward_per_provider.to_string(),
				fee: q.fee.to_string(),
				deposit: q.deposit.to_string(),
				commit_window: q.commit_window,
			}),
			Err(e) => Err(ErrorObject::owned(
				1001,
				"the chain would refuse this order",
				Some(format!("{e:?}")),
			)),
		}
	}

	fn providers(&self, at: Option<BlockHash>) -> RpcResult<Vec<ProviderView>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let all = self.client.runtime_api().providers(at).map_err(runtime_error)?;
		Ok(all.into_iter().map(|(who, p)| provider_view(who, p)).collect())
	}
}
