#!/usr/bin/env node
// Run Crucible's two example open programs against a dev chain, the way a consumer would
// (examples/run.sh is the entry point; it makes the Python environment first):
//
//  * examples/histogram: 262,144 random u32 values uploaded as a blob, their 256-bin histogram
//    computed by the chain's replicas, downloaded and compared with the one computed here;
//  * examples/mlp-digits: a small MLP trained on scikit-learn's bundled digits and quantized to
//    int8 (train.py), its weights and the 360 held-out images uploaded as blobs, the forward
//    pass run on the replicas, the predictions downloaded and compared bit for bit with the
//    numpy int8 reference; the accuracy on the held-out images is printed.
//
// Each program is published once (by its source's hash; a second run reuses it), and the dev
// chain's providers (Alice, Bob, Ferdie) opt in to open programs. Prints one JSON summary:
// latencies (order → output downloaded), accuracy, and what the consumer paid. Exits 1 when a
// result differs from its reference.
//
//   node tests/tools/run-examples.js --python PYTHON [--url ws://127.0.0.1:9944] [--suri //Dave]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { repoRoot, submitAndFinalize, withTimeout } from '../lib/node.js';
import { upload, download, DATA_RPC } from '../lib/data.js';
import { blobInput, orderJob, followJob, resultOf } from '../lib/jobs.js';
import { publishProgram, programShape } from '../lib/programs.js';
import { describeDispatchError } from '../lib/chain.js';

const CRU = 10n ** 12n;
const cru = (planck) => Number(planck) / Number(CRU);

