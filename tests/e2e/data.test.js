// The data plane on the 3-validator local testnet: a multi-MiB file uploaded with the consumer
// CLI (`scripts/crucible upload`, through Alice's node) is stored as 2 MiB chunks and a manifest,
// and comes back bit-identical through `bitswap_v1_get` on the other validators' nodes
// (`scripts/crucible download`, every hash checked); fees are what the chain quotes; bad stores
// are refused with typed errors and change nothing; renewal extends a record; the compute
// worker fetches an input by hash from a node (chunks and manifest) or from a URL, and refuses
// bytes whose hash or length is not the named one; a real IPFS client (Helia) fetches blobs
// from a node over bitswap; jobs run on uploaded and URL inputs, publish their full outputs,
// and chain into pipelines (a job on an earlier job's output waits for it, and fails with it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { startLocalTestnet, repoRoot, submitAndFinalize, submitAndInclude, waitFor } from '../lib/node.js';
import { TIMEOUT, freeOf, txFee, assertDispatched, assertFailedWith } from '../lib/chain.js';
import { blobParams, blobRecord, blobHash, cidOf, decodeManifest, encodeManifest, fetchBlob, plan } from '../lib/data.js';
import { fetchOverBitswap } from '../lib/ipfs.js';
import { workerBinary, jobEventsIn } from '../lib/market.js';

const CLI = join(repoRoot, 'scripts', 'crucible');
const run = promisify(execFile);
const nodes = {};
let api, bobApi, eve, dir;
/** The 5 MiB file of the first test, once uploaded: { hash, bytes }. */
let uploaded;

before(async () => {
  await cryptoWaitReady();
  eve = new Keyring({ type: 'sr25519' }).addFromUri('//Eve');
  dir = mkdtempSync(join(tmpdir(), 'crucible-data-'));
  // Every node also serves its indexed blobs to IPFS peers over bitswap.
  Object.assign(nodes, await startLocalTestnet({ extraArgs: ['--ipfs-server'] }));
  api = await nodes.alice.api();
  bobApi = await nodes.bob.api();
  await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 2, TIMEOUT.peers, 'alice to have 2 peers');
});

after(async () => {
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Fetch one input with the worker (`crucible-worker fetch`); resolves to its JSON, rejects with its error. */
async function fetchInput(hash, size, args) {
  try {
    const { stdout } = await run(workerBinary(), ['fetch', hash, '--size', String(size), ...args], { timeout: TIMEOUT.upload });
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(e.stderr || e.message, { cause: e });
  }
}

/** Run the CLI; resolves to the JSON it prints last (with what it printed as `.stdout`, not enumerable). */
async function cli(...args) {
  const { stdout } = await run(CLI, [...args, '--suri', '//Eve'], { timeout: TIMEOUT.upload, maxBuffer: 1 << 24 });
  return Object.defineProperty(JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1)), 'stdout', { value: stdout });
}

test('a 5 MiB file goes up as chunks and a manifest through one node and comes back bit-identical from the others', async () => {
  const params = await blobParams(api);
  assert.equal(params.maxBlobSize, 2 * 1024 * 1024, 'blobs of 2 MiB');
  const bytes = randomBytes(5 * 1024 * 1024 + 12345);
  const file = join(dir, 'input.bin');
  writeFileSync(file, bytes);
  const p = plan(bytes, params.maxBlobSize);
  assert.equal(p.chunks.length, 3);

  const before = await freeOf(api, eve.address);
  const up = await cli('upload', file, '--url', nodes.alice.wsUrl);
  assert.equal(up.hash, p.hash, 'the CLI names the data by its manifest');
  assert.equal(up.cid, cidOf(p.hash));
  assert.equal(up.chunks, 3);
  assert.equal(up.stored_now, 4, 'three chunks and the manifest');
  // What Eve paid is what the CLI reports: transaction fees plus the blob fees, which are
  // BlobFee + ByteFee × size for every chunk and for the manifest.
  const spent = before - (await freeOf(api, eve.address));
  assert.equal(spent, BigInt(up.cost_planck), 'the cost the CLI printed is what Eve paid');
  const blobFees = [...p.chunks.map((c) => c.size), p.manifest.length]
    .reduce((s, n) => s + params.blobFee + params.byteFee * BigInt(n), 0n);
  assert.ok(spent > blobFees, 'the blob fees come on top of the transaction fees');
  console.log(`upload: ${(bytes.length / 2 ** 20).toFixed(2)} MiB in ${up.seconds} s (${up.mib_per_s} MiB/s to finality), cost ${up.cost}`);

  // Every node indexed every chunk: the record is on chain, the bytes on Bob's and Charlie's nodes.
  const rec = await blobRecord(bobApi, p.hash);
  assert.equal(rec.chunks, 3);
  assert.equal(rec.totalBytes, BigInt(bytes.length));
  assert.equal(rec.owner, eve.address);
  for (const [name, node] of [['bob', nodes.bob], ['charlie', nodes.charlie]]) {
    const out = join(dir, `from-${name}.bin`);
    const down = await cli('download', up.cid, out, '--url', node.wsUrl);
    assert.equal(down.size, bytes.length);
    assert.ok(readFileSync(out).equals(bytes), `the bytes from ${name}'s node are the file's`);
    console.log(`download from ${name}: ${(bytes.length / 2 ** 20).toFixed(2)} MiB in ${down.seconds} s (${down.mib_per_s} MiB/s)`);
  }

  // Uploading again stores nothing (the CLI resumes: every blob is on chain already).
  const again = await cli('upload', file, '--url', nodes.bob.wsUrl);
  assert.equal(again.stored_now, 0);
  assert.equal(again.hash, p.hash);
  uploaded = { hash: p.hash, cid: p.cid, bytes };
});

