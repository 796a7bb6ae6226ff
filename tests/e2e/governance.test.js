// Governance through polkadot.js on a dev chain: the council (Alice, Bob, Charlie) changes a
// market parameter by motion and the next job is paid with it; a `market_admin` referendum
// passes and changes another; origins that may not change parameters are refused with decoded
// errors and change nothing. The market's parameters live in `pallet-parameters`; the compute
// market reads them on every use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { CrucibleNode, submitAndFinalize, waitFor } from '../lib/node.js';
import { jobSpecs, unitsFor, marketEvents, minUnits, PERBILL, marketParams } from '../lib/market.js';
import { UNIT, TIMEOUT, assertDispatched, assertFailedWith } from '../lib/chain.js';

let node, api, alice, bob, charlie, ferdie;

before(async () => {
  await cryptoWaitReady();
  node = await CrucibleNode.start({ chain: 'dev', name: 'governance' });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  [alice, bob, charlie, ferdie] = ['//Alice', '//Bob', '//Charlie', '//Ferdie'].map((u) => keyring.addFromUri(u));
});

after(async () => { if (node) await node.stop(); });

/** `parameters.setParameter` for one `market` key (polkadot.js names as in the metadata). */
const setMarket = (key, value) => api.tx.parameters.setParameter({ Market: { [key]: [null, value] } });
/** The stored value of a `market` key, or null while it holds its default. */
async function marketParam(key) {
  const v = await api.query.parameters.parameters({ Market: key });
  return v.isSome ? v.unwrap().asMarket[`as${key}`] : null;
}

test('the council changes RewardPerUnit by a 2/3 motion, and the next job mints the new reward', async () => {
  const members = (await api.query.council.members()).map((m) => m.toString()).sort();
  assert.deepEqual(members, [alice.address, bob.address, charlie.address].sort());

  const old = (await marketParams(api)).rewardPerUnit.toBigInt();
  const next = old * 7n;
  const proposal = setMarket('RewardPerUnit', next);
  const len = proposal.method.encodedLength;

  // Alice proposes (threshold 2 of 3 members), Alice and Bob vote aye, Charlie closes.
  let r = await submitAndFinalize(api, api.tx.council.propose(2, proposal.method, len), alice);
  assertDispatched(r, 'council.propose');
  const proposed = r.events.find(({ event }) => api.events.council.Proposed.is(event)).event.data;
  const hash = proposed.proposalHash;
  const index = proposed.proposalIndex;
  for (const member of [alice, bob]) {
    r = await submitAndFinalize(api, api.tx.council.vote(hash, index, true), member);
    assertDispatched(r, 'council.vote');
  }
  r = await submitAndFinalize(api, api.tx.council.close(hash, index, { refTime: 1_000_000_000n, proofSize: 100_000n }, len), charlie);
  assertDispatched(r, 'council.close');
  const executed = r.events.find(({ event }) => api.events.council.Executed.is(event)).event.data;
  assert.ok(executed.result.isOk, `motion executed: ${executed.result.toString()}`);
  assert.ok(r.events.some(({ event }) => api.events.parameters.Updated.is(event)), 'parameters.Updated');
  assert.equal((await marketParam('RewardPerUnit')).toBigInt(), next);

  // The next job is minted the new reward per unit. The reward never exceeds the treasury's
  // cut of the payment, so the job offers a price whose cut (TreasuryCut of price × units) is
  // twice the reward wanted: the new RewardPerUnit is then what bounds it.
  const [spec] = (await jobSpecs(api, 'council')).filter((s) => s.kernel === 'hash-search');
  spec.units = await unitsFor(api, spec);
  const needed = BigInt(minUnits(spec.workload, spec.params.dims));
  const wanted = next * needed;
  const cutParts = BigInt((await marketParams(api)).treasuryCut.toNumber());
  const fromCut = (2n * wanted * PERBILL + cutParts * BigInt(spec.units) - 1n) / (cutParts * BigInt(spec.units));
  const floor = spec.workload.priceFloor.toBigInt();
  const price = fromCut > floor ? fromCut : floor;
  const quote = await api.call.computeMarketApi.quote(spec.id, spec.params, spec.units, spec.replicas, price);
  assert.ok(quote.isOk, `quote: ${quote.toString()}`);
  assert.equal(quote.asOk.rewardPerProvider.toBigInt(), wanted, 'the quote names the new reward');
  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 200;
  // Ferdie, a genesis provider on dev, orders: the job goes to Alice or Bob.
  r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(spec.id, spec.params, spec.units, spec.replicas, price, deadline), ferdie);
  assertDispatched(r, 'submitJob');
  const job = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data.job.toNumber();
  const from = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  await waitFor(async () => {
    const t = (await api.call.computeMarketApi.job(job)).unwrap().status.type;
    if (t === 'Failed' || t === 'Refunded') throw new Error(`job ${t}`);
    return t === 'Verified';
  }, TIMEOUT.jobVerified, 'the job verified', 1000);
  const to = (await api.rpc.chain.getHeader()).number.toNumber();
  const paid = (await marketEvents(api, from, to)).filter((e) => e.method === 'ProviderPaid' && e.data.job.toNumber() === job);
  assert.equal(paid.length, 1);
  const cut = paid[0].data.treasuryCut.toBigInt();
  assert.equal(paid[0].data.payment.toBigInt() + cut, price * BigInt(spec.units));
  const reward = paid[0].data.reward.toBigInt();
  assert.equal(reward, wanted < cut ? wanted : cut, 'min(RewardPerUnit × needed units, cut)');
  assert.equal(reward, next * needed, 'the new RewardPerUnit × the units the parameters need');
  assert.equal(reward, quote.asOk.rewardPerProvider.toBigInt());
});

