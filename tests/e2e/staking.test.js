// NPoS staking through polkadot.js on a dev chain. A new account, funded by Alice, bonds,
// declares itself a validator and sets the session keys of a second node it runs; from the era
// after it is elected it authors blocks beside Alice. A second new account nominates and is
// paid its share of an era's reward by `payoutStakers`. The validator also registers as a
// compute provider, whose bond is held apart from its stake. Sessions are 10 blocks and eras 2
// sessions (1 minute), so the whole story takes a few minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { CrucibleNode, submitAndFinalize, waitFor, waitForFinalized, finalizedNumber } from '../lib/node.js';
import { UNIT, TIMEOUT, freeOf, txFee, assertDispatched, assertFailedWith } from '../lib/chain.js';
import { marketParams } from '../lib/market.js';

let alice, validator, nominator, nodeA, nodeB, api;

before(async () => {
  await cryptoWaitReady();
  nodeA = await CrucibleNode.start({ chain: 'dev', name: 'staking-alice', extraArgs: ['--compute-worker', 'none'] });
  nodeB = await CrucibleNode.start({
    chain: 'dev', dev: false, name: 'staking-new', validator: true,
    bootnodes: [await nodeA.multiaddr()], extraArgs: ['--compute-worker', 'none'],
  });
  api = await nodeA.api();
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  validator = keyring.addFromUri(mnemonicGenerate());
  nominator = keyring.addFromUri(mnemonicGenerate());
});

after(async () => {
  await Promise.all([nodeA, nodeB].filter(Boolean).map((n) => n.stop()));
});

const activeEra = async () => (await api.query.staking.activeEra()).unwrap().index.toNumber();

test('a new account bonds, validates and sets keys, and authors blocks after the next election', async () => {
  // Alice funds the two new accounts.
  let r = await submitAndFinalize(api, api.tx.utility.batchAll([
    api.tx.balances.transferKeepAlive(validator.address, 300_000n * UNIT),
    api.tx.balances.transferKeepAlive(nominator.address, 100_000n * UNIT),
  ]), alice);
  assertDispatched(r, 'the transfers to the new accounts');

  // Below the minimum validator bond (10,000 CRU), `validate` is refused with a decoded error.
  // The second node generates session keys and proves them owned by the new account
  // (pallet-session checks the proof in `setKeys`).
  const { keys, proof } = await nodeB.rpc('author_rotateKeysWithOwner', [u8aToHex(validator.publicKey)]);
  r = await submitAndFinalize(api, api.tx.utility.batchAll([
    api.tx.staking.bond(1_000n * UNIT, 'Stash'),
    api.tx.staking.validate({ commission: 50_000_000, blocked: false }),
  ]), validator);
  assertFailedWith(r, 'staking', 'InsufficientBond', 'bond and validate below the minimum bond');
  assert.ok((await api.query.staking.bonded(validator.address)).isNone, 'the failed batch bonded nothing');

  // Bond 200,000 CRU, set the second node's session keys, validate with 5% commission.
  r = await submitAndFinalize(api, api.tx.utility.batchAll([
    api.tx.staking.bond(200_000n * UNIT, 'Stash'),
    api.tx.session.setKeys(keys, proof),
    api.tx.staking.validate({ commission: 50_000_000, blocked: false }),
  ]), validator);
  assertDispatched(r, 'bond, setKeys and validate');
  // The nominator backs Alice and the newcomer.
  r = await submitAndFinalize(api, api.tx.utility.batchAll([
    api.tx.staking.bond(50_000n * UNIT, 'Stash'),
    api.tx.staking.nominate([alice.address, validator.address]),
  ]), nominator);
  assertDispatched(r, 'bond and nominate');
  const bondedIn = await activeEra();

  // Elected at an era boundary: it is in the session's validator set within two eras.
  const t0 = Date.now();
  await waitFor(async () => (await api.query.session.validators()).some((v) => v.toString() === validator.address),
    TIMEOUT.election, 'the new validator in the active set', 1000);
  const era = await activeEra();
  console.log(`  bonded in era ${bondedIn}, validating from era ${era} (${((Date.now() - t0) / 1000).toFixed(0)} s later)`);
  assert.ok(era > bondedIn);

  // It authors blocks (Aura slots alternate) and, as a GRANDPA voter, finality goes on.
  const authors = new Set();
  const unsub = await api.derive.chain.subscribeNewHeads((h) => { if (h.author) authors.add(h.author.toString()); });
  try {
    await waitFor(() => authors.has(validator.address) && authors.has(alice.address), TIMEOUT.authoring, 'blocks by both validators');
  } finally {
    unsub();
  }
  await waitForFinalized(api, (await finalizedNumber(api)) + 4, TIMEOUT.finality);

  // What polkadot.js apps' Staking page reads decodes.
  const overview = await api.derive.staking.overview();
  assert.ok(overview.validators.map(String).includes(validator.address));
  const account = await api.derive.staking.account(validator.address);
  assert.equal(account.stakingLedger.total.toBigInt(), 200_000n * UNIT);
  const elected = await api.derive.staking.electedInfo({ withExposure: true, withLedger: true, withPrefs: true });
  const mine = elected.info.find((i) => i.accountId.toString() === validator.address);
  assert.equal(mine.validatorPrefs.commission.toNumber(), 50_000_000);
  assert.equal((await api.derive.session.progress()).sessionsPerEra.toNumber(), 2);
  assert.ok((await api.derive.staking.currentPoints()).total.toNumber() > 0);
  // The staking runtime API (typed): up to 16 nominations per nominator.
  assert.equal((await api.call.stakingApi.nominationsQuota(100n * UNIT)).toNumber(), 16);

  // As a validator it also registers as a compute provider: the provider bond is a hold of its
  // own, apart from the stake, and each is what its own slashing takes.
  const providerBond = (await marketParams(api)).minProviderBond.toBigInt();
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(providerBond, validator.publicKey, ['unknown']), validator);
  assertDispatched(r, 'registerProvider');
  const holds = await api.query.balances.holds(validator.address);
  const held = (pred) => holds.filter((h) => pred(h.id)).reduce((a, h) => a + h.amount.toBigInt(), 0n);
  assert.equal(held((id) => id.isStaking), 200_000n * UNIT, 'stake is held with reason Staking');
  assert.equal(held((id) => id.isComputeMarket && id.asComputeMarket.isProviderBond), providerBond, 'provider bond held apart');
  assert.equal((await api.query.staking.ledger(validator.address)).unwrap().total.toBigInt(), 200_000n * UNIT);
});

