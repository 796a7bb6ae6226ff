//! # Crucible runtime
//!
//! The state-transition function of the Crucible chain: accounts and the `CRU` token
//! (`pallet-balances`), fees (`pallet-transaction-payment`, paid to the treasury), nominated
//! proof of stake (`pallet-staking` elects the validators each era; `pallet-session` hands them
//! to Aura for authoring and GRANDPA for finality; `pallet-offences` slashes GRANDPA
//! equivocations), governance ([`governance`]: council, referenda with conviction voting,
//! treasury, and `pallet-parameters` holding the compute market's parameters), the compute
//! market (`pallet-compute-market`), its data plane (`pallet-blobs`: consumers' inputs and
//! full outputs, kept by the nodes' transaction index and served over bitswap), batching (`pallet-utility`) and, on the development chain
//! only, `sudo`.
//!
//! ## The token
//!
//! | property | value |
//! | --- | --- |
//! | symbol | `CRU` |
//! | decimals | 12 (`1 CRU = 10^12` plancks, see [`currency`]) |
//! | existential deposit | 1 milli-CRU ([`currency::EXISTENTIAL_DEPOSIT`]) |
//! | SS58 prefix | 42 (generic Substrate) |
//!
//! ## Time
//!
//! One block every [`MILLISECS_PER_BLOCK`] (3 s); a session lasts [`SESSION_PERIOD`] blocks
//! (30 s) and an era [`SESSIONS_PER_ERA`] sessions (1 min). These are short because Crucible
//! runs development and local test networks: a new validator is elected within two eras (at
//! most 2 min) and staking rewards are claimable a minute after the era they were earned in,
//! so all of it can be tried, and tested end to end, in minutes. A public network would
//! lengthen both (hours and days); nothing else depends on them. Governance durations are in
//! [`governance::tracks`].
//!
//! The module layout follows the job: [`configs`] configures every pallet, [`apis`] implements
//! the runtime APIs clients and the node call, [`genesis_config_presets`] holds the
//! `development` and `local_testnet` genesis presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;
use alloc::vec::Vec;

/// The benchmarks the runtime runs (`list_benchmarks!`/`add_benchmarks!` in [`apis`]); defined
/// before `apis` so that the macros are in its textual scope.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benches {
	frame_benchmarking::define_benchmarks!(
		[frame_benchmarking, BaselineBench::<Runtime>]
		[frame_system, SystemBench::<Runtime>]
		[pallet_balances, Balances]
		[pallet_timestamp, Timestamp]
		[pallet_utility, Utility]
		[pallet_sudo, Sudo]
		[pallet_compute_market, ComputeMarket]
		[pallet_blobs, Blobs]
	);
}

pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
#[cfg(test)]
mod tests;

use frame_support::weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature, Perbill,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// The runtime's version. `spec_version` must be bumped for every change of the runtime's
/// behaviour; `transaction_version` for every change of call indices or extension layout.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("crucible"),
	impl_name: alloc::borrow::Cow::Borrowed("crucible-node"),
	authoring_version: 1,
	spec_version: 107,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// An index to a block.
pub type BlockNumber = u32;
/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;
/// Some way of identifying an account on the chain: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in plancks (10^-12 CRU).
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// Currency units of the `CRU` token.
pub mod currency {
	use super::Balance;
	/// Number of decimals of `CRU`.
	pub const DECIMALS: u8 = 12;
	/// Token symbol.
	pub const SYMBOL: &str = "CRU";
	/// One whole `CRU`.
	pub const UNITS: Balance = 1_000_000_000_000;
	/// One milli-CRU.
	pub const MILLI_UNITS: Balance = UNITS / 1_000;
	/// One micro-CRU.
	pub const MICRO_UNITS: Balance = UNITS / 1_000_000;
	/// The minimum balance an account must keep to exist: 1 milli-CRU.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNITS;
}

/// Target block time. Blocks are authored at most once per slot of this length.
///
/// NOTE: the slot duration cannot be changed after the chain has started.
pub const MILLISECS_PER_BLOCK: u64 = 3000;
/// Aura slot duration, equal to the block time.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;
/// Length of a session in blocks (30 s). Session keys and disabled validators change at
/// session ends.
pub const SESSION_PERIOD: BlockNumber = 10;
/// Sessions per staking era (an era is 1 min). The validator set is elected once per era.
pub const SESSIONS_PER_ERA: u32 = 2;

/// 75% of a block's weight and length are for normal transactions, the rest is kept for
/// operational ones.
pub const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// A block may use one second of execution time: a third of the 3 s slot, leaving the rest for
/// propagation and import by the other validators.
pub const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

/// Opaque types, used by the node, which does not need the runtime's concrete call types.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The keys a validator registers with `session.setKeys`: one for authoring blocks
		/// (Aura, sr25519) and one for voting on finality (GRANDPA, ed25519).
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}
pub use opaque::SessionKeys;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// Hooks and genesis builds run in pallet-index order (the macro sorts by index): authorship
	// and staking before session (a block's author and era points land in the right session and
	// era; staking's genesis stakers exist before session's genesis election), session before
	// Aura and GRANDPA (they take the new authorities at a session change).
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(3)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(4)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(5)]
	pub type Staking = pallet_staking;
	#[runtime::pallet_index(6)]
	pub type Offences = pallet_offences;
	#[runtime::pallet_index(7)]
	pub type Historical = pallet_session::historical;
	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(9)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(10)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(11)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(12)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(13)]
	pub type RandomnessCollectiveFlip = pallet_insecure_randomness_collective_flip;
	#[runtime::pallet_index(14)]
	pub type ComputeMarket = pallet_compute_market;

	// Governance.
	#[runtime::pallet_index(15)]
	pub type Treasury = pallet_treasury;
	#[runtime::pallet_index(16)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(17)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(18)]
	pub type Council = pallet_collective<Instance1>;
	#[runtime::pallet_index(19)]
	pub type CouncilMembership = pallet_membership<Instance1>;
	#[runtime::pallet_index(20)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(21)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(22)]
	pub type Origins = governance::origins::pallet_custom_origins;
	#[runtime::pallet_index(23)]
	pub type Parameters = pallet_parameters;

	// The data plane.
	#[runtime::pallet_index(24)]
	pub type Blobs = pallet_blobs;
}

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The transaction extensions every signed transaction carries, in this order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on runtime upgrade, beyond the pallets' own: each is versioned and runs
/// once, from the storage version it was written for.
#[allow(unused_parens)]
type Migrations = (pallet_compute_market::migrations::v2::MigrateV1ToV2<Runtime>,);

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;
