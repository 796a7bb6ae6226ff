// The offchain-worker pipeline on the 3-validator local testnet: each validator's node runs its
// own embedded worker for its own provider account (Alice, Bob, Charlie). Jobs with three
// replicas verify; a validator whose worker corrupts its results (the test-only
// `--compute-byzantine` flag) loses its reveals and is slashed while the jobs still verify; a
// validator killed in the middle of a job is a no-show, the two others reach the quorum, the
// job verifies, the killed one is slashed, and no funds are lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startLocalTestnet, submitAndFinalize, submitAndInclude, waitFor, bestNumber } from '../lib/node.js';
import { jobSpecs, referenceOf, unitsFor, marketEvents, jobLatency, heldFor, perbillOf, marketParams } from '../lib/market.js';
import { TIMEOUT, freeOf, txFee, assertDispatched } from '../lib/chain.js';

const nodes = {};
let api, dave, keyring;

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  dave = keyring.addFromUri('//Dave');
  Object.assign(nodes, await startLocalTestnet());
  api = await nodes.alice.api();
  await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 2, TIMEOUT.peers, 'alice to have 2 peers');
});

after(async () => {
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
});

const bondOf = async (who) => (await api.call.computeMarketApi.provider(who)).unwrap().bond.toBigInt();

/**
 * Order `specs` as Dave in one batch; returns { fee, at } (the transaction fee and the order's
 * block) and sets each spec's `job` and `submitted` (its JobSubmitted event). With `inBlock`,
 * returns as soon as the batch is in a block, without waiting for finality.
 */
