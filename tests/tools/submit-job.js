#!/usr/bin/env node
// Order a compute job through @polkadot/api and wait for its result.
//
//   scripts/submit-job.sh --workload 1 --dims 128 [--replicas 3] [--suri //Charlie]
//                         [--url ws://127.0.0.1:9944] [--seed 0x..] [--target 0x..]
//                         [--price PLANCK] [--units N] [--timeout SECS]
//
// Units default to the fewest that cover the job (⌈work / unit size⌉, the work being the
// product of the dims each raised to its power), the price to the workload's floor, replicas to
// what its verification needs (1 for on-chain-checked or a quorum of 1, quorum + 1 above that:
// 3 for the built-in replicated workloads). The consumer pays the budget into the market's
// escrow, a non-refundable submission fee and a storage deposit (held until the job is pruned);
// replicas may not exceed the active providers other than the consumer (on the local testnet,
// whose providers are Alice, Bob and Charlie, order 3 replicas as e.g. --suri //Dave). Prints
// the job's life and exits 0 once it is Verified.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, randomAsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { submitAndFinalize, waitFor, withTimeout } from '../lib/node.js';
import { defaultReplicas, minUnits } from '../lib/market.js';

function parseArgs(argv) {
  const o = { url: 'ws://127.0.0.1:9944', suri: '//Charlie', timeout: 300 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    o[k] = v;
  }
  if (o.workload === undefined || o.dims === undefined) {
    throw new Error('usage: submit-job --workload ID --dims A[,B,C] [--replicas R] [--suri //Charlie] [--url ws://...] [--seed 0x..] [--target 0x..] [--price PLANCK] [--units N] [--timeout SECS]');
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  await cryptoWaitReady();
  const api = await withTimeout(ApiPromise.create({ provider: new WsProvider(o.url), noInitWarn: true, throwOnConnect: true }), 30_000, `a node at ${o.url}`);
  try {
    const who = new Keyring({ type: 'sr25519' }).addFromUri(o.suri);
    const id = Number(o.workload);
    const w = await api.call.computeMarketApi.workload(id);
    if (w.isNone) throw new Error(`no workload ${id}`);
    const workload = w.unwrap();
    const dims = o.dims.split(',').map(Number);
    const params = { seed: o.seed ?? randomAsHex(32), dims, target: o.target ?? null };
    const replicas = Number(o.replicas ?? defaultReplicas(workload));
    const units = Number(o.units ?? minUnits(workload, dims));
    const price = BigInt(o.price ?? workload.priceFloor.toBigInt());
    const quote = await api.call.computeMarketApi.quote(id, params, units, replicas, price);
    if (quote.isErr) throw new Error(`the chain refuses this order: ${quote.asErr.type}`);
    const q = quote.asOk;
    console.log(`ordering ${workload.name.toUtf8()} ${JSON.stringify(params)}: ${units} units × ${replicas} replicas at ${price} planck/unit, budget ${q.budget.toBigInt()} planck (to escrow), fee ${q.fee.toBigInt()} planck (not refunded), deposit ${q.deposit.toBigInt()} planck (held until pruned), reward ≤ ${q.rewardPerProvider.toBigInt()} planck per provider, commit window ${q.commitWindow.toNumber()} blocks`);
    const deadline = (await api.rpc.chain.getHeader()).number.toNumber() + 600;
    const t0 = Date.now();
    const r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(id, params, units, replicas, price, deadline), who);
    if (r.dispatchError) throw new Error(`submitJob failed: ${r.dispatchError.section ?? ''}.${r.dispatchError.name}`);
    const jobId = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event)).event.data.job.toNumber();
    console.log(`job ${jobId} submitted in block ${r.blockHash.toHex()}`);
    let last = '';
    const job = await waitFor(async () => {
      const j = (await api.call.computeMarketApi.job(jobId)).unwrap();
      const state = `${j.status.type} (attempt ${j.attempts.toNumber()}: ${j.assignments.map((a) => a.provider.toString()).join(', ') || 'unassigned'})`;
      if (state !== last) { console.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s  ${state}`); last = state; }
      if (['Failed', 'Refunded', 'Expired', 'Cancelled', 'InputUnavailable'].includes(j.status.type)) throw new Error(`job ${jobId} ended ${j.status.type}`);
      return j.status.type === 'Verified' ? j : false;
    }, Number(o.timeout) * 1000, `job ${jobId} verified`, 1000);
    const res = job.result.unwrap();
    console.log(JSON.stringify({
      job: jobId,
      workload: workload.name.toUtf8(),
      output_digest: res.outputDigest.toHex(),
      small_output: u8aToHex(res.smallOutput),
      accepted: res.accepted.toNumber(),
      seconds: (Date.now() - t0) / 1000,
    }, null, 2));
  } finally {
    await api.disconnect();
  }
}

main().then(() => process.exit(0)).catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
