//! Tests, grouped by the step of a job's life they exercise.

mod adversaries;
mod adversaries_next;
mod assignment;
mod commit_reveal;
mod invariants;
mod migrations;
mod offchain;
mod orders;
mod providers;
mod registry;
mod settlement;

use crate::{mock::*, *};
use frame_support::traits::fungible::InspectHold;

/// Escrow of `who`'s jobs still in the market's escrow account.
pub fn escrow_of(who: AccountId) -> Balance {
	Jobs::<Test>::iter_values().filter(|j| j.consumer == who).map(|j| j.escrow).sum()
}

/// Held storage deposit of `who`.
pub fn deposit_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::JobDeposit), &who)
}

/// Held bond of `who`.
pub fn bond_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Market(HoldReason::ProviderBond), &who)
}

/// Submit a matmul job (1 unit for n = 16) by `who` with `replicas`, price 10, deadline +50.
/// Registers providers 10, 11 and 12 first if fewer than `replicas` are eligible.
pub fn submit_matmul(who: AccountId, replicas: u8) -> JobId {
	if Market::eligible_providers(Some(&who)) < replicas as u32 {
		for p in 10..=12 {
			if !Providers::<Test>::contains_key(p) {
				register(p, 100);
			}
		}
	}
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
