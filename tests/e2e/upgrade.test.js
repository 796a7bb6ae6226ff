// A runtime upgrade of a running dev chain, checked twice, with jobs in flight:
// 1. a dry run on a fork of the live chain (chopsticks `try-runtime`): the next release's
//    migrations with their pre- and post-upgrade checks and every pallet's `try_state` must
//    pass, within one block's weight;
// 2. the real upgrade: sudo sets the code on the running node, the runtime upgrades in the next
//    block, and the market goes on: the job in flight across the upgrade and a job ordered after
//    it are verified by the node's offchain worker.
// The next release is this tree with `spec_version + 1` and the `try-runtime` feature, built by
// scripts/build-next-runtime.sh; scripts/test.sh passes its path in $CRUCIBLE_NEXT_RUNTIME.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, xxhashAsU8a } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { CrucibleNode, repoRoot, submitAndFinalize, waitFor } from '../lib/node.js';
import { jobSpecs, unitsFor } from '../lib/market.js';
import { TIMEOUT, assertDispatched } from '../lib/chain.js';

const NEXT = process.env.CRUCIBLE_NEXT_RUNTIME;
let node, api, alice, charlie;

before(async () => {
  assert.ok(NEXT && existsSync(NEXT),
    `the next runtime (${NEXT}) is missing: CRUCIBLE_NEXT_RUNTIME=$(scripts/build-next-runtime.sh | tail -1)`);
  await cryptoWaitReady();
  node = await CrucibleNode.start({ chain: 'dev', name: 'upgrade' });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  charlie = keyring.addFromUri('//Charlie');
});

after(async () => { if (node) await node.stop(); });

/** Charlie orders one hash-search job (one replica); resolves to its id. */
async function orderJob(salt) {
  const [spec] = (await jobSpecs(api, salt)).filter((s) => s.kernel === 'hash-search');
  const units = await unitsFor(api, spec);
  const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 200;
  const tx = api.tx.computeMarket.submitJob(spec.id, spec.params, units, spec.replicas, spec.workload.priceFloor.toBigInt(), deadline);
  const r = await submitAndFinalize(api, tx, charlie);
  assertDispatched(r, `order ${salt}`);
  return r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data.job.toNumber();
}

const statusOf = async (job) => (await api.call.computeMarketApi.job(job)).unwrap().status.type;

async function verified(job) {
  await waitFor(async () => {
    const s = await statusOf(job);
    if (s === 'Failed' || s === 'Refunded' || s === 'Expired') throw new Error(`job ${job} ${s}`);
    return s === 'Verified';
  }, TIMEOUT.jobVerified, `job ${job} verified`, 1000);
}

/** The on-chain storage version of a pallet (`:__STORAGE_VERSION__:` under its prefix). */
async function storageVersion(pallet) {
  const key = u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(':__STORAGE_VERSION__:', 128));
  const raw = await api.rpc.state.getStorage(u8aToHex(key));
  return raw.isSome ? api.createType('u16', raw.unwrap()).toNumber() : 0;
}

/** Run chopsticks' try-runtime against the node; resolves to { code, output }. */
function tryRuntime(wasm) {
  const bin = join(repoRoot, 'tests', 'node_modules', '.bin', 'chopsticks');
  const args = ['try-runtime', '--endpoint', node.wsUrl, '--runtime', wasm, '--checks', 'All', '--runtime-log-level', '3'];
  return new Promise((res, rej) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => { output += d; });
    p.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`chopsticks try-runtime timed out:\n${output.slice(-4000)}`)); }, TIMEOUT.upgradeDryRun);
    p.on('exit', (code) => { clearTimeout(timer); res({ code, output }); });
  });
}

