//! Tests, grouped by the step of a job's life they exercise.

mod adversaries;
mod assignment;
mod commit_reveal;
mod invariants;
mod offchain;
mod orders;
mod providers;
mod registry;
mod settlement;

use crate::{mock::*, *};
use frame_support::traits::fungible::InspectHold;

/// Held escrow of `who`.
pub fn escrow_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::JobEscrow), &who)
}

/// Held bond of `who`.
pub fn bond_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::ProviderBond), &who)
}

/// Submit a matmul job (1 unit for n = 16) by `who` with `replicas`, price 10, deadline +50.
pub fn submit_matmul(who: AccountId, replicas: u8) -> JobId {
	let id = NextJobId::<Test>::get();
	frame_support::assert_ok!(Market::submit_job(
		RuntimeOrigin::signed(who),
		MATMUL,
		params(vec![16]),
		1,
		replicas,
		10,
		System::block_number() + 50,
	));
	id
}