test('bad stores are refused with typed errors and store nothing', async () => {
  const { maxBlobSize } = await blobParams(api);
  const tooLarge = new Uint8Array(maxBlobSize + 1).fill(1);
  const unknown = u8aToHex(blobHash(Uint8Array.from([9, 9, 9])));
  const cases = [
    [api.tx.blobs.store('0x'), 'Empty'],
    [api.tx.blobs.store(u8aToHex(tooLarge)), 'TooLarge'],
    [api.tx.blobs.store(u8aToHex(encodeManifest([{ hash: unknown, size: 3 }]))), 'LooksLikeManifest'],
    [api.tx.blobs.storeManifest(u8aToHex(encodeManifest([{ hash: unknown, size: 3 }]))), 'UnknownChunk'],
    [api.tx.blobs.storeManifest('0x010203'), 'BadManifest'],
    [api.tx.blobs.renew(unknown), 'UnknownBlob'],
    // Batched before another call, the extrinsic would not end with the data.
    [api.tx.utility.batchAll([api.tx.blobs.store('0x010203'), api.tx.system.remark('0x00')]), 'NotLastInExtrinsic'],
  ];
  const recordsBefore = (await api.query.blobs.records.keys()).length;
  for (const [tx, error] of cases) {
    // In a best block is enough here (and twice as fast as finality): balances are read there.
    const before = await freeOf(api, eve.address);
    const r = await submitAndInclude(api, tx, eve);
    assertFailedWith(r, 'blobs', error, `${tx.method.section}.${tx.method.method}`);
    const after = await freeOf(api, eve.address, r.blockHash);
    assert.equal(before - after, txFee(api, r.events), `only the transaction fee is paid when ${error}`);
  }
  assert.equal((await api.query.blobs.records.keys()).length, recordsBefore, 'no record was added');
  await assert.rejects(fetchBlob(bobApi, unknown), /has no bytes/, 'no node serves bytes that were never stored');
});

test('a blob is stored once, named by its CID, and renewal extends its record', async () => {
  const data = new TextEncoder().encode(`crucible data plane ${Date.now()}`);
  const hash = u8aToHex(blobHash(data));
  const r = await submitAndFinalize(api, api.tx.blobs.store(u8aToHex(data)), eve);
  assertDispatched(r, 'store');
  const stored = r.events.find(({ event }) => api.events.blobs.Stored.is(event)).event.data;
  assert.equal(stored.blob.toHex(), hash);
  const { retentionPeriod } = await blobParams(api);
  const at = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  assert.equal(stored.expiresAt.toNumber(), at + retentionPeriod);
  assert.deepEqual(await fetchBlob(bobApi, hash), data, `${cidOf(hash)} from Bob's node`);

  const renewed = await submitAndFinalize(api, api.tx.blobs.renew(hash), eve);
  assertDispatched(renewed, 'renew');
  const later = (await api.rpc.chain.getHeader(renewed.blockHash)).number.toNumber();
  assert.equal((await blobRecord(api, hash)).expiresAt, later + retentionPeriod, 'renewal extends the record');
  assert.equal((await blobRecord(api, hash)).owner, eve.address);
});

