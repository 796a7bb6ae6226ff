// Open programs on a `--dev` node, through the CLI (`scripts/crucible publish`, `program-limit`,
// `retire`): a program is published as a workload named by its source's hash with the deposit
// held; a refused manifest fails with its typed error and publishes nothing; only opted-in
// providers count for its jobs; retiring releases the deposit and closes it to new jobs. A
// published program runs on the chain's replicas (out of process in the node's embedded worker)
// and its downloaded output is the histogram computed here; programs that do not build, loop
// forever or write out of bounds end `ProgramFailed` with their reason, nobody slashed, and the
// next job runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { CrucibleNode, repoRoot, waitFor } from '../lib/node.js';
import { marketParams, heldFor } from '../lib/market.js';
import { manifestFromJson, evalExpr } from '../lib/programs.js';
import { blobInput } from '../lib/jobs.js';

const CLI = join(repoRoot, 'scripts', 'crucible');
const EXAMPLE = join(repoRoot, 'examples', 'histogram');
const run = promisify(execFile);
let dir, node, api, url, bob, charlie;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crucible-programs-'));
  mkdirSync(join(dir, 'node'));
  // A short wall-time limit for open programs, so that the one that loops is stopped well inside
  // its commit window even though one worker runs all three dev providers' replicas in turn.
  node = await CrucibleNode.start({ chain: 'dev', name: 'programs', basePath: join(dir, 'node'), extraArgs: ['--compute-program-timeout-secs', '5'] });
  api = await node.api();
  url = `ws://127.0.0.1:${node.rpcPort}`;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  bob = keyring.addFromUri('//Bob').address;
  charlie = keyring.addFromUri('//Charlie').address;
});

after(async () => {
  if (node) await node.stop();
  if (dir && !process.env.KEEP_E2E_DATA) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args) => run(CLI, [...args, '--url', url], { maxBuffer: 1 << 24 });
const lastJson = (stdout) => JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1));

/** The quote of a histogram job over `n` values of an input blob `digest`, as Ok or the error's name. */
async function quote(workload, digest, n) {
  const params = { seed: `0x${'11'.repeat(32)}`, dims: [n], target: null, inputs: [blobInput(digest, 4 * n)], publishOutput: false };
  // Quorum 2 on three replicas: the dev chain's three providers (Alice, Bob, Ferdie).
  const q = await api.call.computeMarketApi.quote(workload, params, 1, 3, 10n ** 9n);
  return q.isOk ? 'Ok' : q.asErr.type;
}

test('a program published through the CLI is a workload named by its source, only opted-in providers run it, and retiring it releases the deposit', async () => {
  const source = readFileSync(join(EXAMPLE, 'histogram.cl'));
  const json = JSON.parse(readFileSync(join(EXAMPLE, 'manifest.json'), 'utf8'));
  const deposit = (await marketParams(api)).programDeposit.toBigInt();
  assert.ok(deposit > 0n);

  const { stdout } = await cli('publish', join(EXAMPLE, 'histogram.cl'), join(EXAMPLE, 'manifest.json'), '--suri', '//Bob');
  const published = lastJson(stdout);
  assert.equal(published.kernel_hash, blake2AsHex(source, 256), 'the program is named by its source');
  const w = published.workload;
  const workload = (await api.query.computeMarket.workloads(w)).unwrap();
  assert.equal(workload.name.toUtf8(), 'histogram-u32');
  assert.equal(workload.kernelHash.toHex(), published.kernel_hash);
  assert.equal(workload.entryPoint.toUtf8(), 'histogram');
  const program = (await api.query.computeMarket.programs(w)).unwrap();
  assert.equal(program.owner.toString(), bob);
  // The manifest on chain is the file's, expressions and all.
  const m = program.manifest;
  assert.equal(m.launches[0].entry.toUtf8(), 'histogram');
  assert.deepEqual(m.launches[0].local.map((x) => x.toNumber()), [64]);
  assert.deepEqual(m.inputs[0].terms.map((t) => [t.coeff.toBigInt(), Array.from(t.dims)]), [[4n, [0]]]);
  assert.ok(m.buffers[1].isOutput && m.buffers[1].asOutput.terms[0].coeff.toBigInt() === 1024n);
  assert.equal(m.dims[0].max.toNumber(), 16777216);
  assert.ok(m.verification.bitExact.isTrue);
  assert.equal(program.deposit.toBigInt(), deposit);
  assert.equal(await heldFor(api, bob, 'ProgramDeposit'), deposit);
  assert.equal(evalExpr(manifestFromJson(json).manifest.inputs[0], [1000]), 4000n);

  // A job on it needs three opted-in providers; none of the dev chain's has opted in yet.
  const values = new Uint8Array(4 * 1000).map((_, i) => (i * 7) & 255);
  const file = join(dir, 'values.bin');
  writeFileSync(file, values);
  const up = lastJson((await cli('upload', file)).stdout);
  assert.equal(await quote(w, up.hash, 1000), 'NotEnoughProviders');
  const limit = lastJson((await cli('program-limit', '1000000', '--suri', '//Alice')).stdout);
  assert.deepEqual(Object.keys(limit[0]), ['ProgramLimitSet']);
  assert.equal(await quote(w, up.hash, 1000), 'NotEnoughProviders');
  for (const p of ['//Bob', '//Ferdie']) await cli('program-limit', '1000000', '--suri', p);
  assert.equal(await quote(w, up.hash, 1000), 'Ok');
  // Dimensions whose input length (4·n) is not the stored blob's are refused.
  assert.equal(await quote(w, up.hash, 999), 'InputSizeMismatch');
  // Above Alice's limit, nobody is left to run it.
  await cli('program-limit', '999', '--suri', '//Alice');
  assert.equal(await quote(w, up.hash, 1000), 'NotEnoughProviders');

  // The same source cannot be listed twice.
  await assert.rejects(cli('publish', join(EXAMPLE, 'histogram.cl'), join(EXAMPLE, 'manifest.json'), '--suri', '//Charlie'),
    (e) => /computeMarket\.ProgramExists/.test(e.stderr));

  const before = (await api.query.system.account(bob)).data.free.toBigInt();
  const retired = lastJson((await cli('retire', String(w), '--suri', '//Bob')).stdout);
  assert.ok(retired.some((e) => e.ProgramRetired), JSON.stringify(retired));
  assert.equal(await heldFor(api, bob, 'ProgramDeposit'), 0n);
  const after = (await api.query.system.account(bob)).data.free.toBigInt();
  assert.ok(after > before + deposit - 10n ** 10n, 'the deposit came back (less the fee)');
  // Without jobs the program and its workload are gone at once; jobs on it are refused.
  assert.ok((await api.query.computeMarket.programs(w)).isNone);
  assert.equal(await quote(w, up.hash, 1000), 'UnknownWorkload');
});