test('the next release passes its migrations and every try_state on a fork of the live chain', async () => {
  const done = await orderJob('before-fork');
  await verified(done);
  const inFlight = await orderJob('at-fork');
  const current = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();

  const t0 = Date.now();
  const { code, output } = await tryRuntime(NEXT);
  assert.equal(code, 0, `chopsticks try-runtime failed:\n${output.slice(-4000)}`);
  assert.match(output, new RegExp(`Current runtime spec_name: crucible, spec_version: ${current}\\b`));
  assert.match(output, new RegExp(`New runtime spec_name: crucible, spec_version: ${current + 1}\\b`));
  // Every pallet's try_state ran (the market's among them), and all the state decodes.
  assert.match(output, /Running "ComputeMarket" try-state checks/);
  assert.match(output, /Running "Staking" try-state checks/);
  assert.match(output, /Entire runtime state decodes without error/);
  const m = /Consumed weight: (\d+) of max: (\d+)/.exec(output);
  assert.ok(m, `no weight in the output:\n${output.slice(-2000)}`);
  assert.ok(BigInt(m[1]) <= BigInt(m[2]), 'the upgrade fits in a block');
  console.log(`  try-runtime on the fork: ${((Date.now() - t0) / 1000).toFixed(0)} s, weight ${m[1]} of ${m[2]} (ref time)`);
  // A dry run changes nothing on the live chain, and the market goes on.
  assert.equal((await api.rpc.state.getRuntimeVersion()).specVersion.toNumber(), current);
  await verified(inFlight);
});

test('sudo upgrades the running chain; a job across the upgrade and one ordered after it are verified', async () => {
  const current = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
  const marketVersion = await storageVersion('ComputeMarket');
  const across = await orderJob('across-upgrade');

  const code = u8aToHex(readFileSync(NEXT));
  const setCode = api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCode(code), { refTime: 0, proofSize: 0 });
  // Alice's node also signs its offchain worker's transactions with Alice's account: a nonce
  // race with them is retried.
  let r;
  for (let i = 0; ; i++) {
    try {
      r = await submitAndFinalize(api, setCode, alice);
      break;
    } catch (e) {
      if (i === 2) throw e;
    }
  }
  // The block that set the code was executed by the old runtime, but its state already holds
  // the new code, whose metadata (other type ids) the api switches to: decode that block's
  // events with the metadata of its parent.
  const { parentHash } = await api.rpc.chain.getHeader(r.blockHash);
  const old = await api.at(parentHash);
  const raw = await node.rpc('state_getStorage', [old.query.system.events.key(), r.blockHash.toHex()]);
  const events = old.registry.createType('Vec<FrameSystemEventRecord>', raw);
  const names = events.map(({ event }) => `${event.section}.${event.method}`);
  const sudid = events.find(({ event }) => event.section === 'sudo' && event.method === 'Sudid');
  assert.ok(sudid, `sudo dispatched setCode (events: ${names.join(', ')})`);
  assert.ok(sudid.event.data[0].isOk, `setCode succeeded: ${sudid.event.data[0].toString()}`);
  assert.ok(names.includes('system.CodeUpdated'), `system.CodeUpdated (events: ${names.join(', ')})`);

  // The upgrade applies from the next block: the spec version, the recorded last upgrade.
  await waitFor(async () => (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber() === current + 1,
    TIMEOUT.blocks, `spec_version ${current + 1}`, 1000);
  // @polkadot/api 16.5.6 reloads only the v14 metadata on a runtime upgrade, which has no
  // runtime APIs (api.call.computeMarketApi would vanish): a client connects again, as here,
  // and reads the v15 metadata of the new runtime.
  const stale = api;
  api = await node.api();
  await stale.disconnect();
  assert.equal(typeof api.call.computeMarketApi.job, 'function', 'the market\'s runtime API after the upgrade');
  const last = (await api.query.system.lastRuntimeUpgrade()).unwrap();
  assert.equal(last.specVersion.toNumber(), current + 1);
  assert.equal(await storageVersion('ComputeMarket'), marketVersion, 'the market\'s storage version is the code\'s');

  // The market goes on under the new code.
  await verified(across);
  const after = await orderJob('after-upgrade');
  await verified(after);
  const job = (await api.call.computeMarketApi.job(after)).unwrap();
  assert.equal(job.result.unwrap().accepted.toNumber(), 1);
});
