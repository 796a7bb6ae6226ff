//! The compute market and its governed parameters.
//!
//! The market's economic and timing parameters live in `pallet-parameters` under the
//! `market` key group ([`dynamic_params::market`]); the market's `Config` reads them on each
//! use, so a change applies from the next block on (jobs already assigned keep the deadlines
//! they were given). Each may be set by root, two thirds of the council or a `market_admin`
//! referendum ([`ParametersAdmin`]); `parameters.setParameter` with any other origin fails with
//! `BadOrigin` and changes nothing.
//!
//! Storage bounds (`MaxProviders`, `MaxReplicas`, …) and `MaxAssignPerBlock` (which bounds
//! `on_initialize`'s weight) stay constants: they size storage and blocks, and change only
//! with a runtime upgrade. Governed values that would stall the market if set absurdly are
//! clamped where they are read ([`Clamp`]); the ranges are in each parameter's docs.

use crate::{
	configs::governance::{MaxBalance, TreasuryAccount},
	currency::{MICRO_UNITS, MILLI_UNITS, UNITS},
	governance::MarketAdminOrigin,
	Balance, Balances, BlockNumber, RandomnessCollectiveFlip, Runtime, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, DAYS, HOURS, MINUTES,
};
use core::marker::PhantomData;
use frame_support::{
	dynamic_params::{dynamic_pallet_params, dynamic_params},
	traits::{ConstU32, ConstU8, EnsureOriginWithArg, Get},
};
use sp_runtime::Perbill;

/// The least provider bond until governance sets another: 1,000 CRU.
pub const DEFAULT_MIN_PROVIDER_BOND: Balance = 1_000 * UNITS;

/// The runtime's governed parameters (`pallet-parameters`), by group.
#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// The compute market's parameters.
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod market {
		/// Least bond a compute provider holds (at least 1 CRU).
		#[codec(index = 0)]
		pub static MinProviderBond: Balance = DEFAULT_MIN_PROVIDER_BOND;
		/// Blocks between a provider's `unbond` and the release of its bond (10 blocks to 30 days).
		#[codec(index = 1)]
		pub static UnbondingPeriod: BlockNumber = HOURS;
		/// Blocks an assigned provider has to commit (2 to 600).
		#[codec(index = 2)]
		pub static CommitWindow: BlockNumber = 10;
		/// Blocks after the commit window to reveal (2 to 600).
		#[codec(index = 3)]
		pub static RevealWindow: BlockNumber = 10;
		/// Longest deadline a job may ask for (40 blocks to 30 days).
		#[codec(index = 4)]
		pub static MaxJobDuration: BlockNumber = DAYS;
		/// Assignment rounds a job gets before it fails and is refunded (1 to 10).
		#[codec(index = 5)]
		pub static MaxAttempts: u8 = 3;
		/// Compute reward minted per unit of work a job's parameters need, per accepted
		/// provider; never above the treasury's cut of the provider's payment, so that nobody
		/// gains by trading with themselves, whatever the value.
		#[codec(index = 6)]
		pub static RewardPerUnit: Balance = MILLI_UNITS;
		/// Most compute reward minted in one block.
		#[codec(index = 7)]
		pub static MaxRewardPerBlock: Balance = 100 * UNITS;
		/// The treasury's cut of each payment to a provider.
		#[codec(index = 8)]
		pub static TreasuryCut: Perbill = Perbill::from_percent(5);
		/// Fraction of its bond a provider loses for revealing a losing digest.
		#[codec(index = 9)]
		pub static SlashWrong: Perbill = Perbill::from_percent(20);
		/// Fraction of its bond a provider loses for not committing or not revealing.
		#[codec(index = 10)]
		pub static SlashNoShow: Perbill = Perbill::from_percent(2);
		/// Blocks a finished job stays queryable before it is pruned (10 blocks to 30 days).
		#[codec(index = 11)]
		pub static RetentionPeriod: BlockNumber = DAYS;
		/// Non-refundable fee of every order, paid to the treasury.
		#[codec(index = 12)]
		pub static SubmissionFee: Balance = 10 * MILLI_UNITS;
		/// Storage deposit per byte a job may occupy, held until the job is pruned.
		#[codec(index = 13)]
		pub static DepositPerByte: Balance = MILLI_UNITS / 1_000;
		/// Paid per MiB of a job's inputs (rounded up) to each accepted provider: what a
		/// provider gets for its trouble when the inputs turn out unavailable.
		#[codec(index = 14)]
		pub static InputPricePerMiB: Balance = MILLI_UNITS;
		/// Paid per MiB of a published output (per KiB started) to its publisher, who pays the
		/// blob's fees (≈ 2.1 CRU per MiB) from it; a job asking for its output reserves it for
		/// a 2 MiB blob (6 CRU) and gets back what is not used.
		#[codec(index = 15)]
		pub static OutputPricePerMiB: Balance = 3 * UNITS;
		/// Blocks each accepted provider has, in turn, to publish a verified job's output.
		#[codec(index = 16)]
		pub static PublishWindow: BlockNumber = 10;
		/// Held from an open program's publisher while the program is listed; delisting by
		/// governance moves it to the treasury.
		#[codec(index = 17)]
		pub static ProgramDeposit: Balance = 10 * UNITS;
		/// Part of the price each agreeing provider is paid when an open program fails to run
		/// (it does not build, hits a limit, crashes): the providers' time.
		#[codec(index = 18)]
		pub static FailedRunShare: Perbill = Perbill::from_percent(10);
	}

	/// The data plane's parameters (`pallet-blobs`, configured in [`super::super::data`]).
	#[dynamic_pallet_params]
	#[codec(index = 1)]
	pub mod data {
		/// Fee of every blob stored or renewed, paid to the treasury.
		#[codec(index = 0)]
		pub static BlobFee: Balance = MILLI_UNITS;
		/// Fee per byte stored or renewed, paid to the treasury (on top of the transaction's
		/// length fee): 1 CRU per MiB.
		#[codec(index = 1)]
		pub static ByteFee: Balance = MICRO_UNITS;
		/// Blocks a blob's record lives after a store or renewal (1 block to 30 days).
		#[codec(index = 2)]
		pub static RetentionPeriod: BlockNumber = 7 * DAYS;
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::Market(dynamic_params::market::Parameters::CommitWindow(
			dynamic_params::market::CommitWindow,
			Some(10),
		))
	}
}

