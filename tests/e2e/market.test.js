// Note for clients: pass byte strings (`Bytes`, `Option<[u8; 32]>`) as hex strings; polkadot.js
// reads a raw Uint8Array given for them as already SCALE-encoded.
//
// The compute market through polkadot.js on a dev chain: a workload registered by sudo, a
// provider bonding, a consumer ordering a hash search (its budget moved into the market's
// escrow account, a submission fee paid, a storage deposit held), and the assigned provider
// committing and revealing an attested result that the runtime re-checks before it pays; then
// a provider declining a job nobody else can take (the job fails, refunded, nobody slashed) and
// governance evicting a provider. The node runs with `--compute-worker none`, so this test
// plays the provider's side by hand (the pipeline test lets the node's offchain worker do it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex, bnToU8a, stringToU8a } from '@polkadot/util';
import { CrucibleNode, submitAndFinalize, waitFor } from '../lib/node.js';
import {
  ESCROW_ACCOUNT, attestationMessage, commitmentOf, heldFor, marketParams, minUnits, perbillOf, rewardCap, workBlocks,
} from '../lib/market.js';
import { TIMEOUT, freeOf, txFee, assertDispatched, assertFailedWith } from '../lib/chain.js';

let node, api, alice, bob, charlie, dave, daveCompute, eve, ferdie;
/** Every provider's keys, by account: { account, compute } (set by the first test). */
let providers;

const le = (n, bits) => bnToU8a(n, { bitLength: bits, isLe: true });
const DEVICE = 'pocl/cpu/e2e';
const KERNEL_HASH = u8aToHex(blake2AsU8a(stringToU8a('// e2e kernel source\n')));

before(async () => {
  await cryptoWaitReady();
  node = await CrucibleNode.start({ chain: 'dev', name: 'market', extraArgs: ['--compute-worker', 'none'] });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  [alice, bob, charlie, dave, eve, ferdie] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((u) => keyring.addFromUri(u));
  daveCompute = keyring.addFromUri('//Dave//compute');
});

after(async () => { if (node) await node.stop(); });

