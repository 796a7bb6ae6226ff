//! # Compute market pallet
//!
//! Crucible's market for compute: consumers order jobs, staked providers run them off-chain as
//! OpenCL kernels, and the runtime checks what they report before it pays them.
//!
//! ## The life of a job
//!
//! 1. **Workloads** ([`registry`]). A governance origin registers each workload: the
//!    `blake2_256` hash of its OpenCL source, its entry point, the parameters it takes and their
//!    bounds, how its results are verified, its unit of work, its work bound (at most
//!    [`MAX_WORK`], the bound the native worker shares, so that every admitted job is one the
//!    worker runs), the work its slowest admitted device does per block, its price floor per
//!    unit and the most units a job may buy. Retired workloads take no new jobs.
//!    **Open programs** ([`programs`]). Anyone may also publish a workload: OpenCL C source
//!    stored as a blob, named by its hash, and a [`Manifest`] (the kernel ABI of
//!    [`crucible_primitives::program`]: dimensions, inputs, buffers, launches, output,
//!    verification, work), checked on-chain with a typed error for each refusal; the publisher
//!    holds `ProgramDeposit` ([`HoldReason::ProgramDeposit`]) while it is listed and sets its
//!    price floor. Only providers that opted in (`set_program_limit`) are assigned its jobs.
//!    The publisher retires it, governance may delist it (the deposit goes to the treasury).
//!    Workers run a program's jobs out of process, within limits on wall time and memory, with
//!    guard bytes after every buffer. A run that fails reports a
//!    [`Failure`](crucible_primitives::program::Failure) instead of an output (the digest of
//!    its `preimage`, its log's hash as the small output); when a quorum of replicas agrees on
//!    the reason, the job ends `ProgramFailed(reason)`: nobody is slashed, the agreeing
//!    providers are paid `FailedRunShare` of the price (no reward), and the rest of the escrow
//!    is refunded (`JobProgramFailed`).
//! 2. **Providers** ([`providers`]). Anyone may register as a provider by holding a bond of at
//!    least `MinProviderBond` (hold reason [`HoldReason::ProviderBond`]) and naming a compute
//!    key (sr25519, key type [`KEY_TYPE`]) and the device classes they run. Providers leave
//!    through an unbonding period, and never while an assignment of theirs is open.
//! 3. **Inputs** ([`inputs`]). A data workload's schema names the inputs a job must give
//!    ([`InputShape`]: bytes per element, and the power of the dimensions that counts them); the
//!    job names each as a [`DataRef`]: a blob stored by the blobs pallet (its name and length,
//!    kept at least until the deadline) or an `http(s)` URL with the hash and length its bytes
//!    must have, at most [`MAX_INPUT_BYTES`] each. Bad references are refused at submission
//!    with typed errors. Each replica is paid `InputPricePerMiB` per MiB of input on top of its
//!    units. A worker that cannot get an input, or gets other bytes, reveals the "input
//!    unavailable" digest ([`crucible_primitives::unavailable_preimage`]); when a quorum agrees,
//!    the job ends `InputUnavailable`: nobody is slashed, the agreeing providers are paid the
//!    input fee (no reward), and the rest of the escrow is refunded.
//!    **Pipelines** ([`pipelines`]). An input may also be the published output of an earlier job
//!    (`DataRef::Output { job, bytes }`). Until that output is published the job waits
//!    (`Waiting`, holding its place in the queue); the reference then becomes the output's blob
//!    (`JobInputsReady`) and the job is assigned like any other. If the earlier job ends
//!    without its output, the job ends `InputUnavailable` with its whole escrow refunded
//!    (`JobUpstreamFailed`).
//! 4. **Orders** ([`orders`]). `submit_job` moves the whole budget, `(price_per_unit × units +
//!    input_fee) × replicas`, into the market's escrow account (out of reach of the consumer's locks and
//!    freezes), pays the non-refundable `SubmissionFee` to the treasury and holds a storage
//!    deposit ([`HoldReason::JobDeposit`]) until the job is pruned — before anything else
//!    happens. One consumer may have `MaxPendingPerAccount` jobs waiting; a job never asks for
//!    more replicas than there are eligible providers. Until providers are assigned,
//!    `cancel_job` refunds the budget in full.
//! 5. **Assignment** ([`assignment`]). In `on_initialize`, at most `MaxAssignPerBlock` pending
//!    jobs each get `replicas` distinct active providers, drawn with probability proportional to
//!    bond × reputation from `T::Randomness`; the consumer is never assigned their own job. The
//!    commit window is `CommitWindow` plus the blocks the job's work needs on the slowest
//!    admitted device. Each provider's open jobs are indexed in [`ProviderJobs`], so an offchain
//!    worker finds its work in one read.
//! 6. **Commit, then reveal** ([`commit_reveal`]). Inside the commit window each assigned
//!    provider submits `blake2_256(job ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖
//!    provider)` — or declines a job its worker cannot run (no slash, a little reputation); once
//!    the window has closed (or every provider has committed or declined) and until the reveal
//!    window ends, it reveals the digest, the salt, the small output (≤ 1 KiB) and an
//!    attestation: its compute key's signature over (job, kernel hash, output digest, small
//!    output hash, worker version, device class). The attestation proves which staked provider
//!    claims the result; it is *not* a hardware (TEE) attestation.
//! 7. **Verification** ([`verification`]). On-chain-checkable workloads are re-checked by the
//!    runtime itself (a hash search costs one hash; an empty claim is wrong when another replica
//!    found a nonce). Replicated workloads accept the (digest, small output) that at least
//!    `quorum` providers revealed (within one device class — declared before the assignment —
//!    for workloads that are not bit-exact across devices); a job asks for more replicas than
//!    the quorum, so that one liar cannot block it. A provider that committed and never
//!    revealed counts as wrong.
//! 8. **Settlement** ([`settlement`]). Each provider in the accepted group is paid
//!    `price_per_unit × units + input_fee` from escrow, less the treasury's cut, and is minted at most
//!    `RewardPerUnit` per unit the parameters need — never more than the cut of its payment
//!    (so nobody gains by trading with themselves) nor its share of `MaxRewardPerBlock`; a
//!    wrong provider is slashed `SlashWrong` of its bond, one that neither committed nor
//!    declined `SlashNoShow`, into the treasury; a provider that declined is neither paid nor
//!    slashed (a job nobody can run is declined by every honest worker, and fails without a
//!    slash once its attempts or eligible providers run out). Reputations move; unused escrow
//!    is refunded.
//!    Without an acceptable result the job is re-assigned to providers other than those that
//!    failed it (at most `MaxAttempts` attempts, within its deadline), then failed and
//!    refunded. Finished jobs are pruned `RetentionPeriod` blocks later in `on_idle`, which
//!    releases their deposit. Suspended providers can be evicted by anyone, any provider
//!    removed by governance (`evict_provider`).
//! 9. **Outputs** ([`outputs`]). A job ordered with `publish_output` reserves the publish fee of
//!    a 2 MiB blob; once verified it waits (`Publishing`) while its accepted providers take
//!    turns of `PublishWindow` blocks to publish the output (`publish_output`: the bytes of the
//!    accepted digest, stored as a blob named by it, at most 2 MiB); the publisher is paid
//!    `OutputPricePerMiB` per MiB (per KiB started), the rest of the reserve is refunded, and
//!    the job is `Verified`. Unpublished after the last turn, the reserve is refunded. The
//!    offchain worker of an accepted provider publishes in its turn.
//!
//! The whole life of one job, as a test of the mock runtime: a consumer orders a matrix product on
//! three replicas, the next block assigns three providers, they commit, reveal with valid
//! attestations and are paid as the last reveal settles the job, the consumer reads the result, and
//! the job is pruned after `RetentionPeriod`:
//!
#![doc = docify::embed!("src/tests/lifecycle.rs", job_lifecycle)]
//!
//! ## Terms
//!
//! * *Unit of work*: `unit_size` work items, where a job's work items are the product of its
//!   dimensions; a job must buy at least enough units to cover its parameters.
//! * *Kernel hash*: `blake2_256` of the exact bytes of the OpenCL C source. The native worker
//!   ships the same sources, so the hash names the kernel unambiguously.
//! * *Output digest*: `blake2_256` of the kernel's canonical output encoding.
//!
//! ## Implementor's guide
//!
//! For client developers. Every type is described in the metadata. The runtime API is
//! [`runtime_api::ComputeMarketApi`] (`api.call.computeMarketApi.*` in polkadot.js); the node also
//! serves it as plain JSON (`compute_job`, `compute_quote`, …) for clients that do not decode
//! SCALE.
//!
//! **Pricing and ordering a job.** `computeMarketApi.params()` returns the governed values as they
//! apply at a block ([`MarketParams`]: submission fee, deposit per byte, windows, reward per unit,
//! cuts, slashes, …). They are *not* metadata constants, since governance changes them without a
//! runtime upgrade; only the `Max…` bounds and the `PalletId` are.
//! `computeMarketApi.quote(workload, params, units, replicas, price_per_unit)` returns a [`Quote`]
//! (least units, budget, fee, deposit, reward cap per provider, commit window) or, if refused, the
//! pallet [`Error`] variant `submit_job` would fail with. The quote counts every eligible provider,
//! the consumer included, and checks neither the deadline, nor the per-account and queue limits,
//! nor the balance; `submit_job` does. Its `deadline` is an absolute block number, at least
//! `now + quote.commit_window + params.reveal_window + 2` and at most
//! `now + params.max_job_duration`, `now` being the block that includes the order. The consumer
//! pays `budget + fee`; `deposit` is held until the job is pruned.
//!
//! **Byte layouts.** A provider commits ([`Pallet::commit_result`]) to
//!
//! ```text
//! blake2_256( job id: u64 little-endian (8 bytes) ‖ output_digest (32) ‖
//!             blake2_256(small_output) (32) ‖ salt (32) ‖ provider account id (32) )
//! ```
//!
//! a plain concatenation, no length prefixes ([`Pallet::commitment_of`]; the account is its SCALE
//! encoding, the raw 32 bytes of an `AccountId32`). `blake2_256` is BLAKE2b with a 32-byte output.
//! The attestation of a reveal carries the compute key's sr25519 signature over the SCALE encoding
//! of an [`AttestationPayload`] ([`Pallet::attestation_message`]), signed as it is (not hashed, not
//! wrapped in `<Bytes>`):
//!
//! ```text
//! b"crucible/attest/v2" (18 bytes, a fixed array: no prefix) ‖ job id: u64 LE (8) ‖
//! kernel_hash (32) ‖ output_digest (32) ‖ blake2_256(small_output) (32) ‖
//! worker_version: u32 LE (4) ‖ compact(device_class length) ‖ device_class bytes
//! ```
//!
//! The device class is the only field with a length prefix (SCALE compact). `kernel_hash` is the
//! job's own (`job.kernel_hash`, fixed at submission); `worker_version` and `device_class` are
//! those the attestation carries, the class one the provider declared.
//!
//! **Reading a job's result.** `computeMarketApi.job(id)` returns the [`Job`] until it is pruned,
//! `retention_period` blocks after it ended (`jobsOf(account)` lists a consumer's unpruned jobs).
//! Its `status` ([`JobStatus`]) is `Verified` once a result is accepted (`Failed`, `Refunded`,
//! `Expired` and `InputUnavailable` are the other ends); then `result` ([`JobResult`]) holds the accepted `output_digest`
//! and `small_output` (at most 1 KiB, e.g. a hash search's `nonce_le64 ‖ hash`) and `accepted`, the
//! number of providers that agreed on them. The events tell it as it happens: `JobSubmitted`,
//! (`JobInputsReady` for a job that waited for an earlier job's output) `JobAssigned`,
//! `ResultCommitted`, `ResultRevealed`, then
//! `JobVerified { output_digest, accepted }` with one `ProviderPaid` per accepted provider and
//! `EscrowRefunded` for unused escrow — or `JobReassigned`, `JobFailed`, `JobExpired`,
//! `JobInputUnavailable`, `JobUpstreamFailed`, `JobCancelled` with their refunds — and `JobPruned` when the deposit is released. Only the
//! digest and the small output are on chain, unless the job asked for its output: then, once
//! `OutputPublished` says so, the output is a blob named by the digest (`blobsApi.blob`, the
//! nodes' `bitswap_v1_get` by its CID). Otherwise the full output comes from the compute worker of an
//! accepted provider (the `provider` of a `ProviderPaid`): its JSON-RPC method `worker_output`
//! takes the digest (hex) and returns the output (hex) for as long as the worker retains it. The
//! chain records no worker address; providers publish their own. Check that `blake2_256(output)`
//! equals `output_digest` before using it.
//!
//! **Worker RPC errors** ([`crucible_primitives::worker_rpc`]): `-32602` invalid parameters (or a
//! malformed digest), `-32001` unknown kernel, `-32002` job too large, `-32003` queue full (try
//! again later), `-32004` no job with this ticket (or no retained output with this digest),
//! `-32005` not finished yet, `-32000` anything else (the job failed). The chain's offchain worker
//! declines an assignment that its worker refuses with `-32602`, `-32001` or `-32002`, or fails; on
//! any other error it tries again in a later block.
//!
//! ## Randomness
//!
//! Assignment draws from `T::Randomness`. Crucible's runtime binds it to
//! `pallet-insecure-randomness-collective-flip`, a mix of the last 81 block hashes: anyone can
//! predict it a block ahead and a block author can bias it by withholding a block (losing the
//! block reward). It keeps providers from choosing their jobs, not from a colluding author.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

