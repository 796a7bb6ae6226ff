// Helpers for compute-market end-to-end tests: one job spec per built-in workload, the native
// worker's Rust reference for the same parameters, units, the byte layouts a provider signs and
// commits to, the market's accounts and arithmetic, events and latencies.
import { execFileSync } from 'node:child_process';
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';
import { bnToU8a, compactAddLength, hexToU8a, isHex, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { releaseBinary } from './node.js';
import { TIMEOUT } from './chain.js';

/** The crucible-worker binary: $CRUCIBLE_WORKER, else the release build next to the node. */
export const workerBinary = () => releaseBinary('crucible-worker', 'CRUCIBLE_WORKER');

/** Perbill's denominator. */
export const PERBILL = 1_000_000_000n;

/** Small parameters for each built-in workload (replicas: see `defaultReplicas`). */
const SMALL = {
  'hash-search': { dims: [1 << 16], target: '0x10' + '00'.repeat(31) },
  // Work 128³ = 2^21 multiply-adds: 8 units of 2^18.
  'matmul-modp': { dims: [128] },
  'mandelbrot-fixed': { dims: [64, 48, 100] },
  'merkle-root': { dims: [4096] },
  'prefix-sum': { dims: [1 << 16] },
};

/**
 * The replicas a workload's verification takes by default: 1 for on-chain-checked workloads
 * (the runtime checks each claim itself) and for a quorum of 1; above that, one more than the
 * quorum (the runtime wants quorum + 1 ..= 2·quorum − 1, so that one liar cannot block the
 * quorum and two disjoint groups cannot both reach it). The built-in replicated workloads have
 * quorum 2: 3 replicas.
 */
export function defaultReplicas(workload) {
  const v = workload.verification;
  if (!v.isReplicated) return 1;
  const quorum = v.asReplicated.quorum.toNumber();
  return quorum <= 1 ? 1 : quorum + 1;
}

/** One job spec per built-in workload (ids 0..4): { id, kernel, workload, params, replicas }. */
export async function jobSpecs(api, salt = 'e2e') {
  const specs = [];
  for (let id = 0; id < 5; id++) {
    const workload = (await api.call.computeMarketApi.workload(id)).unwrap();
    const kernel = workload.name.toUtf8();
    const small = SMALL[kernel];
    if (!small) throw new Error(`no job spec for workload ${kernel}`);
    const params = { seed: blake2AsHex(`${salt}/${kernel}`), dims: small.dims, target: small.target ?? null };
    specs.push({ id, kernel, workload, params, replicas: defaultReplicas(workload) });
  }
  return specs;
}

/** The work of `dims` on `workload`: the product of the dimensions, each to its power. */
export function workOf(workload, dims) {
  const bounds = workload.schema.dims;
  if (bounds.length !== dims.length) throw new Error(`${dims.length} dims for a workload of ${bounds.length}`);
  return dims.reduce((a, d, i) => a * BigInt(d) ** BigInt(bounds[i].power.toNumber()), 1n);
}

/** The fewest units that cover `dims` on `workload`: ⌈work / unit size⌉. */
export function minUnits(workload, dims) {
  const work = workOf(workload, dims);
  const unit = workload.unitSize.toBigInt();
  return Number((work + unit - 1n) / unit);
}

/** Blocks a job's work adds to each commit window: ⌊work / workPerBlock⌋. */
export function workBlocks(workload, dims) {
  return Number(workOf(workload, dims) / workload.workPerBlock.toBigInt());
}

/** The fewest units that cover the job, checked against the chain's quote. */
export async function unitsFor(api, spec) {
  const units = minUnits(spec.workload, spec.params.dims);
  const q = await api.call.computeMarketApi.quote(spec.id, spec.params, units, spec.replicas, spec.workload.priceFloor.toBigInt());
  if (!q.isOk) throw new Error(`${spec.kernel}: quote refused ${units} units: ${q.asErr.type}`);
  return units;
}

/** `parts` (a Perbill, or its parts as a number or bigint) of `x`, rounded as the runtime does
 * (`Perbill * Balance`: to the nearest, a half down). */
export function perbillOf(parts, x) {
  const p = BigInt(typeof parts === 'object' ? parts.toNumber() : parts);
  const whole = (x / PERBILL) * p;
  const rem = (x % PERBILL) * p;
  return whole + rem / PERBILL + (rem % PERBILL > PERBILL / 2n ? 1n : 0n);
}

const min = (...xs) => xs.reduce((a, b) => (b < a ? b : a));

/**
 * The market's governed values as they apply at `at` (default: the best block), from the
 * runtime API: { minProviderBond, commitWindow, rewardPerUnit, treasuryCut, … }. They are not
 * metadata constants, which would go stale after governance changes one.
 */
export async function marketParams(api, at) {
  return (at ? await api.at(at) : api).call.computeMarketApi.params();
}

/**
 * The most reward one accepted provider of a job is minted (before what is left of the
 * per-block cap): min(RewardPerUnit × neededUnits, TreasuryCut of its payment,
 * MaxRewardPerBlock / (MaxAssignPerBlock × MaxReplicas)), with the governed values as they
 * apply at `at` (default: the best block) and the bounds from the metadata.
 */
export async function rewardCap(api, neededUnits, payment, at) {
  const c = api.consts.computeMarket;
  const p = await marketParams(api, at);
  const slots = BigInt(Math.max(1, c.maxAssignPerBlock.toNumber() * c.maxReplicas.toNumber()));
  const share = p.maxRewardPerBlock.toBigInt() / slots;
  return min(p.rewardPerUnit.toBigInt() * BigInt(neededUnits), perbillOf(p.treasuryCut, payment), share);
}

/** The account of a pallet id (`modl` ‖ id, zero-padded to 32 bytes), as hex. */
export function palletAccountHex(id) {
  const bytes = u8aConcat(stringToU8a('modl'), stringToU8a(id));
  return u8aToHex(u8aConcat(bytes, new Uint8Array(32 - bytes.length)));
}

/** The market's escrow account: every open job's budget is there. */
export const ESCROW_ACCOUNT = palletAccountHex('crc/escr');

/** Funds the market holds from `who` with `reason` (`JobDeposit`, `ProviderBond`, `JobEscrow`). */
export async function heldFor(api, who, reason, at) {
  const holds = await (at ? await api.at(at) : api).query.balances.holds(who);
  return holds
    .filter((h) => h.id.isComputeMarket && h.id.asComputeMarket[`is${reason}`])
    .reduce((a, h) => a + h.amount.toBigInt(), 0n);
}

const bytesOf = (x) => (typeof x === 'string' ? (isHex(x) ? hexToU8a(x) : stringToU8a(x)) : x);
const le = (n, bits) => bnToU8a(n, { bitLength: bits, isLe: true });

/** Domain separator of attestations. */
export const ATTESTATION_DOMAIN = 'crucible/attest/v2';

/**
 * What a provider commits to: blake2_256(job_le64 ‖ output_digest ‖ blake2_256(small_output) ‖
 * salt ‖ provider account id). Byte arguments are Uint8Arrays or hex.
 */
export function commitmentOf(job, outputDigest, smallOutput, salt, provider) {
  return blake2AsU8a(u8aConcat(
    le(job, 64), bytesOf(outputDigest), blake2AsU8a(bytesOf(smallOutput), 256), bytesOf(salt), bytesOf(provider),
  ), 256);
}

/**
 * What a compute key signs for a reveal: the SCALE encoding of (domain [u8; 18], job u64,
 * kernel_hash, output_digest, blake2_256(small_output), worker_version u32, device_class as
 * compact-length-prefixed bytes).
 */
export function attestationMessage(job, kernelHash, outputDigest, smallOutput, workerVersion, deviceClass) {
  return u8aConcat(
    stringToU8a(ATTESTATION_DOMAIN), le(job, 64), bytesOf(kernelHash), bytesOf(outputDigest),
    blake2AsU8a(bytesOf(smallOutput), 256), le(workerVersion, 32), compactAddLength(stringToU8a(deviceClass)),
  );
}

/** The worker's plain-Rust reference result for `kernel` on `params`. */
export function referenceOf(kernel, params) {
  const out = execFileSync(workerBinary(), ['run', kernel, JSON.stringify(params), '--reference'], { encoding: 'utf8', timeout: TIMEOUT.reference });
  return JSON.parse(out);
}

/** Events of `section` in blocks from..=to: { method, data, block, phase }. */
export async function eventsIn(api, from, to, section) {
  const out = [];
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(hash)).query.system.events();
    for (const { event, phase } of events) {
      if (event.section === section) out.push({ method: event.method, data: event.data, block: n, phase });
    }
  }
  return out;
}

