// The consumer's side of a compute job, for the CLI (`scripts/crucible submit|wait|run`) and the
// end-to-end tests: find a workload, name the inputs (a file uploaded as blobs, a blob already
// on chain, a URL with the hash and length its bytes must have, or the published output of an
// earlier job), price and order the job, and follow it to its end.
import { readFileSync } from 'node:fs';
import { blake2AsHex } from '@polkadot/util-crypto';
import { submitAndFinalize, bestNumber } from './node.js';
import { upload, blobRecord, hashOf } from './data.js';
import { TIMEOUT, describeDispatchError } from './chain.js';
import { minUnits, defaultReplicas, jobEventsIn } from './market.js';

/** The states a job ends in. */
export const FINAL = ['Verified', 'Failed', 'Refunded', 'Expired', 'InputUnavailable', 'ProgramFailed'];

/** Workload `nameOrId` (a registry id, or the name of a live workload): { id, workload }. */
export async function findWorkload(api, nameOrId) {
  const max = api.consts.computeMarket.maxWorkloads.toNumber();
  if (/^\d+$/.test(String(nameOrId))) {
    const w = await api.call.computeMarketApi.workload(Number(nameOrId));
    if (w.isNone) throw new Error(`no workload ${nameOrId}`);
    return { id: Number(nameOrId), workload: w.unwrap() };
  }
  for (let id = 0; id < max; id++) {
    const w = await api.call.computeMarketApi.workload(id);
    if (w.isNone) break;
    const wl = w.unwrap();
    if (wl.name.toUtf8() === nameOrId && !wl.retired.isTrue) return { id, workload: wl };
  }
  throw new Error(`no live workload named ${nameOrId}`);
}

/** A blob input: { Blob: { digest, bytes } } as the chain's `DataRef` takes it. */
export const blobInput = (digest, bytes) => ({ Blob: { digest, bytes: BigInt(bytes) } });

/** A URL input: { Url: { url, digest, bytes } }. */
export const urlInput = (url, digest, bytes) => ({ Url: { url, digest, bytes: BigInt(bytes) } });

/** The published output of job `job`, of `bytes` bytes: { Output: { job, bytes } }. */
export const outputInput = (job, bytes) => ({ Output: { job, bytes: BigInt(bytes) } });

/**
 * The length of the full output of the built-in workload `name` on `dims`, where the chain's
 * schema does not say it (the workloads' outputs are defined by their kernels): the prefix
 * sums are one u32 per value, a Merkle root is 32 bytes. `undefined` for the others.
 */
export function builtinOutputBytes(name, dims) {
  if (name === 'prefix-sum' || name === 'prefix-sum-data') return 4n * BigInt(dims[0]);
  if (name === 'merkle-root' || name === 'merkle-root-data') return 32n;
  return undefined;
}

/**
 * The length the output of job `id` will have, for an input that names it: what it published,
 * if it has; else what its workload's kernel writes. Whether the job can be an upstream at all
 * (it publishes its output, and has not ended without it) the chain's quote says, with its
 * typed error. Throws when there is no such job or its length is not known (give
 * `job:ID:BYTES`).
 */
export async function upstreamBytes(api, id) {
  const j = await api.call.computeMarketApi.job(id);
  if (j.isNone) throw new Error(`no job ${id} (never submitted, or pruned)`);
  const job = j.unwrap();
  const published = job.result.isSome && (await blobRecord(api, job.result.unwrap().outputDigest.toHex()));
  if (published) return published.totalBytes;
  const w = await api.call.computeMarketApi.workload(job.workload);
  const name = w.unwrap().name.toUtf8();
  const bytes = builtinOutputBytes(name, job.params.dims.map((d) => d.toNumber()));
  if (bytes === undefined) throw new Error(`the output length of ${name} is not known here: give job:${id}:BYTES`);
  return bytes;
}

/**
 * Name one input from what a user typed: a file (uploaded as blobs unless already stored,
 * through `signer`), a blob hash or CID on chain, a URL — `URL#0xHASH:BYTES`, or a bare URL
 * whose bytes the CLI fetches once to name them — or `job:ID[:BYTES]`, the published output of
 * an earlier job (the job waits for it). Returns { input, bytes, uploaded? }.
 */