test('a nominator nominates and is paid its share of an era by payoutStakers', async () => {
  // The first era in which the nominator backs the new validator.
  let era;
  await waitFor(async () => {
    const e = await activeEra();
    const page = await api.query.staking.erasStakersPaged(e, validator.address, 0);
    if (page.isSome && page.unwrap().others.some((o) => o.who.toString() === nominator.address)) {
      era = e;
      return true;
    }
    return false;
  }, TIMEOUT.exposure, 'the nominator in an era exposure', 1000);
  // Rewards for an era can be paid once it has ended.
  await waitFor(async () => (await activeEra()) > era, TIMEOUT.era, `era ${era} to end`, 1000);
  const points = await api.query.staking.erasRewardPoints(era);
  assert.ok(points.individual.toJSON()[validator.address] > 0, 'the validator earned era points');
  const total = (await api.query.staking.erasValidatorReward(era)).unwrap().toBigInt();
  assert.ok(total > 0n);

  const before = await freeOf(api, nominator.address);
  const r = await submitAndFinalize(api, api.tx.staking.payoutStakers(validator.address, era), nominator);
  assertDispatched(r, 'payoutStakers');
  const fee = txFee(api, r.events);
  const rewarded = r.events.filter(({ event }) => api.events.staking.Rewarded.is(event)).map(({ event }) => event.data);
  const mine = rewarded.find((d) => d.stash.toString() === nominator.address);
  const theirs = rewarded.find((d) => d.stash.toString() === validator.address);
  assert.ok(mine && mine.amount.toBigInt() > 0n, 'the nominator was rewarded');
  assert.ok(theirs && theirs.amount.toBigInt() > mine.amount.toBigInt(), 'the validator (commission + own stake) got more');
  assert.equal(await freeOf(api, nominator.address), before - fee + mine.amount.toBigInt());
  // Paying the same era twice is refused.
  const again = await submitAndFinalize(api, api.tx.staking.payoutStakers(validator.address, era), nominator);
  assertFailedWith(again, 'staking', 'AlreadyClaimed', 'paying the same era twice');
});