pub mod assignment;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod commit_reveal;
pub mod inputs;
pub mod migrations;
pub mod offchain;
pub mod orders;
pub mod outputs;
pub mod pipelines;
pub mod programs;
pub mod providers;
pub mod registry;
pub mod runtime_api;
pub mod settlement;
#[cfg(any(test, feature = "try-runtime"))]
pub mod try_state;
pub mod types;
pub mod verification;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// The target of this pallet's log lines.
pub const LOG_TARGET: &str = "runtime::compute-market";

/// Crucible's key type for compute keys: `crcp`.
pub const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"crcp");

/// The compute key: sr25519 under [`KEY_TYPE`]. Providers sign attestations with it, and the
/// offchain worker finds its node's keys in the keystore by this type.
pub mod crypto {
	use super::KEY_TYPE;
	use sp_application_crypto::{app_crypto, sr25519};
	use sp_runtime::{MultiSignature, MultiSigner};
	app_crypto!(sr25519, KEY_TYPE);

	/// Signs the offchain worker's transactions with the compute key, for runtimes whose
	/// accounts are `MultiSigner`s: the provider account is the compute key's account.
	pub struct ComputeAuthId;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for ComputeAuthId {
		type RuntimeAppPublic = Public;
		type GenericPublic = sp_core::sr25519::Public;
		type GenericSignature = sp_core::sr25519::Signature;
	}

