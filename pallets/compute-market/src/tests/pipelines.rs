//! Step 3b: pipelines — a job whose input is an earlier job's output waits for it, runs on the
//! published blob, and is refunded in full if the earlier job ends without one.

use super::*;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

/// 1,024 u32 values: 4,096 bytes, one unit of the data workload.
const N: u32 = 1024;
const BYTES: u64 = 4 * N as u64;
const BLOB: [u8; 32] = [0xb1; 32];

/// The upstream's output (what its providers agree on and publish).
fn output() -> Vec<u8> {
	(0..BYTES as u32).map(|i| (i * 13) as u8).collect()
}

fn digest() -> H256 {
	H256(sp_io::hashing::blake2_256(&output()))
}

fn data(input: DataRef, publish_output: bool) -> JobParams {
	JobParams { publish_output, ..params(vec![N]).with_inputs(vec![input]).unwrap() }
}

fn of(job: JobId) -> DataRef {
	DataRef::Output { job, bytes: BYTES }
}

/// The data workload, three providers, and the upstream's input blob kept until block 1,000.
fn setup() -> WorkloadId {
	data_market(BLOB, BYTES)
}

fn order(who: AccountId, w: WorkloadId, p: JobParams) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	Market::submit_job(RuntimeOrigin::signed(who), w, p, 1, 3, 1, System::block_number() + 50)
		.map(|_| id)
}

/// An upstream job of consumer 1 on the blob, asking for its output.
fn upstream(w: WorkloadId) -> JobId {
	order(1, w, data(DataRef::Blob { digest: BLOB, bytes: BYTES }, true)).unwrap()
}

/// Assign `id` (next block), and have its providers agree on `output()`: it waits for its
/// output. Returns its providers.
fn verify(id: JobId) -> Vec<AccountId> {
	run_to_block(System::block_number() + 1);
	let ps = assigned_to(id);
	for p in &ps {
		assert_ok!(commit(*p, id, digest(), &[1]));
	}
	for p in &ps {
		assert_ok!(reveal(*p, id, digest(), vec![1]));
	}
	assert_eq!(Jobs::<Test>::get(id).unwrap().status, JobStatus::Publishing);
	ps
}

fn status(id: JobId) -> JobStatus {
	Jobs::<Test>::get(id).unwrap().status
}

#[test]
fn a_job_on_an_earlier_jobs_output_waits_then_runs_on_the_published_blob() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let down = order(1, w, data(of(up), false)).unwrap();
		assert_eq!(status(down), JobStatus::Waiting);
		assert!(PendingJobs::<Test>::get().contains(&down), "it holds its place in the queue");
		assert_eq!(PendingCount::<Test>::get(1), 2, "and counts as pending");
		let ps = verify(up);
		// Verified, not yet published: the downstream still waits, and nobody is assigned.
		run_to_block(System::block_number() + 1);
		assert_eq!(status(down), JobStatus::Waiting);
		assert!(Jobs::<Test>::get(down).unwrap().assignments.is_empty());
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), up, output()));
		// The next block resolves it to the published blob and assigns it at once.
		run_to_block(System::block_number() + 1);
		let job = Jobs::<Test>::get(down).unwrap();
		assert_eq!(
			job.params.inputs.to_vec(),
			vec![DataRef::Blob { digest: digest().0, bytes: BYTES }]
		);
		assert_eq!(job.status, JobStatus::Assigned);
		assert_eq!(job.assignments.len(), 3);
		assert!(market_events().contains(&Event::JobInputsReady { job: down }));
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn an_output_published_already_is_read_as_its_blob_at_submission() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let ps = verify(up);
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), up, output()));
		// Another consumer may build on it: a published output is a public blob.
		let down = order(2, w, data(of(up), false)).unwrap();
		let job = Jobs::<Test>::get(down).unwrap();
		assert_eq!(job.status, JobStatus::Pending);
		assert_eq!(
			job.params.inputs.to_vec(),
			vec![DataRef::Blob { digest: digest().0, bytes: BYTES }]
		);
		// Its input fee is the one of the bytes named.
		assert_eq!(job.input_fee, Market::input_fee(BYTES));
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn bad_output_references_are_refused_at_submission_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let plain = order(1, w, data(DataRef::Blob { digest: BLOB, bytes: BYTES }, false)).unwrap();
		let cancelled = upstream(w);
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), cancelled));
		let cases = [
			(of(999), Error::<Test>::UnknownUpstream),
			(of(plain), Error::<Test>::UpstreamWithoutOutput),
			(of(cancelled), Error::<Test>::UpstreamFailed),
			// Not the elements the dimensions ask for.
			(DataRef::Output { job: up, bytes: BYTES + 4 }, Error::<Test>::InputSizeMismatch),
		];
		for (input, error) in cases {
			assert_noop!(order(1, w, data(input, false)), error);
		}
		// An output already published, of another length than named.
		let ps = verify(up);
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), up, output()));
		let mut p = data(of(up), false);
		p.dims = frame_support::BoundedVec::truncate_from(vec![N / 2]);
		p.inputs = frame_support::BoundedVec::truncate_from(vec![DataRef::Output {
			job: up,
			bytes: BYTES / 2,
		}]);
		assert_noop!(order(1, w, p), Error::<Test>::InputSizeMismatch);
		// Published, but kept for less long than the job may run.
		put_blob(digest().0, BYTES, System::block_number() + 10);
		assert_noop!(order(1, w, data(of(up), false)), Error::<Test>::InputExpiresTooSoon);
		assert_ok!(Market::do_try_state());
	});
}

