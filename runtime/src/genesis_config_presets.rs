//! Genesis presets: the `development` chain (Alice validates alone) and the `local_testnet`
//! chain (Alice, Bob and Charlie validate). Both endow the well-known dev accounts, stake
//! [`VALIDATOR_BOND`] for each validator, make Alice, Bob and Charlie the council and bond
//! the compute providers. Only `development` has a sudo key (Alice).

use crate::{
	currency::UNITS, AccountId, Balance, BalancesConfig, ComputeMarketConfig,
	CouncilMembershipConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, StakingConfig,
	SudoConfig,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::Sr25519Keyring;

/// Balance given to each endowed development account: one million CRU.
pub const ENDOWMENT: Balance = 1_000_000 * UNITS;
/// Stake each genesis validator bonds (held with reason `Staking`): 100,000 CRU.
pub const VALIDATOR_BOND: Balance = 100_000 * UNITS;
/// Least stake a validator must bond: 10,000 CRU.
pub const MIN_VALIDATOR_BOND: Balance = 10_000 * UNITS;
/// Least stake a nominator must bond: 100 CRU.
pub const MIN_NOMINATOR_BOND: Balance = 100 * UNITS;
/// How many validators each era's election picks at most.
pub const VALIDATOR_COUNT: u32 = 10;

/// A validator at genesis: its account and its session keys.
pub struct GenesisValidator {
	pub account: AccountId,
	pub aura: AuraId,
	pub grandpa: GrandpaId,
}

impl GenesisValidator {
	/// The validator whose account and Aura key derive from a dev keyring seed (`//Alice`),
	/// and whose GRANDPA (ed25519) key derives from the same seed.
	pub fn from_keyring(k: Sr25519Keyring) -> Self {
		Self { account: k.to_account_id(), aura: k.public().into(), grandpa: ed25519_of(k) }
	}
}

/// The ed25519 keyring entry with the same name as the sr25519 one.
fn ed25519_of(k: Sr25519Keyring) -> GrandpaId {
	use sp_keyring::Ed25519Keyring as E;
	let e = match k {
		Sr25519Keyring::Alice => E::Alice,
		Sr25519Keyring::Bob => E::Bob,
		Sr25519Keyring::Charlie => E::Charlie,
		Sr25519Keyring::Dave => E::Dave,
		Sr25519Keyring::Eve => E::Eve,
		Sr25519Keyring::Ferdie => E::Ferdie,
		Sr25519Keyring::AliceStash => E::AliceStash,
		Sr25519Keyring::BobStash => E::BobStash,
		Sr25519Keyring::CharlieStash => E::CharlieStash,
		Sr25519Keyring::DaveStash => E::DaveStash,
		Sr25519Keyring::EveStash => E::EveStash,
		Sr25519Keyring::FerdieStash => E::FerdieStash,
		Sr25519Keyring::One => E::One,
		Sr25519Keyring::Two => E::Two,
	};
	e.public().into()
}

/// The OpenCL sources of the built-in workloads: the exact bytes the native worker compiles, so
/// the kernel hashes registered at genesis are the worker's.
pub mod kernel_sources {
	/// Hash search (BLAKE2b-256 helpers + kernel).
	pub const HASH_SEARCH: &str = concat!(
		include_str!("../../offchain-worker/kernels/blake2b.cl"),
		include_str!("../../offchain-worker/kernels/hash_search.cl")
	);
	/// Matrix product mod 65521.
	pub const MATMUL_MODP: &str = include_str!("../../offchain-worker/kernels/matmul_modp.cl");
	/// Fixed-point Mandelbrot.
	pub const MANDELBROT: &str = include_str!("../../offchain-worker/kernels/mandelbrot.cl");
	/// Merkle root (BLAKE2b-256 helpers + kernels).
	pub const MERKLE_ROOT: &str = concat!(
		include_str!("../../offchain-worker/kernels/blake2b.cl"),
		include_str!("../../offchain-worker/kernels/merkle.cl")
	);
	/// Prefix sum (splitmix64 helper + kernels).
	pub const PREFIX_SUM: &str = concat!(
		include_str!("../../offchain-worker/kernels/blake2b.cl"),
		include_str!("../../offchain-worker/kernels/prefix_sum.cl")
	);
	/// Prefix sum of an uploaded input (the prefix sum's kernels + the input's first pass).
	pub const PREFIX_SUM_DATA: &str = concat!(
		include_str!("../../offchain-worker/kernels/blake2b.cl"),
		include_str!("../../offchain-worker/kernels/prefix_sum.cl"),
		include_str!("../../offchain-worker/kernels/prefix_sum_data.cl")
	);
	/// Merkle root of an uploaded file (the Merkle kernels + the input's leaves).
	pub const MERKLE_ROOT_DATA: &str = concat!(
		include_str!("../../offchain-worker/kernels/blake2b.cl"),
		include_str!("../../offchain-worker/kernels/merkle.cl"),
		include_str!("../../offchain-worker/kernels/merkle_data.cl")
	);
}

/// The built-in workloads every Crucible chain starts with, in registry order (ids 0..=6): five
/// that generate their data from the seed, then two that read the consumer's own input.
/// Bounds match the native worker's; prices are per unit in plancks. `work_per_block` is what a
/// 2-core CPU under PoCL does in a 3 s block, with a margin of about four (measured rates in the
/// README): a job's commit window grows by `⌊work / work_per_block⌋` blocks.
pub fn builtin_workloads() -> Vec<pallet_compute_market::Workload<Balance>> {
	use pallet_compute_market::{
		DimBound, InputShape, OnChainCheckKind, ParamSchema, VerificationClass, Workload, MAX_WORK,
	};
	use sp_runtime::BoundedVec;
	fn bytes<S: frame_support::traits::Get<u32>>(s: &str) -> BoundedVec<u8, S> {
		BoundedVec::truncate_from(s.as_bytes().to_vec())
	}
	let hash = |source: &str| {
		<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(source.as_bytes())
	};
	let dims = |d: &[(u32, u32, u8)]| ParamSchema {
		dims: BoundedVec::truncate_from(
			d.iter().map(|&(min, max, power)| DimBound { min, max, power }).collect(),
		),
		needs_target: false,
		inputs: BoundedVec::new(),
	};
	let with_input = |schema: ParamSchema, elem_bytes: u32| ParamSchema {
		inputs: BoundedVec::truncate_from(vec![InputShape { elem_bytes, power: 1 }]),
		..schema
	};
	let replicated = VerificationClass::Replicated { quorum: 2, bit_exact: true };
	let milli = crate::currency::MILLI_UNITS;
	vec![
		Workload {
			name: bytes("hash-search"),
			kernel_hash: hash(kernel_sources::HASH_SEARCH),
			entry_point: bytes("hash_search"),
			schema: ParamSchema { needs_target: true, ..dims(&[(1, 1 << 30, 1)]) },
			verification: VerificationClass::OnChainCheck(OnChainCheckKind::HashSearch),
			// One unit = 2^20 nonces hashed.
			unit_size: 1 << 20,
			max_work: 1 << 30,
			work_per_block: 1 << 23,
			price_floor: milli,
			max_units: 1024,
			retired: false,
		},
		Workload {
			name: bytes("matmul-modp"),
			kernel_hash: hash(kernel_sources::MATMUL_MODP),
			entry_point: bytes("matmul_modp"),
			// Work n³ multiply-adds; one unit = 2^18 (a 64 × 64 product).
			schema: dims(&[(1, 4096, 3)]),
			verification: replicated,
			unit_size: 1 << 18,
			max_work: MAX_WORK,
			work_per_block: 1 << 33,
			price_floor: milli / 10,
			max_units: 1 << 18,
			retired: false,
		},
		Workload {
			name: bytes("mandelbrot-fixed"),
			kernel_hash: hash(kernel_sources::MANDELBROT),
			entry_point: bytes("mandelbrot"),
			// Work width × height × max_iter pixel-iterations; one unit = 2^20 of them.
			schema: dims(&[(1, 8192, 1), (1, 8192, 1), (1, 65_535, 1)]),
			verification: replicated,
			unit_size: 1 << 20,
			max_work: MAX_WORK,
			work_per_block: 1 << 31,
			price_floor: milli / 10,
			max_units: 1 << 16,
			retired: false,
		},
		Workload {
			name: bytes("merkle-root"),
			kernel_hash: hash(kernel_sources::MERKLE_ROOT),
			entry_point: bytes("merkle_leaves"),
			// One unit = 4,096 leaves.
			schema: dims(&[(1, 1 << 22, 1)]),
			verification: replicated,
			unit_size: 4096,
			max_work: 1 << 22,
			work_per_block: 1 << 23,
			price_floor: milli,
			max_units: 1024,
			retired: false,
		},
		Workload {
			name: bytes("prefix-sum"),
			kernel_hash: hash(kernel_sources::PREFIX_SUM),
			entry_point: bytes("scan_block_sums"),
			// One unit = 2^16 values.
			schema: dims(&[(1, 1 << 24, 1)]),
			verification: replicated,
			unit_size: 1 << 16,
			max_work: 1 << 24,
			work_per_block: 1 << 27,
			price_floor: milli / 10,
			max_units: 256,
			retired: false,
		},
		Workload {
			name: bytes("prefix-sum-data"),
			kernel_hash: hash(kernel_sources::PREFIX_SUM_DATA),
			entry_point: bytes("scan_block_sums_in"),
			// dims = [n]; one input of n u32 values (4n bytes, up to 64 MiB); 2^16 values a unit.
			schema: with_input(dims(&[(1, 1 << 24, 1)]), 4),
			verification: replicated,
			unit_size: 1 << 16,
			max_work: 1 << 24,
			work_per_block: 1 << 27,
			price_floor: milli / 10,
			max_units: 256,
			retired: false,
		},
		Workload {
			name: bytes("merkle-root-data"),
			kernel_hash: hash(kernel_sources::MERKLE_ROOT_DATA),
			entry_point: bytes("merkle_leaves_in"),
			// dims = [leaves]; one input of up to 32 × leaves bytes (up to 128 MiB); 4,096
			// leaves a unit.
			schema: with_input(dims(&[(1, 1 << 22, 1)]), 32),
			verification: replicated,
			unit_size: 4096,
			max_work: 1 << 22,
			work_per_block: 1 << 23,
			price_floor: milli,
			max_units: 1024,
			retired: false,
		},
	]
}

/// Bond of each genesis compute provider: ten times the default minimum (1,000 CRU), held with
/// reason `ProviderBond`, apart from the staking bond.
pub const GENESIS_PROVIDER_BOND: Balance = 10 * crate::configs::market::DEFAULT_MIN_PROVIDER_BOND;

/// A compute provider at genesis: its account bonds [`GENESIS_PROVIDER_BOND`] and its compute
/// key is the account's own sr25519 key (what the node's keystore holds for dev accounts).
fn genesis_provider(
	k: Sr25519Keyring,
) -> (AccountId, Balance, pallet_compute_market::crypto::Public, Vec<Vec<u8>>) {
	(k.to_account_id(), GENESIS_PROVIDER_BOND, k.public().into(), vec![])
}

/// A genesis configuration from its validators, compute providers, endowed accounts and sudo
/// key. Alice, Bob and Charlie form the council.
pub fn genesis(
	validators: Vec<GenesisValidator>,
	providers: Vec<Sr25519Keyring>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
) -> Value {
	use pallet_staking::StakerStatus;
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.cloned()
				.map(|a| (a, ENDOWMENT))
				// The treasury must exist to receive fees, cuts and slashes of any size.
				.chain(core::iter::once((
					crate::configs::governance::TreasuryAccount::get(),
					crate::currency::EXISTENTIAL_DEPOSIT,
				)))
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					(
						v.account.clone(),
						v.account.clone(),
						SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		staking: StakingConfig {
			validator_count: VALIDATOR_COUNT,
			minimum_validator_count: 1,
			stakers: validators
				.iter()
				.map(|v| {
					(v.account.clone(), v.account.clone(), VALIDATOR_BOND, StakerStatus::Validator)
				})
				.collect::<Vec<_>>(),
			min_validator_bond: MIN_VALIDATOR_BOND,
			min_nominator_bond: MIN_NOMINATOR_BOND,
			slash_reward_fraction: sp_runtime::Perbill::from_percent(10),
		},
		council_membership: CouncilMembershipConfig {
			members: [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.to_account_id())
				.collect::<Vec<_>>()
				.try_into()
				.expect("3 members are within the council's bound; qed"),
		},
		sudo: SudoConfig { key: sudo },
		compute_market: ComputeMarketConfig {
			workloads: builtin_workloads(),
			providers: providers.into_iter().map(genesis_provider).collect::<Vec<_>>(),
		},
	})
}