const parentOf = async (hash) => (await api.rpc.chain.getHeader(hash)).parentHash;
/** The change of `who`'s free balance in block `hash`. */
const freeChange = async (who, hash) => (await freeOf(api, who, hash)) - (await freeOf(api, who, await parentOf(hash)));
const jobOf = async (id) => (await api.call.computeMarketApi.job(id)).unwrap();

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
    schema: { dims: [{ min: 1, max: 1_000_000, power: 1 }], needsTarget: true },
    verification: { OnChainCheck: 'HashSearch' },
    unitSize: 1000, maxWork: 1_000_000, workPerBlock: 10_000, priceFloor: 1_000_000n, maxUnits: 1000, retired: false,
  };
  let r = await submitAndFinalize(api, api.tx.sudo.sudo(api.tx.computeMarket.registerWorkload(workload)), alice);
  assertDispatched(r, 'sudo(registerWorkload)');
  const registered = r.events.find(({ event }) => api.events.computeMarket.WorkloadRegistered.is(event)).event.data;
  assert.equal(registered.workload.toNumber(), 7, 'after the seven built-in workloads');
  assert.equal((await api.call.computeMarketApi.workload(7)).unwrap().kernelHash.toHex(), KERNEL_HASH);

  // The job itself uses the built-in hash-search workload (id 0), whose kernel hash is the
  // worker's OpenCL source hash.
  const wid = 0;
  const builtin = (await api.call.computeMarketApi.workload(wid)).unwrap();
  assert.equal(builtin.name.toUtf8(), 'hash-search');
  const kernelHash = builtin.kernelHash.toU8a();

  // A non-governance origin is refused with a decoded error.
  r = await submitAndFinalize(api, api.tx.computeMarket.registerWorkload(workload), bob);
  assertFailedWith(r, null, 'BadOrigin', 'registerWorkload by a signed account');

  // Dave registers as a provider with his compute key (Alice, Bob and Ferdie are genesis
  // providers whose compute keys are their account keys).
  const bond = (await marketParams(api)).minProviderBond.toBigInt();
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(bond, daveCompute.publicKey, [DEVICE]), dave);
  assertDispatched(r, 'registerProvider');
  const provider = (await api.call.computeMarketApi.provider(dave.address)).unwrap();
  assert.equal(provider.bond.toBigInt(), bond);
  assert.equal(provider.status.type, 'Active');
  r = await submitAndFinalize(api, api.tx.computeMarket.registerProvider(bond, daveCompute.publicKey, [DEVICE]), dave);
  assertFailedWith(r, 'computeMarket', 'AlreadyProvider');
  providers = {
    [alice.address]: { account: alice, compute: alice },
    [bob.address]: { account: bob, compute: bob },
    [ferdie.address]: { account: ferdie, compute: ferdie },
    [dave.address]: { account: dave, compute: daveCompute },
  };

  // The genesis providers declare the device class they will attest (they start with a
  // placeholder); an empty list is refused.
  const [ra, rb, rf, rEmpty] = await Promise.all([
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([DEVICE]), alice),
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([DEVICE]), bob),
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([DEVICE]), ferdie),
    submitAndFinalize(api, api.tx.computeMarket.setDeviceClasses([]), eve),
  ]);
  for (const x of [ra, rb, rf]) {
    assertDispatched(x, 'setDeviceClasses');
    assert.ok(x.events.some(({ event }) => api.events.computeMarket.DeviceClassesSet.is(event)));
  }
  assertFailedWith(rEmpty, null, 'InvalidDeviceClasses', 'setDeviceClasses([])');

  // Charlie orders a job; the runtime API quotes it first: the budget, the non-refundable
  // submission fee, the storage deposit, the reward and the commit window.
  const seed = blake2AsU8a(stringToU8a('e2e seed'));
  const target = new Uint8Array(32); target[0] = 0x10;
  const params = { seed: u8aToHex(seed), dims: [1000], target: u8aToHex(target) };
  const units = minUnits(builtin, params.dims);
  assert.equal(units, 1);
  const price = builtin.priceFloor.toBigInt() * 2n;
  const quoted = await api.call.computeMarketApi.quote(wid, params, units, 1, price);
  assert.ok(quoted.isOk);
  const quote = quoted.asOk;
  const gross = price * BigInt(units);
  assert.equal(quote.minUnits.toNumber(), units);
  assert.equal(quote.budget.toBigInt(), gross);
  assert.equal(quote.fee.toBigInt(), (await marketParams(api)).submissionFee.toBigInt());
  assert.ok(quote.deposit.toBigInt() > 0n, 'a storage deposit');
  assert.equal(quote.deposit.toBigInt() % (await marketParams(api)).depositPerByte.toBigInt(), 0n, 'DepositPerByte × bytes');
  assert.equal(quote.rewardPerProvider.toBigInt(), await rewardCap(api, units, gross));
  assert.equal(quote.commitWindow.toNumber(), (await marketParams(api)).commitWindow.toNumber() + workBlocks(builtin, params.dims));
  const refused = async (q) => (await api.call.computeMarketApi.quote(...q)).asErr.type;
  assert.equal(await refused([wid, params, units, 1, builtin.priceFloor.toBigInt() - 1n]), 'PriceBelowFloor');
  // More replicas than there are providers (Alice, Bob, Ferdie and Dave).
  assert.equal(await refused([wid, params, units, 5, price]), 'NotEnoughProviders');
  // A replicated workload of quorum 2 takes exactly 3 replicas.
  const prefixSum = (await api.call.computeMarketApi.workload(4)).unwrap();
  assert.equal(prefixSum.name.toUtf8(), 'prefix-sum');
  const psParams = { seed: u8aToHex(seed), dims: [1 << 16], target: null };
  assert.equal(await refused([4, psParams, 1, 2, prefixSum.priceFloor.toBigInt()]), 'InvalidReplicas');
  assert.ok((await api.call.computeMarketApi.quote(4, psParams, 1, 3, prefixSum.priceFloor.toBigInt())).isOk);
  // More work than the workload admits (the Mandelbrot set at its largest: 8192² × 65535 > 2^36).
  assert.equal(await refused([2, { seed: u8aToHex(seed), dims: [8192, 8192, 65_535], target: null }, 1, 3, price]), 'WorkTooLarge');

  const charlieDepositBefore = await heldFor(api, charlie.address, 'JobDeposit');
  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 100;
  r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(wid, params, units, 1, price, deadline), charlie);
  assertDispatched(r, 'submitJob');
  const submitted = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data;
  const jobId = submitted.job.toNumber();
  assert.equal(submitted.budget.toBigInt(), gross);
  assert.equal(submitted.fee.toBigInt(), quote.fee.toBigInt());
  assert.equal(submitted.deposit.toBigInt(), quote.deposit.toBigInt());
  const deposit = submitted.deposit.toBigInt();
  // The budget moved into the escrow account (no escrow hold on Charlie); the deposit is held.
  const escrow = (await api.call.computeMarketApi.escrowAccount());
  assert.equal(u8aToHex(escrow.toU8a()), ESCROW_ACCOUNT, "the escrow account is 'modl' ‖ 'crc/escr'");
  assert.equal(await freeChange(escrow, r.blockHash), gross);
  assert.equal(await freeChange(charlie.address, r.blockHash), -(gross + submitted.fee.toBigInt() + deposit + txFee(api, r.events)));
  assert.equal(await heldFor(api, charlie.address, 'JobEscrow'), 0n, 'no escrow hold');
  assert.equal(await heldFor(api, charlie.address, 'JobDeposit'), charlieDepositBefore + deposit);

  // An order beyond the balance is refused with a decoded pallet error.
  r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(wid, params, 1, 1, 10n ** 30n, deadline), charlie);
  assertFailedWith(r, 'computeMarket', 'InsufficientBalance');

  // The next block assigns it to one of the four providers, drawn at random.
  const job = await waitFor(async () => {
    const j = (await api.call.computeMarketApi.job(jobId)).unwrap();
    return j.status.type === 'Assigned' ? j : false;
  }, TIMEOUT.assignment, 'assignment');
  assert.equal(job.kernelHash.toHex(), builtin.kernelHash.toHex());
  const assigned = job.assignments[0].provider.toString();
  assert.ok(providers[assigned], `assigned to a provider: ${assigned}`);
  assert.ok((await api.call.computeMarketApi.assignmentsOf(assigned)).some((j) => j.toNumber() === jobId));
  const { account: providerAccount, compute: providerCompute } = providers[assigned];

  // The provider computes, commits (to the digest and the small output), and reveals with an
  // attestation by its compute key.
  const out = solve(seed, 1000, target);
  assert.ok(out, 'a nonce exists');
  const digest = blake2AsU8a(out, 256);
  const salt = blake2AsU8a(stringToU8a('provider salt'));
  const commitment = commitmentOf(jobId, digest, out, salt, providerAccount.publicKey);
  r = await submitAndFinalize(api, api.tx.computeMarket.commitResult(jobId, commitment), providerAccount);
  assertDispatched(r, 'commitResult');

  const message = attestationMessage(jobId, kernelHash, digest, out, 7, DEVICE);
  const attestation = { workerVersion: 7, deviceClass: DEVICE, signature: providerCompute.sign(message) };
  // A forged attestation (signed by another key than the registered compute key) is refused.
  r = await submitAndFinalize(api, api.tx.computeMarket.revealResult(jobId, digest, salt, u8aToHex(out), { ...attestation, signature: eve.sign(message) }), providerAccount);
  assertFailedWith(r, null, 'BadAttestation', 'a reveal with a forged attestation');

  const providerBefore = await freeOf(api, providerAccount.address);
  r = await submitAndFinalize(api, api.tx.computeMarket.revealResult(jobId, digest, salt, u8aToHex(out), attestation), providerAccount);
  assertDispatched(r, 'revealResult');
  const ev = (name) => r.events.filter(({ event }) => api.events.computeMarket[name].is(event)).map(({ event }) => event.data);
  assert.equal(ev('JobVerified').length, 1);
  assert.equal(u8aToHex(ev('JobVerified')[0].outputDigest), u8aToHex(digest));
  const paid = ev('ProviderPaid')[0];
  const cut = perbillOf((await marketParams(api)).treasuryCut, gross);
  // The reward: RewardPerUnit × the units the parameters need, never above the cut (near the
  // price floor, with the default parameters, the cut is the smaller).
  const reward = await rewardCap(api, units, gross);
  assert.ok(reward <= cut);
  assert.equal(paid.payment.toBigInt(), gross - cut);
  assert.equal(paid.treasuryCut.toBigInt(), cut);
  assert.equal(paid.reward.toBigInt(), reward);
  assert.equal(paid.reward.toBigInt(), quote.rewardPerProvider.toBigInt());
  assert.equal(await freeOf(api, providerAccount.address, r.blockHash), providerBefore - txFee(api, r.events) + gross - cut + reward);
  // The whole budget left escrow: to the provider and the treasury; nothing to refund.
  assert.equal(await freeChange(escrow, r.blockHash), -gross);
  assert.equal(ev('EscrowRefunded').length, 0);

  const done = await jobOf(jobId);
  assert.equal(done.status.type, 'Verified');
  assert.equal(done.neededUnits.toNumber(), units);
  assert.equal(done.fee.toBigInt(), submitted.fee.toBigInt());
  assert.equal(done.deposit.toBigInt(), deposit);
  assert.equal(u8aToHex(done.result.unwrap().smallOutput), u8aToHex(out));
  // The deposit stays held until the job is pruned (RetentionPeriod, a day by default).
  assert.equal(await heldFor(api, charlie.address, 'JobDeposit'), charlieDepositBefore + deposit);
  assert.equal(await heldFor(api, charlie.address, 'JobEscrow'), 0n);
  const stats = await api.call.computeMarketApi.stats();
  assert.equal(stats.verified.toNumber(), 1);
  assert.equal(stats.rewardsMinted.toBigInt(), reward);
});

