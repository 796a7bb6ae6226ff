// The offchain-worker pipeline on a dev chain: one job of each built-in workload goes from
// `submitJob` to Verified with nobody but the node at work — its offchain worker posts each
// assignment (Alice's, Bob's and Ferdie's, the dev chain's three genesis providers) to the
// embedded OpenCL worker, commits, declares its device class, reveals, and the runtime verifies
// and pays. The consumer, Charlie, is not a provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { CrucibleNode, submitAndFinalize, waitFor } from '../lib/node.js';
import {
  jobSpecs, referenceOf, unitsFor, marketEvents, jobLatency, heldFor, marketParams, perbillOf, rewardCap, workBlocks,
} from '../lib/market.js';
import { TIMEOUT, freeOf, txFee, assertDispatched } from '../lib/chain.js';

let node, api, charlie;

before(async () => {
  await cryptoWaitReady();
  node = await CrucibleNode.start({ chain: 'dev', name: 'pipeline' });
  api = await node.api();
  charlie = new Keyring({ type: 'sr25519' }).addFromUri('//Charlie');
});

after(async () => { if (node) await node.stop(); });

test('one job of each workload is run by the offchain worker, verified and paid exactly', async () => {
  const specs = await jobSpecs(api);
  const calls = [];
  for (const s of specs) {
    s.units = await unitsFor(api, s);
    s.price = s.workload.priceFloor.toBigInt() * 3n;
    const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 200;
    calls.push(api.tx.computeMarket.submitJob(s.id, s.params, s.units, s.replicas, s.price, deadline));
  }
  const before = await freeOf(api, charlie.address);

  // One batch of five orders: one transaction fee; each order pays its submission fee and has
  // its storage deposit held.
  const r = await submitAndFinalize(api, api.tx.utility.batchAll(calls), charlie);
  assertDispatched(r, 'the batch of orders');
  const fee = txFee(api, r.events);
  const submitted = r.events.filter(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).map(({ event }) => event.data);
  assert.equal(submitted.length, specs.length);
  specs.forEach((s, i) => { s.job = submitted[i].job.toNumber(); s.submitted = submitted[i]; });
  const submittedAt = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();

  // Wait until every job is Verified (the node does all the work).
  await waitFor(async () => {
    const jobs = await Promise.all(specs.map((s) => api.call.computeMarketApi.job(s.job)));
    const states = jobs.map((j) => j.unwrap().status.type);
    if (states.some((t) => t === 'Failed' || t === 'Refunded')) throw new Error(`a job failed: ${states}`);
    return states.every((t) => t === 'Verified');
  }, TIMEOUT.jobsVerified, 'every job verified', 1000);

  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const events = await marketEvents(api, submittedAt, head);
  const cutRate = (await marketParams(api)).treasuryCut;
  let spent = 0n;
  let feesAndDeposits = 0n;
  let deposits = 0n;
  for (const s of specs) {
    const job = (await api.call.computeMarketApi.job(s.job)).unwrap();
    const result = job.result.unwrap();
    // The verified digest is the worker's Rust reference for the same parameters.
    const ref = referenceOf(s.kernel, s.params);
    assert.equal(result.outputDigest.toHex(), ref.output_digest, `${s.kernel}: digest`);
    assert.equal(u8aToHex(result.smallOutput), ref.small_output, `${s.kernel}: small output`);
    assert.equal(result.accepted.toNumber(), s.replicas, `${s.kernel}: every replica accepted`);

    // Every accepted provider is paid price × units less the treasury's cut, and minted
    // RewardPerUnit × the units the parameters need, never above the cut (nor its share of the
    // per-block cap).
    const paid = events.filter((e) => e.method === 'ProviderPaid' && e.data.job.toNumber() === s.job);
    assert.equal(paid.length, s.replicas, `${s.kernel}: providers paid`);
    const gross = s.price * BigInt(s.units);
    const cut = perbillOf(cutRate, gross);
    assert.equal(job.neededUnits.toNumber(), s.units, `${s.kernel}: needed units`);
    const reward = await rewardCap(api, job.neededUnits.toNumber(), gross);
    assert.ok(reward <= cut, `${s.kernel}: the reward is within the cut`);
    for (const p of paid) {
      assert.equal(p.data.payment.toBigInt(), gross - cut);
      assert.equal(p.data.treasuryCut.toBigInt(), cut);
      assert.equal(p.data.reward.toBigInt(), reward);
    }
    assert.ok(!events.some((e) => e.method === 'ProviderSlashed' && e.data.job.toNumber() === s.job), 'nobody slashed');
    assert.ok(!events.some((e) => e.method === 'EscrowRefunded' && e.data.job.toNumber() === s.job), 'the whole budget was used');
    spent += gross * BigInt(s.replicas);
    assert.equal(s.submitted.budget.toBigInt(), gross * BigInt(s.replicas));
    feesAndDeposits += s.submitted.fee.toBigInt() + s.submitted.deposit.toBigInt();
    deposits += s.submitted.deposit.toBigInt();
    const lat = await jobLatency(api, job, submittedAt);
    console.log(`  ${s.kernel.padEnd(16)} order→verified: ${lat.blocks} blocks, ${lat.seconds.toFixed(1)} s (digest ${ref.output_digest.slice(0, 18)}…)`);
  }

  // The consumer was charged exactly: the transaction fee, the submission fees, and what the
  // accepted providers and the treasury were paid; the storage deposits are held (until the
  // jobs are pruned), and nothing is held as escrow.
  const after = await freeOf(api, charlie.address);
  assert.equal(after, before - fee - feesAndDeposits - spent);
  assert.equal(await heldFor(api, charlie.address, 'JobDeposit'), deposits);
  assert.equal(await heldFor(api, charlie.address, 'JobEscrow'), 0n);

  // The same through the node's compute_* RPC, as plain JSON.
  const viaRpc = await node.rpc('compute_job', [specs[1].job]);
  assert.equal(viaRpc.status, 'Verified');
  assert.equal(viaRpc.result.outputDigest, referenceOf(specs[1].kernel, specs[1].params).output_digest);
  assert.equal(viaRpc.consumer, charlie.address);
  assert.equal(viaRpc.assignments.length, specs[1].replicas);
  assert.equal(viaRpc.assignments.length, 3);
  assert.ok(viaRpc.assignments.every((a) => a.committed && !a.declined && a.revealedDigest));
  assert.equal(viaRpc.neededUnits, specs[1].units);
  assert.equal(viaRpc.workBlocks, workBlocks(specs[1].workload, specs[1].params.dims));
  assert.equal(BigInt(viaRpc.fee), specs[1].submitted.fee.toBigInt());
  assert.equal(BigInt(viaRpc.deposit), specs[1].submitted.deposit.toBigInt());
  assert.equal(await node.rpc('compute_job', [999_999]), null);
  const mine = await node.rpc('compute_jobsOf', [charlie.address]);
  for (const s of specs) assert.ok(mine.includes(s.job), `jobsOf has ${s.job}`);
  const providers = await node.rpc('compute_providers', []);
  assert.equal(providers.length, 3);
  for (const p of providers) {
    assert.equal(p.status, 'Active');
    assert.equal(typeof p.bond, 'string');
    assert.ok(BigInt(p.bond) >= (await marketParams(api)).minProviderBond.toBigInt());
  }
  const hs = specs[0];
  const quote = await node.rpc('compute_quote', [hs.id, hs.params, hs.units, 1, String(hs.price)]);
  assert.equal(BigInt(quote.budget), hs.price * BigInt(hs.units));
  assert.equal(BigInt(quote.fee), specs[0].submitted.fee.toBigInt());
  assert.equal(BigInt(quote.deposit), specs[0].submitted.deposit.toBigInt());
  assert.equal(quote.commitWindow, (await marketParams(api)).commitWindow.toNumber() + workBlocks(hs.workload, hs.params.dims));
  assert.equal(BigInt(quote.rewardPerProvider), await rewardCap(api, hs.units, hs.price * BigInt(hs.units)));
  await assert.rejects(node.rpc('compute_quote', [hs.id, hs.params, hs.units, 1, '1']), (e) => e.rpc.code === 1001 && e.rpc.data === 'PriceBelowFloor');
  await assert.rejects(node.rpc('compute_jobsOf', ['not-an-address']), (e) => e.rpc.code === -32602);
  // The params are the worker's own JSON type: a short seed or a fifth dimension is refused as
  // invalid params before the runtime is asked.
  await assert.rejects(node.rpc('compute_quote', [hs.id, { ...hs.params, seed: '0x1234' }, hs.units, 1, String(hs.price)]), (e) => e.rpc.code === -32602);
  await assert.rejects(node.rpc('compute_quote', [hs.id, { ...hs.params, dims: [1, 2, 3, 4, 5] }, hs.units, 1, String(hs.price)]), (e) => e.rpc.code === -32602);

  // The providers declared the worker's device class on their own before their first reveal.
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const classes = (await api.call.computeMarketApi.provider(alice.address)).unwrap().deviceClasses.map((c) => c.toUtf8());
  assert.ok(classes.some((c) => c !== 'unknown'), `declared classes: ${classes}`);
});

