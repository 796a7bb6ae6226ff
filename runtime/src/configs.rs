//! Configuration of every pallet in the runtime: the base pallets here, then [`staking`]
//! (NPoS and session), [`governance`] (council, referenda, treasury), [`market`] (the
//! compute market and the governed parameters) and [`data`] (blobs).
//!
//! Weights of the FRAME pallets use their upstream `SubstrateWeight` tables (measured on
//! Parity's reference machine); Crucible's own pallets use weights generated from benchmarks
//! run on Crucible's runtime.

pub mod data;
pub mod governance;
pub mod market;
pub mod staking;

pub use market::{MarketError, MaxDeviceClasses, MaxReplicas};

use crate::{
	currency::{EXISTENTIAL_DEPOSIT, MICRO_UNITS},
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, Session, System, MAXIMUM_BLOCK_WEIGHT, NORMAL_DISPATCH_RATIO, SESSIONS_PER_ERA,
	SLOT_DURATION, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::RocksDbWeight, ConstantMultiplier, IdentityFee},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::One;
use sp_version::RuntimeVersion;

/// Largest block, in bytes: 10 MiB, of which 7.5 MiB for normal transactions, so that three
/// blobs of [`data::MAX_BLOB_SIZE`] (2 MiB) fit in one block: uploads move at up to 2 MiB per
/// 3 s block. A full block still fits in one block-request response (sc-network's limit is
/// 16 MiB) and crosses a 100 Mbit/s link in under a second of the 3 s slot.
pub const MAX_BLOCK_LENGTH: u32 = 10 * 1024 * 1024;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::with_sensible_defaults(
			MAXIMUM_BLOCK_WEIGHT,
			NORMAL_DISPATCH_RATIO,
		);
	/// 10 MiB blocks, of which 75% for normal transactions.
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
	/// Fees go to the treasury.
	type OnChargeTransaction = FungibleAdapter<
		Balances,
		frame_support::traits::tokens::imbalance::ResolveTo<governance::TreasuryAccount, Balances>,
	>;
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
	type MaxNominators = staking::MaxExposurePageSize;
	/// Set ids are kept for one bonding period, as long as equivocation reports stay valid.
	type MaxSetIdSessionEntries =
		ConstU64<{ staking::BondingDuration::get() as u64 * SESSIONS_PER_ERA as u64 }>;
	/// Equivocations are proven against `pallet-session`'s historical key-ownership proofs
	/// and reported to `pallet-offences`, which has staking slash the offender.
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem = staking::GrandpaEquivocation;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// `sudo` is compiled in, but only the `development` genesis preset sets a key; other chains
/// start with none, so the pallet is inert there and governance is the only way to root.
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_insecure_randomness_collective_flip::Config for Runtime {}

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

/// Unsigned transactions without extension: GRANDPA equivocation reports.
impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> crate::UncheckedExtrinsic {
		crate::UncheckedExtrinsic::new_bare(call)
	}
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