	/// The same, for test runtimes whose accounts are bare sr25519 keys.
	impl
		frame_system::offchain::AppCrypto<
			<sp_core::sr25519::Signature as sp_runtime::traits::Verify>::Signer,
			sp_core::sr25519::Signature,
		> for ComputeAuthId
	{
		type RuntimeAppPublic = Public;
		type GenericPublic = sp_core::sr25519::Public;
		type GenericSignature = sp_core::sr25519::Signature;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Randomness,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	/// The in-code storage version (1: escrow in the market's account, jobs with fees, deposits
	/// and work windows; see [`crate::migrations`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Every number the market runs on comes through here as a `Get<_>`, so that the runtime can
	/// bind it to a constant or to a governance-set parameter. Bounds (the `Max…` sizes of
	/// storage and blocks) are `#[pallet::constant]`s in the metadata; governed values are not
	/// (they would show a stale value after governance changes one): read them with the
	/// [`Pallet::params`] view function or the runtime API's `params`.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency: bonds and escrow are holds on it, rewards are minted in it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Who may register, update and retire workloads and remove providers (governance; root
		/// on dev chains).
		type WorkloadOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The market's id: its escrow account, which holds every open job's budget, is derived
		/// from it. No lock, freeze or hold of a consumer's can touch funds there.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Source of randomness for assignment (see the crate docs for what it guarantees).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Receives the treasury's cut of payments and all slashed funds.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Smallest bond a provider must hold to be active.
		type MinProviderBond: Get<BalanceOf<Self>>;
		/// Blocks between `unbond` and the earliest `withdraw_bond`.
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// Most registered providers.
		#[pallet::constant]
		type MaxProviders: Get<u32>;
		/// Most device classes a provider may declare.
		#[pallet::constant]
		type MaxDeviceClasses: Get<u32>;
		/// Most workloads ever registered.
		#[pallet::constant]
		type MaxWorkloads: Get<u32>;
		/// Most replicas a job may ask for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;
		/// Most open assignments one provider may hold.
		#[pallet::constant]
		type MaxAssignmentsPerProvider: Get<u32>;
		/// Most unpruned jobs one consumer may have.
		#[pallet::constant]
		type MaxJobsPerAccount: Get<u32>;
		/// Most jobs waiting for assignment.
		#[pallet::constant]
		type MaxPendingJobs: Get<u32>;
		/// Most jobs one consumer may have waiting for assignment.
		#[pallet::constant]
		type MaxPendingPerAccount: Get<u32>;
		/// Most jobs assigned (and, so, settled) per block.
		#[pallet::constant]
		type MaxAssignPerBlock: Get<u32>;
		/// Length of the commit window, in blocks.
		type CommitWindow: Get<BlockNumberFor<Self>>;
		/// Length of the reveal window, in blocks.
		type RevealWindow: Get<BlockNumberFor<Self>>;
		/// Latest deadline a job may set, in blocks from submission.
		type MaxJobDuration: Get<BlockNumberFor<Self>>;
		/// Most attempts (assignments) a job gets before it fails.
		type MaxAttempts: Get<u8>;
		/// Compute reward minted per unit of work the job's parameters need, per accepted
		/// provider — never more than the treasury's cut of that provider's payment (see
		/// [`settlement`]), so that no one gains by trading with themselves.
		type RewardPerUnit: Get<BalanceOf<Self>>;
		/// Non-refundable fee of every order, paid to the treasury.
		type SubmissionFee: Get<BalanceOf<Self>>;
		/// Storage deposit per byte a job may occupy, held from the consumer until pruning.
		type DepositPerByte: Get<BalanceOf<Self>>;
		/// Most compute reward minted in one block.
		type MaxRewardPerBlock: Get<BalanceOf<Self>>;
		/// The treasury's share of each payment to a provider.
		type TreasuryCut: Get<Perbill>;
		/// Share of its bond a provider loses for revealing a rejected result.
		type SlashWrong: Get<Perbill>;
		/// Share of its bond a provider loses for not committing or not revealing.
		type SlashNoShow: Get<Perbill>;
		/// Blocks a finished job stays in storage before it is pruned.
		type RetentionPeriod: Get<BlockNumberFor<Self>>;
		/// Paid per MiB of a job's inputs (rounded up) to each accepted provider, and to each
		/// agreeing provider when the inputs turn out unavailable.
		type InputPricePerMiB: Get<BalanceOf<Self>>;
		/// The stored data jobs may name as inputs, and where accepted providers publish full
		/// outputs (the blobs pallet).
		type Blobs: crucible_primitives::data::BlobInspect<BlockNumberFor<Self>>
			+ crucible_primitives::data::BlobStore<Self::AccountId, Error = DispatchError>;
		/// Paid per MiB of a published output (per KiB started) to the provider that publishes
		/// it; a job that asks for its output reserves it for the largest blob.
		type OutputPricePerMiB: Get<BalanceOf<Self>>;
		/// Blocks each accepted provider has, in turn, to publish a verified job's output.
		type PublishWindow: Get<BlockNumberFor<Self>>;
		/// Held from a program's publisher while the program is listed (governed).
		type ProgramDeposit: Get<BalanceOf<Self>>;

		/// Part of the price each agreeing provider is paid when a quorum reports that an open
		/// program failed to run (it does not build, a launch is refused, it hits the worker's
		/// time or memory limit, writes out of bounds or crashes): the providers' time. The rest
		/// of the escrow is refunded; nothing is minted.
		#[pallet::constant]
		type FailedRunShare: Get<Perbill>;
		/// Most open programs, listed or with unpruned jobs, at any time.
		#[pallet::constant]
		type MaxPrograms: Get<u32>;

		/// How the offchain worker signs its transactions: with the local compute key, from
		/// the account of that key (see [`crypto::ComputeAuthId`]).
		type AuthorityId: frame_system::offchain::AppCrypto<
			Self::Public,
			Self::Signature,
			RuntimeAppPublic = crypto::Public,
		>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Why the market holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's bond: what compute slashing takes.
		#[codec(index = 0)]
		ProviderBond,
		/// A job's budget, held from the consumer until settlement (storage version 0). Since
		/// version 1 budgets move into the market's escrow account instead, which no lock of the
		/// consumer's can block; only [`crate::migrations::v1`] still releases these.
		#[codec(index = 1)]
		JobEscrow,
		/// A job's storage deposit, held from the consumer until the job is pruned.
		#[codec(index = 2)]
		JobDeposit,
		/// A program's deposit, held from its publisher while the program is listed.
		#[codec(index = 3)]
		ProgramDeposit,
	}

	/// Registered workloads.
	#[pallet::storage]
	pub type Workloads<T: Config> = StorageMap<_, Twox64Concat, WorkloadId, WorkloadOf<T>>;

	/// The id the next registered workload gets (also the number registered so far).
	#[pallet::storage]
	pub type NextWorkloadId<T: Config> = StorageValue<_, WorkloadId, ValueQuery>;

	/// Open programs, by their workload id: listed, or retired with jobs still on them.
	#[pallet::storage]
	pub type Programs<T: Config> = StorageMap<_, Twox64Concat, WorkloadId, ProgramOf<T>>;

	/// The listed program of each source hash.
	#[pallet::storage]
	pub type ProgramOfSource<T: Config> = StorageMap<_, Identity, sp_core::H256, WorkloadId>;

