//! Nominated proof of stake: `pallet-staking` elects the validator set each era with an
//! on-chain sequential Phragmén election; `pallet-session` (with its historical proofs) hands
//! it to Aura and GRANDPA; `pallet-authorship` credits block authors with era points;
//! `pallet-offences` routes GRANDPA equivocation reports to staking's slashing.
//!
//! Time: a session is [`SESSION_PERIOD`] blocks and an era [`SESSIONS_PER_ERA`] sessions (see
//! the crate docs for why these are short). A validator or nominator that bonds during era `N`
//! is elected at the end of era `N` if it bonded before the era's last session began, else at
//! the end of era `N + 1`; era rewards are claimable (`payoutStakers`) for [`HistoryDepth`] eras.

use crate::{
	configs::{governance::TreasuryAccount, MAX_AUTHORITIES},
	governance::RootOrThreeQuartersCouncil,
	AccountId, Balance, Balances, BlockNumber, Historical, Offences, Runtime, RuntimeEvent,
	RuntimeHoldReason, Session, SessionKeys, Staking, Timestamp, SESSIONS_PER_ERA, SESSION_PERIOD,
};
use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen,
};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstBool, ConstU32, Nothing},
};
use sp_runtime::{curve::PiecewiseLinear, traits::ConvertInto, Perbill};

// Yearly inflation paid to stakers: 2.5% with nobody staked, rising to 10% at the ideal stake
// of 50% of issuance, falling off above it.
pallet_staking_reward_curve::build! {
	const REWARD_CURVE: PiecewiseLinear<'static> = curve!(
		min_inflation: 0_025_000,
		max_inflation: 0_100_000,
		ideal_stake: 0_500_000,
		falloff: 0_050_000,
		max_piece_count: 40,
		test_precision: 0_005_000,
	);
}

parameter_types! {
	pub const SessionPeriod: BlockNumber = SESSION_PERIOD;
	pub const SessionOffset: BlockNumber = 0;
	/// Held from an account when it first registers session keys; released by `purge_keys`.
	pub const SessionKeyDeposit: Balance = crate::currency::UNITS;
	pub const SessionsPerEra: sp_staking::SessionIndex = SESSIONS_PER_ERA;
	/// Unbonded stake stays at stake for 4 eras.
	pub const BondingDuration: sp_staking::EraIndex = 4;
	/// Slashes are applied 2 eras after the offence, so governance can cancel a wrong one.
	pub const SlashDeferDuration: sp_staking::EraIndex = 2;
	pub const RewardCurve: &'static PiecewiseLinear<'static> = &REWARD_CURVE;
	/// Era rewards (and their exposures) are kept, and claimable, for 84 eras.
	pub const HistoryDepth: u32 = 84;
	/// Nominators per page of a validator's exposure: one `payoutStakers` call pays one page.
	pub const MaxExposurePageSize: u32 = 64;
	/// What an election reads at most: the voters (nominators and validators) and targets.
	pub ElectionBoundsOnChain: ElectionBounds = ElectionBoundsBuilder::default()
		.voters_count(2_000.into())
		.targets_count(500.into())
		.build();
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	/// Stash and controller are one account (controllers are deprecated).
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	/// Staking chooses each era's validators; the historical pallet keeps each session's set
	/// provable (for equivocation reports).
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, crate::Aura>;
	/// Each authored block earns its author era points.
	type EventHandler = Staking;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}

/// The election: sequential Phragmén over all validators and nominators, run on chain at the
/// start of an era's last session.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type Sort = ConstBool<true>;
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type Bounds = ElectionBoundsOnChain;
	type MaxBackersPerWinner = ConstU32<512>;
	type MaxWinnersPerPage = ConstU32<MAX_AUTHORITIES>;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	/// Stake is held (hold reason `Staking`), apart from the compute market's provider bond.
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CurrencyBalance = Balance;
	type UnixTime = Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	type HistoryDepth = HistoryDepth;
	/// What the reward curve mints beyond the stakers' share goes to the treasury.
	type RewardRemainder = ResolveTo<TreasuryAccount, Balances>;
	type RuntimeEvent = RuntimeEvent;
	/// Slashed stake goes to the treasury.
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	type Reward = ();
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type AdminOrigin = RootOrThreeQuartersCouncil;
	type SessionInterface = Self;
	type EraPayout = pallet_staking::ConvertCurve<RewardCurve>;
	type NextNewSession = Session;
	type MaxExposurePageSize = MaxExposurePageSize;
	type MaxValidatorSet = ConstU32<MAX_AUTHORITIES>;
	/// A young network: every nominator and validator is read from staking's own maps (bounded
	/// by [`ElectionBoundsOnChain`]); a large one would sort voters with `pallet-bags-list`.
	type VoterList = pallet_staking::UseNominatorsAndValidatorsMap<Self>;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxControllersInDeprecationBatch = ConstU32<64>;
	type EventListeners = ();
	type Filter = Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

/// Sizes staking's benchmarks would run with (Crucible uses upstream staking weights).
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<512>;
}

/// GRANDPA equivocation reports are checked against the historical session proofs and become
/// offences; they stay valid for one bonding period.
pub type GrandpaReportLongevity = frame_support::traits::ConstU64<
	{ BondingDuration::get() as u64 * SESSIONS_PER_ERA as u64 * SESSION_PERIOD as u64 },
>;

/// How GRANDPA equivocation reports are checked (historical key-ownership proofs) and turned
/// into offences (`pallet-offences`, which has staking slash the offender).
pub type GrandpaEquivocation =
	pallet_grandpa::EquivocationReportSystem<Runtime, Offences, Historical, GrandpaReportLongevity>;