/// The accounts endowed on development chains: the six dev accounts and their stashes.
fn dev_endowed() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice validates alone. Alice, Bob and Ferdie are compute providers, all served
/// by the one dev node (replicated workloads, quorum 2, take 3 replicas so that one liar cannot
/// block the quorum); order jobs as anyone else.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![GenesisValidator::from_keyring(Sr25519Keyring::Alice)],
		vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Ferdie],
		dev_endowed(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate, and each is a compute provider served by
/// its own node. No sudo: root is reached through governance only.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			GenesisValidator::from_keyring(Sr25519Keyring::Alice),
			GenesisValidator::from_keyring(Sr25519Keyring::Bob),
			GenesisValidator::from_keyring(Sr25519Keyring::Charlie),
		],
		vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
		dev_endowed(),
		None,
	)
}

/// The preset with the given id, serialized as a JSON patch over the default genesis.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use crate::{Runtime, System};
	use frame_support::genesis_builder_helper::build_state;

	/// Merge a JSON patch over a base value, as the node does with presets.
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(b), Value::Object(p)) => {
				for (k, v) in p {
					merge(b.entry(k).or_insert(Value::Null), v);
				}
			},
			(b, p) => *b = p,
		}
	}

	/// The genesis state of `preset`, built as the node builds it.
	pub(crate) fn build(preset: &str) -> sp_io::TestExternalities {
		let patch: Value =
			serde_json::from_slice(&get_preset(&PresetId::from(preset)).expect("preset exists"))
				.unwrap();
		let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
		merge(&mut full, patch);
		let json = serde_json::to_vec(&full).unwrap();
		let mut ext = sp_io::TestExternalities::default();
		ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
		ext
	}

	fn validators() -> Vec<AccountId> {
		pallet_session::Validators::<Runtime>::get()
	}

	#[test]
	fn presets_are_listed_and_unknown_ones_refused() {
		let names = preset_names();
		assert!(names.contains(&PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET)));
		assert!(names.contains(&PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)));
		assert!(get_preset(&PresetId::from("mainnet")).is_none());
	}

	#[test]
	fn development_has_alice_as_sole_validator_and_sudo() {
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			assert_eq!(validators(), vec![alice.clone()]);
			assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
			assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
			assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.clone()));
			// Alice stakes as a validator and bonds as a compute provider: two separate holds.
			assert_eq!(
				System::account(&alice).data.free,
				ENDOWMENT - GENESIS_PROVIDER_BOND - VALIDATOR_BOND
			);
			assert_eq!(
				System::account(&alice).data.reserved,
				GENESIS_PROVIDER_BOND + VALIDATOR_BOND
			);
			{
				use frame_support::traits::fungible::InspectHold;
				let held = |r| crate::Balances::balance_on_hold(&r, &alice);
				assert_eq!(
					held(crate::RuntimeHoldReason::Staking(pallet_staking::HoldReason::Staking)),
					VALIDATOR_BOND
				);
				assert_eq!(
					held(crate::RuntimeHoldReason::ComputeMarket(
						pallet_compute_market::HoldReason::ProviderBond
					)),
					GENESIS_PROVIDER_BOND
				);
			}
			assert_eq!(pallet_staking::Validators::<Runtime>::count(), 1);
			assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), VALIDATOR_COUNT);
			assert_eq!(
				pallet_balances::TotalIssuance::<Runtime>::get(),
				ENDOWMENT * Sr25519Keyring::iter().count() as Balance +
					// The treasury's and the market escrow account's existential deposits.
					2 * crate::currency::EXISTENTIAL_DEPOSIT
			);
		});
	}

	#[test]
	fn builtin_workloads_are_registered_at_genesis() {
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			assert_eq!(pallet_compute_market::NextWorkloadId::<Runtime>::get(), 7);
			// The data workloads read one input each.
			for id in [5, 6] {
				let w = pallet_compute_market::Workloads::<Runtime>::get(id).unwrap();
				assert_eq!(w.schema.inputs.len(), 1, "{:?}", w.name);
			}
			let hs = pallet_compute_market::Workloads::<Runtime>::get(0).unwrap();
			assert_eq!(hs.name.to_vec(), b"hash-search".to_vec());
			assert_eq!(
				hs.kernel_hash.0,
				sp_io::hashing::blake2_256(kernel_sources::HASH_SEARCH.as_bytes())
			);
		});
	}

	#[test]
	fn genesis_providers_bond_and_use_their_own_keys() {
		use frame_support::traits::fungible::InspectHold;
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			assert_eq!(pallet_compute_market::Providers::<Runtime>::count(), 3);
			for k in [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Ferdie] {
				let info =
					pallet_compute_market::Providers::<Runtime>::get(k.to_account_id()).unwrap();
				assert_eq!(info.compute_key, k.public().into());
				assert_eq!(info.bond, GENESIS_PROVIDER_BOND);
				assert_eq!(
					crate::Balances::balance_on_hold(
						&crate::RuntimeHoldReason::ComputeMarket(
							pallet_compute_market::HoldReason::ProviderBond
						),
						&k.to_account_id()
					),
					GENESIS_PROVIDER_BOND
				);
			}
		});
		build(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			assert_eq!(pallet_compute_market::Providers::<Runtime>::count(), 3);
		});
	}

	#[test]
	fn local_testnet_has_three_validators_with_distinct_keys() {
		build(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			let expected: Vec<AccountId> =
				[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
					.iter()
					.map(|k| k.to_account_id())
					.collect();
			let mut got = validators();
			got.sort();
			let mut want = expected.clone();
			want.sort();
			assert_eq!(got, want);
			let aura = pallet_aura::Authorities::<Runtime>::get();
			assert_eq!(aura.len(), 3);
			let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
			assert_eq!(grandpa.len(), 3);
			assert!(grandpa.iter().all(|(_, w)| *w == 1));
			// All three are staked validators, elected by staking's genesis election.
			assert_eq!(pallet_staking::Validators::<Runtime>::count(), 3);
			for who in &expected {
				assert_eq!(
					pallet_staking::Ledger::<Runtime>::get(who).unwrap().total,
					VALIDATOR_BOND
				);
			}
			// No sudo outside development.
			assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		});
	}

	#[test]
	fn council_is_alice_bob_and_charlie_and_market_parameters_start_at_their_defaults() {
		use crate::configs::market::dynamic_params::market;
		use frame_support::traits::Get;
		for preset in [
			sp_genesis_builder::DEV_RUNTIME_PRESET,
			sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
		] {
			build(preset).execute_with(|| {
				let mut want: Vec<AccountId> =
					[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
						.iter()
						.map(|k| k.to_account_id())
						.collect();
				want.sort();
				assert_eq!(
					pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
					want
				);
				assert_eq!(
					<Runtime as pallet_compute_market::Config>::MinProviderBond::get(),
					market::MinProviderBond::get()
				);
				assert_eq!(<Runtime as pallet_compute_market::Config>::CommitWindow::get(), 10);
			});
		}
	}
}
