// Note for clients: pass byte strings (`Bytes`, `Option<[u8; 32]>`) as hex strings; polkadot.js
// reads a raw Uint8Array given for them as already SCALE-encoded.
//
// The compute market through polkadot.js on a dev chain: a workload registered by sudo, a
// provider bonding, a consumer ordering a hash search, and the assigned provider committing
// and revealing an attested result that the runtime re-checks before it pays. The node runs
// with `--compute-worker none`, so this test plays the provider's side by hand (the
// pipeline test lets the node's offchain worker do it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex, bnToU8a, stringToU8a, compactAddLength } from '@polkadot/util';
import { CrucibleNode, submitAndFinalize, waitFor } from '../lib/node.js';

const UNIT = 10n ** 12n;
let node, api, alice, bob, charlie, dave, daveCompute, eve;

const le = (n, bits) => bnToU8a(n, { bitLength: bits, isLe: true });
const DEVICE = 'pocl/cpu/e2e';
const KERNEL_HASH = u8aToHex(blake2AsU8a(stringToU8a('// e2e kernel source\n')));

before(async () => {
  await cryptoWaitReady();
  node = await CrucibleNode.start({ chain: 'dev', name: 'market', extraArgs: ['--compute-worker', 'none'] });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  [alice, bob, charlie, dave, eve] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
  daveCompute = keyring.addFromUri('//Dave//compute');
});

after(async () => { if (node) await node.stop(); });

const freeOf = async (who, at) => ((at ? await api.at(at) : api).query.system.account(who)).then((a) => a.data.free.toBigInt());

/** Smallest nonce below `range` with blake2_256(seed ‖ nonce_le64) < target: nonce_le ‖ hash. */
function solve(seed, range, target) {
  for (let n = 0; n < range; n++) {
    const hash = blake2AsU8a(u8aConcat(seed, le(n, 64)), 256);
    if (Buffer.compare(Buffer.from(hash), Buffer.from(target)) < 0) return u8aConcat(le(n, 64), hash);
  }
  return null;
}

