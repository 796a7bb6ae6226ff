//! Genesis presets: the `development` chain (Alice validates alone) and the `local_testnet`
//! chain (Alice, Bob and Charlie validate). Both endow the well-known dev accounts and give
//! Alice the sudo key; no other chain has sudo.

use crate::{
	currency::UNITS, AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SessionConfig,
	SessionKeys, SudoConfig,
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

/// A genesis configuration from its validators, endowed accounts and sudo key.
pub fn genesis(
	validators: Vec<GenesisValidator>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|a| (a, ENDOWMENT)).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|v| {
					(
						v.account.clone(),
						v.account,
						SessionKeys { aura: v.aura, grandpa: v.grandpa },
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
	})
}

/// The accounts endowed on development chains: the six dev accounts and their stashes.
fn dev_endowed() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice validates alone.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![GenesisValidator::from_keyring(Sr25519Keyring::Alice)],
		dev_endowed(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			GenesisValidator::from_keyring(Sr25519Keyring::Alice),
			GenesisValidator::from_keyring(Sr25519Keyring::Bob),
			GenesisValidator::from_keyring(Sr25519Keyring::Charlie),
		],
		dev_endowed(),
		Some(Sr25519Keyring::Alice.to_account_id()),
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
