//! The offchain worker against a scripted compute worker (HTTP expectations) and a test
//! transaction pool: what it asks the worker, which transactions it sends, and when it sends
//! nothing.

use super::*;
use crate::offchain::{to_hex, Progress, RESEND_AFTER, WORKER_URL_KEY};
use codec::{Decode, Encode};
use frame_support::{
	assert_ok,
	traits::{fungible::Mutate, UnfilteredDispatchable},
	BoundedVec,
};
use parking_lot::RwLock;
use sp_core::{
	offchain::{
		testing::{
			OffchainState, PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt,
		},
		OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
	},
	H256,
};
use sp_runtime::{generic::Preamble, RuntimeAppPublic};
use std::sync::Arc;

const URL: &str = "http://127.0.0.1:9955";
const CONSUMER: AccountId = 1;

struct World {
	http: Arc<RwLock<OffchainState>>,
	pool: Arc<RwLock<PoolState>>,
}

/// A provider whose compute key is in the keystore, a hash-search job (replicas 1) assigned to
/// it at block 2, and the worker's URL in offchain storage. Returns the job, the provider and
/// the job's canonical result.
fn world() -> (sp_io::TestExternalities, World, JobId, AccountId, (Vec<u8>, H256)) {
	CommitWindow::set(10);
	RevealWindow::set(10);
	let mut ext = new_test_ext();
	let (offchain, http) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	let (id, provider, solution) = ext.execute_with(|| {
		let key = crypto::Public::generate_pair(Some(b"//provider".to_vec()));
		let provider = account_of_key(&key.clone().into());
		Balances::mint_into(&provider, 10_000).unwrap();
		assert_ok!(Market::register_provider(
			RuntimeOrigin::signed(provider),
			100,
			key,
			BoundedVec::truncate_from(vec![gpu_class()]),
		));
		let target = [0x10u8; 32];
		let p = JobParams {
			seed: [7u8; 32],
			dims: BoundedVec::truncate_from(vec![5_000]),
			target: Some(target),
			inputs: Default::default(),
			publish_output: false,
		};
		let id = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(
			RuntimeOrigin::signed(CONSUMER),
			HASH_SEARCH,
			p,
			5,
			1,
			1,
			40
		));
		run_to_block(2);
		assert_eq!(ProviderJobs::<Test>::get(provider).to_vec(), vec![id]);
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			WORKER_URL_KEY,
			&URL.as_bytes().to_vec().encode(),
		);
		(id, provider, solve_hash_search([7u8; 32], 5_000, target).expect("a solution in range"))
	});
	(ext, World { http, pool: pool_state }, id, provider, solution)
}

fn rpc(method: &str, params: &str) -> Vec<u8> {
	format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#).into_bytes()
}

fn expect(w: &World, body: Vec<u8>, response: &str) {
	w.http.write().expect_request(PendingRequest {
		method: "POST".into(),
		uri: URL.into(),
		headers: vec![("Content-Type".into(), "application/json".into())],
		body,
		response: Some(response.as_bytes().to_vec()),
		sent: true,
		..Default::default()
	});
}

/// A JSON-RPC error of the worker: "not found" (-32004) with `message`.
fn not_found(message: &str) -> String {
	format!(r#"{{"jsonrpc":"2.0","id":1,"error":{{"code":-32004,"message":"{message}"}}}}"#)
}

fn ok(result: &str) -> String {
	format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#)
}

fn submit_body(id: JobId) -> Vec<u8> {
	let job = Jobs::<Test>::get(id).unwrap();
	let target = to_hex(&job.params.target.unwrap());
	rpc(
		"worker_submit",
		&format!(
			r#"["hash-search",{{"seed":"{}","dims":[5000],"target":"{target}"}}]"#,
			to_hex(&[7u8; 32])
		),
	)
}

fn result_json(kernel_hash: H256, small: &[u8], digest: H256, class: &str) -> String {
	format!(
		r#"{{"kernel":"hash-search","kernel_hash":"{}","output_digest":"{}","small_output":"{}","output_bytes":40,"device_class":"{class}","worker_version":1,"seconds":0.01}}"#,
		to_hex(kernel_hash.as_bytes()),
		to_hex(digest.as_bytes()),
		to_hex(small),
	)
}

/// Run the offchain worker of the current block.
fn ocw() {
	Market::run_offchain_worker(System::block_number());
}

/// Decode and dispatch what the offchain worker put in the pool; returns the calls.
fn apply_pool(w: &World) -> Vec<Call<Test>> {
	let txs = std::mem::take(&mut w.pool.write().transactions);
	txs.into_iter()
		.map(|tx| {
			let xt = TestXt::decode(&mut &tx[..]).expect("the pool holds our extrinsics");
			let Preamble::Signed(who, _, _) = xt.preamble else { panic!("a signed transaction") };
			let RuntimeCall::Market(call) = xt.function else { panic!("a market call") };
			assert_ok!(call.clone().dispatch_bypass_filter(RuntimeOrigin::signed(who)));
			call
		})
		.collect()
}

fn progress(id: JobId, provider: AccountId) -> Option<Progress<u64>> {
	let attempt = Jobs::<Test>::get(id)?.attempts;
	let key = crate::offchain::progress_key::<Test>(id, attempt, &provider);
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key)
		.map(|v| Decode::decode(&mut &v[..]).unwrap())
}

