#!/usr/bin/env node
// Crucible's consumer CLI (@polkadot/api): bring data to the chain and take it back.
//
//   scripts/crucible upload FILE                 store FILE as blobs; prints its hash, CID and cost
//   scripts/crucible download HASH|CID FILE      fetch the data from the node, check every hash, write FILE
//   scripts/crucible blob HASH|CID               the chain's record of a blob
//   scripts/crucible submit WORKLOAD [--input FILE|HASH|CID|URL[#0xHASH:BYTES]|job:ID[:BYTES]]...
//                   [--dims N,..] [--seed 0x..] [--units N] [--replicas N] [--price PLANCK]
//                   [--deadline BLOCKS] [--publish-output yes]   price and order a job (files are
//                   uploaded first; job:ID reads the published output of job ID, and the job
//                   waits for it)
//   scripts/crucible wait JOB [--out FILE]       follow a job to its end, printing its progress;
//                                                with --out, download its published output
//   scripts/crucible run WORKLOAD --input ... [--out FILE]   submit (publishing the output
//                                                when --out is given), wait, download
//   scripts/crucible publish SOURCE MANIFEST     publish an open program (OpenCL C source and its
//                                                manifest, JSON): prints its workload id and hash
//   scripts/crucible retire WORKLOAD             retire an open program you published
//   scripts/crucible program-limit WORK|none     (providers) run open-program jobs of at most WORK
//
// Options (anywhere): --url ws://127.0.0.1:9944 (the node), --suri //Alice (the signer),
// --timeout SECS (per transaction, 180; for `wait`, the whole wait, 600). Upload resumes: chunks
// already on chain are skipped, so after Ctrl-C the same command picks up where it stopped; a
// submitted job goes on without the CLI, and `wait JOB` follows it again.
import { readFileSync, writeFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { withTimeout } from '../lib/node.js';
import { upload, download, blobRecord, blobParams, hashOf, cidOf, plan, DATA_RPC } from '../lib/data.js';
import { findWorkload, nameInput, dimsFor, orderJob, followJob, resultOf } from '../lib/jobs.js';
import { publishProgram, programShape } from '../lib/programs.js';
import { submitAndFinalize } from '../lib/node.js';
import { describeDispatchError } from '../lib/chain.js';

const USAGE = `usage:
  crucible upload FILE
  crucible download HASH|CID FILE
  crucible blob HASH|CID
  crucible submit WORKLOAD [--input FILE|HASH|CID|URL[#0xHASH:BYTES]|job:ID[:BYTES]]... [--dims N,..] [--seed 0x..]
                  [--units N] [--replicas N] [--price PLANCK] [--deadline BLOCKS] [--publish-output yes]
  crucible wait JOB [--out FILE]
  crucible run WORKLOAD --input ... [--out FILE]   (submit, wait, download the output)
  crucible publish SOURCE MANIFEST
  crucible retire WORKLOAD
  crucible program-limit WORK|none
options: --url ws://127.0.0.1:9944  --suri //Alice  --timeout SECS`;

const CRU = 10n ** 12n;
const cru = (planck) => `${(Number(planck) / Number(CRU)).toFixed(6)} CRU`;
const mib = (bytes) => `${(Number(bytes) / 2 ** 20).toFixed(2)} MiB`;

function parseArgs(argv) {
  const o = { url: 'ws://127.0.0.1:9944', suri: '//Alice', args: [], input: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const k = argv[i].slice(2);
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${k} needs a value\n${USAGE}`);
      if (k === 'input') o.input.push(v);
      else o[k] = v;
    } else o.args.push(argv[i]);
  }
  return o;
}

/** Order a job as the CLI's `submit` does; prints what it does, returns the order. */
async function submit(api, o, workloadRef) {
  const signer = new Keyring({ type: 'sr25519' }).addFromUri(o.suri);
  const { id, workload } = await findWorkload(api, workloadRef);
  // An open program's inputs, dimensions and units come from its manifest.
  const program = await programShape(api, id);
  const wanted = program ? program.inputs : workload.schema.inputs.length;
  if (o.input.length !== wanted) throw new Error(`${workload.name.toUtf8()} reads ${wanted} input(s); ${o.input.length} given (--input)`);
  const inputs = [];
  const sizes = [];
  for (const ref of o.input) {
    const n = await nameInput(api, signer, ref, { log: (m) => console.log(`  ${m}`), timeoutMs: Number(o.timeout ?? 180) * 1000 });
    if (n.uploaded?.stored) console.log(`uploaded ${ref}: ${n.uploaded.hash} (${mib(n.bytes)}, ${cru(n.uploaded.fees)})`);
    inputs.push(n.input);
    sizes.push(n.bytes);
  }
  const dims = o.dims ? o.dims.split(',').map(Number) : program ? program.dimsFor(sizes) : dimsFor(workload, sizes);
  const publishOutput = o['publish-output'] === 'yes' || (o.publishIfOut && o.out !== undefined);
  const params = { seed: o.seed ?? `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`, dims, target: o.target ?? null, inputs, publishOutput };
  const order = await orderJob(api, signer, {
    id, workload, params,
    units: o.units ? Number(o.units) : program?.units(dims), replicas: o.replicas && Number(o.replicas), price: o.price && BigInt(o.price),
    deadlineBlocks: Number(o.deadline ?? 400), timeoutMs: Number(o.timeout ?? 180) * 1000,
  });
  const q = order.quote;
  console.log(JSON.stringify({
    job: order.job, workload: workload.name.toUtf8(), params: { ...params, inputs: params.inputs.map((i) => JSON.parse(JSON.stringify(i, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))) },
    units: order.units, replicas: order.replicas, price_per_unit: order.price.toString(),
    budget: cru(q.budget.toBigInt()), input_fee_per_replica: cru(q.inputFee.toBigInt()), output_reserve: cru(q.outputReserve.toBigInt()),
    fee: cru(q.fee.toBigInt()), deposit: cru(q.deposit.toBigInt()),
    submitted_at: order.at, deadline: order.deadline,
  }, null, 2));
  return order;
}

/** One market event about a job, as a line: its name and the fields that say what happened. */
function describeEvent(e) {
  const d = e.data;
  switch (e.method) {
    case 'JobInputsReady': return 'JobInputsReady: every earlier job it reads has published its output; queued for assignment';
    case 'JobUpstreamFailed': return `JobUpstreamFailed: job ${d.upstream} (input ${d.input}) ended without its output; refunded ${cru(d.refund.toBigInt())}`;
    case 'JobAssigned': return `JobAssigned to ${d.providers.length} provider(s)`;
    case 'JobVerified': return `JobVerified: ${d.accepted} agree on ${d.outputDigest.toHex()}`;
    case 'JobProgramFailed': return `JobProgramFailed: the program failed to run (${d.reason.type}; log ${d.log.toHex()}); nobody slashed, refunded ${cru(d.refund.toBigInt())}`;
    case 'OutputPublished': return `OutputPublished: ${d.bytes} bytes as blob ${d.blob.toHex()} by ${d.by}`;
    default: return e.method;
  }
}

/** Follow a job as the CLI's `wait` does: a line per change, the result as JSON at the end. */
async function wait(api, o, job) {
  const started = Date.now();
  const { job: j, block } = await followJob(api, job, {
    timeoutMs: Number(o.timeout ?? 600) * 1000,
    onChange: (p, b) => console.log(`job ${job} at block ${b ?? '?'}: ${p.status}${p.status === 'Waiting' ? ' (for the published output of an earlier job)' : ''}${p.assigned ? ` (attempt ${p.attempt}: ${p.committed}/${p.assigned} committed, ${p.revealed}/${p.assigned} revealed)` : ''}`),
    onEvent: (e, b) => console.log(`job ${job} at block ${b}: ${describeEvent(e)}`),
  });
  const r = resultOf(j);
  if (o.out !== undefined && r.status === 'Verified') {
    if (!(await blobRecord(api, r.output_digest))) {
      console.error(`job ${job}'s output was not published (it did not ask for it, it is above 2 MiB, or no provider published it in time); its digest is ${r.output_digest}`);
      process.exitCode = 4;
    } else {
      const d = await download(api, r.output_digest);
      writeFileSync(o.out, d.bytes);
      Object.assign(r, { output_file: o.out, output_bytes: d.bytes.length });
    }
  }
  console.log(JSON.stringify({ job, ...r, seen_at_block: block, waited_s: (Date.now() - started) / 1000 }, null, 2));
  if (r.status !== 'Verified') {
    const why = r.status === 'ProgramFailed' ? `: the program failed to run (${r.reason}; the providers' log hash is ${r.log_hash}); nobody slashed, escrow refunded less the failed-run share`
      : r.status !== 'InputUnavailable' ? ''
      : r.output_digest === null ? ': an earlier job whose output it reads ended without publishing it (escrow refunded in full)'
        : ': its providers could not get an input with the named hash and length (nobody slashed; escrow refunded less the input fees)';
    console.error(`job ${job} ended ${r.status}${why}`);
    process.exitCode = 3;
  }
  return r;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const [command, ...args] = o.args;
  const need = { upload: 1, download: 2, blob: 1, submit: 1, wait: 1, run: 1, publish: 2, retire: 1, 'program-limit': 1 }[command];
  if (need === undefined || args.length !== need) throw new Error(USAGE);
  await cryptoWaitReady();
  const api = await withTimeout(ApiPromise.create({ provider: new WsProvider(o.url), noInitWarn: true, throwOnConnect: true, rpc: DATA_RPC }), 30_000, `a node at ${o.url}`);
  try {
    if (command === 'upload') {
      const bytes = new Uint8Array(readFileSync(args[0]));
      const params = await blobParams(api);
      const p = plan(bytes, params.maxBlobSize);
      console.log(`uploading ${args[0]}: ${bytes.length} bytes (${mib(bytes.length)}) as ${p.chunks.length} chunk(s)${p.manifest ? ' and a manifest' : ''}`);
      const signer = new Keyring({ type: 'sr25519' }).addFromUri(o.suri);
      const r = await upload(api, signer, bytes, { timeoutMs: Number(o.timeout ?? 180) * 1000, log: (m) => console.log(`  ${m}`) });
      const rec = await blobRecord(api, r.hash);
      console.log(JSON.stringify({
        hash: r.hash, cid: r.cid, size: r.size, chunks: r.chunks, stored_now: r.stored,
        cost_planck: r.fees.toString(), cost: cru(r.fees), seconds: r.seconds,
        mib_per_s: r.stored ? Number((r.size / 2 ** 20 / r.seconds).toFixed(3)) : null,
        expires_at_block: rec?.expiresAt ?? null,
      }, null, 2));
    } else if (command === 'download') {
      const r = await download(api, args[0]);
      writeFileSync(args[1], r.bytes);
      console.log(JSON.stringify({
        hash: r.hash, cid: cidOf(r.hash), size: r.bytes.length, chunks: r.chunks, file: args[1],
        seconds: r.seconds, mib_per_s: Number((r.bytes.length / 2 ** 20 / r.seconds).toFixed(3)),
      }, null, 2));
    } else if (command === 'submit') {
      await submit(api, o, args[0]);
    } else if (command === 'wait') {
      await wait(api, o, Number(args[0]));
    } else if (command === 'publish') {
      const signer = new Keyring({ type: 'sr25519' }).addFromUri(o.suri);
      const json = JSON.parse(readFileSync(args[1], 'utf8'));
      const p = await publishProgram(api, signer, new Uint8Array(readFileSync(args[0])), json, { timeoutMs: Number(o.timeout ?? 180) * 1000, log: (m) => console.log(`  ${m}`) });
      console.log(JSON.stringify({ workload: p.workload, kernel_hash: p.kernelHash, cid: p.uploaded.cid, deposit: cru(p.deposit), published_at: p.at }, null, 2));
    } else if (command === 'retire' || command === 'program-limit') {
      const signer = new Keyring({ type: 'sr25519' }).addFromUri(o.suri);
      const tx = command === 'retire'
        ? api.tx.computeMarket.retireProgram((await findWorkload(api, args[0])).id)
        : api.tx.computeMarket.setProgramLimit(args[0] === 'none' ? null : BigInt(args[0]));
      const r = await submitAndFinalize(api, tx, signer, Number(o.timeout ?? 180) * 1000);
      if (r.dispatchError) throw new Error(`${command} failed: ${describeDispatchError(r.dispatchError)}`);
      const ev = r.events.map(({ event }) => event).filter((e) => e.section === 'computeMarket').map((e) => ({ [e.method]: e.data.toHuman() }));
      console.log(JSON.stringify(ev, null, 2));
    } else if (command === 'run') {
      const order = await submit(api, { ...o, publishIfOut: true }, args[0]);
      await wait(api, o, order.job);
    } else {
      const hash = hashOf(args[0]);
      const rec = await blobRecord(api, hash);
      if (!rec) throw new Error(`no blob ${hash} on chain (never stored, or expired)`);
      console.log(JSON.stringify({ hash, cid: cidOf(hash), ...rec, totalBytes: rec.totalBytes.toString() }, null, 2));
    }
  } finally {
    await api.disconnect();
  }
}

main().then(() => process.exit(process.exitCode ?? 0)).catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
