//! The market's data types and the `XxxOf<T>` aliases that keep signatures readable.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{pallet_prelude::ConstU32, traits::fungible, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;
use sp_runtime::Perbill;

use crate::{crypto, Config};

/// Identifies a workload in the registry.
pub type WorkloadId = u32;
/// Identifies a job; assigned in order of submission, never reused.
pub type JobId = u64;
/// The balance type of the market's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Account identifier.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// A job's parameters, and the most dimensions they may carry: shared with the worker (the
/// offchain worker sends them to it as JSON).
pub use crucible_primitives::{DataRef, JobParams, MAX_DIMS, MAX_INPUTS, MAX_INPUT_BYTES};
/// Longest workload name, in bytes.
pub const MAX_NAME_LEN: u32 = 32;
/// Longest OpenCL entry-point name, in bytes.
pub const MAX_ENTRY_POINT_LEN: u32 = 64;
/// Longest device-class string (`vendor/device/driver`), in bytes.
pub const MAX_DEVICE_CLASS_LEN: u32 = 96;
/// Largest small output a reveal may carry on-chain, in bytes (shared with the worker).
pub const MAX_SMALL_OUTPUT: u32 = crucible_primitives::MAX_SMALL_OUTPUT;
/// The most work a workload may admit per job, in the worker's measure (shared with the worker:
/// every job the chain admits is one the worker accepts).
pub const MAX_WORK: u64 = crucible_primitives::MAX_WORK;
/// The most blocks a job's size may add to its commit window (`max_work / work_per_block`).
pub const MAX_WORK_BLOCKS: u64 = 600;
/// The highest reputation score; providers start at [`INITIAL_REPUTATION`].
pub const MAX_REPUTATION: u32 = 1_000;
/// A new provider's reputation.
pub const INITIAL_REPUTATION: u32 = 500;

/// A workload's name, e.g. `hash-search`.
pub type WorkloadName = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// The OpenCL kernel function a workload runs.
pub type EntryPoint = BoundedVec<u8, ConstU32<MAX_ENTRY_POINT_LEN>>;
/// A device class, `vendor/device/driver-version` as the worker reports it.
pub type DeviceClass = BoundedVec<u8, ConstU32<MAX_DEVICE_CLASS_LEN>>;
/// The small output a reveal carries (≤ 1 KiB).
pub type SmallOutput = BoundedVec<u8, ConstU32<MAX_SMALL_OUTPUT>>;

/// The results of an on-chain-checkable workload are checked by the runtime itself.
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
	Serialize,
	Deserialize,
)]
pub enum OnChainCheckKind {
	/// Find a nonce with `blake2_256(seed ‖ nonce_le64) < target` (bytes compared as a
	/// big-endian number). The small output is `nonce_le64 ‖ hash` (40 bytes), the output
	/// digest is `blake2_256` of those 40 bytes. The runtime recomputes the one hash.
	HashSearch,
}

/// How the results of a workload are verified.
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
	Serialize,
	Deserialize,
)]
pub enum VerificationClass {
	/// The runtime checks each claimed result itself; every valid claim is accepted.
	OnChainCheck(OnChainCheckKind),
	/// The runtime groups the revealed output digests and accepts the digest held by at least
	/// `quorum` providers. If `bit_exact` is false, only results from the same device class
	/// are compared with one another.
	Replicated {
		/// Providers that must agree on a digest.
		quorum: u8,
		/// Whether results are bit-identical across device classes.
		bit_exact: bool,
	},
}

/// The allowed range of one parameter dimension, and how it weighs in the job's work.
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
	Serialize,
	Deserialize,
)]
pub struct DimBound {
	/// Smallest allowed value.
	pub min: u32,
	/// Largest allowed value.
	pub max: u32,
	/// The job's work is the product of each dimension raised to its power (1 to 3): 1 for a
	/// range or an image side, 3 for the side of a square matrix product (n³ multiply-adds).
	pub power: u8,
}

/// The shape of one input of a data workload: it holds `⌈bytes / elem_bytes⌉` elements (a
/// short last element is read as zero-padded), and that count must be the product of the job's
/// dimensions, each raised to `power` (1 for a vector of `n` values, 2 for an `n × n` matrix).
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
	Serialize,
	Deserialize,
)]
pub struct InputShape {
	/// Bytes of one element (4 for `u32` values, 32 for a Merkle leaf).
	pub elem_bytes: u32,
	/// The power each dimension is raised to in the element count (1 to 3).
	pub power: u8,
}