test('the worker fetches a job input from another node or a URL, and refuses bytes that do not match', async () => {
  assert.ok(uploaded, 'the 5 MiB upload ran first');
  const { hash, bytes } = uploaded;
  const out = join(dir, 'fetched.bin');
  const got = await fetchInput(hash, bytes.length, ['--node', `http://127.0.0.1:${nodes.charlie.rpcPort}`, '--out', out]);
  assert.equal(got.bytes, bytes.length);
  assert.ok(readFileSync(out).equals(bytes), "the worker's bytes from Charlie's node (three chunks and their manifest) are the file's");
  console.log(`worker fetch from charlie: ${(bytes.length / 2 ** 20).toFixed(2)} MiB in ${got.seconds.toFixed(3)} s`);

  // A URL input is named by the hash of its bytes (no manifest): the right bytes pass; a server
  // with other bytes under the same name does not.
  const served = { body: bytes };
  const server = createServer((req, res) => { res.writeHead(200, { 'content-length': served.body.length }); res.end(served.body); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/input.bin`;
  try {
    const flat = u8aToHex(blobHash(bytes));
    const viaUrl = await fetchInput(flat, bytes.length, ['--url', url]);
    assert.equal(viaUrl.bytes, bytes.length);
    const tampered = Buffer.from(bytes);
    tampered[12345] ^= 1;
    served.body = tampered;
    await assert.rejects(fetchInput(flat, bytes.length, ['--url', url]), /do not hash to the named hash/);
    served.body = bytes.subarray(1);
    await assert.rejects(fetchInput(flat, bytes.length, ['--url', url]), /are not \d+ bytes long/);
  } finally {
    server.close();
  }
  // A blob no node has: unavailable, with the node's reason.
  await assert.rejects(fetchInput(`0x${'ab'.repeat(32)}`, 10, ['--node', `http://127.0.0.1:${nodes.bob.rpcPort}`]), /unavailable/);
});

test('a real IPFS client (Helia) fetches blobs over bitswap from a node started with --ipfs-server', async () => {
  assert.ok(uploaded, 'the 5 MiB upload ran first');
  const chunks = plan(uploaded.bytes, (await blobParams(api)).maxBlobSize);
  const addr = await nodes.charlie.multiaddr();
  // A full 2 MiB chunk (the largest block the node's bitswap answers) and the manifest.
  const first = await fetchOverBitswap(addr, cidOf(chunks.chunks[0].hash));
  assert.equal(u8aToHex(blobHash(first)), chunks.chunks[0].hash, 'the chunk is the one named');
  assert.equal(first.length, 2 * 1024 * 1024);
  const manifest = await fetchOverBitswap(addr, uploaded.cid);
  assert.deepEqual(decodeManifest(manifest).map((c) => c.hash), chunks.chunks.map((c) => c.hash), 'the manifest lists the chunks');
});

/** The worker's Rust reference of `kernel` on `params` over the input `file`. */
async function referenceOn(kernel, params, file, extra = []) {
  const { stdout } = await run(workerBinary(), ['run', kernel, JSON.stringify(params), '--input', file, '--reference', ...extra], { timeout: TIMEOUT.reference });
  return JSON.parse(stdout);
}

/** Serve `body()` over HTTP on a loopback port; resolves to { url, close }. */
async function serveFile(body) {
  const server = createServer((req, res) => { const b = body(); res.writeHead(200, { 'content-length': b.length }); res.end(b); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/data.bin`, close: () => server.close() };
}

/** Market events of job `id` in blocks from..=to. */
const jobEvents = (from, to, id) => jobEventsIn(api, from, to, id);

test('jobs on the consumer\'s own data: an uploaded 4 MiB file and a URL input verify on three replicas and equal the Rust reference', async () => {
  const url = nodes.alice.wsUrl;
  // A prefix sum over 2^20 random u32 values, uploaded as two chunks and a manifest.
  const values = randomBytes(4 << 20);
  const valuesFile = join(dir, 'values.bin');
  writeFileSync(valuesFile, values);
  // A Merkle root over a 100,000-byte file a local HTTP server serves (3,125 leaves, the last one
  // zero-padded); the CLI fetches it once to name its hash and length.
  const doc = randomBytes(100_000);
  const docFile = join(dir, 'doc.bin');
  writeFileSync(docFile, doc);
  const server = await serveFile(() => doc);
  try {
    const t0 = Date.now();
    const sum = await cli('submit', 'prefix-sum-data', '--input', valuesFile, '--url', url);
    const t1 = Date.now();
    const root = await cli('submit', 'merkle-root-data', '--input', server.url, '--url', url);
    assert.deepEqual(sum.params.dims, [1 << 20]);
    assert.deepEqual(root.params.dims, [3125]);
    assert.equal(root.params.inputs[0].Url.bytes, '100000');
    // Meanwhile, `run` a prefix sum over 256 KiB whose full output is published and downloaded.
    const small = randomBytes(256 * 1024);
    const smallFile = join(dir, 'small.bin');
    const outFile = join(dir, 'small.out');
    writeFileSync(smallFile, small);
    const t2 = Date.now();
    const ended = (p) => p.then((r) => ({ r, at: Date.now() }));
    const [sumDone, rootDone, ran] = await Promise.all([
      ended(cli('wait', String(sum.job), '--url', url)),
      ended(cli('wait', String(root.job), '--url', url)),
      ended(cli('run', 'prefix-sum-data', '--input', smallFile, '--out', outFile, '--url', url)),
    ]).then((all) => all.map((x, i) => ({ ...x.r, latency_s: (x.at - [t0, t1, t2][i]) / 1000 })));
    const latency = {
      'prefix-sum-data (4 MiB; upload, order, verified)': sumDone.latency_s,
      'merkle-root-data (URL, 98 KiB; order, verified)': rootDone.latency_s,
      'prefix-sum-data run (256 KiB; upload, order, verified, output published and downloaded)': ran.latency_s,
    };
    console.log(`order→verified latency, s: ${JSON.stringify(latency)}`);
    for (const [done, kernel, params, file] of [
      [sumDone, 'prefix-sum-data', sum.params, valuesFile],
      [rootDone, 'merkle-root-data', root.params, docFile],
    ]) {
      assert.equal(done.status, 'Verified', kernel);
      assert.ok(done.accepted >= 2, `${kernel}: a quorum agreed`);
      const ref = await referenceOn(kernel, { seed: params.seed, dims: params.dims }, file);
      assert.equal(done.output_digest, ref.output_digest, `${kernel}: the chain's accepted digest is the Rust reference's`);
      assert.equal(done.small_output, ref.small_output);
    }
    // The published output, downloaded through the chain, is the Rust reference's, bit for bit.
    assert.equal(ran.status, 'Verified');
    const refOut = join(dir, 'small.ref');
    const ref = await referenceOn('prefix-sum-data', { seed: `0x${'00'.repeat(32)}`, dims: [small.length / 4] }, smallFile, ['--out', refOut]);
    assert.equal(ran.output_digest, ref.output_digest);
    assert.equal(ran.output_bytes, small.length);
    assert.ok(readFileSync(outFile).equals(readFileSync(refOut)), 'the downloaded output is the reference output');
    const rec = await blobRecord(api, ran.output_digest);
    assert.equal(rec.totalBytes, BigInt(small.length), 'stored as one blob named by the output digest');
  } finally {
    server.close();
  }
});

test('a two-job pipeline: a Merkle root of the published prefix sums of an uploaded file waits for them, then verifies and equals the Rust reference', async () => {
  const url = nodes.alice.wsUrl;
  const values = randomBytes(256 * 1024);
  const valuesFile = join(dir, 'pipe-values.bin');
  writeFileSync(valuesFile, values);
  const t0 = Date.now();
  const first = await cli('submit', 'prefix-sum-data', '--input', valuesFile, '--publish-output', 'yes', '--url', url);
  // The second job names the first one's output (its length: one u32 sum per value) and waits.
  const second = await cli('submit', 'merkle-root-data', '--input', `job:${first.job}`, '--url', url);
  assert.deepEqual(second.params.inputs, [{ Output: { job: first.job, bytes: String(values.length) } }]);
  assert.deepEqual(second.params.dims, [values.length / 32]);
  assert.equal((await api.call.computeMarketApi.job(second.job)).unwrap().status.type, 'Waiting', 'the second job waits for the first one\'s output');
  const [one, two] = await Promise.all([cli('wait', String(first.job), '--url', url), cli('wait', String(second.job), '--url', url)]);
  const latency_s = (Date.now() - t0) / 1000;
  assert.equal(one.status, 'Verified');
  assert.equal(two.status, 'Verified');
  assert.match(two.stdout, /Waiting \(for the published output of an earlier job\)/, '`wait` shows the job waiting');
  assert.match(two.stdout, /JobInputsReady/, '`wait` shows its inputs becoming ready');
  const job = (await api.call.computeMarketApi.job(second.job)).unwrap();
  assert.deepEqual(job.params.inputs.map((i) => i.toJSON()), [{ blob: { digest: one.output_digest, bytes: values.length } }], 'the reference became the blob the first job published');
  const events = await jobEvents(second.submitted_at, job.finishedAt.unwrap().toNumber(), second.job);
  const ready = events.findIndex((e) => e.method === 'JobInputsReady');
  assert.ok(ready >= 0 && ready < events.findIndex((e) => e.method === 'JobAssigned'), 'ready before it is assigned');
  // The Rust references, chained the same way: the sums, then their Merkle root.
  const sumsFile = join(dir, 'pipe-sums.bin');
  const sums = await referenceOn('prefix-sum-data', { seed: first.params.seed, dims: first.params.dims }, valuesFile, ['--out', sumsFile]);
  assert.equal(one.output_digest, sums.output_digest);
  const root = await referenceOn('merkle-root-data', { seed: second.params.seed, dims: second.params.dims }, sumsFile);
  assert.equal(two.output_digest, root.output_digest, "the pipeline's result is the reference's");
  assert.equal(two.small_output, root.small_output);
  console.log(`pipeline latency, s: ${JSON.stringify({ 'prefix-sum-data (256 KiB upload, output published) → merkle-root-data of the sums; order→verified': latency_s })}`);
});

test('an input whose bytes do not match its hash is reported unavailable: nobody is slashed and the consumer gets its escrow back less the input fees', async () => {
  const url = nodes.alice.wsUrl;
  const doc = randomBytes(64 * 1024);
  const server = await serveFile(() => doc);
  const bondsBefore = await Promise.all(['//Alice', '//Bob', '//Charlie'].map(async (s) => {
    const who = new Keyring({ type: 'sr25519' }).addFromUri(s).address;
    return (await api.call.computeMarketApi.provider(who)).unwrap().bond.toBigInt();
  }));
  try {
    // The URL serves 64 KiB, but the job names another hash for them.
    const wrong = `0x${'5a'.repeat(32)}`;
    const order = await cli('submit', 'merkle-root-data', '--input', `${server.url}#${wrong}:${doc.length}`, '--publish-output', 'yes', '--url', url);
    // A job on its output waits for it, and fails with it, refunded in full.
    const downstream = await cli('submit', 'merkle-root-data', '--input', `job:${order.job}`, '--url', url);
    await Promise.all([
      assert.rejects(cli('wait', String(order.job), '--url', url), /InputUnavailable: its providers could not get an input/, 'the CLI exits non-zero and says why'),
      assert.rejects(cli('wait', String(downstream.job), '--url', url), /InputUnavailable: an earlier job whose output it reads ended without publishing it/),
    ]);
    const down = (await api.call.computeMarketApi.job(downstream.job)).unwrap();
    assert.equal(down.status.type, 'InputUnavailable');
    assert.equal(down.escrow.toBigInt(), 0n);
    assert.ok(down.assignments.length === 0 && down.result.isNone, 'nobody was assigned to it');
    const downEvents = await jobEvents(downstream.submitted_at, down.finishedAt.unwrap().toNumber(), downstream.job);
    const failed = downEvents.find((e) => e.method === 'JobUpstreamFailed');
    assert.ok(failed, 'JobUpstreamFailed');
    assert.equal(failed.data.upstream.toNumber(), order.job);
    assert.equal(failed.data.refund.toBigInt(), downEvents.find((e) => e.method === 'JobSubmitted').data.budget.toBigInt(), 'its whole budget back');
    const job = (await api.call.computeMarketApi.job(order.job)).unwrap();
    assert.equal(job.status.type, 'InputUnavailable');
    assert.equal(job.escrow.toBigInt(), 0n);
    const accepted = job.result.unwrap().accepted.toNumber();
    assert.ok(accepted >= 2);
    const events = await jobEvents(order.submitted_at, job.finishedAt.unwrap().toNumber(), order.job);
    assert.ok(!events.some((e) => e.method === 'ProviderSlashed'), 'nobody slashed');
    const ended = events.find((e) => e.method === 'JobInputUnavailable');
    assert.ok(ended, 'JobInputUnavailable');
    assert.equal(ended.data.input.toNumber(), 0);
    const inputFee = job.inputFee.toBigInt();
    const budget = events.find((e) => e.method === 'JobSubmitted').data.budget.toBigInt();
    assert.equal(ended.data.refund.toBigInt(), budget - BigInt(accepted) * inputFee, 'the escrow less one input fee per agreeing provider');
    const paid = events.filter((e) => e.method === 'ProviderPaid');
    assert.equal(paid.length, accepted);
    for (const p of paid) assert.equal(p.data.reward.toBigInt(), 0n, 'no reward for a job nobody ran');
    const bondsAfter = await Promise.all(['//Alice', '//Bob', '//Charlie'].map(async (s) => {
      const who = new Keyring({ type: 'sr25519' }).addFromUri(s).address;
      return (await api.call.computeMarketApi.provider(who)).unwrap().bond.toBigInt();
    }));
    assert.deepEqual(bondsAfter, bondsBefore, 'every bond intact');
  } finally {
    server.close();
  }
});
