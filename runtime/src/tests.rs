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
			Grandpa::report_equivocation_unsigned(
				RuntimeOrigin::none(),
				Box::new(proof),
				key_owner_proof
			),
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
		RuntimeParameters::Market(market::Parameters::CommitWindow(
			market::CommitWindow,
			Some(value),
		)),
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
		let referendum: RuntimeOrigin = crate::governance::origins::Origin::MarketAdmin.into();
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

/// Issue #9's worked example, from the runtime's own genesis and default parameters: for each
/// built-in workload, the order that paid a wash trader best under the old rule (the least work
/// — every dimension at its minimum — with the most units, at the floor price, on as few
/// replicas as the workload allows, all run by the trader's own providers): the reward each
/// provider is minted now, the consumer's unrecoverable cost, and the pair's net per job
/// (before transaction fees). Every net is negative; the old rule's net was positive.
#[test]
fn wash_trading_loses_on_every_builtin_workload_under_the_defaults() {
	use pallet_compute_market::{JobParams, VerificationClass, Workloads};
	build(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let fee = market::SubmissionFee::get();
		let cut = market::TreasuryCut::get();
		let per_unit = market::RewardPerUnit::get();
		println!("| workload | units × price floor | replicas | reward / provider | unrecoverable cost | net now | net before |");
		for id in 0..5u32 {
			let w = Workloads::<Runtime>::get(id).expect("a built-in workload");
			let dims = w.schema.dims.iter().map(|d| d.min).collect::<Vec<_>>();
			let params = JobParams {
				seed: [1; 32],
				dims: dims.try_into().expect("within MAX_DIMS"),
				target: w.schema.needs_target.then_some([0xff; 32]),
				inputs: Default::default(),
				publish_output: false,
			};
			let replicas: u8 = match w.verification {
				VerificationClass::Replicated { quorum, .. } if quorum > 1 => quorum + 1,
				_ => 1,
			};
			let q = crate::ComputeMarket::quote_job(None, id, &params, w.max_units, replicas, w.price_floor)
				.expect("the wash order is valid");
			let payment = w.price_floor * w.max_units as u128;
			let cut_each = cut * payment;
			let r = replicas as i128;
			let cost = fee as i128 + r * cut_each as i128;
			let now = r * q.reward_per_provider as i128 - cost;
			let before = r * (per_unit * w.max_units as u128) as i128 - r * cut_each as i128;
			println!(
				"| {} | {} × {} | {} | {} | {} | {} | {} |",
				String::from_utf8_lossy(&w.name),
				w.max_units,
				w.price_floor,
				replicas,
				q.reward_per_provider,
				cost,
				now,
				before
			);
			assert!(q.reward_per_provider <= cut_each);
			assert!(now < 0 && before > 0, "{id}: now {now}, before {before}");
		}
	});
}