test('a refused manifest fails with its typed error and publishes nothing', async () => {
  const json = JSON.parse(readFileSync(join(EXAMPLE, 'manifest.json'), 'utf8'));
  const count = (await api.query.computeMarket.programCount()).toNumber();
  const cases = [
    [{ ...json, output: [] }, 'ManifestBadOutput'],
    [{ ...json, dims: [{ name: 'n', min: 0, max: 10 }] }, 'ManifestBadDims'],
    [{ ...json, work: '18446744073709551615*n' }, 'ManifestOverflow'],
    [{ ...json, buffers: [{ input: 0 }, { output: '0' }] }, 'ManifestEmpty'],
  ];
  for (const [i, [bad, error]] of cases.entries()) {
    const m = join(dir, `bad-${i}.json`);
    writeFileSync(m, JSON.stringify(bad));
    // Another source each time, so that nothing but the manifest can be what is refused.
    const src = join(dir, `bad-${i}.cl`);
    writeFileSync(src, `${readFileSync(join(EXAMPLE, 'histogram.cl'), 'utf8')}// ${i}\n`);
    await assert.rejects(cli('publish', src, m, '--suri', '//Charlie'), (e) => e.stderr.includes(`computeMarket.${error}`), error);
  }
  assert.equal((await api.query.computeMarket.programCount()).toNumber(), count);
  assert.equal(await heldFor(api, charlie, 'ProgramDeposit'), 0n);
});

/** The histogram of little-endian u32 `values` into 256 bins (value >> 24), as bytes. */
function histogramOf(values) {
  const bins = new Uint32Array(256);
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i + 4 <= values.length; i += 4) bins[view.getUint32(i, true) >>> 24]++;
  return new Uint8Array(bins.buffer);
}

const LOOPS = `__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
  volatile uint x = values[get_global_id(0) % n];
  while (x != 0xffffffffu || n != 0) { x = x * 1664525u + 1013904223u; bins[x & 255] = x; }
}
`;
const OUT_OF_BOUNDS = `__kernel void histogram(__global const uint *values, __global uint *bins, const uint n) {
  if (get_global_id(0) == 0) { bins[256] = 7u; }
}
`;