test('assigned providers decline: the job goes to others, then fails after its attempts, refunded, and nobody is slashed', async () => {
  const wid = 0;
  const builtin = (await api.call.computeMarketApi.workload(wid)).unwrap();
  const target = new Uint8Array(32); target[0] = 0x10;
  const params = { seed: u8aToHex(blake2AsU8a(stringToU8a('e2e decline'))), dims: [1000], target: u8aToHex(target) };
  const price = builtin.priceFloor.toBigInt();
  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 100;
  let r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(wid, params, 1, 1, price, deadline), charlie);
  assertDispatched(r, 'submitJob');
  const submitted = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data;
  const jobId = submitted.job.toNumber();
  const charged = submitted.fee.toBigInt() + submitted.deposit.toBigInt() + txFee(api, r.events);
  const charlieBefore = await freeOf(api, charlie.address, await parentOf(r.blockHash));
  const maxAttempts = (await marketParams(api)).maxAttempts.toNumber();

  const decliners = [];
  let last;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const job = await waitFor(async () => {
      const j = await jobOf(jobId);
      return j.status.type === 'Assigned' && j.attempts.toNumber() === attempt ? j : false;
    }, TIMEOUT.assignment, `assignment ${attempt}`);
    const assigned = job.assignments[0].provider.toString();
    assert.ok(!decliners.includes(assigned), 'a provider that declined is not drawn again');
    const { account } = providers[assigned];
    const before = (await api.call.computeMarketApi.provider(assigned)).unwrap();
    if (attempt === 1) {
      // Only an assigned provider may decline.
      const other = Object.values(providers).find((p) => p.account.address !== assigned).account;
      r = await submitAndFinalize(api, api.tx.computeMarket.declineJob(jobId), other);
      assertFailedWith(r, 'computeMarket', 'NotAssigned', 'declineJob by a provider not assigned');
    }
    // The assigned provider declines inside the commit window: nobody is left to wait for and
    // the attempt settles at once, nobody slashed; the job goes to another provider until its
    // attempts are spent, then fails.
    r = await submitAndFinalize(api, api.tx.computeMarket.declineJob(jobId), account);
    assertDispatched(r, 'declineJob');
    const ev = (name) => r.events.filter(({ event }) => api.events.computeMarket[name].is(event)).map(({ event }) => event.data);
    assert.equal(ev('AssignmentDeclined').length, 1);
    assert.equal(ev('AssignmentDeclined')[0].provider.toString(), assigned);
    assert.equal(ev('ProviderSlashed').length, 0);
    assert.equal(ev('JobReassigned').length, attempt < maxAttempts ? 1 : 0);
    assert.equal(ev('JobFailed').length, attempt < maxAttempts ? 0 : 1);
    const after = (await api.call.computeMarketApi.provider(assigned)).unwrap();
    assert.equal(after.bond.toBigInt(), before.bond.toBigInt(), 'not slashed');
    assert.ok(after.reputation.toNumber() < before.reputation.toNumber(), 'a little reputation lost');
    assert.equal(after.openAssignments.toNumber(), 0);
    decliners.push(assigned);
    last = ev('JobFailed')[0];
  }
  assert.equal(last.refund.toBigInt(), price, 'the whole budget refunded');
  const failed = await jobOf(jobId);
  assert.equal(failed.status.type, 'Failed');
  assert.equal(failed.assignments[0].declined.isTrue, true);
  assert.equal(failed.escrow.toBigInt(), 0n);

  // Charlie lost the fee and the transaction fee; the deposit stays held until pruning.
  assert.equal(await freeOf(api, charlie.address, r.blockHash), charlieBefore - charged);
  assert.equal((await api.call.computeMarketApi.stats()).failed.toNumber(), 1);
});