#[test]
fn runs_the_job_then_commits_reveals_and_gets_paid() {
	let (mut ext, w, id, provider, (small, digest)) = world();
	ext.execute_with(|| {
		// Block 2: post the job.
		expect(&w, submit_body(id), &ok("7"));
		ocw();
		assert_eq!(progress(id, provider), Some(Progress::Posted { ticket: 7 }));
		assert!(w.pool.read().transactions.is_empty());

		// Block 3: still running — nothing else happens.
		run_to_block(3);
		expect(&w, rpc("worker_status", "[7]"), &ok(r#"{"state":"running"}"#));
		ocw();
		assert_eq!(progress(id, provider), Some(Progress::Posted { ticket: 7 }));

		// Block 4: done — fetch the result and commit.
		run_to_block(4);
		let kernel = Jobs::<Test>::get(id).unwrap().kernel_hash;
		expect(&w, rpc("worker_status", "[7]"), &ok(r#"{"state":"done"}"#));
		expect(&w, rpc("worker_result", "[7]"), &ok(&result_json(kernel, &small, digest, "pocl/cpu/3.1")));
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::commit_result { job, .. }] if *job == id));
		assert!(Jobs::<Test>::get(id).unwrap().assignments[0].commitment.is_some());

		// Block 5: everyone committed, so reveal at once; the reveal settles the job.
		run_to_block(5);
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::reveal_result { job, output_digest, .. }] if *job == id && *output_digest == digest));
		let job = Jobs::<Test>::get(id).unwrap();
		assert_eq!(job.status, JobStatus::Verified);
		assert_eq!(job.result.map(|r| r.output_digest), Some(digest));
		assert!(market_events().iter().any(|e| matches!(e, Event::ProviderPaid { provider: p, .. } if *p == provider)));

		// Later blocks: the job is no longer open; nothing is sent and its progress is dropped.
		run_to_block(6);
		ocw();
		assert!(w.pool.read().transactions.is_empty());
		assert_eq!(progress(id, provider), None);
	});
}

#[test]
fn a_result_for_another_kernel_is_never_committed() {
	let (mut ext, w, id, provider, (small, digest)) = world();
	ext.execute_with(|| {
		expect(&w, submit_body(id), &ok("7"));
		ocw();
		run_to_block(3);
		expect(&w, rpc("worker_status", "[7]"), &ok(r#"{"state":"done"}"#));
		expect(
			&w,
			rpc("worker_result", "[7]"),
			&ok(&result_json(H256::repeat_byte(0xee), &small, digest, "pocl/cpu/3.1")),
		);
		ocw();
		// Never committed; declined instead, so that it is not slashed as a no-show.
		assert_eq!(progress(id, provider), Some(Progress::Declined { sent_at: 3 }));
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::decline_job { job }] if *job == id), "{calls:?}");
		assert_eq!(bond_of(provider), 100);
		// The only provider declined: nobody is left for the job, which fails in the next block.
		run_to_block(4);
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Failed);
		ocw();
		assert!(w.pool.read().transactions.is_empty(), "nothing more to send");
	});
}

