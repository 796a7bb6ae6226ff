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
//! 2. **Providers** ([`providers`]). Anyone may register as a provider by holding a bond of at
//!    least `MinProviderBond` (hold reason [`HoldReason::ProviderBond`]) and naming a compute
//!    key (sr25519, key type [`KEY_TYPE`]) and the device classes they run. Providers leave
//!    through an unbonding period, and never while an assignment of theirs is open.
//! 3. **Orders** ([`orders`]). `submit_job` moves the whole budget, `price_per_unit × units ×
//!    replicas`, into the market's escrow account (out of reach of the consumer's locks and
//!    freezes), pays the non-refundable `SubmissionFee` to the treasury and holds a storage
//!    deposit ([`HoldReason::JobDeposit`]) until the job is pruned — before anything else
//!    happens. One consumer may have `MaxPendingPerAccount` jobs waiting; a job never asks for
//!    more replicas than there are eligible providers. Until providers are assigned,
//!    `cancel_job` refunds the budget in full.
//! 4. **Assignment** ([`assignment`]). In `on_initialize`, at most `MaxAssignPerBlock` pending
//!    jobs each get `replicas` distinct active providers, drawn with probability proportional to
//!    bond × reputation from `T::Randomness`; the consumer is never assigned their own job. The
//!    commit window is `CommitWindow` plus the blocks the job's work needs on the slowest
//!    admitted device. Each provider's open jobs are indexed in [`ProviderJobs`], so an offchain
//!    worker finds its work in one read.
//! 5. **Commit, then reveal** ([`commit_reveal`]). Inside the commit window each assigned
//!    provider submits `blake2_256(job ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖
//!    provider)` — or declines a job its worker cannot run (no slash, a little reputation); once
//!    the window has closed (or every provider has committed or declined) and until the reveal
//!    window ends, it reveals the digest, the salt, the small output (≤ 1 KiB) and an
//!    attestation: its compute key's signature over (job, kernel hash, output digest, small
//!    output hash, worker version, device class). The attestation proves which staked provider
//!    claims the result; it is *not* a hardware (TEE) attestation.
//! 6. **Verification** ([`verification`]). On-chain-checkable workloads are re-checked by the
//!    runtime itself (a hash search costs one hash; an empty claim is wrong when another replica
//!    found a nonce). Replicated workloads accept the (digest, small output) that at least
//!    `quorum` providers revealed (within one device class — declared before the assignment —
//!    for workloads that are not bit-exact across devices); a job asks for more replicas than
//!    the quorum, so that one liar cannot block it. A provider that committed and never
//!    revealed counts as wrong.
//! 7. **Settlement** ([`settlement`]). Each provider in the accepted group is paid
//!    `price_per_unit × units` from escrow, less the treasury's cut, and is minted at most
//!    `RewardPerUnit` per unit the parameters need — never more than the cut of its payment
//!    (so nobody gains by trading with themselves) nor its share of `MaxRewardPerBlock`; a
//!    wrong provider is slashed `SlashWrong` of its bond, one that did not commit `SlashNoShow`,
//!    into the treasury — unless nobody in the attempt committed: then the job is one nobody
//!    could run, it fails, and nobody is slashed. Reputations move; unused escrow is refunded.
//!    Without an acceptable result the job is re-assigned to providers other than those that
//!    failed it (at most `MaxAttempts` attempts, within its deadline), then failed and
//!    refunded. Finished jobs are pruned `RetentionPeriod` blocks later in `on_idle`, which
//!    releases their deposit. Suspended providers can be evicted by anyone, any provider
//!    removed by governance (`evict_provider`).
//!
//! ## Terms
//!
//! * *Unit of work*: `unit_size` work items, where a job's work items are the product of its
//!   dimensions; a job must buy at least enough units to cover its parameters.
//! * *Kernel hash*: `blake2_256` of the exact bytes of the OpenCL C source. The native worker
//!   ships the same sources, so the hash names the kernel unambiguously.
//! * *Output digest*: `blake2_256` of the kernel's canonical output encoding.
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
pub mod migrations;
pub mod offchain;
pub mod orders;
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
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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
	}

	/// Registered workloads.
	#[pallet::storage]
	pub type Workloads<T: Config> = StorageMap<_, Twox64Concat, WorkloadId, WorkloadOf<T>>;

	/// The id the next registered workload gets (also the number registered so far).
	#[pallet::storage]
	pub type NextWorkloadId<T: Config> = StorageValue<_, WorkloadId, ValueQuery>;

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
		/// No providers could be assigned before the deadline, or too few are left to ever be;
		/// the escrow was refunded.
		JobExpired { job: JobId, refund: BalanceOf<T> },
		/// Unused escrow went back to the consumer after verification.
		EscrowRefunded { job: JobId, amount: BalanceOf<T> },
		/// A finished job was removed from storage and its deposit released.
		JobPruned { job: JobId, deposit: BalanceOf<T> },
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
			settled.saturating_add(assigned)
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
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a workload (governance). See [`Workload`] for the fields.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_workload())]
		pub fn register_workload(origin: OriginFor<T>, workload: WorkloadOf<T>) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			Self::do_register_workload(workload).map(|_| ())
		}

		/// Change a workload's kernel hash, schema, price floor or maximum units (governance).
		/// Jobs already submitted keep the values they were submitted under.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_workload())]
		pub fn update_workload(
			origin: OriginFor<T>,
			workload: WorkloadId,
			update: WorkloadUpdate<BalanceOf<T>>,
		) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			Self::do_update_workload(workload, update)
		}

		/// Retire a workload (governance): it takes no new jobs.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire_workload())]
		pub fn retire_workload(origin: OriginFor<T>, workload: WorkloadId) -> DispatchResult {
			T::WorkloadOrigin::ensure_origin(origin)?;
			Self::do_retire_workload(workload)
		}

		/// Register the caller as a provider, holding `bond` (at least `MinProviderBond`).
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

		/// Hold `amount` more as the caller's provider bond; reactivates a suspended provider
		/// whose bond reaches the minimum again.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::bond_more(T::MaxProviders::get()))]
		pub fn bond_more(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_more(who, amount)
		}

		/// Start leaving: no new assignments; the bond can be withdrawn after `UnbondingPeriod`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unbond(T::MaxProviders::get()))]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who)
		}

		/// Leave: release the bond once the unbonding period has passed and no assignment is
		/// open.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
		}

		/// Order a job and queue it for assignment.
		///
		/// Origin: signed (the consumer). Moves `price_per_unit × units × replicas` into the
		/// market's escrow account, pays `SubmissionFee` to the treasury (never refunded) and holds
		/// the storage deposit (`DepositPerByte × the job's largest encoding`, released when the
		/// job is pruned). `units` must cover the parameters' work; only the units the parameters
		/// need count for rewards. Replicas: 1 for on-chain-checked workloads or a quorum of 1,
		/// otherwise more than the quorum and fewer than twice it, and never more than the
		/// eligible providers. The deadline must leave room for one attempt, whose commit window
		/// grows with the job's work.
		///
		/// Emits `JobSubmitted`. Errors: `UnknownWorkload`, `WorkloadRetired`, `InvalidParams`,
		/// `WorkTooLarge`, `InvalidUnits`, `InvalidReplicas`, `NotEnoughProviders`,
		/// `PriceBelowFloor`, `InvalidDeadline`, `Overflow`, `TooManyJobs`, `TooManyPending`,
		/// `QueueFull`, `InsufficientBalance`.
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

		/// Cancel a job that has no providers assigned, refunding its escrow in full (the
		/// submission fee is not refunded; the deposit is released when the job is pruned).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_job(T::MaxPendingJobs::get()))]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// Commit to a result:
		/// `blake2_256(job_le64 ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖ provider)`.
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

		/// Reveal a committed result with its attestation. The last reveal of an attempt
		/// settles the job at once.
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

		/// Replace the caller's declared device classes (at least one, each non-empty and
		/// distinct). The offchain worker declares its worker's class this way before its
		/// first reveal.
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
		/// Origin: signed, an assigned provider of the job's current attempt that has not
		/// committed, inside the commit window. The provider is neither slashed nor paid, loses a
		/// little reputation and is not drawn for this job again. When every provider of the
		/// attempt has declined or failed to commit, the job fails and nobody is slashed.
		///
		/// Emits `AssignmentDeclined`. Errors: `UnknownJob`, `JobNotActive`, `NotAssigned`,
		/// `CommitWindowClosed`, `AlreadyCommitted` (a committed result must be revealed).
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::decline_job().saturating_add(Pallet::<T>::settle_weight(T::MaxReplicas::get())))]
		pub fn decline_job(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_decline(who, job)
		}

		/// Remove a provider that holds no open assignment, releasing what is left of its bond to
		/// it.
		///
		/// Origin: `WorkloadOrigin` (governance) for any provider; any signed origin for a
		/// suspended provider (its bond fell below the minimum), so that dead registrations
		/// never fill `MaxProviders` for good.
		///
		/// Emits `ProviderRemoved`. Errors: `NotProvider`, `NotEvictable`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::evict_provider(T::MaxProviders::get()))]
		pub fn evict_provider(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
			let by_governance = T::WorkloadOrigin::try_origin(origin.clone()).is_ok();
			if !by_governance {
				ensure_signed(origin)?;
			}
			Self::do_evict_provider(provider, by_governance)
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
