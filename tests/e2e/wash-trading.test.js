// Wash trading (issue #9) on a dev chain, with the node's offchain worker at work: a trader who
// controls both a consumer (Dave) and the only eligible provider (Eve) orders the jobs that paid
// best under the old reward rule — a hash search over a single nonce with a target every hash
// meets, buying the workload's most units at its floor price — and has them run by its own
// provider. The old market minted RewardPerUnit × the units bought (far above what the pair
// paid the treasury); it now mints RewardPerUnit × the units the parameters need, never more
// than the treasury's cut of the payment, and every order pays a non-refundable submission fee.
// So the pair ends each job poorer, by the fee, the cut less the reward, and the transaction
// fees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { CrucibleNode, submitAndFinalize, waitFor, bestNumber } from '../lib/node.js';
import { heldFor, marketEvents, txFeesIn, marketParams } from '../lib/market.js';
import { UNIT, TIMEOUT, assertDispatched, assertFailedWith } from '../lib/chain.js';

/** Wash jobs ordered, one after the other. */
const JOBS = 3;
/** Blocks from an order to its deadline. */
const DEADLINE_BLOCKS = 200;
/** How often a job's status is polled. */
const POLL_MS = 1000;
/** The hash-search workload (built-in id 0). */
const HASH_SEARCH = 0;
/** A target every hash meets: nonce 0 always wins. */
const ANY_HASH = '0x' + 'ff'.repeat(32);

let node, api, alice, bob, ferdie, dave, eve;