impl InputShape {
	/// Whether `bytes` bytes hold exactly the elements the dimensions `dims` ask
	/// ([`crucible_primitives::input_fits`], the rule the worker applies too).
	pub fn fits(&self, dims: &[u32], bytes: u64) -> bool {
		crucible_primitives::input_fits(self.elem_bytes, self.power, dims, bytes)
	}
}

/// What parameters a workload takes, and their limits.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct ParamSchema {
	/// One bound per dimension; a job must give exactly this many dimensions.
	pub dims: BoundedVec<DimBound, ConstU32<MAX_DIMS>>,
	/// Whether the job must carry a 32-byte target.
	pub needs_target: bool,
	/// The inputs a job must name, one shape each, in order (none for seed-generated kernels).
	pub inputs: BoundedVec<InputShape, ConstU32<MAX_INPUTS>>,
}

/// A registered workload: one OpenCL kernel and how the market prices and verifies it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct Workload<Balance> {
	/// Human-readable name.
	pub name: WorkloadName,
	/// `blake2_256` of the exact bytes of the kernel's OpenCL C source.
	pub kernel_hash: H256,
	/// The kernel function to run.
	pub entry_point: EntryPoint,
	/// Parameters and their limits.
	pub schema: ParamSchema,
	/// How results are verified.
	pub verification: VerificationClass,
	/// Work (the product of the dimensions, each to its power) that makes one unit.
	pub unit_size: u64,
	/// The most work one job may ask for (at most [`MAX_WORK`], the worker's bound).
	pub max_work: u64,
	/// Work the slowest device the market admits does in one block: a job's commit window is
	/// `CommitWindow + ⌊work / work_per_block⌋` blocks, so that every provider can finish it.
	pub work_per_block: u64,
	/// Lowest price per unit a job may offer.
	pub price_floor: Balance,
	/// Most units one job may buy.
	pub max_units: u32,
	/// Retired workloads accept no new jobs; jobs already submitted run to the end.
	pub retired: bool,
}

/// The kernel ABI of open programs, shared with the worker.
pub use crucible_primitives::program::Manifest;

/// What a program's publisher sets beside its manifest: the terms of the market for it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ProgramTerms<Balance> {
	/// Lowest price per unit a job may offer.
	pub price_floor: Balance,
	/// Most units one job may buy.
	pub max_units: u32,
	/// Work the slowest device the publisher expects does in one block (a job's commit window
	/// grows by `⌊work / work_per_block⌋` blocks). A worker stops a job that runs longer than
	/// its window and reports it failed, so an optimistic value costs the consumer, never a
	/// provider's bond.
	pub work_per_block: u64,
}

/// An open program: a published workload's source and manifest, and who answers for it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Program<AccountId, Balance> {
	/// The publisher.
	pub owner: AccountId,
	/// Held from the publisher while the program is listed (zero once retired).
	pub deposit: Balance,
	/// Bytes of the source blob (named by the workload's `kernel_hash`).
	pub source_bytes: u32,
	/// Its interface, launches and verification.
	pub manifest: Manifest,
	/// Unpruned jobs on it: a retired program is removed when the last one is pruned.
	pub jobs: u32,
}

/// `Program` of a runtime.
pub type ProgramOf<T> = Program<AccountIdOf<T>, BalanceOf<T>>;

/// Fields of a workload that `update_workload` may change (`None` keeps the current value).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct WorkloadUpdate<Balance> {
	/// New kernel hash (a new kernel version).
	pub kernel_hash: Option<H256>,
	/// New parameter schema.
	pub schema: Option<ParamSchema>,
	/// New price floor per unit.
	pub price_floor: Option<Balance>,
	/// New maximum units per job.
	pub max_units: Option<u32>,
	/// New work bound per job.
	pub max_work: Option<u64>,
	/// New work per block of the slowest admitted device.
	pub work_per_block: Option<u64>,
}

