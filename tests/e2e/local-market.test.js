// The offchain-worker pipeline on the 3-validator local testnet: each validator's node runs its
// own embedded worker for its own provider account (Alice, Bob, Charlie). Jobs with three
// replicas verify; a validator whose worker corrupts its results (the test-only
// `--compute-byzantine` flag) loses its reveals and is slashed while the jobs still verify; a
// validator killed in the middle of a job is a no-show, the job is re-assigned and settles,
// and no funds are lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { CrucibleNode, repoRoot, submitAndFinalize, waitFor, bestNumber } from '../lib/node.js';
import { jobSpecs, referenceOf, unitsFor, marketEvents, jobLatency } from '../lib/market.js';

const SPEC = join(repoRoot, 'chain-specs', 'local-testnet.raw.json');
const nodes = {};
let api, dave, keyring;
const nameOf = {};

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  for (const n of ['alice', 'bob', 'charlie']) nameOf[keyring.addFromUri(`//${n[0].toUpperCase()}${n.slice(1)}`).address] = n;
  dave = keyring.addFromUri('//Dave');
  nodes.alice = await CrucibleNode.start({ chain: SPEC, name: 'alice', key: 'alice' });
  const boot = await nodes.alice.multiaddr();
  [nodes.bob, nodes.charlie] = await Promise.all([
    CrucibleNode.start({ chain: SPEC, name: 'bob', key: 'bob', bootnodes: [boot] }),
    CrucibleNode.start({ chain: SPEC, name: 'charlie', key: 'charlie', bootnodes: [boot] }),
  ]);
  api = await nodes.alice.api();
  await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 2, 60_000, 'alice to have 2 peers');
});

after(async () => {
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
});

const freeOf = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const bondOf = async (who) => (await api.call.computeMarketApi.provider(who)).unwrap().bond.toBigInt();

/** Order `specs` as Dave in one batch; returns { fee, jobs, at }. */
async function order(specs, replicas) {
  const calls = [];
  for (const s of specs) {
    s.replicas = replicas ?? s.replicas;
    s.units = await unitsFor(api, s);
    s.price = s.workload.priceFloor.toBigInt() * 2n;
    const deadline = (await bestNumber(api)) + 400;
    calls.push(api.tx.computeMarket.submitJob(s.id, s.params, s.units, s.replicas, s.price, deadline));
  }
  const r = await submitAndFinalize(api, api.tx.utility.batchAll(calls), dave, 180_000);
  assert.equal(r.dispatchError, null);
  const fee = r.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event)).event.data.actualFee.toBigInt();
  const jobs = r.events.filter(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).map(({ event }) => event.data.job.toNumber());
  specs.forEach((s, i) => { s.job = jobs[i]; });
  return { fee, at: (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber() };
}

/** Wait until every job of `specs` is Verified; fail fast on Failed/Expired. */
async function allVerified(specs, ms = 240_000) {
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
  await waitFor(() => /byzantine|Embedded compute worker/.test(nodes.charlie.output), 30_000, 'charlie to start its worker');

  const bondBefore = await bondOf(charlie);
  const specs = (await jobSpecs(api, 'local/byzantine')).filter((s) => ['hash-search', 'matmul-modp', 'merkle-root'].includes(s.kernel));
  const { at } = await order(specs, 3);
  await allVerified(specs);
  const head = await bestNumber(api);
  const events = await marketEvents(api, at, head);
  const slashRate = BigInt(api.consts.computeMarket.slashWrong.toNumber());
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
    assert.equal(e.data.amount.toBigInt(), bond * slashRate / 1_000_000_000n);
    bond -= e.data.amount.toBigInt();
  }
  assert.equal(await bondOf(charlie), bond);
  assert.ok(bond < bondBefore);

  // Charlie turns honest again for the next test.
  nodes.charlie.opts.extraArgs = [];
  await nodes.charlie.kill();
  await nodes.charlie.restart();
});

test('a validator killed mid-job is a no-show: the job is re-assigned, settles, and no funds are lost', async () => {
  const [spec] = (await jobSpecs(api, 'local/killed')).filter((s) => s.kernel === 'hash-search');
  const daveBefore = await freeOf(dave.address);
  const { fee, at } = await order([spec], 1);
  // As soon as it is assigned, kill the assigned provider's node.
  const assigned = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(spec.job)).unwrap();
    return j.status.type === 'Assigned' ? j.assignments[0].provider.toString() : false;
  }, 60_000, 'assignment', 250);
  const victim = nameOf[assigned];
  assert.ok(victim, `assigned to a validator: ${assigned}`);
  if (victim === 'alice') {
    // Keep the client on a live node.
    api = await nodes.bob.api();
  }
  const victimBond = await bondOf(assigned);
  await nodes[victim].kill('SIGKILL');
  console.log(`  killed ${victim} right after the assignment at #${await bestNumber(api)}`);

  const job = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(spec.job)).unwrap();
    if (j.status.type === 'Failed' || j.status.type === 'Expired') throw new Error(`job ${j.status.type}`);
    return j.status.type === 'Verified' ? j : false;
  }, 300_000, 're-assigned job verified', 1000);
  assert.equal(job.attempts.toNumber(), 2, 'a second attempt');
  assert.notEqual(job.assignments[0].provider.toString(), assigned, 'a fresh provider');
  assert.equal(job.result.unwrap().outputDigest.toHex(), referenceOf(spec.kernel, spec.params).output_digest);
  const lat = await jobLatency(api, job, at);
  console.log(`  re-assigned job order→verified: ${lat.blocks} blocks, ${lat.seconds.toFixed(1)} s (commit + reveal windows of the lost attempt included)`);

  const events = await marketEvents(api, at, await bestNumber(api));
  assert.equal(events.filter((e) => e.method === 'JobReassigned' && e.data.job.toNumber() === spec.job).length, 1);
  const slash = events.find((e) => e.method === 'ProviderSlashed' && e.data.job.toNumber() === spec.job);
  assert.equal(slash.data.provider.toString(), assigned);
  assert.equal(slash.data.reason.type, 'NoShow');
  assert.equal(slash.data.amount.toBigInt(), victimBond * BigInt(api.consts.computeMarket.slashNoShow.toNumber()) / 1_000_000_000n);

  // No funds lost: Dave paid the fee and exactly one accepted provider's price; nothing stays held.
  const gross = spec.price * BigInt(spec.units);
  assert.equal(await freeOf(dave.address), daveBefore - fee - gross);
  assert.equal((await api.query.balances.holds(dave.address)).filter((h) => h.id.isComputeMarket).length, 0);
  const paid = events.filter((e) => e.method === 'ProviderPaid' && e.data.job.toNumber() === spec.job);
  assert.equal(paid.length, 1);
  assert.equal(paid[0].data.payment.toBigInt() + paid[0].data.treasuryCut.toBigInt(), gross);

  // The killed validator comes back on its base path and the network finalizes again.
  await nodes[victim].restart();
  const f = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  await waitFor(async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() > f + 2, 120_000, 'finality to resume');
});