/// Who may set which parameter: every `market` and `data` key takes [`MarketAdminOrigin`]
/// (root, two thirds of the council, or a `market_admin` referendum).
pub struct ParametersAdmin;
impl EnsureOriginWithArg<RuntimeOrigin, RuntimeParametersKey> for ParametersAdmin {
	type Success = ();

	fn try_origin(
		origin: RuntimeOrigin,
		key: &RuntimeParametersKey,
	) -> Result<Self::Success, RuntimeOrigin> {
		use frame_support::traits::EnsureOrigin;
		match key {
			RuntimeParametersKey::Market(_) | RuntimeParametersKey::Data(_) => {
				MarketAdminOrigin::try_origin(origin).map(|_| ())
			},
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin(_key: &RuntimeParametersKey) -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::root())
	}
}

impl pallet_parameters::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeParameters = RuntimeParameters;
	type AdminOrigin = ParametersAdmin;
	/// Upstream weights (one storage write); `set_parameter` is root-, council- or referendum-only.
	type WeightInfo = ();
}

/// `P`'s value, clamped to `[Min, Max]`.
pub struct Clamp<P, Min, Max>(PhantomData<(P, Min, Max)>);
impl<T: Ord, P: Get<T>, Min: Get<T>, Max: Get<T>> Get<T> for Clamp<P, Min, Max> {
	fn get() -> T {
		P::get().clamp(Min::get(), Max::get())
	}
}

frame_support::parameter_types! {
	pub const MinProviderBondFloor: Balance = UNITS;
	/// The market's id; its escrow account (`modlcrc/escr…`) holds every open job's budget.
	pub const ComputeMarketPalletId: frame_support::PalletId = frame_support::PalletId(*b"crc/escr");
}

/// The most replicas a job may ask for.
pub type MaxReplicas = ConstU32<7>;
/// The most device classes a provider may declare.
pub type MaxDeviceClasses = ConstU32<8>;
/// The market's errors: what the runtime API's `quote` answers when `submit_job` would refuse.
pub type MarketError = pallet_compute_market::Error<Runtime>;

use dynamic_params::market;

/// The compute market. Bounds are constants; everything else is governed (see the module docs).
impl pallet_compute_market::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// The workload registry: root, two thirds of the council, or a `market_admin` referendum.
	type WorkloadOrigin = MarketAdminOrigin;
	type Randomness = RandomnessCollectiveFlip;
	/// The treasury (`pallet-treasury`) takes the market's cut and compute slashes.
	type TreasuryAccount = TreasuryAccount;
	type PalletId = ComputeMarketPalletId;
	type MinProviderBond = Clamp<market::MinProviderBond, MinProviderBondFloor, MaxBalance>;
	type AuthorityId = pallet_compute_market::crypto::ComputeAuthId;
	type UnbondingPeriod = Clamp<market::UnbondingPeriod, ConstU32<10>, ConstU32<{ 30 * DAYS }>>;
	type MaxProviders = ConstU32<128>;
	type MaxDeviceClasses = MaxDeviceClasses;
	type MaxWorkloads = ConstU32<64>;
	type MaxReplicas = MaxReplicas;
	type MaxAssignmentsPerProvider = ConstU32<64>;
	type MaxJobsPerAccount = ConstU32<256>;
	type MaxPendingJobs = ConstU32<1024>;
	type MaxPendingPerAccount = ConstU32<16>;
	type MaxAssignPerBlock = ConstU32<8>;
	type CommitWindow = Clamp<market::CommitWindow, ConstU32<2>, ConstU32<600>>;
	type RevealWindow = Clamp<market::RevealWindow, ConstU32<2>, ConstU32<600>>;
	type MaxJobDuration = Clamp<market::MaxJobDuration, ConstU32<40>, ConstU32<{ 30 * DAYS }>>;
	type MaxAttempts = Clamp<market::MaxAttempts, ConstU8<1>, ConstU8<10>>;
	type RewardPerUnit = market::RewardPerUnit;
	type MaxRewardPerBlock = market::MaxRewardPerBlock;
	type TreasuryCut = market::TreasuryCut;
	type SlashWrong = market::SlashWrong;
	type SlashNoShow = market::SlashNoShow;
	type RetentionPeriod = Clamp<market::RetentionPeriod, ConstU32<10>, ConstU32<{ 30 * DAYS }>>;
	type SubmissionFee = market::SubmissionFee;
	type DepositPerByte = market::DepositPerByte;
	type InputPricePerMiB = market::InputPricePerMiB;
	type OutputPricePerMiB = market::OutputPricePerMiB;
	type PublishWindow = Clamp<market::PublishWindow, ConstU32<1>, ConstU32<{ 10 * MINUTES }>>;
	type ProgramDeposit = market::ProgramDeposit;
	type FailedRunShare = market::FailedRunShare;
	type MaxPrograms = ConstU32<256>;
	type Blobs = crate::Blobs;
	type WeightInfo = pallet_compute_market::weights::SubstrateWeight<Runtime>;
}