function parseArgs(argv) {
  const o = { url: 'ws://127.0.0.1:9944', suri: '//Dave' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`usage: run-examples.js --python PYTHON [--url URL] [--suri SURI]; got ${argv[i]}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  if (!o.python) throw new Error('--python PYTHON (with numpy and scikit-learn) is needed');
  return o;
}

/** The histogram of little-endian u32 `values` into 256 bins (value >> 24), as bytes. */
export function histogramOf(values) {
  const bins = new Uint32Array(256);
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i + 4 <= values.length; i += 4) bins[view.getUint32(i, true) >>> 24]++;
  return new Uint8Array(bins.buffer);
}

/** The example program in `dir`, published unless its source already is: its workload id. */
async function programOf(api, signer, dir, sourceFile) {
  const source = readFileSync(join(repoRoot, 'examples', dir, sourceFile));
  const json = JSON.parse(readFileSync(join(repoRoot, 'examples', dir, 'manifest.json'), 'utf8'));
  const listed = await api.query.computeMarket.programOfSource(blake2AsHex(source, 256));
  if (listed.isSome) return { workload: listed.unwrap().toNumber(), json };
  const p = await publishProgram(api, signer, source, json);
  return { workload: p.workload, json };
}

/** Let the dev chain's providers run open programs of up to `work`. */
async function optInDevProviders(api, keyring, work) {
  const limits = new Map((await api.query.computeMarket.programProviders()).map(([p, l]) => [p.toString(), l.toBigInt()]));
  for (const suri of ['//Alice', '//Bob', '//Ferdie']) {
    const who = keyring.addFromUri(suri);
    if ((limits.get(who.address) ?? 0n) >= work) continue;
    const r = await submitAndFinalize(api, api.tx.computeMarket.setProgramLimit(work), who);
    if (r.dispatchError) throw new Error(`setProgramLimit (${suri}): ${describeDispatchError(r.dispatchError)}`);
  }
}

/** What `who` has: free and held. */
async function balanceOf(api, who) {
  const d = (await api.query.system.account(who)).data;
  return { free: d.free.toBigInt(), held: d.reserved.toBigInt() };
}

/**
 * Upload `inputs` (byte arrays), order a job on `workload` reading them, publishing its output,
 * wait for it and download the output. Resolves to { output, job, seconds (order → output
 * downloaded), uploadCost, jobCost (what left the consumer for the job, deposits aside) }.
 */
async function runJob(api, signer, workload, inputs) {
  const before = await balanceOf(api, signer.address);
  const refs = [];
  for (const bytes of inputs) refs.push(blobInput((await upload(api, signer, bytes)).hash, bytes.length));
  const uploaded = await balanceOf(api, signer.address);
  const shape = await programShape(api, workload);
  const dims = shape.dimsFor(inputs.map((b) => b.length));
  const w = (await api.call.computeMarketApi.workload(workload)).unwrap();
  const params = { seed: `0x${randomBytes(32).toString('hex')}`, dims, target: null, inputs: refs, publishOutput: true };
  const started = Date.now();
  const order = await orderJob(api, signer, { id: workload, workload: w, params, units: shape.units(dims) });
  const { job } = await followJob(api, order.job, { timeoutMs: 600_000 });
  const r = resultOf(job);
  if (r.status !== 'Verified') throw new Error(`job ${order.job} ended ${r.status}: ${JSON.stringify(r)}`);
  const output = (await download(api, r.output_digest)).bytes;
  const seconds = (Date.now() - started) / 1000;
  const after = await balanceOf(api, signer.address);
  const spent = (a, b) => (a.free + a.held) - (b.free + b.held);
  return {
    output, job: order.job, accepted: r.accepted, seconds,
    uploadCost: spent(before, uploaded),
    // The job's storage deposit stays held until the job is pruned: not counted as paid.
    jobCost: spent(uploaded, after),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  await cryptoWaitReady();
  const api = await withTimeout(ApiPromise.create({ provider: new WsProvider(o.url), noInitWarn: true, throwOnConnect: true, rpc: DATA_RPC }), 30_000, `a node at ${o.url}`);
  const keyring = new Keyring({ type: 'sr25519' });
  const signer = keyring.addFromUri(o.suri);
  const work = mkdtempSync(join(tmpdir(), 'crucible-examples-'));
  let ok = true;
  try {
    const histogram = await programOf(api, signer, 'histogram', 'histogram.cl');
    const mlp = await programOf(api, signer, 'mlp-digits', 'mlp.cl');
    await optInDevProviders(api, keyring, BigInt(Math.max(histogram.json.maxWork, mlp.json.maxWork)));

    const values = new Uint8Array(randomBytes(4 * 262_144));
    const h = await runJob(api, signer, histogram.workload, [values]);
    const histogramEqual = Buffer.from(h.output).equals(Buffer.from(histogramOf(values)));
    ok &&= histogramEqual;

    const trained = JSON.parse(execFileSync(o.python, [join(repoRoot, 'examples', 'mlp-digits', 'train.py'), work], { encoding: 'utf8' }));
    const read = (f) => new Uint8Array(readFileSync(join(work, f)));
    const [weights, images, labels, reference] = ['weights.bin', 'images.bin', 'labels.bin', 'reference.bin'].map(read);
    const m = await runJob(api, signer, mlp.workload, [weights, images]);
    const predictions = new Uint32Array(m.output.buffer.slice(m.output.byteOffset, m.output.byteOffset + m.output.byteLength));
    const equal = Buffer.from(m.output).equals(Buffer.from(reference));
    const correct = predictions.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0);
    ok &&= equal;
    console.log(JSON.stringify({
      histogram: {
        workload: histogram.workload, job: h.job, values: values.length / 4, replicas_agreed: h.accepted,
        equal_to_reference: histogramEqual, order_to_output_s: h.seconds,
        upload_cru: cru(h.uploadCost), job_cru: cru(h.jobCost),
      },
      mlp: {
        workload: mlp.workload, job: m.job, images: predictions.length, hidden: trained.hidden, replicas_agreed: m.accepted,
        predictions_equal_numpy_int8: equal, accuracy: correct / predictions.length,
        float_accuracy: trained.float_accuracy, numpy_int8_accuracy: trained.int8_accuracy,
        order_to_predictions_s: m.seconds, upload_cru: cru(m.uploadCost), job_cru: cru(m.jobCost),
      },
    }, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
    await api.disconnect();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { console.error(`error: ${e.message}`); process.exit(2); });
