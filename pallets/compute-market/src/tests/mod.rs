//! Tests, grouped by the step of a job's life they exercise.

mod adversaries;
mod adversaries_next;
mod assignment;
mod commit_reveal;
mod failures;
mod inputs;
mod invariants;
mod lifecycle;
mod migrations;
mod offchain;
mod orders;
mod outputs;
mod pipelines;
mod programs;
mod providers;
mod registry;
mod settlement;

use crate::{mock::*, *};
use frame_support::traits::fungible::InspectHold;

/// Escrow of `who`'s jobs still in the market's escrow account.
/// Register the data workload (prefix-sum-data) and providers 10, 11 and 12, and store blob
/// `blob` of `bytes` bytes until block 1,000. Returns the workload.
pub fn data_market(blob: [u8; 32], bytes: u64) -> WorkloadId {
	for p in [10, 11, 12] {
		register(p, 100);
	}
	put_blob(blob, bytes, 1_000);
	let id = NextWorkloadId::<Test>::get();
	frame_support::assert_ok!(Market::do_register_workload(data_workload()));
	id
}

pub fn escrow_of(who: AccountId) -> Balance {
	Jobs::<Test>::iter_values()
		.filter(|j| j.consumer == who)
		.map(|j| j.escrow)
		.sum()
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

/// Register `providers` (bond 100), submit a 3-replica matmul job by account 1 and run to its
/// assignment. Returns the job and its assigned providers.
pub fn assigned_matmul(providers: impl IntoIterator<Item = AccountId>) -> (JobId, Vec<AccountId>) {
	for p in providers {
		register(p, 100);
	}
	let id = submit_matmul(1, 3);
	run_to_block(System::block_number() + 1);
	(id, assigned_to(id))
}

/// The providers of job `id`'s current attempt.
pub fn assigned_to(id: JobId) -> Vec<AccountId> {
	Jobs::<Test>::get(id)
		.map(|j| j.assignments.iter().map(|a| a.provider).collect())
		.unwrap_or_default()
}