export async function nameInput(api, signer, ref, { log = () => {}, timeoutMs } = {}) {
  const jobRef = ref.match(/^job:(\d+)(?::(\d+))?$/);
  if (jobRef) {
    const [, job, given] = jobRef;
    const bytes = given !== undefined ? BigInt(given) : await upstreamBytes(api, Number(job));
    return { input: outputInput(Number(job), bytes), bytes };
  }
  if (/^https?:\/\//.test(ref)) {
    const m = ref.match(/^(.*)#(0x[0-9a-fA-F]{64}):(\d+)$/);
    if (m) return { input: urlInput(m[1], m[2], m[3]), bytes: BigInt(m[3]) };
    const res = await fetch(ref);
    if (!res.ok) throw new Error(`${ref}: HTTP ${res.status}`);
    const body = new Uint8Array(await res.arrayBuffer());
    return { input: urlInput(ref, blake2AsHex(body, 256), body.length), bytes: BigInt(body.length) };
  }
  if (/^(0x[0-9a-fA-F]{64}|b[a-z2-7]{50,})$/.test(ref)) {
    const hash = hashOf(ref);
    const rec = await blobRecord(api, hash);
    if (!rec) throw new Error(`no blob ${hash} on chain (never stored, or expired): upload it first`);
    return { input: blobInput(hash, rec.totalBytes), bytes: rec.totalBytes };
  }
  const bytes = new Uint8Array(readFileSync(ref));
  const up = await upload(api, signer, bytes, { log, timeoutMs });
  return { input: blobInput(up.hash, bytes.length), bytes: BigInt(bytes.length), uploaded: up };
}

/**
 * The dimensions a workload's job over inputs of `sizes` bytes takes when the user gives none:
 * for a workload of one dimension whose inputs are vectors (power 1), the elements the first
 * input holds, ⌈bytes / elemBytes⌉.
 */
export function dimsFor(workload, sizes) {
  const shapes = workload.schema.inputs;
  if (workload.schema.dims.length !== 1 || shapes.length === 0 || shapes[0].power.toNumber() !== 1) {
    throw new Error(`give --dims for ${workload.name.toUtf8()}`);
  }
  const elem = shapes[0].elemBytes.toBigInt();
  return [Number((BigInt(sizes[0]) + elem - 1n) / elem)];
}

/**
 * Price and order a job as `signer`: the chain's quote first (a refusal is thrown with its
 * error's name and doc), then `submitJob`. Resolves to { job, quote, blockHash, at }.
 */
export async function orderJob(api, signer, { id, workload, params, units, replicas, price, deadlineBlocks = 400, timeoutMs = TIMEOUT.tx }) {
  units ??= minUnits(workload, params.dims);
  replicas ??= defaultReplicas(workload);
  price ??= workload.priceFloor.toBigInt();
  const q = await api.call.computeMarketApi.quote(id, params, units, replicas, price);
  if (q.isErr) {
    const name = q.asErr.type;
    const doc = api.errors.computeMarket[name]?.meta.docs.join(' ') ?? '';
    throw new Error(`the chain refuses this order: ${name}${doc ? ` (${doc.trim()})` : ''}`);
  }
  const deadline = (await bestNumber(api)) + deadlineBlocks;
  const r = await submitAndFinalize(api, api.tx.computeMarket.submitJob(id, params, units, replicas, price, deadline), signer, timeoutMs);
  if (r.dispatchError) throw new Error(`submitJob failed: ${describeDispatchError(r.dispatchError)}`);
  const ev = r.events.find(({ event }) => api.events.computeMarket.JobSubmitted.is(event));
  const at = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  return { job: ev.event.data.job.toNumber(), quote: q.asOk, blockHash: r.blockHash, at, units, replicas, price, deadline };
}

/** A job's progress as one line's worth: status, attempt, commitments and reveals. */
export function progressOf(job) {
  const a = job.assignments;
  return {
    status: job.status.type,
    attempt: job.attempts.toNumber(),
    assigned: a.length,
    committed: a.filter((x) => x.commitment.isSome).length,
    revealed: a.filter((x) => x.reveal.isSome).length,
  };
}

/**
 * Follow job `id` block by block until it ends; `onChange(progress, block)` is called whenever
 * its status, commitments or reveals change, and `onEvent(event, block)` for each market event
 * about it in a new best block (`JobInputsReady`, `JobAssigned`, `JobVerified`, …; as
 * { method, data }). Resolves to { job, progress, block } at its end.
 * Nothing is lost if this is interrupted: the job goes on, and can be followed again.
 */
export function followJob(api, id, { onChange = () => {}, onEvent = () => {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    let last = '';
    let unsub;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`job ${id} did not end within ${timeoutMs / 1000} s`)), timeoutMs);
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub();
      err ? reject(err) : resolve(value);
    };
    const check = async (header) => {
      if (header) {
        const n = header.number.toNumber();
        for (const e of await jobEventsIn(api, n, n, id)) onEvent(e, n);
      }
      const j = await api.call.computeMarketApi.job(id);
      if (j.isNone) return finish(new Error(`no job ${id} (never submitted, or pruned)`));
      const job = j.unwrap();
      const progress = progressOf(job);
      const key = JSON.stringify(progress);
      const block = header?.number.toNumber();
      if (key !== last) {
        last = key;
        onChange(progress, block);
      }
      if (FINAL.includes(progress.status)) finish(null, { job, progress, block });
    };
    api.rpc.chain.subscribeNewHeads((h) => { check(h).catch((e) => finish(e)); })
      .then((u) => { unsub = u; if (done) u(); })
      .catch((e) => finish(e));
  });
}

/** What the CLI prints of a finished job. */
export function resultOf(job) {
  const r = job.result.isSome ? job.result.unwrap() : null;
  const failed = job.status.isProgramFailed;
  return {
    status: job.status.type,
    // Why an open program failed to run (Build, Launch, Timeout, Memory, OutOfBounds,
    // Crashed), and the hash of the first agreeing provider's log (`worker_log` serves it).
    ...(failed ? { reason: job.status.asProgramFailed.type, log_hash: r ? r.smallOutput.toHex() : null } : {}),
    output_digest: r ? r.outputDigest.toHex() : null,
    small_output: r ? r.smallOutput.toHex() : null,
    accepted: r ? r.accepted.toNumber() : 0,
    finished_at: job.finishedAt.isSome ? job.finishedAt.unwrap().toNumber() : null,
  };
}