#[test]
fn a_broken_worker_changes_nothing_and_a_failed_job_is_declined() {
	let (mut ext, w, id, provider, _) = world();
	ext.execute_with(|| {
		// Garbage instead of JSON-RPC: nothing recorded, nothing sent; the next block retries.
		expect(&w, submit_body(id), "502 Bad Gateway");
		ocw();
		assert_eq!(progress(id, provider), None);
		run_to_block(3);
		expect(&w, submit_body(id), &ok("8"));
		ocw();
		assert_eq!(progress(id, provider), Some(Progress::Posted { ticket: 8 }));
		// The worker gives up on it (e.g. a timeout): the provider does not commit.
		run_to_block(4);
		expect(&w, rpc("worker_status", "[8]"), &ok(r#"{"state":"failed","error":"timed out"}"#));
		ocw();
		assert_eq!(progress(id, provider), Some(Progress::Declined { sent_at: 4 }));
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::decline_job { .. }]), "{calls:?}");
		run_to_block(5);
		ocw();
		assert!(w.pool.read().transactions.is_empty());
	});
}

#[test]
fn a_ticket_the_restarted_worker_forgot_is_posted_again() {
	let (mut ext, w, id, provider, _) = world();
	ext.execute_with(|| {
		expect(&w, submit_body(id), &ok("7"));
		ocw();
		run_to_block(3);
		expect(&w, rpc("worker_status", "[7]"), &not_found("unknown ticket"));
		expect(&w, submit_body(id), &ok("1"));
		ocw();
		assert_eq!(progress(id, provider), Some(Progress::Posted { ticket: 1 }));
	});
}

#[test]
fn a_commitment_is_sent_once_and_again_only_if_it_never_landed() {
	let (mut ext, w, id, provider, (small, digest)) = world();
	ext.execute_with(|| {
		let kernel = Jobs::<Test>::get(id).unwrap().kernel_hash;
		expect(&w, submit_body(id), &ok("7"));
		ocw();
		expect(&w, rpc("worker_status", "[7]"), &ok(r#"{"state":"done"}"#));
		expect(
			&w,
			rpc("worker_result", "[7]"),
			&ok(&result_json(kernel, &small, digest, "pocl/cpu/3.1")),
		);
		run_to_block(3);
		ocw();
		assert_eq!(w.pool.read().transactions.len(), 1);
		// Not included yet (still in the pool): later runs do not send it again…
		for b in 4..3 + RESEND_AFTER as u64 {
			run_to_block(b);
			ocw();
			assert_eq!(w.pool.read().transactions.len(), 1, "block {b}");
		}
		// …until it has been missing for RESEND_AFTER blocks (dropped): then once more.
		w.pool.write().transactions.clear();
		run_to_block(3 + RESEND_AFTER as u64);
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::commit_result { .. }]));
		assert!(matches!(progress(id, provider), Some(Progress::Committed { .. })));
	});
}

#[test]
fn an_undeclared_device_class_is_declared_before_the_reveal() {
	let (mut ext, w, id, provider, (small, digest)) = world();
	ext.execute_with(|| {
		let kernel = Jobs::<Test>::get(id).unwrap().kernel_hash;
		expect(&w, submit_body(id), &ok("7"));
		ocw();
		run_to_block(3);
		expect(&w, rpc("worker_status", "[7]"), &ok(r#"{"state":"done"}"#));
		expect(
			&w,
			rpc("worker_result", "[7]"),
			&ok(&result_json(kernel, &small, digest, "Vendor/GPU 9/1.0")),
		);
		ocw();
		apply_pool(&w);
		run_to_block(4);
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::set_device_classes { .. }]), "{calls:?}");
		let classes = Providers::<Test>::get(provider).unwrap().device_classes;
		assert!(classes.iter().any(|c| c.as_slice() == b"Vendor/GPU 9/1.0"));
		run_to_block(5);
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::reveal_result { .. }]));
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
	});
}

