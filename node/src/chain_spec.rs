//! Chain specifications: `dev`, `local` and any JSON file.

use crucible_runtime::{currency, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// The chain specification type of Crucible (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties polkadot.js reads to show balances.
fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), currency::SYMBOL.into());
	p.insert("tokenDecimals".into(), currency::DECIMALS.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's Wasm binary is not available (built with SKIP_WASM_BUILD?)".to_string()
	})
}

/// `--dev`: Alice authors and finalizes alone; sudo is Alice.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Crucible Development")
		.with_id("crucible_dev")
		.with_protocol_id("crucible")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob and Charlie validate; sudo is Alice.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Crucible Local Testnet")
		.with_id("crucible_local_testnet")
		.with_protocol_id("crucible")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
