//! Runtime-level tests of what the pallets do together: equivocation reports reaching staking,
//! governance origins guarding the market's parameters, the clamps on governed values.

use crate::{
	configs::market::dynamic_params::market, genesis_config_presets::tests::build, Grandpa,
	Historical, Parameters, Runtime, RuntimeOrigin, System,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{Get, KeyOwnerProofSystem},
};
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::H256;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{DispatchError, Perbill};

type MarketConfig = <Runtime as pallet_compute_market::Config>::CommitWindow;

/// A GRANDPA prevote equivocation by `offender` in round 1 of the current set: two prevotes
/// for different blocks, both signed.
fn prevote_equivocation(
	offender: Ed25519Keyring,
) -> sp_consensus_grandpa::EquivocationProof<H256, u32> {
	let set_id = Grandpa::current_set_id();
	let round = 1;
	let signed = |target: H256| {
		let prevote = finality_grandpa::Prevote { target_hash: target, target_number: 1u32 };
		let payload = sp_consensus_grandpa::localized_payload(
			round,
			set_id,
			&finality_grandpa::Message::<H256, u32>::Prevote(prevote.clone()),
		);
		(prevote, offender.sign(&payload).into())
	};
	sp_consensus_grandpa::EquivocationProof::new(
		set_id,
		sp_consensus_grandpa::Equivocation::Prevote(finality_grandpa::Equivocation {
			round_number: round,
			identity: offender.public().into(),
			first: signed(H256::repeat_byte(1)),
			second: signed(H256::repeat_byte(2)),
		}),
	)
}

#[test]
fn a_grandpa_equivocation_report_becomes_an_offence_and_a_deferred_staking_slash() {
	build(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let bob = Sr25519Keyring::Bob.to_account_id();
		let grandpa_id: GrandpaId = Ed25519Keyring::Bob.public().into();
		let key_owner_proof = Historical::prove((sp_consensus_grandpa::KEY_TYPE, grandpa_id))
			.expect("Bob's GRANDPA key belongs to the current session");
		let proof = prevote_equivocation(Ed25519Keyring::Bob);

		assert_ok!(Grandpa::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof.clone()),
			key_owner_proof.clone(),
		));
		// The offence is recorded and staking computed Bob's slash: one offender of three
		// validators is (3·1/3)² = 100% of the stake, applied after `SlashDeferDuration` eras.
		assert_eq!(pallet_offences::Reports::<Runtime>::iter().count(), 1);
		// Era 0's exposures come from staking's genesis election.
		assert_eq!(
			pallet_staking::ErasStakersOverview::<Runtime>::get(0, &bob).map(|o| o.total),
			Some(crate::genesis_config_presets::VALIDATOR_BOND)
		);
		let (fraction, _) = pallet_staking::ValidatorSlashInEra::<Runtime>::get(0, &bob)
			.expect("Bob is slashed in era 0");
		assert_eq!(fraction, Perbill::one());
		// The same equivocation cannot be reported twice.
		assert_noop!(
			Grandpa::report_equivocation_unsigned(RuntimeOrigin::none(), Box::new(proof), key_owner_proof),
			pallet_grandpa::Error::<Runtime>::DuplicateOffenceReport
		);
	});
}

#[test]
fn an_equivocation_proof_signed_by_someone_else_is_refused() {
	build(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		// Charlie's key-ownership proof with a proof signed by Bob's key.
		let charlie: GrandpaId = Ed25519Keyring::Charlie.public().into();
		let key_owner_proof = Historical::prove((sp_consensus_grandpa::KEY_TYPE, charlie)).unwrap();
		assert_noop!(
			Grandpa::report_equivocation_unsigned(
				RuntimeOrigin::none(),
				Box::new(prevote_equivocation(Ed25519Keyring::Bob)),
				key_owner_proof,
			),
			pallet_grandpa::Error::<Runtime>::InvalidKeyOwnershipProof
		);
		assert_eq!(pallet_offences::Reports::<Runtime>::iter().count(), 0);
	});
}

fn set_commit_window(origin: RuntimeOrigin, value: u32) -> sp_runtime::DispatchResult {
	use crate::configs::market::RuntimeParameters;
	Parameters::set_parameter(
		origin,
		RuntimeParameters::Market(market::Parameters::CommitWindow(market::CommitWindow, Some(value))),
	)
}

#[test]
fn market_parameters_take_root_and_refuse_signed_origins() {
	build(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_noop!(set_commit_window(RuntimeOrigin::signed(bob), 50), DispatchError::BadOrigin);
		assert_eq!(MarketConfig::get(), 10);
		assert_ok!(set_commit_window(RuntimeOrigin::root(), 50));
		assert_eq!(MarketConfig::get(), 50);
		// The market-admin origin of a referendum is accepted too.
		let referendum: RuntimeOrigin =
			crate::governance::origins::Origin::MarketAdmin.into();
		assert_ok!(set_commit_window(referendum, 20));
		assert_eq!(MarketConfig::get(), 20);
		// The treasurer origin is not.
		let treasurer: RuntimeOrigin = crate::governance::origins::Origin::Treasurer.into();
		assert_noop!(set_commit_window(treasurer, 30), DispatchError::BadOrigin);
	});
}

#[test]
fn governed_values_that_would_stall_the_market_are_clamped_where_read() {
	build(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_ok!(set_commit_window(RuntimeOrigin::root(), 0));
		assert_eq!(market::CommitWindow::get(), 0, "stored as voted");
		assert_eq!(MarketConfig::get(), 2, "read as the floor");
		assert_ok!(set_commit_window(RuntimeOrigin::root(), 1_000_000));
		assert_eq!(MarketConfig::get(), 600, "read as the ceiling");
	});
}