test('a market_admin referendum passes and changes TreasuryCut', async () => {
  const next = 100_000_000; // 10% in Perbill
  assert.notEqual((await marketParam('TreasuryCut'))?.toNumber(), next);
  const call = setMarket('TreasuryCut', next);
  const encoded = call.method.toHex();
  let r = await submitAndFinalize(api, api.tx.preimage.notePreimage(encoded), ferdie);
  assertDispatched(r, 'preimage.notePreimage');
  const proposal = { Lookup: { hash: call.method.hash.toHex(), len: call.method.encodedLength } };
  r = await submitAndFinalize(api, api.tx.referenda.submit({ Origins: 'MarketAdmin' }, proposal, { After: 1 }), ferdie);
  assertDispatched(r, 'referenda.submit');
  const submitted = r.events.find(({ event }) => api.events.referenda.Submitted.is(event)).event.data;
  const index = submitted.index.toNumber();
  assert.equal(submitted.track.toNumber(), 1, 'the market_admin track');
  r = await submitAndFinalize(api, api.tx.referenda.placeDecisionDeposit(index), ferdie);
  assertDispatched(r, 'referenda.placeDecisionDeposit');

  // Ferdie votes aye with 950,000 CRU: about 6.7% of issuance, above the track's 5% support.
  const vote = { Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 950_000n * UNIT } };
  r = await submitAndFinalize(api, api.tx.convictionVoting.vote(index, vote), ferdie);
  assertDispatched(r, 'convictionVoting.vote');
  const t0 = Date.now();
  await waitFor(async () => {
    const info = await api.query.referenda.referendumInfoFor(index);
    if (info.unwrap().isRejected || info.unwrap().isTimedOut || info.unwrap().isCancelled) throw new Error(`referendum ${info.unwrap().type}`);
    return (await marketParam('TreasuryCut'))?.toNumber() === next;
  }, TIMEOUT.referendum, 'the referendum enacted', 1000);
  assert.ok((await api.query.referenda.referendumInfoFor(index)).unwrap().isApproved);
  console.log(`  market_admin referendum: vote → enacted in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // The market sees it at once (the runtime API serves the live value), and the metadata has
  // no constant that could show a stale one.
  assert.equal((await marketParams(api)).treasuryCut.toNumber(), next);
  assert.equal(api.consts.computeMarket.treasuryCut, undefined);
  assert.ok(api.consts.computeMarket.maxReplicas.toNumber() > 0, 'bounds stay constants');
});

test('origins that may not change parameters are refused with decoded errors and change nothing', async () => {
  const before = await marketParam('CommitWindow');
  // A plain signed account.
  let r = await submitAndFinalize(api, setMarket('CommitWindow', 50), bob);
  assertFailedWith(r, null, 'BadOrigin', 'setParameter by a signed account');
  // One council member alone (a 1-of-3 motion executes at once, with too small a majority).
  r = await submitAndFinalize(api, api.tx.council.propose(1, setMarket('CommitWindow', 50).method, 64), bob);
  assertDispatched(r, 'council.propose');
  const executed = r.events.find(({ event }) => api.events.council.Executed.is(event)).event.data;
  assert.ok(executed.result.isErr);
  assert.equal(executed.result.asErr.type, 'BadOrigin');
  // A non-member cannot even propose.
  r = await submitAndFinalize(api, api.tx.council.propose(1, setMarket('CommitWindow', 50).method, 64), ferdie);
  assertFailedWith(r, 'council', 'NotMember');
  // Nor can a signed account register a workload (the same governance origin guards it).
  const wl = (await api.call.computeMarketApi.workload(0)).unwrap();
  r = await submitAndFinalize(api, api.tx.computeMarket.registerWorkload(wl), bob);
  assertFailedWith(r, null, 'BadOrigin', 'registerWorkload by a signed account');
  assert.deepEqual(await marketParam('CommitWindow'), before);
});