/// Where a provider stands.
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
pub enum ProviderStatus<BlockNumber> {
	/// Eligible for new assignments.
	Active,
	/// Not eligible: the bond fell below the minimum (after a slash). `bond_more` reactivates.
	Suspended,
	/// Leaving: gets no new assignments; the bond can be withdrawn from `unlock_at` on, once no
	/// assignment is open.
	Leaving {
		/// First block at which `withdraw_bond` may succeed.
		unlock_at: BlockNumber,
	},
}

/// A compute provider.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxDeviceClasses))]
pub struct ProviderInfo<Balance, BlockNumber, MaxDeviceClasses: frame_support::traits::Get<u32>> {
	/// Funds held under `HoldReason::ProviderBond`.
	pub bond: Balance,
	/// The sr25519 key (Crucible's `crcp` key type) that signs attestations.
	pub compute_key: crypto::Public,
	/// Device classes the provider runs jobs on.
	pub device_classes: BoundedVec<DeviceClass, MaxDeviceClasses>,
	/// Active, suspended or leaving.
	pub status: ProviderStatus<BlockNumber>,
	/// 0 ..= [`MAX_REPUTATION`]: rises with accepted results, falls with wrong ones and
	/// no-shows. Weighs the provider's chance of assignment.
	pub reputation: u32,
	/// Assignments not yet settled.
	pub open_assignments: u32,
	/// The block each of `device_classes` was first declared in, in the same order. A reveal on
	/// a workload that is not bit-exact must attest a class declared before the job's
	/// assignment, so that a provider cannot pick a class nobody else has once it has seen the
	/// others' results.
	pub declared_at: BoundedVec<BlockNumber, MaxDeviceClasses>,
}

/// The claim a provider reveals.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Reveal {
	/// `blake2_256` of the full canonical output.
	pub output_digest: H256,
	/// The small output (≤ 1 KiB), e.g. the found nonce and its hash.
	pub small_output: SmallOutput,
	/// The device class the result was computed on.
	pub device_class: DeviceClass,
	/// Worker version that computed it.
	pub worker_version: u32,
}

/// One provider's part in one attempt at a job.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Assignment<AccountId> {
	/// The provider.
	pub provider: AccountId,
	/// `blake2_256(job ‖ output_digest ‖ blake2_256(small_output) ‖ salt ‖ provider)`, once
	/// committed.
	pub commitment: Option<H256>,
	/// The revealed claim, once revealed and checked against the commitment.
	pub reveal: Option<Reveal>,
	/// The provider declined the assignment before committing (its worker cannot run it):
	/// not slashed, not paid, not drawn again for this job.
	pub declined: bool,
}

/// Where a job stands.
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
pub enum JobStatus {
	/// Escrowed, waiting for providers.
	Pending,
	/// Providers assigned; the commit window is open.
	Assigned,
	/// At least one commitment is in; the commit window is open.
	Committing,
	/// At least one reveal is in; the reveal window is open.
	Revealing,
	/// A result was accepted and paid for.
	Verified,
	/// No acceptable result within the allowed attempts; the escrow was refunded.
	Failed,
	/// Cancelled by the consumer before assignment; the escrow was refunded.
	Refunded,
	/// No providers could be assigned before the deadline; the escrow was refunded.
	Expired,
	/// A quorum of providers reported that an input could not be had (no such data, or bytes of
	/// another hash or length): nobody was slashed, the agreeing providers were paid the input
	/// fee for their trouble, and the rest of the escrow was refunded.
	InputUnavailable,
	/// Verified (a result was accepted and its providers paid), and waiting for an accepted
	/// provider to publish the full output as a blob (the job asked for it); then `Verified`.
	Publishing,
	/// Escrowed and queued, waiting for the earlier jobs whose outputs are its inputs
	/// ([`DataRef::Output`]) to publish them; then `Pending` (or `InputUnavailable`, refunded,
	/// if one of them ends without an output).
	Waiting,
	/// A quorum of providers reported that the open program failed to run, for this reason
	/// (the job's result holds the failure's digest and the first agreeing provider's log
	/// hash): nobody was slashed, the agreeing providers were paid `FailedRunShare` of the
	/// price, and the rest of the escrow was refunded.
	ProgramFailed(crucible_primitives::program::Failure),
}

impl JobStatus {
	/// Whether the job has reached an end state.
	pub fn is_final(&self) -> bool {
		matches!(
			self,
			Self::Verified
				| Self::Failed
				| Self::Refunded
				| Self::Expired
				| Self::InputUnavailable
				| Self::ProgramFailed(_)
		)
	}
}