test('a node restarted in the middle of a job picks it up where it was: no re-assignment, no slash', async () => {
  const [spec] = (await jobSpecs(api, 'restart')).filter((s) => s.kernel === 'matmul-modp');
  spec.units = await unitsFor(api, spec);
  spec.price = spec.workload.priceFloor.toBigInt();
  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 200;
  const r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(spec.id, spec.params, spec.units, spec.replicas, spec.price, deadline), charlie);
  assertDispatched(r, 'submitJob');
  const jobId = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data.job.toNumber();
  const at = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  await waitFor(async () => (await api.call.computeMarketApi.job(jobId)).unwrap().status.type !== 'Pending', TIMEOUT.assignment, 'assignment', 250);

  // Stop the node (its embedded worker goes with it) and start it again on the same base path.
  await node.kill();
  await node.restart();
  api = await node.api();

  const job = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(jobId)).unwrap();
    if (j.status.type === 'Failed') throw new Error('job failed');
    return j.status.type === 'Verified' ? j : false;
  }, TIMEOUT.jobVerified, 'the job verified after the restart', 1000);
  assert.equal(job.attempts.toNumber(), 1, 'the first attempt settled: nobody was a no-show');
  assert.equal(job.result.unwrap().accepted.toNumber(), spec.replicas);
  assert.equal(job.result.unwrap().outputDigest.toHex(), referenceOf(spec.kernel, spec.params).output_digest);
  const events = await marketEvents(api, at, (await api.rpc.chain.getHeader()).number.toNumber());
  assert.ok(!events.some((e) => e.method === 'ProviderSlashed' && e.data.job.toNumber() === jobId), 'nobody slashed');
  const lat = await jobLatency(api, job, at);
  console.log(`  across a restart: order→verified ${lat.blocks} blocks, ${lat.seconds.toFixed(1)} s`);
});