	/// How many [`Programs`] there are (at most `MaxPrograms`).
	#[pallet::storage]
	pub type ProgramCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Workload ids given to programs so far (the rest of [`NextWorkloadId`] are built-ins,
	/// at most `MaxWorkloads`).
	#[pallet::storage]
	pub type ProgramIds<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Providers that run open programs, each with the most work of one job it accepts.
	#[pallet::storage]
	pub type ProgramProviders<T: Config> =
		StorageValue<_, BoundedVec<(T::AccountId, u64), T::MaxProviders>, ValueQuery>;

	/// Registered providers.
	#[pallet::storage]
	pub type Providers<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, ProviderInfoOf<T>>;

	/// Active providers and their assignment weights (bond × reputation), for the draw.
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageValue<_, BoundedVec<(T::AccountId, u128), T::MaxProviders>, ValueQuery>;

	/// Jobs, until pruned.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Each consumer's jobs, until pruned.
	#[pallet::storage]
	pub type JobsOf<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<JobId, T::MaxJobsPerAccount>,
		ValueQuery,
	>;

	/// Each provider's open assignments: what its offchain worker must work on.
	#[pallet::storage]
	pub type ProviderJobs<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<JobId, T::MaxAssignmentsPerProvider>,
		ValueQuery,
	>;

	/// Providers of a job's earlier attempts: re-assignment picks fresh ones.
	#[pallet::storage]
	pub type PreviousProviders<T: Config> =
		StorageMap<_, Twox64Concat, JobId, BoundedVec<T::AccountId, MaxTriedOf<T>>, ValueQuery>;

	/// Jobs waiting for assignment, oldest first.
	#[pallet::storage]
	pub type PendingJobs<T: Config> =
		StorageValue<_, BoundedVec<JobId, T::MaxPendingJobs>, ValueQuery>;

	/// How many of [`PendingJobs`] each consumer has (at most `MaxPendingPerAccount`).
	#[pallet::storage]
	pub type PendingCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Jobs (with their attempt) to settle at a block: the block after their reveal window.
	#[pallet::storage]
	pub type SettleAt<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<(JobId, u8), T::MaxAssignPerBlock>,
		ValueQuery,
	>;

	/// Finished jobs in order of finishing, with their finishing block, for pruning.
	#[pallet::storage]
	pub type PruneQueue<T: Config> = StorageMap<_, Twox64Concat, u64, (BlockNumberFor<T>, JobId)>;

	/// Index of the oldest entry of [`PruneQueue`].
	#[pallet::storage]
	pub type PruneHead<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Index the next entry of [`PruneQueue`] gets.
	#[pallet::storage]
	pub type PruneTail<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Verified jobs waiting for their output to be published, with the block they were
	/// verified in (the accepted providers' turns count from it).
	#[pallet::storage]
	pub type AwaitingOutput<T: Config> = StorageMap<_, Twox64Concat, JobId, BlockNumberFor<T>>;

	/// Jobs waiting for their output, in order of verification, with the block their last turn
	/// ends: after it, what is left of the job's escrow is refunded.
	#[pallet::storage]
	pub type OutputQueue<T: Config> = StorageMap<_, Twox64Concat, u64, (BlockNumberFor<T>, JobId)>;

	/// Index of the oldest entry of [`OutputQueue`].
	#[pallet::storage]
	pub type OutputHead<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Index the next entry of [`OutputQueue`] gets.
	#[pallet::storage]
	pub type OutputTail<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Compute reward minted in the current block (for `MaxRewardPerBlock`).
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type RewardsThisBlock<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Market-wide counters.
	#[pallet::storage]
	pub type Stats<T: Config> = StorageValue<_, MarketStats<BalanceOf<T>>, ValueQuery>;

	/// Workloads and providers registered at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The built-in workloads.
		pub workloads: alloc::vec::Vec<WorkloadOf<T>>,
		/// Providers: account, bond (held from the account's genesis balance), compute key,
		/// declared device classes (empty: a placeholder the offchain worker replaces with its
		/// worker's class before its first reveal).
		pub providers: alloc::vec::Vec<(
			T::AccountId,
			BalanceOf<T>,
			crypto::Public,
			alloc::vec::Vec<alloc::vec::Vec<u8>>,
		)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The escrow account lives as long as the chain: it keeps the existential deposit.
			Pallet::<T>::ensure_escrow_account();
			for w in &self.workloads {
				if let Err(e) = Pallet::<T>::do_register_workload(w.clone()) {
					panic!("invalid genesis workload {:?}: {:?}", w.name, e);
				}
			}
			for (who, bond, key, classes) in &self.providers {
				let mut classes: alloc::vec::Vec<DeviceClass> = classes
					.iter()
					.map(|c| {
						DeviceClass::try_from(c.clone()).expect("genesis device class too long")
					})
					.collect();
				if classes.is_empty() {
					classes.push(DeviceClass::truncate_from(b"unknown".to_vec()));
				}
				let classes =
					BoundedVec::try_from(classes).expect("too many genesis device classes");
				if let Err(e) =
					Pallet::<T>::do_register_provider(who.clone(), *bond, key.clone(), classes)
				{
					panic!("invalid genesis provider {who:?}: {e:?}");
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A workload was registered.
		WorkloadRegistered { workload: WorkloadId, name: WorkloadName, kernel_hash: sp_core::H256 },
		/// A workload was updated.
		WorkloadUpdated { workload: WorkloadId },
		/// A workload was retired: it takes no new jobs.
		WorkloadRetired { workload: WorkloadId },
		/// A provider registered with a bond.
		ProviderRegistered { provider: T::AccountId, bond: BalanceOf<T> },
		/// A provider declared the device classes it runs.
		DeviceClassesSet {
			provider: T::AccountId,
			device_classes: BoundedVec<DeviceClass, T::MaxDeviceClasses>,
		},
		/// A provider added to its bond.
		BondIncreased { provider: T::AccountId, amount: BalanceOf<T>, bond: BalanceOf<T> },
		/// A provider started to leave; it can withdraw from `unlock_at` on.
		ProviderLeaving { provider: T::AccountId, unlock_at: BlockNumberFor<T> },
		/// A provider left and its bond was released.
		ProviderLeft { provider: T::AccountId, released: BalanceOf<T> },
		/// A provider's bond fell below the minimum: it gets no new assignments.
		ProviderSuspended { provider: T::AccountId },
		/// A suspended provider bonded enough to be active again.
		ProviderReactivated { provider: T::AccountId },
		/// A job was ordered: its budget moved into escrow, its fee paid to the treasury and its
		/// storage deposit held.
		JobSubmitted {
			job: JobId,
			consumer: T::AccountId,
			workload: WorkloadId,
			budget: BalanceOf<T>,
			fee: BalanceOf<T>,
			deposit: BalanceOf<T>,
		},
		/// A job was cancelled before assignment and refunded.
		JobCancelled { job: JobId, refund: BalanceOf<T> },
		/// Providers were assigned to a job.
		JobAssigned {
			job: JobId,
			attempt: u8,
			providers: BoundedVec<T::AccountId, T::MaxReplicas>,
			commit_until: BlockNumberFor<T>,
			reveal_until: BlockNumberFor<T>,
		},
		/// A provider committed to a result.
		ResultCommitted { job: JobId, provider: T::AccountId },
		/// A provider declined its assignment (its worker cannot run the job).
		AssignmentDeclined { job: JobId, provider: T::AccountId },
		/// A provider was removed (by governance, or evicted while suspended) and its remaining
		/// bond released.
		ProviderRemoved { provider: T::AccountId, released: BalanceOf<T> },
		/// A provider revealed its result.
		ResultRevealed { job: JobId, provider: T::AccountId, output_digest: sp_core::H256 },
		/// A job's result was accepted.
		JobVerified { job: JobId, output_digest: sp_core::H256, accepted: u8 },
		/// A provider was paid from escrow and minted its reward.
		ProviderPaid {
			job: JobId,
			provider: T::AccountId,
			payment: BalanceOf<T>,
			reward: BalanceOf<T>,
			treasury_cut: BalanceOf<T>,
		},
		/// A provider was slashed.
		ProviderSlashed {
			job: JobId,
			provider: T::AccountId,
			amount: BalanceOf<T>,
			reason: SlashReason,
		},
		/// No result was accepted; the job goes back to the queue for fresh providers.
		JobReassigned { job: JobId, attempts: u8 },
		/// No result was accepted within the allowed attempts; the escrow was refunded.
		JobFailed { job: JobId, refund: BalanceOf<T> },
		/// A quorum of providers reported input `input` unavailable: nobody was slashed, the
		/// agreeing providers were paid the input fee, and `refund` went back to the consumer.
		JobInputUnavailable { job: JobId, input: u8, refund: BalanceOf<T> },
		/// The verified job's full output was published as blob `blob` (its output digest) of
		/// `bytes` bytes by accepted provider `by`, paid `payment` from the escrow; `refund`
		/// went back to the consumer.
		OutputPublished {
			job: JobId,
			blob: sp_core::H256,
			bytes: u32,
			by: T::AccountId,
			payment: BalanceOf<T>,
			refund: BalanceOf<T>,
		},
		/// No accepted provider published the verified job's output in its turn; what was
		/// reserved for it, `refund`, went back to the consumer.
		OutputNotPublished { job: JobId, refund: BalanceOf<T> },
		/// No providers could be assigned before the deadline, or too few are left to ever be;
		/// the escrow was refunded.
		JobExpired { job: JobId, refund: BalanceOf<T> },
		/// Unused escrow went back to the consumer after verification.
		EscrowRefunded { job: JobId, amount: BalanceOf<T> },
		/// A finished job was removed from storage and its deposit released.
		JobPruned { job: JobId, deposit: BalanceOf<T> },
		/// The earlier jobs whose outputs a waiting job reads have published them: its inputs
		/// now name those blobs, and it waits for providers (`Pending`).
		JobInputsReady { job: JobId },
		/// Job `upstream`, whose output is input `input` of waiting job `job`, ended without
		/// publishing one of the named length kept until the deadline (or was pruned): the
		/// job ends `InputUnavailable` and `refund` went back to the consumer.
		JobUpstreamFailed { job: JobId, input: u8, upstream: JobId, refund: BalanceOf<T> },
		/// An open program was published as workload `workload` (also announced as
		/// `WorkloadRegistered`), named by its source's hash; `deposit` is held from `owner`.
		ProgramPublished {
			workload: WorkloadId,
			owner: T::AccountId,
			kernel_hash: sp_core::H256,
			deposit: BalanceOf<T>,
		},
		/// A program was retired by its publisher (`delisted: false`, the deposit `deposit`
		/// released to it) or delisted by governance (the deposit went to the treasury).
		ProgramRetired { workload: WorkloadId, delisted: bool, deposit: BalanceOf<T> },
		/// A retired program without jobs left was removed with its workload.
		ProgramRemoved { workload: WorkloadId },
		/// A provider set the most work of one open-program job it accepts (`None`: it runs no
		/// open programs).
		ProgramLimitSet { provider: T::AccountId, limit: Option<u64> },
		/// A quorum of providers reported that the open program of job `job` failed to run, for
		/// `reason`; `log` is the hash of the first agreeing provider's log (`worker_log` on its
		/// worker serves it). Nobody was slashed, the agreeing providers were paid
		/// `FailedRunShare` of the price, and `refund` went back to the consumer.
		JobProgramFailed {
			job: JobId,
			reason: crucible_primitives::program::Failure,
			log: sp_core::H256,
			refund: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No workload with this id.
		UnknownWorkload,
		/// The workload is retired and takes no new jobs.
		WorkloadRetired,
		/// `MaxWorkloads` workloads are registered already.
		TooManyWorkloads,
		/// The workload's definition is inconsistent (empty name, zero unit size or max units,
		/// a dimension with min > max or min = 0, or a quorum of 0).
		InvalidWorkload,
		/// The job's parameters do not fit the workload's schema.
		InvalidParams,
		/// The caller is registered as a provider already.
		AlreadyProvider,
		/// The caller is not a registered provider.
		NotProvider,
		/// The bond is below `MinProviderBond`.
		BondTooLow,
		/// `MaxProviders` providers are registered already.
		TooManyProviders,
		/// A provider must declare at least one device class, each non-empty and distinct.
		InvalidDeviceClasses,
		/// The provider is leaving already.
		AlreadyLeaving,
		/// The provider has not started to leave.
		NotLeaving,
		/// The unbonding period has not passed yet.
		StillUnbonding,
		/// The provider still holds open assignments.
		HasOpenAssignments,
		/// No job with this id.
		UnknownJob,
		/// The caller did not order this job.
		NotJobOwner,
		/// The job has been assigned already (or has finished) and cannot be cancelled.
		NotCancellable,
		/// Units are zero, fewer than the parameters need, or more than the workload allows.
		InvalidUnits,
		/// Replicas are zero, more than `MaxReplicas`, fewer than the quorum, or so many that two
		/// disjoint groups could both reach the quorum.
		InvalidReplicas,
		/// The price per unit is below the workload's floor.
		PriceBelowFloor,
		/// The deadline leaves no room for a commit and a reveal window, or is beyond
		/// `MaxJobDuration`.
		InvalidDeadline,
		/// The budget overflows the balance type.
		Overflow,
		/// The consumer cannot pay the budget.
		InsufficientBalance,
		/// The consumer has `MaxJobsPerAccount` unpruned jobs.
		TooManyJobs,
		/// `MaxPendingJobs` jobs are waiting for assignment already.
		QueueFull,
		/// The caller is not assigned to this job.
		NotAssigned,
		/// The commit window is closed.
		CommitWindowClosed,
		/// The caller committed to this job already.
		AlreadyCommitted,
		/// The caller has no commitment to reveal.
		NotCommitted,
		/// The reveal window is not open yet.
		RevealTooEarly,
		/// The reveal window is closed.
		RevealWindowClosed,
		/// The caller revealed for this job already.
		AlreadyRevealed,
		/// The revealed values do not hash to the commitment.
		CommitmentMismatch,
		/// The attestation's signature does not verify with the provider's compute key.
		BadAttestation,
		/// The attestation names a device class the provider did not declare.
		UnknownDeviceClass,
		/// The job is not waiting for commitments or reveals.
		JobNotActive,
		/// The job asks for more work than its workload admits.
		WorkTooLarge,
		/// Fewer eligible providers (active, other than the consumer) than the replicas asked.
		NotEnoughProviders,
		/// The consumer has `MaxPendingPerAccount` jobs waiting for assignment.
		TooManyPending,
		/// The attested device class was declared at or after this job's assignment; on a
		/// workload that is not bit-exact such a reveal is refused.
		DeviceClassesChanged,
		/// Only a suspended provider may be evicted by anyone, and only without open
		/// assignments; governance may remove any provider without open assignments.
		NotEvictable,
		/// The job names another number of inputs than its workload's schema asks.
		WrongInputCount,
		/// An input names a blob that is not stored.
		UnknownBlob,
		/// An input is larger than `MAX_INPUT_BYTES` (256 MiB), the most a worker fetches.
		InputTooLarge,
		/// An input's length is not the stored blob's, or does not hold the elements the job's
		/// dimensions ask of it (see [`InputShape`]).
		InputSizeMismatch,
		/// An input blob's record ends before the job's deadline: renew it first.
		InputExpiresTooSoon,
		/// A URL input is not an `http://` or `https://` URL.
		InvalidUrl,
		/// The job is not waiting for its output to be published.
		NotAwaitingOutput,
		/// The caller's result was not accepted for this job.
		NotAccepted,
		/// Another accepted provider's turn to publish: the caller's comes later.
		NotYourTurn,
		/// The bytes are not the job's output: they do not hash to its accepted digest.
		WrongOutput,
		/// An input names the output of a job that does not exist (or was pruned).
		UnknownUpstream,
		/// An input names the output of a job that does not publish its output
		/// (`publish_output`).
		UpstreamWithoutOutput,
		/// An input names the output of a job that ended without publishing it.
		UpstreamFailed,
		/// The manifest has no dimensions, a bound below 1 or a minimum above its maximum, or a
		/// dimension name that is not a C identifier or is given twice.
		ManifestBadDims,
		/// A manifest expression names a dimension the manifest does not have.
		ManifestUnknownDim,
		/// A manifest expression overflows 64 bits at the dimensions' maxima.
		ManifestOverflow,
		/// A manifest input feeds no buffer or two, or a buffer names an input that does not
		/// exist.
		ManifestBadInputs,
		/// A manifest input, buffer or global size is zero at the dimensions' minima.
		ManifestEmpty,
		/// A manifest buffer exceeds 256 MiB, or its buffers together 1 GiB.
		ManifestTooMuchMemory,
		/// The manifest has no launches, an entry point that is not a C identifier, or a global
		/// size of no or more than three dimensions or of more than 2^32 work-items.
		ManifestBadLaunch,
		/// A manifest local size has another rank than its global size, a zero, or more than
		/// 256 work-items.
		ManifestBadLocalSize,
		/// A manifest argument names a buffer that does not exist, a `uint` that can exceed
		/// 32 bits, or more than 32 KiB of `__local` memory for one launch.
		ManifestBadArg,
		/// The manifest has no output, an output that is not an output buffer or is named twice,
		/// an output buffer not in the output, or an output beyond 16 MiB.
		ManifestBadOutput,
		/// The manifest's quorum is zero.
		ManifestBadVerification,
		/// The manifest's unit size or work bound is zero, its bound is above `MAX_WORK`, or its
		/// work is zero.
		ManifestBadWork,
		/// The program's source is larger than 1 MiB.
		SourceTooLarge,
		/// A listed program has this source already.
		ProgramExists,
		/// `MaxPrograms` programs exist already.
		TooManyPrograms,
		/// The workload is not an open program.
		NotProgram,
		/// The caller did not publish this program.
		NotProgramOwner,
		/// The workload is an open program: its publisher retires it, governance delists it, and
		/// nobody updates it.
		IsProgram,
		/// The program's source blob ends before the job's deadline: its publisher must renew it.
		SourceExpiresTooSoon,
		/// A program limit of zero work.
		InvalidProgramLimit,
	}

	/// Why a provider was slashed.
	#[derive(
		Encode,
		Decode,
		DecodeWithMemTracking,
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
		TypeInfo,
		MaxEncodedLen,
	)]
	pub enum SlashReason {
		/// It revealed a result that was rejected.
		WrongResult,
		/// It did not commit in time, or committed and never revealed (which counts as a wrong
		/// result: see [`verification::Outcome::Wrong`]).
		NoShow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Settle the jobs whose reveal window ended, then assign pending jobs.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			RewardsThisBlock::<T>::kill();
			let settled = Self::settle_due(now);
			let assigned = Self::assign_pending(now);
			let unpublished = Self::close_output_turns(now);
			settled.saturating_add(assigned).saturating_add(unpublished)
		}

		/// Prune finished jobs past their retention period, within the remaining weight.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune(now, remaining)
		}