before(async () => {
  await cryptoWaitReady();
  // The node runs its embedded compute worker (the default) for the compute keys it holds.
  node = await CrucibleNode.start({ chain: 'dev', name: 'wash' });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  [alice, bob, ferdie, dave, eve] = ['//Alice', '//Bob', '//Ferdie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
});

after(async () => { if (node) await node.stop(); });

/** `x` planck as CRU (12 decimals, trailing zeros trimmed) and as planck. */
function fmt(x) {
  const sign = x < 0n ? '-' : '';
  const a = x < 0n ? -x : x;
  const frac = (a % UNIT).toString().padStart(12, '0').replace(/0+$/, '');
  return `${sign}${a / UNIT}${frac ? `.${frac}` : ''} CRU (${x} planck)`;
}

/** Free plus reserved (held: Eve's bond, Dave's deposits) balance of the pair at block `hash`. */
async function wealthAt(hash) {
  const at = await api.at(hash);
  let sum = 0n;
  for (const who of [dave.address, eve.address]) {
    const { data } = await at.query.system.account(who);
    sum += data.free.toBigInt() + data.reserved.toBigInt();
  }
  return sum;
}

const blockNumberOf = async (hash) => (await api.rpc.chain.getHeader(hash)).number.toNumber();

test('a consumer trading with its own provider ends every job poorer: rewards never exceed the treasury cuts', async () => {
  // Eve's compute key goes into the node's keystore, so that the offchain worker runs her
  // assignments. It is her account key (type `crcp`), as for the genesis providers: the offchain
  // worker signs its transactions from the compute key's own account, which must be the
  // provider.
  await node.rpc('author_insertKey', ['crcp', '//Eve', u8aToHex(eve.publicKey)]);
  assert.equal(await node.rpc('author_hasKey', [u8aToHex(eve.publicKey), 'crcp']), true);

  // Eve must be the only eligible provider: governance (sudo on dev) evicts the three genesis
  // providers, who hold no assignments yet. A signed account may not evict an active provider.
  let r = await submitAndFinalize(api, api.tx.computeMarket.evictProvider(alice.address), dave, TIMEOUT.tx);
  assertFailedWith(r, 'computeMarket', 'NotEvictable', 'evictProvider by a signed account');
  const genesis = [alice, bob, ferdie].map((p) => p.address);
  r = await submitAndFinalize(api, api.tx.sudo.sudo(api.tx.utility.batchAll(genesis.map((p) => api.tx.computeMarket.evictProvider(p)))), alice, TIMEOUT.tx);
  assertDispatched(r, 'sudo(batchAll(evictProvider))');
  const sudid = r.events.find(({ event }) => api.events.sudo.Sudid.is(event)).event.data;
  assert.ok(sudid.sudoResult.isOk, `evictions: ${sudid.sudoResult.toString()}`);
  const removed = r.events.filter(({ event }) => api.events.computeMarket.ProviderRemoved.is(event)).map(({ event }) => event.data.provider.toString());
  assert.deepEqual(removed.sort(), [...genesis].sort());

  // Eve registers with the least bond; the offchain worker declares the worker's device class
  // before her first reveal.
  const bond = (await marketParams(api)).minProviderBond.toBigInt();
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(bond, eve.publicKey, ['unknown']), eve, TIMEOUT.tx);
  assertDispatched(r, 'registerProvider');
  const providers = await api.call.computeMarketApi.providers();
  assert.deepEqual(providers.map(([who]) => who.toString()), [eve.address], 'Eve is the only provider');
  const start = r.blockHash;
  const wealthBefore = await wealthAt(start);

  // The order: one nonce to search (work 1, one unit needed), the workload's most units
  // bought, at its floor price, one replica.
  const workload = (await api.call.computeMarketApi.workload(HASH_SEARCH)).unwrap();
  assert.equal(workload.name.toUtf8(), 'hash-search');
  const units = workload.maxUnits.toNumber();
  const price = workload.priceFloor.toBigInt();
  const paramsOf = (i) => ({ seed: blake2AsHex(`wash/${i}`), dims: [1], target: ANY_HASH });
  const quote = await api.call.computeMarketApi.quote(HASH_SEARCH, paramsOf(0), units, 1, price);
  assert.ok(quote.isOk, `quote: ${quote.toString()}`);
  assert.equal(quote.asOk.minUnits.toNumber(), 1);
  const oldReward = (await marketParams(api)).rewardPerUnit.toBigInt() * BigInt(units);
  console.log(`  each order: ${units} units at ${fmt(price)} per unit, budget ${fmt(quote.asOk.budget.toBigInt())}, `
    + `fee ${fmt(quote.asOk.fee.toBigInt())}, deposit ${fmt(quote.asOk.deposit.toBigInt())} (held), `
    + `reward at most ${fmt(quote.asOk.rewardPerProvider.toBigInt())} (the old rule minted RewardPerUnit × units = ${fmt(oldReward)})`);

  let rewards = 0n;
  let cuts = 0n;
  let deposits = 0n;
  for (let i = 0; i < JOBS; i++) {
    const deadline = (await bestNumber(api)) + DEADLINE_BLOCKS;
    r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(HASH_SEARCH, paramsOf(i), units, 1, price, deadline), dave, TIMEOUT.tx);
    assertDispatched(r, 'submitJob');
    const submitted = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data;
    const id = submitted.job.toNumber();
    const fee = submitted.fee.toBigInt();
    deposits += submitted.deposit.toBigInt();
    const submittedAt = await blockNumberOf(r.blockHash);
    const before = await wealthAt((await api.rpc.chain.getHeader(r.blockHash)).parentHash);

    // Nobody but the node is at work: Eve's offchain worker computes, commits and reveals.
    const job = await waitFor(async () => {
      const j = (await api.call.computeMarketApi.job(id)).unwrap();
      return j.status.isVerified || j.status.isFailed || j.status.isExpired || j.status.isRefunded ? j : false;
    }, TIMEOUT.jobVerified, `wash job ${id} settled`, POLL_MS);
    assert.equal(job.status.type, 'Verified', `job ${id}`);
    assert.deepEqual(job.assignments.map((a) => a.provider.toString()), [eve.address]);
    assert.equal(job.units.toNumber(), units);
    assert.equal(job.neededUnits.toNumber(), 1, 'the parameters need one unit');
    const finishedAt = job.finishedAt.unwrap().toNumber();
    const after = await wealthAt(await api.rpc.chain.getBlockHash(finishedAt));

    const paid = (await marketEvents(api, submittedAt, finishedAt)).filter((e) => e.method === 'ProviderPaid' && e.data.job.toNumber() === id);
    assert.equal(paid.length, 1);
    const reward = paid[0].data.reward.toBigInt();
    const cut = paid[0].data.treasuryCut.toBigInt();
    assert.equal(paid[0].data.payment.toBigInt() + cut, price * BigInt(units));
    assert.ok(reward <= cut, `job ${id}: reward ${reward} within the cut ${cut}`);
    rewards += reward;
    cuts += cut;
    const daveFees = await txFeesIn(api, submittedAt, finishedAt, [dave.address]);
    const eveFees = await txFeesIn(api, submittedAt, finishedAt, [eve.address]);
    const txFees = daveFees + eveFees;
    const net = after - before;
    console.log(`  job ${id}: reward ${fmt(reward)}, treasury cut ${fmt(cut)}, submission fee ${fmt(fee)}, `
      + `tx fees ${fmt(txFees)} (Dave ${fmt(daveFees)}, Eve ${fmt(eveFees)}), the pair's net change ${fmt(net)}`);
    // Exactly: the pair gets the reward back, and loses the fee, the cut and the transaction fees
    // (the budget only went round from Dave to Eve; the deposit is still Dave's, held).
    assert.equal(net, reward - fee - cut - txFees, `job ${id}: the pair's balance sheet`);
    assert.ok(net < 0n, `job ${id}: the pair gained ${net}`);
    // Under the old rule the same job would have paid the pair.
    assert.ok(oldReward > fee + cut + txFees, 'a job the old rule made profitable');
  }

  const head = await api.rpc.chain.getBlockHash(await bestNumber(api));
  const wealthAfter = await wealthAt(head);
  console.log(`  ${JOBS} wash jobs: rewards minted ${fmt(rewards)}, treasury cuts ${fmt(cuts)}, the pair's net change ${fmt(wealthAfter - wealthBefore)}`);
  assert.ok(wealthAfter < wealthBefore, `the pair gained ${wealthAfter - wealthBefore}`);
  assert.ok(rewards <= cuts, `rewards ${rewards} above the treasury cuts ${cuts}`);
  assert.equal((await api.call.computeMarketApi.stats()).rewardsMinted.toBigInt(), rewards);
  // Dave's deposits stay held until his jobs are pruned.
  assert.equal(await heldFor(api, dave.address, 'JobDeposit', head), deposits);
});