/** Compute-market events of blocks from..=to: { method, data, block }. */
export const marketEvents = (api, from, to) => eventsIn(api, from, to, 'computeMarket');

/** Market events about job `id` in blocks from..=to. */
export const jobEventsIn = async (api, from, to, id) =>
  (await marketEvents(api, from, to)).filter((e) => e.data.job?.toNumber?.() === id);

/** Transaction fees (with tips) that `accounts` paid in blocks from..=to. */
export async function txFeesIn(api, from, to, accounts) {
  const who = new Set(accounts.map(String));
  return (await eventsIn(api, from, to, 'transactionPayment'))
    .filter((e) => e.method === 'TransactionFeePaid' && who.has(e.data.who.toString()))
    .reduce((a, e) => a + e.data.actualFee.toBigInt() + e.data.tip.toBigInt(), 0n);
}

/** Blocks and seconds (block timestamps) from the order's block to the job's finishing block. */
export async function jobLatency(api, job, submittedAt) {
  const finished = job.finishedAt.unwrap().toNumber();
  const ts = async (n) => (await (await api.at(await api.rpc.chain.getBlockHash(n))).query.timestamp.now()).toNumber();
  return { blocks: finished - submittedAt, seconds: (await ts(finished) - await ts(submittedAt)) / 1000 };
}