/// The accepted result of a verified job.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct JobResult {
	/// The accepted output digest.
	pub output_digest: H256,
	/// The small output that came with it.
	pub small_output: SmallOutput,
	/// Providers whose reveal was accepted.
	pub accepted: u8,
}

/// A compute job order.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxReplicas))]
pub struct Job<AccountId, Balance, BlockNumber, MaxReplicas: frame_support::traits::Get<u32>> {
	/// Who ordered and pays.
	pub consumer: AccountId,
	/// What to run.
	pub workload: WorkloadId,
	/// The workload's kernel hash when the job was submitted: what attestations must name.
	pub kernel_hash: H256,
	/// With which parameters.
	pub params: JobParams,
	/// Units of work bought.
	pub units: u32,
	/// Units the parameters need (at most `units`): what rewards are counted on.
	pub needed_units: u32,
	/// Blocks the job's size adds to each commit window (`⌊work / work_per_block⌋`).
	pub work_blocks: u32,
	/// Providers that run it independently.
	pub replicas: u8,
	/// Price per unit paid to each accepted provider.
	pub price_per_unit: Balance,
	/// Paid to each accepted provider for fetching the inputs: `InputPricePerMiB` × the MiB the
	/// inputs have (rounded up) at submission. Also what each agreeing provider is paid when
	/// the inputs turn out unavailable.
	pub input_fee: Balance,
	/// Budget still in the market's escrow account for this job.
	pub escrow: Balance,
	/// The non-refundable submission fee the consumer paid to the treasury.
	pub fee: Balance,
	/// Storage deposit held from the consumer (`JobDeposit`) until the job is pruned.
	pub deposit: Balance,
	/// Last block by which the job must be verified.
	pub deadline: BlockNumber,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Where it stands.
	pub status: JobStatus,
	/// Attempts made so far (assignments), at most `MaxAttempts`.
	pub attempts: u8,
	/// The current attempt's providers and their commitments and reveals.
	pub assignments: BoundedVec<Assignment<AccountId>, MaxReplicas>,
	/// Block of the current attempt's assignment.
	pub assigned_at: BlockNumber,
	/// Last block of the current commit window.
	pub commit_until: BlockNumber,
	/// Last block of the current reveal window (settlement happens in the block after).
	pub reveal_until: BlockNumber,
	/// The accepted result, once verified.
	pub result: Option<JobResult>,
	/// Block at which the job reached its end state.
	pub finished_at: Option<BlockNumber>,
}

/// The `Job` type of a runtime.
pub type JobOf<T> =
	Job<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxReplicas>;
/// The `ProviderInfo` type of a runtime.
pub type ProviderInfoOf<T> =
	ProviderInfo<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxDeviceClasses>;
/// The `Workload` type of a runtime.
pub type WorkloadOf<T> = Workload<BalanceOf<T>>;

/// What a provider's compute key signs for a reveal: it binds the result (digest and small
/// output) to the job, the exact kernel, the worker version and the device class. This is a signature by a staked key, not
/// a hardware (TEE) attestation: it proves who claims the result, not how it was computed.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct AttestationPayload {
	/// Domain separator, `b"crucible/attest/v2"`.
	pub domain: [u8; 18],
	/// The job.
	pub job: JobId,
	/// The workload's kernel hash at submission.
	pub kernel_hash: H256,
	/// The revealed output digest.
	pub output_digest: H256,
	/// `blake2_256` of the revealed small output.
	pub small_output_hash: H256,
	/// Worker version.
	pub worker_version: u32,
	/// Device class.
	pub device_class: DeviceClass,
}

/// Domain separator of attestations.
pub const ATTESTATION_DOMAIN: [u8; 18] = *b"crucible/attest/v2";

/// The signed attestation carried by a reveal.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Attestation {
	/// Worker version that computed the result.
	pub worker_version: u32,
	/// Device class the result was computed on (one of the provider's declared classes).
	pub device_class: DeviceClass,
	/// The compute key's signature over the SCALE encoding of [`AttestationPayload`].
	pub signature: crypto::Signature,
}

