//! Configuration of every pallet in the runtime.
//!
//! Weights of the FRAME pallets use their upstream `SubstrateWeight` tables (measured on
//! Parity's reference machine); Crucible's own pallets use weights generated from benchmarks
//! run on Crucible's runtime.

use crate::{
	currency::{EXISTENTIAL_DEPOSIT, MICRO_UNITS, MILLI_UNITS, UNITS},
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, OriginCaller,
	PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	RuntimeOrigin, RuntimeTask, Session, SessionKeys, System, MAXIMUM_BLOCK_WEIGHT,
	NORMAL_DISPATCH_RATIO, RandomnessCollectiveFlip, SESSION_PERIOD, SLOT_DURATION, VERSION,
	DAYS, HOURS,
};
use frame_support::PalletId;
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Perbill};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::RocksDbWeight, ConstantMultiplier, IdentityFee},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::Void;
use sp_runtime::traits::{ConvertInto, One};
use sp_version::RuntimeVersion;

/// Largest block, in bytes.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::with_sensible_defaults(
			MAXIMUM_BLOCK_WEIGHT,
			NORMAL_DISPATCH_RATIO,
		);
	/// 5 MiB blocks, of which 75% for normal transactions.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(MAX_BLOCK_LENGTH)
			.modify_max_length_for_class(DispatchClass::Normal, |m| *m = NORMAL_DISPATCH_RATIO * *m)
			.build();
	pub const SS58Prefix: u8 = 42;
}

/// The default types come from `SolochainDefaultConfig`; the ones below are Crucible's.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// ParityDB is the node's database; RocksDB's figures are the conservative upstream ones
	/// until Crucible's own storage benchmarks replace them.
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not float with congestion yet: one fee schedule, easy to predict.
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// One micro-CRU per byte of transaction.
	pub const TransactionByteFee: Balance = MICRO_UNITS;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are burnt until the treasury exists.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	/// One planck per picosecond of execution: a transfer costs about 0.2 milli-CRU of weight fee.
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

/// Upper bound on the validator set (Aura and GRANDPA authorities).
pub const MAX_AUTHORITIES: u32 = 100;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	/// Validators disabled by the session pallet (after an offence) do not author.
	type DisabledValidators = Session;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	/// Equivocation reports need key-ownership proofs (`pallet-session` historical), which
	/// arrive with staking; until then no report can be constructed.
	type KeyOwnerProof = Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	pub const SessionPeriod: BlockNumber = SESSION_PERIOD;
	pub const SessionOffset: BlockNumber = 0;
	/// Held from an account when it first registers session keys; released by `purge_keys`.
	pub const SessionKeyDeposit: Balance = UNITS;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	/// The genesis validators stay until staking (a `SessionManager`) chooses them per era.
	type SessionManager = ();
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// `sudo` is compiled in, but only the `development` and `local_testnet` genesis presets set a
/// key; other chains start with none, so the pallet is inert there.
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_insecure_randomness_collective_flip::Config for Runtime {}

parameter_types! {
	/// The market's treasury account (until `pallet-treasury` arrives): receives the treasury
	/// cut of payments and all compute slashes. Endowed with the existential deposit at genesis.
	pub const MarketTreasuryPalletId: PalletId = PalletId(*b"crc/trsy");
	pub MarketTreasuryAccount: AccountId = MarketTreasuryPalletId::get().into_account_truncating();
	pub const MinProviderBond: Balance = 1_000 * UNITS;
	pub const ProviderUnbondingPeriod: BlockNumber = HOURS;
	pub const CommitWindow: BlockNumber = 10;
	pub const RevealWindow: BlockNumber = 10;
	pub const MaxJobDuration: BlockNumber = DAYS;
	pub const ComputeRewardPerUnit: Balance = MILLI_UNITS;
	pub const MaxComputeRewardPerBlock: Balance = 100 * UNITS;
	pub const MarketTreasuryCut: Perbill = Perbill::from_percent(5);
	pub const SlashWrongResult: Perbill = Perbill::from_percent(20);
	pub const SlashNoShow: Perbill = Perbill::from_percent(2);
	pub const JobRetention: BlockNumber = DAYS;
}

/// The most replicas a job may ask for.
pub type MaxReplicas = ConstU32<7>;
/// The most device classes a provider may declare.
pub type MaxDeviceClasses = ConstU32<8>;

/// The compute market. Every number here is a default that governance will be able to change
/// (issue: staking and governance); see the pallet's `Config` for what each means.
impl pallet_compute_market::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type WorkloadOrigin = EnsureRoot<AccountId>;
	type Randomness = RandomnessCollectiveFlip;
	type TreasuryAccount = MarketTreasuryAccount;
	type MinProviderBond = MinProviderBond;
	type AuthorityId = pallet_compute_market::crypto::ComputeAuthId;
	type UnbondingPeriod = ProviderUnbondingPeriod;
	type MaxProviders = ConstU32<128>;
	type MaxDeviceClasses = MaxDeviceClasses;
	type MaxWorkloads = ConstU32<64>;
	type MaxReplicas = MaxReplicas;
	type MaxAssignmentsPerProvider = ConstU32<64>;
	type MaxJobsPerAccount = ConstU32<256>;
	type MaxPendingJobs = ConstU32<1024>;
	type MaxAssignPerBlock = ConstU32<8>;
	type CommitWindow = CommitWindow;
	type RevealWindow = RevealWindow;
	type MaxJobDuration = MaxJobDuration;
	type MaxAttempts = ConstU8<3>;
	type RewardPerUnit = ComputeRewardPerUnit;
	type MaxRewardPerBlock = MaxComputeRewardPerBlock;
	type TreasuryCut = MarketTreasuryCut;
	type SlashWrong = SlashWrongResult;
	type SlashNoShow = SlashNoShow;
	type RetentionPeriod = JobRetention;
	type WeightInfo = pallet_compute_market::weights::SubstrateWeight<Runtime>;
}

/// The offchain worker signs its transactions like a wallet would: the runtime's full
/// transaction extension, a mortal era of [`OFFCHAIN_TX_MORTALITY`] blocks, no tip.
impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <crate::Signature as sp_runtime::traits::Verify>::Signer;
	type Signature = crate::Signature;
}

/// Blocks an offchain worker's transaction stays valid for.
pub const OFFCHAIN_TX_MORTALITY: u64 = 64;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = crate::UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: Self::Public,
		account: AccountId,
		nonce: Nonce,
	) -> Option<crate::UncheckedExtrinsic> {
		use sp_runtime::{generic::Era, traits::SaturatedConversion};
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let extension: crate::TxExtension = (
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::mortal(OFFCHAIN_TX_MORTALITY, current)),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_system::WeightReclaim::<Runtime>::new(),
		);
		let payload = crate::SignedPayload::new(call, extension)
			.map_err(|e| log::warn!(target: "runtime::offchain", "cannot sign: {e:?}"))
			.ok()?;
		let signature = codec::Encode::using_encoded(&payload, |bytes| A::sign(bytes, public))?;
		let (call, extension, _) = payload.deconstruct();
		Some(crate::UncheckedExtrinsic::new_signed(call, account.into(), signature, extension))
	}
}