/// However the upstream ends without an output, the waiting job ends `InputUnavailable` and
/// gets its whole escrow back: nobody worked on it.
#[test]
fn a_job_whose_upstream_ends_without_an_output_is_refunded_in_full() {
	type End = fn(JobId);
	let cancel: End = |up| {
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(1), up));
	};
	let unpublished: End = |up| {
		verify(up);
		run_to_block(Market::last_turn_end(System::block_number()) + 1);
		assert!(market_events()
			.iter()
			.any(|e| matches!(e, Event::OutputNotPublished { job, .. } if *job == up)));
	};
	for end in [cancel, unpublished] {
		new_test_ext().execute_with(|| {
			let w = setup();
			let up = upstream(w);
			// Consumer 2 builds on consumer 1's job: its owner ending it costs 2 nothing.
			let before = Balances::free_balance(2);
			let down = order(2, w, data(of(up), false)).unwrap();
			let job = Jobs::<Test>::get(down).unwrap();
			let (escrow, deposit) = (job.escrow, job.deposit);
			end(up);
			run_to_block(System::block_number() + 1);
			let job = Jobs::<Test>::get(down).unwrap();
			assert_eq!((job.status, job.escrow), (JobStatus::InputUnavailable, 0));
			assert!(market_events().contains(&Event::JobUpstreamFailed {
				job: down,
				input: 0,
				upstream: up,
				refund: escrow
			}));
			assert_eq!(
				Balances::free_balance(2),
				before - deposit,
				"all but the held deposit back"
			);
			assert_eq!(PendingCount::<Test>::get(2), 0);
			assert_ok!(Market::do_try_state());
		});
	}
}

#[test]
fn an_output_of_another_length_than_named_fails_the_waiting_job() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let down = order(1, w, data(of(up), false)).unwrap();
		let ps = verify(up);
		// The upstream's providers agreed on `output()`; make it look as if they agreed on a
		// shorter output, which is what gets published.
		let short = output()[..BYTES as usize / 2].to_vec();
		let d = H256(sp_io::hashing::blake2_256(&short));
		Jobs::<Test>::mutate(up, |j| {
			let j = j.as_mut().unwrap();
			j.result.as_mut().unwrap().output_digest = d;
			for a in j.assignments.iter_mut() {
				a.reveal.as_mut().unwrap().output_digest = d;
			}
		});
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), up, short));
		run_to_block(System::block_number() + 1);
		assert_eq!(status(down), JobStatus::InputUnavailable);
		assert!(Jobs::<Test>::get(down).unwrap().assignments.is_empty(), "nobody ran it");
		assert_ok!(Market::do_try_state());
	});
}

#[test]
fn a_waiting_job_may_be_cancelled_and_expires_at_its_deadline() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let before = Balances::free_balance(2);
		let down = order(2, w, data(of(up), false)).unwrap();
		let deposit = Jobs::<Test>::get(down).unwrap().deposit;
		assert_ok!(Market::cancel_job(RuntimeOrigin::signed(2), down));
		assert_eq!(status(down), JobStatus::Refunded);
		assert_eq!(Balances::free_balance(2), before - deposit);
		// An upstream that does not finish in time: with the earliest deadline there is, the
		// waiting job expires, refunded, as soon as no attempt fits before it.
		let p = data(of(up), false);
		let q = Market::quote_job(Some(&2), w, &p, 1, 3, 1).unwrap();
		let deadline = System::block_number() + q.commit_window as u64 + RevealWindow::get() + 2;
		let late = NextJobId::<Test>::get();
		assert_ok!(Market::submit_job(RuntimeOrigin::signed(2), w, p, 1, 3, 1, deadline));
		run_to_block(System::block_number() + 2);
		assert_eq!(status(late), JobStatus::Expired);
		assert_ne!(status(up), JobStatus::Verified, "the upstream was still at work");
		assert_eq!(Jobs::<Test>::get(late).unwrap().escrow, 0);
		assert_ok!(Market::do_try_state());
	});
}

/// Waiting jobs hold queue places like pending ones, so they are bounded like them: nobody
/// fills the queue with jobs waiting on a job that never ends.
#[test]
fn waiting_jobs_count_against_the_pending_limit() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let up = upstream(w);
		let limit =
			<<Test as Config>::MaxPendingPerAccount as frame_support::traits::Get<u32>>::get();
		for _ in 0..limit {
			assert_ok!(order(2, w, data(of(up), false)));
		}
		assert_noop!(order(2, w, data(of(up), false)), Error::<Test>::TooManyPending);
		assert_ok!(Market::do_try_state());
	});
}

/// A chain of three: the middle job waits for the first and publishes for the last.
#[test]
fn jobs_chain_through_a_waiting_middle_job() {
	new_test_ext().execute_with(|| {
		let w = setup();
		let first = upstream(w);
		let middle = order(1, w, data(of(first), true)).unwrap();
		let last = order(1, w, data(of(middle), false)).unwrap();
		let ps = verify(first);
		assert_ok!(Market::publish_output(RuntimeOrigin::signed(ps[0]), first, output()));
		run_to_block(System::block_number() + 1);
		assert_eq!(status(middle), JobStatus::Assigned);
		assert_eq!(status(last), JobStatus::Waiting);
		// The middle job's providers all decline it: with no others left it fails, and the
		// last job is refunded.
		for p in assigned_to(middle) {
			assert_ok!(Market::decline_job(RuntimeOrigin::signed(p), middle));
		}
		run_to_block(System::block_number() + 2);
		assert_eq!(status(middle), JobStatus::Failed);
		assert_eq!(status(last), JobStatus::InputUnavailable);
		assert_eq!(Jobs::<Test>::get(last).unwrap().escrow, 0);
		assert_ok!(Market::do_try_state());
	});
}
