#!/usr/bin/env node
// Throughput of the 3-validator local testnet under a steady load from one client.
//
//   node tests/tools/load.js [--per-block 4] [--seconds 180] [--replicas N] [--mix all|hash-search]
//
// Starts Alice, Bob and Charlie from chain-specs/local-testnet.raw.json (free ports, temporary
// base paths, each with its embedded worker), then one client orders `--per-block` jobs in one
// batch every block (3 s) for `--seconds`, cycling through the built-in workloads with small
// parameters, and afterwards waits for the stragglers. Prints offered and settled jobs per
// minute and order→verified latency percentiles (blocks and seconds). Replicas default to what
// each workload's verification needs (1 for on-chain-checked or a quorum of 1, quorum + 1
// above that: 3 for the built-in replicated workloads, i.e. all three validators); `--replicas`
// sets one number for every workload. The client rotates its batches over the dev accounts that
// are not providers (Dave, Eve, Ferdie and the stashes): each account may have at most
// `MaxJobsPerAccount` (256) unpruned jobs and `MaxPendingPerAccount` (16) jobs waiting for
// assignment, and each order also pays a submission fee and holds a storage deposit.
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { CrucibleNode, repoRoot, waitFor, sleep } from '../lib/node.js';
import { defaultReplicas, jobSpecs, unitsFor } from '../lib/market.js';

const o = { 'per-block': 4, seconds: 180, replicas: undefined, mix: 'all' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) o[argv[i].replace(/^--/, '')] = argv[i + 1];
const perBlock = Number(o['per-block']);
const seconds = Number(o.seconds);
const SPEC = join(repoRoot, 'chain-specs', 'local-testnet.raw.json');

const pct = (xs, p) => xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p / 100 * xs.length))] : NaN;

async function main() {
  await cryptoWaitReady();
  const nodes = [];
  try {
    const alice = await CrucibleNode.start({ chain: SPEC, name: 'alice', key: 'alice' });
    nodes.push(alice);
    const boot = await alice.multiaddr();
    nodes.push(...await Promise.all(['bob', 'charlie'].map((k) => CrucibleNode.start({ chain: SPEC, name: k, key: k, bootnodes: [boot] }))));
    const api = await alice.api();
    await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 2, 60_000, 'peers');
    const keyring = new Keyring({ type: 'sr25519' });
    const consumers = ['//Dave', '//Eve', '//Ferdie', '//Alice//stash', '//Bob//stash', '//Charlie//stash', '//Dave//stash', '//Eve//stash', '//Ferdie//stash'].map((u) => keyring.addFromUri(u));
    let batches = 0;
    let refused = 0;
    let specs = await jobSpecs(api, 'load');
    if (o.mix !== 'all') specs = specs.filter((s) => s.kernel === o.mix);
    for (const s of specs) {
      s.replicas = o.replicas === undefined ? defaultReplicas(s.workload) : Number(o.replicas);
      s.units = await unitsFor(api, s);
      s.price = s.workload.priceFloor.toBigInt();
    }
    const submitted = new Map(); // job -> { block, time, kernel }
    const verified = new Map(); // job -> { block, time }
    let failed = 0;
    const unsub = await api.query.system.events(async (events) => {
      const head = await api.rpc.chain.getHeader();
      const n = head.number.toNumber();
      for (const { event } of events) {
        if (api.events.computeMarket.JobSubmitted.is(event)) submitted.set(event.data.job.toNumber(), { block: n, time: Date.now() });
        if (api.events.computeMarket.JobVerified.is(event)) verified.set(event.data.job.toNumber(), { block: n, time: Date.now() });
        if (api.events.computeMarket.JobFailed.is(event) || api.events.computeMarket.JobExpired.is(event)) failed++;
      }
    });
    let k = 0;
    let sent = 0;
    const t0 = Date.now();
    console.log(`offering ${perBlock} jobs per block for ${seconds} s (${specs.map((s) => `${s.kernel}×${s.replicas}`).join(', ')})`);
    while (Date.now() - t0 < seconds * 1000) {
      const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 600;
      const calls = [];
      for (let i = 0; i < perBlock; i++) {
        const s = specs[k++ % specs.length];
        const params = { ...s.params, seed: `0x${(k).toString(16).padStart(64, '0')}` };
        calls.push(api.tx.computeMarket.submitJob(s.id, params, s.units, s.replicas, s.price, deadline));
      }
      const who = consumers[batches++ % consumers.length];
      await api.tx.utility.batchAll(calls).signAndSend(who, { nonce: -1 }, ({ status, dispatchError }) => {
        if (status.isInBlock && dispatchError) refused += calls.length;
      });
      sent += calls.length;
      await sleep(3000);
    }
    const offeredFor = (Date.now() - t0) / 60_000;
    await waitFor(() => submitted.size >= sent - refused && verified.size + failed >= submitted.size, 300_000, 'the last jobs to settle', 1000).catch((e) => console.log(e.message));
    unsub();
    const lat = [...verified].filter(([j]) => submitted.has(j)).map(([j, v]) => ({ blocks: v.block - submitted.get(j).block, secs: (v.time - submitted.get(j).time) / 1000 }));
    const times = [...verified.values()].map((v) => v.time).sort((a, b) => a - b);
    const settleSpan = (times[times.length - 1] - times[0]) / 60_000;
    console.log(JSON.stringify({
      offered_jobs: sent,
      offered_per_minute: +(sent / offeredFor).toFixed(1),
      refused_jobs: refused,
      submitted_jobs: submitted.size,
      verified: verified.size,
      failed_or_expired: failed,
      settled_per_minute: +(verified.size / Math.max(settleSpan, 1 / 60)).toFixed(1),
      latency_blocks: { p50: pct(lat.map((l) => l.blocks), 50), p95: pct(lat.map((l) => l.blocks), 95), max: pct(lat.map((l) => l.blocks), 100) },
      latency_seconds: { p50: pct(lat.map((l) => l.secs), 50), p95: pct(lat.map((l) => l.secs), 95) },
    }, null, 2));
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

main().then(() => process.exit(0)).catch((e) => { console.error(e); process.exit(1); });