test('a hash-search job goes from submitJob to Verified, paid exactly as the parameters say', async () => {
  // Governance (sudo on dev) registers the workload.
  const workload = {
    name: 'hash-search', kernelHash: KERNEL_HASH, entryPoint: 'hash_search',
    schema: { dims: [{ min: 1, max: 1_000_000 }], needsTarget: true },
    verification: { OnChainCheck: 'HashSearch' },
    unitSize: 1000, priceFloor: 1_000_000n, maxUnits: 1000, retired: false,
  };
  let r = await submitAndFinalize(api, api.tx.sudo.sudo(api.tx.computeMarket.registerWorkload(workload)), alice);
  assert.equal(r.dispatchError, null);
  const registered = r.events.find(({ event }) => api.events.computeMarket.WorkloadRegistered.is(event)).event.data;
  assert.equal(registered.workload.toNumber(), 5, 'after the five built-in workloads');
  assert.equal((await api.call.computeMarketApi.workload(5)).unwrap().kernelHash.toHex(), KERNEL_HASH);

  // The job itself uses the built-in hash-search workload (id 0), whose kernel hash is the
  // worker's OpenCL source hash.
  const wid = 0;
  const builtin = (await api.call.computeMarketApi.workload(wid)).unwrap();
  assert.equal(builtin.name.toUtf8(), 'hash-search');
  const kernelHash = builtin.kernelHash.toU8a();

  // A non-governance origin is refused with a decoded error.
  r = await submitAndFinalize(api, api.tx.computeMarket.registerWorkload(workload), bob);
  assert.equal(r.dispatchError.name, 'BadOrigin');

  // Dave registers as a provider with his compute key (Alice and Bob are genesis providers
  // whose compute keys are their account keys).
  const bond = api.consts.computeMarket.minProviderBond.toBigInt();
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(bond, daveCompute.publicKey, [DEVICE]), dave);
  assert.equal(r.dispatchError, null);
  const provider = (await api.call.computeMarketApi.provider(dave.address)).unwrap();
  assert.equal(provider.bond.toBigInt(), bond);
  assert.equal(provider.status.type, 'Active');
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(bond, daveCompute.publicKey, [DEVICE]), dave);
  assert.deepEqual([r.dispatchError.section, r.dispatchError.name], ['computeMarket', 'AlreadyProvider']);
  const providers = {
    [alice.address]: { account: alice, compute: alice },
    [bob.address]: { account: bob, compute: bob },
    [dave.address]: { account: dave, compute: daveCompute },
  };

  // The genesis providers declare the device class they will attest (they start with a
  // placeholder); an empty list is refused.
  const [ra, rb, rEmpty] = await Promise.all([
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([DEVICE]), alice),
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([DEVICE]), bob),
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([]), eve),
  ]);
  for (const x of [ra, rb]) {
    assert.equal(x.dispatchError, null);
    assert.ok(x.events.some(({ event }) => api.events.computeMarket.DeviceClassesSet.is(event)));
  }
  assert.equal(rEmpty.dispatchError.name, 'InvalidDeviceClasses');

  // Charlie orders a job; the runtime API quotes it first.
  const seed = blake2AsU8a(stringToU8a('e2e seed'));
  const target = new Uint8Array(32); target[0] = 0x10;
  const params = { seed: u8aToHex(seed), dims: [1000], target: u8aToHex(target) };
  const price = builtin.priceFloor.toBigInt() * 2n;
  const quote = await api.call.computeMarketApi.quote(wid, params, 1, 1, price);
  assert.ok(quote.isOk);
  assert.equal(quote.asOk.budget.toBigInt(), price);
  const badQuote = await api.call.computeMarketApi.quote(wid, params, 1, 1, builtin.priceFloor.toBigInt() - 1n);
  assert.equal(badQuote.asErr.type, 'PriceBelowFloor');

  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 100;
  r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(wid, params, 1, 1, price, deadline), charlie);
  assert.equal(r.dispatchError, null);
  const submitted = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data;
  const jobId = submitted.job.toNumber();
  assert.equal(submitted.budget.toBigInt(), price);
  const charlieHeld = (await api.query.balances.holds(charlie.address)).find((h) => h.id.isComputeMarket);
  assert.equal(charlieHeld.amount.toBigInt(), price);

  // An order beyond the balance is refused with a decoded pallet error.
  r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(wid, params, 1, 1, 10n ** 30n, deadline), charlie);
  assert.deepEqual([r.dispatchError.section, r.dispatchError.name], ['computeMarket', 'InsufficientBalance']);

  // The next block assigns it to one of the three providers, drawn at random.
  const job = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(jobId)).unwrap();
    return j.status.type === 'Assigned' ? j : false;
  }, 30_000, 'assignment');
  assert.equal(job.kernelHash.toHex(), builtin.kernelHash.toHex());
  const assigned = job.assignments[0].provider.toString();
  assert.ok(providers[assigned], `assigned to a provider: ${assigned}`);
  assert.ok((await api.call.computeMarketApi.assignmentsOf(assigned)).some((j) => j.toNumber() === jobId));
  const { account: providerAccount, compute: providerCompute } = providers[assigned];

  // The provider computes, commits, and reveals with an attestation by its compute key.
  const out = solve(seed, 1000, target);
  assert.ok(out, 'a nonce exists');
  const digest = blake2AsU8a(out, 256);
  const salt = blake2AsU8a(stringToU8a('provider salt'));
  const commitment = blake2AsU8a(u8aConcat(le(jobId, 64), digest, salt, providerAccount.publicKey), 256);
  r = await submitAndFinalize(api, api.tx.computeMarket.commitResult(jobId, commitment), providerAccount);
  assert.equal(r.dispatchError, null);

  const message = u8aConcat(stringToU8a('crucible/attest/v1'), le(jobId, 64), kernelHash, digest, le(7, 32), compactAddLength(stringToU8a(DEVICE)));
  const attestation = { workerVersion: 7, deviceClass: DEVICE, signature: providerCompute.sign(message) };
  // A forged attestation (signed by another key than the registered compute key) is refused.
  r = await submitAndFinalize(api, api.tx.computeMarket.revealResult(jobId, digest, salt, u8aToHex(out), { ...attestation, signature: eve.sign(message) }), providerAccount);
  assert.equal(r.dispatchError.name, 'BadAttestation');

  const providerBefore = await freeOf(providerAccount.address);
  r = await submitAndFinalize(api, api.tx.computeMarket.revealResult(jobId, digest, salt, u8aToHex(out), attestation), providerAccount);
  assert.equal(r.dispatchError, null);
  const ev = (name) => r.events.filter(({ event }) => api.events.computeMarket[name].is(event)).map(({ event }) => event.data);
  assert.equal(ev('JobVerified').length, 1);
  assert.equal(u8aToHex(ev('JobVerified')[0].outputDigest), u8aToHex(digest));
  const paid = ev('ProviderPaid')[0];
  const cut = price * BigInt(api.consts.computeMarket.treasuryCut.toNumber()) / 1_000_000_000n;
  const reward = api.consts.computeMarket.rewardPerUnit.toBigInt();
  assert.equal(paid.payment.toBigInt(), price - cut);
  assert.equal(paid.treasuryCut.toBigInt(), cut);
  assert.equal(paid.reward.toBigInt(), reward);
  const fee = r.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event)).event.data.actualFee.toBigInt();
  assert.equal(await freeOf(providerAccount.address, r.blockHash), providerBefore - fee + price - cut + reward);

  const done = (await api.call.computeMarketApi.job(jobId)).unwrap();
  assert.equal(done.status.type, 'Verified');
  assert.equal(u8aToHex(done.result.unwrap().smallOutput), u8aToHex(out));
  assert.equal((await api.query.balances.holds(charlie.address)).filter((h) => h.id.isComputeMarket).length, 0);
  const stats = await api.call.computeMarketApi.stats();
  assert.equal(stats.verified.toNumber(), 1);
  assert.equal(stats.rewardsMinted.toBigInt(), reward);
});