test('a published program runs on replicas and returns the histogram; failing programs end ProgramFailed with their reason, nobody slashed, and the next job runs', async () => {
  const json = JSON.parse(readFileSync(join(EXAMPLE, 'manifest.json'), 'utf8'));
  const histogram = readFileSync(join(EXAMPLE, 'histogram.cl'), 'utf8');
  const publish = async (tag, source) => {
    const src = join(dir, `${tag}.cl`);
    writeFileSync(src, `${source}// ${tag}\n`);
    return lastJson((await cli('publish', src, join(EXAMPLE, 'manifest.json'), '--suri', '//Charlie')).stdout).workload;
  };
  for (const p of ['//Alice', '//Bob', '//Ferdie']) await cli('program-limit', String(json.maxWork), '--suri', p);
  const providers = ['//Alice', '//Bob', '//Ferdie'].map((s) => new Keyring({ type: 'sr25519' }).addFromUri(s).address);
  const bonds = async () => Promise.all(providers.map(async (p) => (await api.query.computeMarket.providers(p)).unwrap().bond.toBigInt()));
  const bondsBefore = await bonds();

  const n = 100_000;
  const values = new Uint8Array(randomBytes(4 * n));
  const file = join(dir, 'histogram-input.bin');
  writeFileSync(file, values);
  const w = await publish('histogram', histogram);
  const runOk = async (suri) => {
    const out = join(dir, `histogram-${suri.slice(2)}.out`);
    const started = Date.now();
    const r = lastJson((await cli('run', String(w), '--input', file, '--out', out, '--suri', suri, '--timeout', '300')).stdout);
    assert.equal(r.status, 'Verified', JSON.stringify(r));
    assert.ok(r.accepted >= 2, 'a quorum of two agreed');
    assert.deepEqual(new Uint8Array(readFileSync(out)), histogramOf(values), 'the downloaded output is the histogram computed here');
    console.log(`  histogram of ${n} values: order→downloaded ${((Date.now() - started) / 1000).toFixed(1)} s, ${r.accepted} replicas agreed`);
  };
  await runOk('//Dave');

  // Three programs that fail, ordered at once by three consumers.
  const failing = [
    ['does-not-build', histogram.replace('atomic_inc(&bins', 'atomic_inc(&undeclared'), 'Build'],
    ['loops', LOOPS, 'Timeout'],
    ['out-of-bounds', OUT_OF_BOUNDS, 'OutOfBounds'],
  ];
  const ids = [];
  for (const [tag, source] of failing) ids.push(await publish(tag, source));
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const results = await Promise.all(failing.map(async ([tag], i) => {
    const res = await cli('run', String(ids[i]), '--input', file, '--suri', ['//Eve', '//Charlie', '//Dave'][i], '--timeout', '300').catch((e) => e);
    assert.equal(res.code, 3, `${tag}: the CLI exits 3 for a job that did not verify`);
    assert.match(res.stderr, /the program failed to run/, tag);
    return lastJson(res.stdout);
  }));
  for (const [i, [tag, , reason]] of failing.entries()) {
    const r = results[i];
    assert.equal(r.status, 'ProgramFailed', `${tag}: ${JSON.stringify(r)}`);
    assert.equal(r.reason, reason, tag);
    assert.match(r.log_hash, /^0x[0-9a-f]{64}$/, tag);
    const job = (await api.query.computeMarket.jobs(r.job)).unwrap();
    assert.equal(job.status.asProgramFailed.type, reason);
    console.log(`  ${tag}: ProgramFailed(${reason}) ${r.waited_s.toFixed(1)} s after the order (blocks ${head}→${r.finished_at})`);
  }
  // The log behind a failure's hash is served by the worker that ran it.
  const workerUrl = /Embedded compute worker on (http:\/\/[\d.:]+)/.exec(node.output)?.[1];
  assert.ok(workerUrl, 'the node logs its worker URL');
  const res = await fetch(workerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'worker_log', params: [results[0].log_hash] }) });
  const log = (await res.json()).result;
  assert.match(log, /undeclared/, 'the build log names the error');
  assert.deepEqual(await bonds(), bondsBefore, 'nobody was slashed');
  // The node kept authoring past the failures, and its next job verifies.
  const last = Math.max(...results.map((r) => r.finished_at));
  assert.ok(last > head);
  await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() > last + 2, 30_000, 'blocks after the failures');
  await runOk('//Eve');
});

test('the example programs run against the dev chain: the histogram, and int8 MLP inference equal to numpy bit for bit, at least 90 % accurate', async () => {
  const { stdout } = await run(join(repoRoot, 'examples', 'run.sh'), ['--url', url, '--suri', '//Dave'], { maxBuffer: 1 << 24 });
  const r = JSON.parse(stdout.slice(stdout.indexOf('{')));
  assert.equal(r.histogram.equal_to_reference, true);
  assert.equal(r.mlp.predictions_equal_numpy_int8, true, 'the replicas\' predictions are the numpy int8 reference');
  assert.equal(r.mlp.images, 360);
  assert.ok(r.mlp.accuracy >= 0.9, `accuracy ${r.mlp.accuracy}`);
  assert.equal(r.mlp.accuracy, r.mlp.numpy_int8_accuracy);
  assert.ok(r.mlp.replicas_agreed >= 2);
  assert.ok(r.mlp.job_cru > 0);
  console.log(`  histogram of ${r.histogram.values} values: ${r.histogram.order_to_output_s.toFixed(1)} s, ${r.histogram.job_cru.toFixed(4)} CRU (+${r.histogram.upload_cru.toFixed(4)} CRU upload)`);
  console.log(`  MLP on ${r.mlp.images} digits: accuracy ${(100 * r.mlp.accuracy).toFixed(1)} % (float ${(100 * r.mlp.float_accuracy).toFixed(1)} %), order→predictions ${r.mlp.order_to_predictions_s.toFixed(1)} s, job ${r.mlp.job_cru.toFixed(4)} CRU (+${r.mlp.upload_cru.toFixed(4)} CRU upload)`);
});