/// Turn the world's job into one waiting since `since` for its output, accepted from the local
/// provider and from another one, the local one in turn `local_turn` (0 or 1). Returns the
/// full output whose digest was accepted.
fn publishing(provider: AccountId, id: JobId, local_turn: usize, since: u64) -> Vec<u8> {
	let output = b"the full output of the job".to_vec();
	let digest = H256(sp_io::hashing::blake2_256(&output));
	let reveal = Reveal {
		output_digest: digest,
		small_output: Default::default(),
		device_class: BoundedVec::truncate_from(b"pocl/cpu/3.1".to_vec()),
		worker_version: 1,
	};
	Jobs::<Test>::mutate(id, |j| {
		let j = j.as_mut().unwrap();
		j.status = JobStatus::Publishing;
		j.result = Some(JobResult {
			output_digest: digest,
			small_output: Default::default(),
			accepted: 2,
		});
		let mine = Assignment {
			provider,
			commitment: None,
			reveal: Some(reveal.clone()),
			declined: false,
		};
		let other = Assignment { provider: 77, ..mine.clone() };
		let both = if local_turn == 0 { vec![mine, other] } else { vec![other, mine] };
		j.assignments = BoundedVec::truncate_from(both);
		j.params.publish_output = true;
		j.escrow = j.escrow.min(Market::output_reserve(&j.params));
	});
	// No longer open: off the provider's open jobs.
	ProviderJobs::<Test>::remove(provider);
	Providers::<Test>::mutate(provider, |p| p.as_mut().unwrap().open_assignments = 0);
	AwaitingOutput::<Test>::insert(id, since);
	output
}

fn output_body(output: &[u8]) -> Vec<u8> {
	let digest = sp_io::hashing::blake2_256(output);
	rpc("worker_output", &format!(r#"["{}"]"#, to_hex(&digest)))
}

#[test]
fn an_earlier_provider_publishes_only_in_its_own_turn() {
	let (mut ext, w, id, provider, _) = world();
	ext.execute_with(|| {
		let output = publishing(provider, id, 0, 2);
		// Its turn (blocks 2–3): the worker has lost the output, so nothing is sent.
		expect(&w, output_body(&output), &not_found("unknown output"));
		ocw();
		assert!(w.pool.read().transactions.is_empty());
		// Block 3: a transaction sent now lands in block 4, in the next provider's turn; the
		// chain would still take it, but it would race the next one's, so the worker keeps
		// out (a request here would panic: none is expected).
		for b in 3..12 {
			run_to_block(b);
			ocw();
			assert!(w.pool.read().transactions.is_empty(), "block {b}");
		}
	});
}

#[test]
fn the_last_accepted_provider_publishes_from_its_turn_to_the_end() {
	let (mut ext, w, id, provider, _) = world();
	ext.execute_with(|| {
		let output = publishing(provider, id, 1, 2);
		// Block 2: a transaction would land in block 3, still the first provider's turn.
		ocw();
		assert!(w.pool.read().transactions.is_empty());
		// Block 3: it lands in block 4 at the earliest, in its own turn; the worker has lost the
		// output then, but still has it later: being the last, it may publish to the end.
		run_to_block(3);
		expect(&w, output_body(&output), &not_found("unknown output"));
		ocw();
		assert!(w.pool.read().transactions.is_empty());
		let last = Market::last_turn_end(2);
		run_to_block(last - 1);
		expect(&w, output_body(&output), &ok(&format!(r#""{}""#, to_hex(&output))));
		ocw();
		let calls = apply_pool(&w);
		assert!(matches!(calls.as_slice(), [Call::publish_output { job, data }] if *job == id && *data == output), "{calls:?}");
		assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Verified);
	});
}

#[test]
fn without_a_worker_url_or_a_local_key_it_does_nothing() {
	let (mut ext, _w, id, provider, _) = world();
	ext.execute_with(|| {
		sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, WORKER_URL_KEY);
		ocw(); // an HTTP request here would panic: none is expected
		assert_eq!(progress(id, provider), None);
	});
}

#[test]
fn hex_and_params_encoding() {
	use crate::offchain::{from_hex, submit_params};
	assert_eq!(to_hex(&[0, 0xab, 0x10]), "0x00ab10");
	assert_eq!(from_hex("0x00aB10"), Some(vec![0, 0xab, 0x10]));
	assert_eq!(from_hex("abc"), None);
	assert_eq!(from_hex("zz"), None);
	let p = JobParams {
		seed: [1u8; 32],
		dims: BoundedVec::truncate_from(vec![3, 4]),
		target: None,
		inputs: Default::default(),
		publish_output: false,
	};
	assert_eq!(
		submit_params(b"matmul-modp", &p),
		format!(
			r#"["matmul-modp",{{"seed":"{}","dims":[3,4],"target":null}}]"#,
			to_hex(&[1u8; 32])
		)
	);
}