async function order(specs, replicas, { inBlock = false } = {}) {
  const calls = [];
  for (const s of specs) {
    s.replicas = replicas ?? s.replicas;
    s.units = await unitsFor(api, s);
    s.price = s.workload.priceFloor.toBigInt() * 2n;
    const deadline = (await bestNumber(api)) + 400;
    calls.push(api.tx.computeMarket.submitJob(s.id, s.params, s.units, s.replicas, s.price, deadline));
  }
  const submit = inBlock ? submitAndInclude : submitAndFinalize;
  const r = await submit(api, api.tx.utility.batchAll(calls), dave, TIMEOUT.txBatchLocal);
  assertDispatched(r, 'the batch of orders');
  const submitted = r.events.filter(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).map(({ event }) => event.data);
  assert.equal(submitted.length, specs.length);
  specs.forEach((s, i) => { s.job = submitted[i].job.toNumber(); s.submitted = submitted[i]; });
  return { fee: txFee(api, r.events), at: (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber() };
}

/** Wait until every job of `specs` is Verified; fail fast on Failed/Expired. */
async function allVerified(specs, ms = TIMEOUT.replicatedJobsVerified) {
  await waitFor(async () => {
    const states = await Promise.all(specs.map(async (s) => (await api.call.computeMarketApi.job(s.job)).unwrap().status.type));
    if (states.some((t) => t === 'Failed' || t === 'Expired')) throw new Error(`a job ended ${states}`);
    return states.every((t) => t === 'Verified');
  }, ms, `jobs ${specs.map((s) => s.job)} verified`, 1000);
}

test('jobs with three replicas are run by all three validators and verify', async () => {
  const specs = await jobSpecs(api, 'local/honest');
  const { at } = await order(specs, 3);
  await allVerified(specs);
  for (const s of specs) {
    const job = (await api.call.computeMarketApi.job(s.job)).unwrap();
    assert.equal(job.result.unwrap().outputDigest.toHex(), referenceOf(s.kernel, s.params).output_digest, s.kernel);
    assert.equal(job.result.unwrap().accepted.toNumber(), 3, `${s.kernel}: all three agree`);
    const lat = await jobLatency(api, job, at);
    console.log(`  ${s.kernel.padEnd(16)} order→verified on 3 validators: ${lat.blocks} blocks, ${lat.seconds.toFixed(1)} s`);
  }
});

test('a byzantine validator loses its reveals and is slashed; the jobs still verify', async () => {
  const charlie = keyring.addFromUri('//Charlie').address;
  nodes.charlie.opts.extraArgs = ['--compute-byzantine'];
  await nodes.charlie.kill();
  await nodes.charlie.restart();
  await waitFor(() => /byzantine|Embedded compute worker/.test(nodes.charlie.output), TIMEOUT.workerStart, 'charlie to start its worker');

  const bondBefore = await bondOf(charlie);
  const specs = (await jobSpecs(api, 'local/byzantine')).filter((s) => ['hash-search', 'matmul-modp', 'merkle-root'].includes(s.kernel));
  const { at } = await order(specs, 3);
  await allVerified(specs);
  const head = await bestNumber(api);
  const events = await marketEvents(api, at, head);
  const slashRate = (await marketParams(api)).slashWrong;
  let bond = bondBefore;
  for (const s of specs) {
    const job = (await api.call.computeMarketApi.job(s.job)).unwrap();
    const ref = referenceOf(s.kernel, s.params);
    assert.equal(job.result.unwrap().outputDigest.toHex(), ref.output_digest, `${s.kernel}: the honest digest wins`);
    assert.equal(job.result.unwrap().accepted.toNumber(), 2, `${s.kernel}: two honest replicas accepted`);
    const revealed = events.filter((e) => e.method === 'ResultRevealed' && e.data.job.toNumber() === s.job && e.data.provider.toString() === charlie);
    assert.equal(revealed.length, 1, `${s.kernel}: charlie revealed`);
    assert.notEqual(revealed[0].data.outputDigest.toHex(), ref.output_digest, `${s.kernel}: charlie's digest is corrupted`);
    const slashed = events.filter((e) => e.method === 'ProviderSlashed' && e.data.job.toNumber() === s.job);
    assert.equal(slashed.length, 1, `${s.kernel}: one provider slashed`);
    assert.equal(slashed[0].data.provider.toString(), charlie);
    assert.equal(slashed[0].data.reason.type, 'WrongResult');
    assert.ok(!events.some((e) => e.method === 'ProviderPaid' && e.data.job.toNumber() === s.job && e.data.provider.toString() === charlie), 'charlie is not paid');
  }
  // Each slash takes SlashWrong of the bond as it stood, in the order the jobs settled.
  for (const e of events.filter((e) => e.method === 'ProviderSlashed')) {
    assert.equal(e.data.amount.toBigInt(), perbillOf(slashRate, bond));
    bond -= e.data.amount.toBigInt();
  }
  assert.equal(await bondOf(charlie), bond);
  assert.ok(bond < bondBefore);

  // Charlie turns honest again for the next test.
  nodes.charlie.opts.extraArgs = [];
  await nodes.charlie.kill();
  await nodes.charlie.restart();
});

// Re-assignment after a no-show cannot be shown on this network: a replicated job (quorum 2)
// takes 3 replicas, every provider there is, so there is nobody fresh to re-assign it to; and
// a single-replica job (a hash search) whose only provider never commits is one nobody ran,
// which fails, refunded, with nobody slashed. What this shows instead is a quorum surviving a
// lost replica.
test('a validator killed mid-job is a no-show: the two others reach the quorum, the job verifies, the killed one is slashed, no funds are lost', async () => {
  const [spec] = (await jobSpecs(api, 'local/killed')).filter((s) => s.kernel === 'merkle-root');
  assert.equal(spec.replicas, 3);
  const victim = 'bob';
  const victimAddr = keyring.addFromUri('//Bob').address;
  const victimBond = await bondOf(victimAddr);
  const daveBefore = await freeOf(api, dave.address);
  const depositsBefore = await heldFor(api, dave.address, 'JobDeposit');

  // Kill Bob as soon as the order is in a block: the job is assigned to all three validators in
  // the next block, which Bob never sees, so he cannot commit. (Finality stalls while he is
  // down: GRANDPA needs all three voters; the chain reads below are of the best block.)
  const { fee, at } = await order([spec], 3, { inBlock: true });
  await nodes[victim].kill('SIGKILL');
  console.log(`  killed ${victim} right after the order at #${at}`);

  const job = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(spec.job)).unwrap();
    if (['Failed', 'Expired', 'Refunded'].includes(j.status.type)) throw new Error(`job ${j.status.type}`);
    return j.status.type === 'Verified' ? j : false;
  }, TIMEOUT.jobWithNoShow, 'the job verified with two of three replicas', 1000);
  assert.equal(job.attempts.toNumber(), 1, 'one attempt: no re-assignment');
  assert.equal(job.result.unwrap().accepted.toNumber(), 2, 'the two live validators agree');
  assert.equal(job.result.unwrap().outputDigest.toHex(), referenceOf(spec.kernel, spec.params).output_digest);
  const mine = job.assignments.find((a) => a.provider.toString() === victimAddr);
  assert.ok(mine, 'the killed validator was assigned');
  assert.ok(mine.commitment.isNone, 'and never committed');
  const lat = await jobLatency(api, job, at);
  console.log(`  job with a lost replica order→verified: ${lat.blocks} blocks, ${lat.seconds.toFixed(1)} s (the whole commit and reveal windows)`);

  const events = await marketEvents(api, at, await bestNumber(api));
  const ofJob = (method) => events.filter((e) => e.method === method && e.data.job.toNumber() === spec.job);
  assert.equal(ofJob('JobReassigned').length, 0);
  const slashes = ofJob('ProviderSlashed');
  assert.equal(slashes.length, 1, 'only the killed validator is slashed');
  assert.equal(slashes[0].data.provider.toString(), victimAddr);
  assert.equal(slashes[0].data.reason.type, 'NoShow');
  assert.equal(slashes[0].data.amount.toBigInt(), perbillOf((await marketParams(api)).slashNoShow, victimBond));
  assert.equal(await bondOf(victimAddr), victimBond - slashes[0].data.amount.toBigInt());

  // No funds lost: the two accepted replicas were paid price × units each (less the treasury's
  // cut), the third replica's share went back to Dave, who paid besides only the submission fee
  // and the transaction fee; the storage deposit is held; nothing is held as escrow.
  const gross = spec.price * BigInt(spec.units);
  const paid = ofJob('ProviderPaid');
  assert.equal(paid.length, 2);
  for (const p of paid) {
    assert.notEqual(p.data.provider.toString(), victimAddr);
    assert.equal(p.data.payment.toBigInt() + p.data.treasuryCut.toBigInt(), gross);
  }
  const refunds = ofJob('EscrowRefunded');
  assert.equal(refunds.length, 1);
  assert.equal(refunds[0].data.amount.toBigInt(), gross, "the killed validator's share");
  const deposit = spec.submitted.deposit.toBigInt();
  assert.equal(await freeOf(api, dave.address), daveBefore - fee - spec.submitted.fee.toBigInt() - deposit - 2n * gross);
  assert.equal(await heldFor(api, dave.address, 'JobDeposit'), depositsBefore + deposit);
  assert.equal(await heldFor(api, dave.address, 'JobEscrow'), 0n);

  // The killed validator comes back on its base path and the network finalizes again.
  await nodes[victim].restart();
  const f = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  await waitFor(async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() > f + 2, TIMEOUT.finalityResumes, 'finality to resume');
});