test('governance evicts a provider without open assignments and releases its bond; a signed account may not', async () => {
  const bond = (await api.call.computeMarketApi.provider(dave.address)).unwrap().bond.toBigInt();
  assert.equal(await heldFor(api, dave.address, 'ProviderBond'), bond);
  // Dave is active: only governance may remove him.
  let r = await submitAndFinalize(api, api.tx.computeMarket.evictProvider(dave.address), bob);
  assertFailedWith(r, 'computeMarket', 'NotEvictable', 'evictProvider by a signed account');
  r = await submitAndFinalize(api, api.tx.sudo.sudo(api.tx.computeMarket.evictProvider(dave.address)), alice);
  assertDispatched(r, 'sudo(evictProvider)');
  const sudid = r.events.find(({ event }) => api.events.sudo.Sudid.is(event)).event.data;
  assert.ok(sudid.sudoResult.isOk, `evicted: ${sudid.sudoResult.toString()}`);
  const removed = r.events.find(({ event }) => api.events.computeMarket.ProviderRemoved.is(event)).event.data;
  assert.equal(removed.provider.toString(), dave.address);
  assert.equal(removed.released.toBigInt(), bond);
  assert.ok((await api.call.computeMarketApi.provider(dave.address)).isNone);
  assert.equal(await heldFor(api, dave.address, 'ProviderBond'), 0n);
  r = await submitAndFinalize(api, api.tx.sudo.sudo(api.tx.computeMarket.evictProvider(dave.address)), alice);
  const again = r.events.find(({ event }) => api.events.sudo.Sudid.is(event)).event.data.sudoResult;
  assert.equal(api.registry.findMetaError(again.asErr.asModule).name, 'NotProvider');
});
