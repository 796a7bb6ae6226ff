// The consumer's side of a compute job, for the CLI (`scripts/crucible submit|wait|run`) and the
// end-to-end tests: find a workload, name the inputs (a file uploaded as blobs, a blob already
// on chain, or a URL with the hash and length its bytes must have), price and order the job,
// and follow it to its end.
import { readFileSync } from 'node:fs';
import { blake2AsHex } from '@polkadot/util-crypto';
import { submitAndFinalize, bestNumber } from './node.js';
import { upload, blobRecord, hashOf } from './data.js';
import { TIMEOUT, describeDispatchError } from './chain.js';
import { minUnits, defaultReplicas } from './market.js';

/** The states a job ends in. */
export const FINAL = ['Verified', 'Failed', 'Refunded', 'Expired', 'InputUnavailable'];

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

/**
 * Name one input from what a user typed: a file (uploaded as blobs unless already stored,
 * through `signer`), a blob hash or CID on chain, or a URL — `URL#0xHASH:BYTES`, or a bare URL
 * whose bytes the CLI fetches once to name them. Returns { input, bytes, uploaded? }.
 */
export async function nameInput(api, signer, ref, { log = () => {}, timeoutMs } = {}) {
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
 * its status, commitments or reveals change. Resolves to { job, progress, block } at its end.
 * Nothing is lost if this is interrupted: the job goes on, and can be followed again.
 */
export function followJob(api, id, { onChange = () => {}, timeoutMs = 600_000 } = {}) {
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
  return {
    status: job.status.type,
    output_digest: r ? r.outputDigest.toHex() : null,
    small_output: r ? r.smallOutput.toHex() : null,
    accepted: r ? r.accepted.toNumber() : 0,
    finished_at: job.finishedAt.isSome ? job.finishedAt.unwrap().toNumber() : null,
  };
}