		/// Run this node's assignments on its compute worker; commit and reveal the results
		/// (see [`offchain`]).
		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxReplicas::get() >= 1 && T::MaxReplicas::get() <= u8::MAX as u32);
			assert!(T::MaxAttempts::get() >= 1);
			assert!(T::MaxAssignPerBlock::get() >= 1);
			assert!(!T::CommitWindow::get().is_zero() && !T::RevealWindow::get().is_zero());
			assert!(!T::PublishWindow::get().is_zero());
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a workload.
		///
		/// Adds `workload` to the registry under the next free [`WorkloadId`] (see
		/// [`NextWorkloadId`]), open for jobs whatever its `retired` field says. Ids are never
		/// reused: workloads are retired, never removed.
		///
		/// - `origin`: must be `WorkloadOrigin` (governance; root on dev chains); any other origin
		///   fails with `BadOrigin`.
		/// - `workload`: the definition (see [`Workload`]). It needs a non-empty name and entry
		///   point; a non-zero `unit_size` and `max_units`; at least one dimension, each with
		///   `1 <= min <= max` and a `power` of 1 to 3; `1 <= max_work <= MAX_WORK` ([`MAX_WORK`]);
		///   `work_per_block >= 1` with `max_work / work_per_block <= MAX_WORK_BLOCKS`
		///   ([`MAX_WORK_BLOCKS`]); a replicated quorum of 1 to `MaxReplicas`; and, for a hash
		///   search, a schema that needs a target.
		///
		/// Emits [`Event::WorkloadRegistered`].
		///
		/// Fails with:
		/// - [`Error::InvalidWorkload`]: the definition breaks one of the rules above.
		/// - [`Error::TooManyWorkloads`]: `MaxWorkloads` workloads are registered already.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_workload())]
		pub fn register_workload(origin: OriginFor<T>, workload: WorkloadOf<T>) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			Self::do_register_workload(workload).map(|_| ())
		}

		/// Change a workload's kernel, schema, price floor or bounds.
		///
		/// Applies each field of `update` that is `Some`, then checks the result as
		/// `register_workload` does. Jobs already submitted keep what they were submitted under:
		/// the kernel hash their attestations name, their parameters, units, price and commit
		/// windows.
		///
		/// - `origin`: must be `WorkloadOrigin`; any other origin fails with `BadOrigin`.
		/// - `workload`: the id of a registered workload that is not retired.
		/// - `update`: the new values (see [`WorkloadUpdate`]): `kernel_hash` (a new kernel
		///   version), `schema`, `price_floor`, `max_units`, `max_work` and `work_per_block`;
		///   `None` keeps the current value. The name, entry point, verification class and unit
		///   size cannot be changed.
		///
		/// Emits [`Event::WorkloadUpdated`].
		///
		/// Fails with:
		/// - [`Error::UnknownWorkload`]: no workload has this id.
		/// - [`Error::WorkloadRetired`]: the workload is retired.
		/// - [`Error::InvalidWorkload`]: the updated definition breaks a rule of
		///   `register_workload`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_workload())]
		pub fn update_workload(
			origin: OriginFor<T>,
			workload: WorkloadId,
			update: WorkloadUpdate<BalanceOf<T>>,
		) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			ensure!(!Programs::<T>::contains_key(workload), Error::<T>::IsProgram);
			Self::do_update_workload(workload, update)
		}

		/// Retire a workload: it takes no new jobs.
		///
		/// Jobs already submitted run to their end. Retiring is final: a retired workload can be
		/// neither updated nor reopened.
		///
		/// - `origin`: must be `WorkloadOrigin`; any other origin fails with `BadOrigin`.
		/// - `workload`: the id of a registered workload that is not retired.
		///
		/// Emits [`Event::WorkloadRetired`].
		///
		/// Fails with:
		/// - [`Error::UnknownWorkload`]: no workload has this id.
		/// - [`Error::WorkloadRetired`]: the workload is retired already.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire_workload())]
		pub fn retire_workload(origin: OriginFor<T>, workload: WorkloadId) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			ensure!(!Programs::<T>::contains_key(workload), Error::<T>::IsProgram);
			Self::do_retire_workload(workload)
		}

		/// Register the caller as a compute provider.
		///
		/// Holds `bond` from the caller's balance ([`HoldReason::ProviderBond`]) and enters the
		/// provider, active and with reputation [`INITIAL_REPUTATION`], into the assignment draws
		/// of the blocks to come, weighted by bond × reputation.
		///
		/// - `origin`: must be signed, by the provider's account.
		/// - `bond`: at least `MinProviderBond` (`computeMarketApi.params()`); slashes take from
		///   it.
		/// - `compute_key`: the sr25519 key (key type [`KEY_TYPE`], `crcp`) that must sign every
		///   attestation of this provider.
		/// - `device_classes`: the device classes its worker runs on (`vendor/device/driver`, at
		///   most [`MAX_DEVICE_CLASS_LEN`] bytes each, at most `MaxDeviceClasses`): at least one,
		///   each non-empty and distinct. Each reveal attests one of them.
		///
		/// Emits [`Event::ProviderRegistered`].
		///
		/// Fails with:
		/// - [`Error::AlreadyProvider`]: the caller is registered already.
		/// - [`Error::BondTooLow`]: `bond` is below `MinProviderBond`.
		/// - [`Error::TooManyProviders`]: `MaxProviders` providers are registered already.
		/// - [`Error::InvalidDeviceClasses`]: no class, an empty one, or one given twice.
		/// - [`Error::InsufficientBalance`]: `bond` cannot be held from the caller's balance.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::register_provider(T::MaxProviders::get()))]
		pub fn register_provider(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			compute_key: crypto::Public,
			device_classes: BoundedVec<DeviceClass, T::MaxDeviceClasses>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_provider(who, bond, compute_key, device_classes)
		}

		/// Add to the caller's provider bond.
		///
		/// Holds `amount` more under [`HoldReason::ProviderBond`], which can raise the provider's
		/// weight in the assignment draw. A suspended provider (its bond fell below
		/// `MinProviderBond` after a slash) whose bond reaches the minimum again is active again.
		///
		/// - `origin`: must be signed, by a registered provider that is not leaving.
		/// - `amount`: the amount to add; not zero.
		///
		/// Emits [`Event::BondIncreased`], then [`Event::ProviderReactivated`] if the provider was
		/// suspended and is active again.
		///
		/// Fails with:
		/// - [`Error::BondTooLow`]: `amount` is zero.
		/// - [`Error::NotProvider`]: the caller is not a provider.
		/// - [`Error::AlreadyLeaving`]: the provider has called `unbond`.
		/// - [`Error::InsufficientBalance`]: `amount` cannot be held from the caller's balance.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::bond_more(T::MaxProviders::get()))]
		pub fn bond_more(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_more(who, amount)
		}

		/// Start leaving the market.
		///
		/// The provider gets no new assignments from now on; those it holds must still be served
		/// (committed and revealed, or declined) and settle. It may withdraw its bond with
		/// `withdraw_bond` from block `now + UnbondingPeriod` on, once none is open. Leaving cannot
		/// be undone.
		///
		/// - `origin`: must be signed, by a registered provider (active or suspended) that is not
		///   leaving.
		///
		/// Emits [`Event::ProviderLeaving`], with the first block of withdrawal.
		///
		/// Fails with:
		/// - [`Error::NotProvider`]: the caller is not a provider.
		/// - [`Error::AlreadyLeaving`]: the provider is leaving already.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unbond(T::MaxProviders::get()))]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who)
		}

		/// Leave the market: release the bond and remove the registration.
		///
		/// Releases everything still held as the caller's bond (what slashes left of it) and
		/// removes the provider and its assignment index.
		///
		/// - `origin`: must be signed, by a leaving provider (see `unbond`).
		///
		/// Emits [`Event::ProviderLeft`], with the amount released.
		///
		/// Fails with:
		/// - [`Error::NotProvider`]: the caller is not a provider.
		/// - [`Error::NotLeaving`]: the provider has not called `unbond`.
		/// - [`Error::StillUnbonding`]: the unbonding period has not passed yet.
		/// - [`Error::HasOpenAssignments`]: an assignment of the provider has not settled yet.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
		}

		/// Order a job: pay for it up front and queue it for assignment.
		///
		/// Before anything else, moves the budget, `price_per_unit × units × replicas`, into the
		/// market's escrow account, pays the non-refundable `SubmissionFee` to the treasury and
		/// holds the storage deposit (`DepositPerByte` × the largest encoding of a job,
		/// [`HoldReason::JobDeposit`]) until the job is pruned. Each respects the consumer's locks
		/// and freezes; if any fails, nothing changes. The job gets the next [`JobId`] and waits in
		/// [`PendingJobs`]; providers are drawn for it at the earliest in the next block. The
		/// runtime API's `quote` prices the same arguments, or names the error this call would fail
		/// with.
		///
		/// - `origin`: must be signed, by the consumer, who pays.
		/// - `workload`: a registered workload that is not retired.
		/// - `params`: the kernel's inputs: a `seed`, exactly as many `dims` as the workload's
		///   schema has, each within its bounds, and a `target` if and only if the schema needs
		///   one. Their work (the product of the dimensions, each to its power) must not exceed the
		///   workload's `max_work`.
		/// - `units`: units of work bought: at least `⌈work / unit_size⌉` (and 1), at most the
		///   workload's `max_units`. Each accepted provider is paid `price_per_unit × units`;
		///   rewards count only the units the parameters need.
		/// - `replicas`: providers that run the job independently, 1 to `MaxReplicas`; for a
		///   replicated workload with quorum `q`, 1 if `q = 1`, else `q + 1` to `2q − 1`. Never
		///   more than the eligible providers (active, other than the consumer).
		/// - `price_per_unit`: at least the workload's `price_floor`.
		/// - `deadline`: the block by which the job must be done: at least
		///   `now + 1 + (CommitWindow + the blocks the job's work adds) + RevealWindow + 1`, room
		///   for one attempt, and at most `now + MaxJobDuration`. No attempt is started that would
		///   settle after it; a job without an accepted result by then fails (or expires) and is
		///   refunded.
		///
		/// Emits [`Event::JobSubmitted`].
		///
		/// Fails with:
		/// - [`Error::UnknownWorkload`]: no workload has this id.
		/// - [`Error::WorkloadRetired`]: the workload is retired.
		/// - [`Error::InvalidParams`]: `params` do not fit the workload's schema.
		/// - [`Error::WorkTooLarge`]: their work exceeds the workload's `max_work`.
		/// - [`Error::InvalidUnits`]: `units` is zero, fewer than the parameters need or more than
		///   `max_units`.
		/// - [`Error::InvalidReplicas`]: `replicas` is outside the range above.
		/// - [`Error::NotEnoughProviders`]: fewer eligible providers than `replicas`.
		/// - [`Error::PriceBelowFloor`]: `price_per_unit` is below the workload's floor.
		/// - [`Error::Overflow`]: the budget, or the budget with the fee and deposit, overflows the
		///   balance type.
		/// - [`Error::InvalidDeadline`]: `deadline` leaves no room for an attempt or is beyond
		///   `MaxJobDuration`.
		/// - [`Error::TooManyJobs`]: the consumer has `MaxJobsPerAccount` unpruned jobs.
		/// - [`Error::TooManyPending`]: the consumer has `MaxPendingPerAccount` jobs waiting.
		/// - [`Error::QueueFull`]: `MaxPendingJobs` jobs are waiting.
		/// - [`Error::InsufficientBalance`]: the consumer cannot pay the fee or the budget, or the
		///   deposit cannot be held.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::submit_job())]
		pub fn submit_job(
			origin: OriginFor<T>,
			workload: WorkloadId,
			params: JobParams,
			units: u32,
			replicas: u8,
			price_per_unit: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_job(who, workload, params, units, replicas, price_per_unit, deadline)
				.map(|_| ())
		}

		/// Cancel a job that is waiting for providers, and refund its escrow.
		///
		/// Possible while the job is pending: before its first assignment, or between attempts
		/// while it waits to be assigned again. All of its escrow goes back to the consumer; the
		/// submission fee does not, and the storage deposit stays held until the job is pruned,
		/// `RetentionPeriod` blocks later. The job ends as [`JobStatus::Refunded`].
		///
		/// - `origin`: must be signed, by the job's consumer.
		/// - `job`: the job to cancel.
		///
		/// Emits [`Event::JobCancelled`], with the refund.
		///
		/// Fails with:
		/// - [`Error::UnknownJob`]: no job has this id (or it was pruned).
		/// - [`Error::NotJobOwner`]: the caller did not order the job.
		/// - [`Error::NotCancellable`]: providers are assigned to the job, or it has ended.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_job(T::MaxPendingJobs::get()))]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// Commit to a result without showing it.
		///
		/// Records `commitment` for the caller's assignment; the job becomes
		/// [`JobStatus::Committing`]. Commitments keep providers from copying one another's
		/// results: the values are shown only by `reveal_result`, once every provider has committed
		/// or declined, or the commit window has closed. A provider that commits must reveal: one
		/// that never does is judged wrong and slashed `SlashWrong`.
		///
		/// - `origin`: must be signed, by a provider assigned to the job's current attempt that has
		///   neither committed nor declined.
		/// - `job`: the job, inside its commit window (up to and including block `commit_until`).
		/// - `commitment`:
		///   `blake2_256(job_le64 ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖ provider)`,
		///   as [`Pallet::commitment_of`] computes it (byte layout in the crate docs).
		///
		/// Emits [`Event::ResultCommitted`].
		///
		/// Fails with:
		/// - [`Error::UnknownJob`]: no job has this id.
		/// - [`Error::JobNotActive`]: the job is not waiting for commitments (it is pending,
		///   revealing or ended).
		/// - [`Error::NotAssigned`]: the caller is not assigned to the current attempt.
		/// - [`Error::CommitWindowClosed`]: the commit window has closed.
		/// - [`Error::AlreadyCommitted`]: the caller has committed or declined already.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::commit_result())]
		pub fn commit_result(
			origin: OriginFor<T>,
			job: JobId,
			commitment: sp_core::H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit(who, job, commitment)
		}

		/// Reveal a committed result, with the attestation of the caller's compute key.
		///
		/// Checks the values against the caller's commitment and the attestation against its
		/// compute key, then records the claim; the job becomes [`JobStatus::Revealing`]. When
		/// every provider of the attempt has revealed or declined, the attempt is verified and
		/// settled in this call (see [`crate::verification`] and [`crate::settlement`]); otherwise
		/// in the block after the reveal window.
		///
		/// - `origin`: must be signed, by a provider assigned to the job's current attempt that has
		///   committed and not revealed.
		/// - `job`: the job, once its commit window has closed or every provider has committed or
		///   declined, and up to and including block `reveal_until`.
		/// - `output_digest`: `blake2_256` of the full canonical output, as committed.
		/// - `salt`: the 32 bytes of salt of the commitment.
		/// - `small_output`: the small output (at most [`MAX_SMALL_OUTPUT`] bytes), as committed.
		/// - `attestation`: the `worker_version` and `device_class` the result was computed with (a
		///   class the provider declared; on a workload that is not bit-exact, declared before the
		///   job's assignment) and the compute key's signature over [`Pallet::attestation_message`]
		///   (byte layout in the crate docs).
		///
		/// Emits [`Event::ResultRevealed`]; when it settles the attempt, also the settlement's
		/// events: [`Event::ProviderPaid`] for each accepted provider, [`Event::ProviderSlashed`]
		/// (and [`Event::ProviderSuspended`]) for each wrong one, then [`Event::EscrowRefunded`]
		/// and [`Event::JobVerified`] if a result was accepted, else [`Event::JobReassigned`] or
		/// [`Event::JobFailed`].
		///
		/// Fails with:
		/// - [`Error::UnknownJob`]: no job has this id.
		/// - [`Error::JobNotActive`]: the job is not waiting for reveals (nobody has committed yet,
		///   or the attempt has settled).
		/// - [`Error::NotAssigned`]: the caller is not assigned to the current attempt.
		/// - [`Error::RevealTooEarly`]: the commit window is open and a provider has yet to commit
		///   or decline.
		/// - [`Error::RevealWindowClosed`]: the reveal window has closed.
		/// - [`Error::AlreadyRevealed`]: the caller has revealed already.
		/// - [`Error::NotCommitted`]: the caller has not committed.
		/// - [`Error::CommitmentMismatch`]: `output_digest`, `small_output` and `salt` do not hash
		///   to the commitment.
		/// - [`Error::NotProvider`]: the caller is not a registered provider (defensive: a provider
		///   with an open assignment can neither leave nor be removed).
		/// - [`Error::UnknownDeviceClass`]: the attested class is not one the caller declared.
		/// - [`Error::DeviceClassesChanged`]: on a workload that is not bit-exact, the attested
		///   class was declared in or after the block of the job's assignment.
		/// - [`Error::BadAttestation`]: the signature does not verify with the caller's compute
		///   key.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::reveal_result().saturating_add(Pallet::<T>::settle_weight(T::MaxReplicas::get())))]
		pub fn reveal_result(
			origin: OriginFor<T>,
			job: JobId,
			output_digest: sp_core::H256,
			salt: [u8; 32],
			small_output: SmallOutput,
			attestation: Attestation,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_reveal(who, job, output_digest, salt, small_output, attestation)
		}

		/// Replace the caller's declared device classes.
		///
		/// A class declared before keeps the block it was first declared in; a new one is declared
		/// now. Reveals attest one of the declared classes; on workloads that are not bit-exact, a
		/// class declared at or after a job's assignment cannot be attested for it. The offchain
		/// worker declares its worker's class this way before its first reveal.
		///
		/// - `origin`: must be signed, by a registered provider.
		/// - `device_classes`: the new classes (`vendor/device/driver`, at most
		///   [`MAX_DEVICE_CLASS_LEN`] bytes each, at most `MaxDeviceClasses`): at least one, each
		///   non-empty and distinct.
		///
		/// Emits [`Event::DeviceClassesSet`].
		///
		/// Fails with:
		/// - [`Error::InvalidDeviceClasses`]: no class, an empty one, or one given twice.
		/// - [`Error::NotProvider`]: the caller is not a provider.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_device_classes())]
		pub fn set_device_classes(
			origin: OriginFor<T>,
			device_classes: BoundedVec<DeviceClass, T::MaxDeviceClasses>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_device_classes(who, device_classes)
		}

		/// Decline an assignment the caller's worker cannot run, before committing to it.
		///
		/// The provider is neither paid nor slashed, loses a little reputation
		/// ([`crate::settlement::REPUTATION_LOSS_DECLINE`]) when the attempt settles, and is not
		/// drawn for this job again; one that neither commits nor declines is slashed
		/// `SlashNoShow`. When every provider of the attempt has now revealed or declined, the
		/// attempt settles in this call. If every one declined, nobody is slashed and the job goes
		/// back to the queue for other providers; it fails, refunded, when no attempt, no time
		/// before its deadline or too few providers are left.
		///
		/// - `origin`: must be signed, by a provider assigned to the job's current attempt that has
		///   neither committed nor declined (a committed result must be revealed).
		/// - `job`: the job, inside its commit window (up to and including block `commit_until`).
		///
		/// Emits [`Event::AssignmentDeclined`]; when it settles the attempt, also the settlement's
		/// events, as `reveal_result` does (when everyone declined: [`Event::JobReassigned`] or
		/// [`Event::JobFailed`]).
		///
		/// Fails with:
		/// - [`Error::UnknownJob`]: no job has this id.
		/// - [`Error::JobNotActive`]: the job is not waiting for commitments (it is pending,
		///   revealing or ended).
		/// - [`Error::NotAssigned`]: the caller is not assigned to the current attempt.
		/// - [`Error::CommitWindowClosed`]: the commit window has closed.
		/// - [`Error::AlreadyCommitted`]: the caller has committed or declined already.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::decline_job().saturating_add(Pallet::<T>::settle_weight(T::MaxReplicas::get())))]
		pub fn decline_job(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_decline(who, job)
		}

		/// Remove a provider without open assignments, releasing what is left of its bond to it.
		///
		/// Any signed account may evict a suspended provider (its bond fell below the minimum after
		/// a slash), so that dead registrations never fill `MaxProviders` for good; governance may
		/// remove any provider. The bond goes back to the provider, not to the caller.
		///
		/// - `origin`: `WorkloadOrigin` (governance) for any provider, or any signed origin for a
		///   suspended one; any other origin fails with `BadOrigin`.
		/// - `provider`: the provider to remove.
		///
		/// Emits [`Event::ProviderRemoved`], with the amount released.
		///
		/// Fails with:
		/// - [`Error::NotProvider`]: `provider` is not a registered provider.
		/// - [`Error::NotEvictable`]: it holds open assignments, or (called by a signed origin that
		///   is not governance) it is not suspended.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::evict_provider(T::MaxProviders::get()))]
		pub fn evict_provider(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
			let by_governance = T::WorkloadOrigin::try_origin(origin.clone()).is_ok();
			if !by_governance {
				ensure_signed(origin)?;
			}
			Self::do_evict_provider(provider, by_governance)
		}

		/// Publish a verified job's full output: store `data` as a blob (through the blobs
		/// pallet, paid by the caller) and be paid for it from the job's escrow.
		///
		/// A job ordered with `publish_output` waits after verification
		/// ([`JobStatus::Publishing`]) for one of the providers whose result was accepted to
		/// publish the output. Each has `PublishWindow` blocks, in turn, in assignment order (the
		/// first from the verifying block on, the second after it, …); a provider may publish in
		/// its turn or any later one. The publisher is paid [`Pallet::publish_fee`] of the bytes
		/// from the escrow (no treasury cut: it pays the blob fees), the rest of the reserve goes
		/// back to the consumer, and the job is `Verified`. When every turn has passed unused,
		/// the reserve is refunded ([`Event::OutputNotPublished`]).
		///
		/// - `origin`: signed, by an accepted provider of the job whose turn has come.
		/// - `data`: the output, whose `blake2_256` must be the accepted output digest; at most
		///   the blobs pallet's `MaxBlobSize` (2 MiB). It must end the extrinsic, as a blob
		///   store's data does (a top-level call, or the last call of a batch).
		///
		/// Emits [`Event::OutputPublished`] and the blobs pallet's `Stored`.
		///
		/// Fails with:
		/// - [`Error::UnknownJob`]: no job has this id.
		/// - [`Error::NotAwaitingOutput`]: the job is not waiting for its output.
		/// - [`Error::NotAccepted`]: the caller's result was not accepted.
		/// - [`Error::NotYourTurn`]: the caller's turn has not come.
		/// - [`Error::WrongOutput`]: the bytes do not hash to the accepted digest.
		/// - the blobs pallet's errors (too large, not last in the extrinsic, the fee).
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::publish_output(data.len() as u32))]
		pub fn publish_output(
			origin: OriginFor<T>,
			job: JobId,
			data: alloc::vec::Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_publish_output(who, job, data)
		}

		/// Publish an open program: an OpenCL program anyone may then buy runs of, as a workload.
		///
		/// Checks `manifest` ([`Manifest::check`], the kernel ABI of
		/// [`crucible_primitives::program`]), holds `ProgramDeposit` from the caller
		/// ([`HoldReason::ProgramDeposit`]) and registers a workload named `name` under the next
		/// [`WorkloadId`], whose kernel hash is `source`: the program is named by the
		/// `blake2_256` of its source. Jobs on it are assigned only to providers that opted in
		/// (`set_program_limit`), and only while its source blob is kept until their deadlines:
		/// renew the blob to keep the program usable.
		///
		/// - `origin`: signed, by the publisher, who pays the deposit.
		/// - `name`: the workload's name, for people.
		/// - `source`: a stored blob (at most 1 MiB): the program's OpenCL C source.
		/// - `manifest`: its dimensions, inputs, buffers, launches, output, verification and work.
		/// - `terms`: the price floor per unit, the most units a job may buy, and the work the
		///   slowest expected device does per block (see [`ProgramTerms`]).
		///
		/// Emits [`Event::WorkloadRegistered`] and [`Event::ProgramPublished`].
		///
		/// Fails with:
		/// - one `Manifest…` error for each way a manifest is refused
		///   ([`Error::ManifestBadDims`] … [`Error::ManifestBadWork`]).
		/// - [`Error::UnknownBlob`]: `source` is not a stored blob.
		/// - [`Error::SourceTooLarge`]: the source is larger than 1 MiB.
		/// - [`Error::ProgramExists`]: a listed program has this source.
		/// - [`Error::TooManyPrograms`]: `MaxPrograms` programs exist.
		/// - [`Error::InvalidWorkload`]: the terms break a rule of `register_workload` (zero
		///   `max_units` or `work_per_block`, too many blocks of work, a quorum above
		///   `MaxReplicas`, an empty name).
		/// - [`Error::InsufficientBalance`]: the deposit cannot be held.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::publish_program())]
		pub fn publish_program(
			origin: OriginFor<T>,
			name: WorkloadName,
			source: sp_core::H256,
			manifest: Manifest,
			terms: ProgramTerms<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_publish_program(who, name, source, manifest, terms).map(|_| ())
		}

		/// Retire an open program the caller published: it takes no new jobs, jobs already
		/// submitted run to their end, and the deposit is released. The program and its
		/// workload are removed once the last job on it is pruned.
		///
		/// - `origin`: signed, by the program's publisher.
		/// - `workload`: a listed program.
		///
		/// Emits [`Event::WorkloadRetired`], [`Event::ProgramRetired`], and
		/// [`Event::ProgramRemoved`] if no job is left on it.
		///
		/// Fails with [`Error::NotProgram`], [`Error::NotProgramOwner`] or
		/// [`Error::WorkloadRetired`] (retired already).
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::retire_program())]
		pub fn retire_program(origin: OriginFor<T>, workload: WorkloadId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire_program(Some(who), workload)
		}

		/// Delist an open program: retire it as its publisher would, but move its deposit to the
		/// treasury (for a program that abuses the market).
		///
		/// - `origin`: must be `WorkloadOrigin` (governance); any other origin fails with
		///   `BadOrigin`.
		/// - `workload`: a listed program.
		///
		/// Emits [`Event::WorkloadRetired`], [`Event::ProgramRetired`] (`delisted: true`), and
		/// [`Event::ProgramRemoved`] if no job is left on it.
		///
		/// Fails with [`Error::NotProgram`] or [`Error::WorkloadRetired`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::retire_program())]
		pub fn delist_program(origin: OriginFor<T>, workload: WorkloadId) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			Self::do_retire_program(None, workload)
		}

		/// Opt in to (or out of) open programs: set the most work of one job on an open program
		/// that the caller's worker accepts. Only opted-in providers are drawn for jobs on open
		/// programs, and only for jobs within their limit.
		///
		/// - `origin`: signed, by a registered provider.
		/// - `limit`: the work bound (at least 1), or `None` to run no open programs.
		///
		/// Emits [`Event::ProgramLimitSet`].
		///
		/// Fails with [`Error::NotProvider`] or [`Error::InvalidProgramLimit`].
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::set_program_limit(T::MaxProviders::get()))]
		pub fn set_program_limit(origin: OriginFor<T>, limit: Option<u64>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_program_limit(who, limit)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The governed values as they apply at this block: each governed `Get` of the
		/// `Config`, read once. Governance changes them without a runtime upgrade, so they are
		/// served here and by the runtime API's `params`, never as metadata constants.
		pub fn params() -> MarketParamsOf<T> {
			MarketParams {
				min_provider_bond: T::MinProviderBond::get(),
				unbonding_period: T::UnbondingPeriod::get(),
				commit_window: T::CommitWindow::get(),
				reveal_window: T::RevealWindow::get(),
				max_job_duration: T::MaxJobDuration::get(),
				max_attempts: T::MaxAttempts::get(),
				reward_per_unit: T::RewardPerUnit::get(),
				max_reward_per_block: T::MaxRewardPerBlock::get(),
				treasury_cut: T::TreasuryCut::get(),
				slash_wrong: T::SlashWrong::get(),
				slash_no_show: T::SlashNoShow::get(),
				retention_period: T::RetentionPeriod::get(),
				submission_fee: T::SubmissionFee::get(),
				deposit_per_byte: T::DepositPerByte::get(),
				input_price_per_mib: T::InputPricePerMiB::get(),
				output_price_per_mib: T::OutputPricePerMiB::get(),
				publish_window: T::PublishWindow::get(),
				program_deposit: T::ProgramDeposit::get(),
				failed_run_share: T::FailedRunShare::get(),
			}
		}
	}

	/// `MaxReplicas × MaxAttempts`: the most providers a job can ever have had.
	pub struct MaxTriedOf<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<u32> for MaxTriedOf<T> {
		fn get() -> u32 {
			T::MaxReplicas::get().saturating_mul(T::MaxAttempts::get() as u32)
		}
	}
}