/// Market-wide counters.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct MarketStats<Balance> {
	/// Jobs ever submitted.
	pub submitted: u64,
	/// Jobs verified.
	pub verified: u64,
	/// Jobs failed (no acceptable result).
	pub failed: u64,
	/// Jobs cancelled or expired (refunded without running).
	pub refunded: u64,
	/// Compute rewards minted, in total.
	pub rewards_minted: Balance,
	/// Paid to providers from escrow, in total.
	pub paid_to_providers: Balance,
	/// Slashed from provider bonds, in total.
	pub slashed: Balance,
	/// Registered providers (not stored: filled in by [`crate::Pallet::stats`]).
	pub providers: u32,
	/// Jobs waiting for assignment (not stored: filled in by [`crate::Pallet::stats`]).
	pub pending: u32,
}

/// The market's governed values as they apply at a block: what each of the `Config`'s
/// governed `Get`s returns there (after the runtime's clamping). Served by the runtime API's
/// `params` and the pallet's `params` view function, never as metadata constants, which would
/// go stale the moment governance changes a value.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct MarketParams<Balance, BlockNumber> {
	/// Smallest bond a provider must hold to be active.
	pub min_provider_bond: Balance,
	/// Blocks between `unbond` and the earliest `withdraw_bond`.
	pub unbonding_period: BlockNumber,
	/// Base length of a commit window, in blocks (a job's work adds to it).
	pub commit_window: BlockNumber,
	/// Length of the reveal window, in blocks.
	pub reveal_window: BlockNumber,
	/// Latest deadline a job may set, in blocks from submission.
	pub max_job_duration: BlockNumber,
	/// Assignment rounds a job gets before it fails.
	pub max_attempts: u8,
	/// Reward minted per unit a job's parameters need, per accepted provider (capped: see
	/// [`crate::settlement`]).
	pub reward_per_unit: Balance,
	/// Most compute reward minted in one block.
	pub max_reward_per_block: Balance,
	/// The treasury's share of each payment to a provider.
	pub treasury_cut: Perbill,
	/// Share of its bond a provider loses for revealing a rejected result.
	pub slash_wrong: Perbill,
	/// Share of its bond a provider loses for not committing or not revealing.
	pub slash_no_show: Perbill,
	/// Blocks a finished job stays in storage before it is pruned.
	pub retention_period: BlockNumber,
	/// Non-refundable fee of every order.
	pub submission_fee: Balance,
	/// Storage deposit per byte a job may occupy.
	pub deposit_per_byte: Balance,
	/// Paid per MiB of a job's inputs (rounded up) to each accepted provider.
	pub input_price_per_mib: Balance,
	/// Paid per MiB of a published output (per KiB started) to its publisher.
	pub output_price_per_mib: Balance,
	/// Blocks each accepted provider has, in turn, to publish a verified job's output.
	pub publish_window: BlockNumber,
	/// Held from a program's publisher while the program is listed.
	pub program_deposit: Balance,
	/// Part of the price each agreeing provider is paid when an open program fails to run.
	pub failed_run_share: sp_runtime::Perbill,
}

/// `MarketParams` of a runtime.
pub type MarketParamsOf<T> = MarketParams<BalanceOf<T>, BlockNumberFor<T>>;

/// The price of a prospective job, as `quote` computes it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Quote<Balance> {
	/// Units the parameters need at least.
	pub min_units: u32,
	/// Escrow to be moved to the market: `(price_per_unit × units + input_fee) × replicas +
	/// output_reserve`.
	pub budget: Balance,
	/// Bytes of the inputs, in total.
	pub input_bytes: u64,
	/// Paid to each accepted provider for fetching the inputs: `InputPricePerMiB` × MiB.
	pub input_fee: Balance,
	/// Reserved in the budget for publishing the full output (the publish fee of the largest
	/// blob), when the job asks for it; what the publication does not use is refunded.
	pub output_reserve: Balance,
	/// Price floor per unit of the workload.
	pub price_floor: Balance,
	/// Minted reward each accepted provider would receive at most: `RewardPerUnit × min_units`,
	/// never above the treasury's cut of its payment, nor its share of the per-block cap.
	pub reward_per_provider: Balance,
	/// The non-refundable submission fee (to the treasury).
	pub fee: Balance,
	/// The storage deposit held until the job is pruned.
	pub deposit: Balance,
	/// Length of each commit window of this job, in blocks.
	pub commit_window: u32,
}
