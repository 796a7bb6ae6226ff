// Helpers for compute-market end-to-end tests: one job spec per built-in workload, the native
// worker's Rust reference for the same parameters, units, events and latencies.
import { execFileSync } from 'node:child_process';
import { blake2AsHex } from '@polkadot/util-crypto';
import { releaseBinary } from './node.js';

/** The crucible-worker binary: $CRUCIBLE_WORKER, else the release build next to the node. */
export const workerBinary = () => releaseBinary('crucible-worker', 'CRUCIBLE_WORKER');

/** Small parameters for each built-in workload, and the replicas its verification needs. */
const SMALL = {
  'hash-search': { dims: [1 << 16], target: '0x10' + '00'.repeat(31), replicas: 1 },
  'matmul-modp': { dims: [128], replicas: 2 },
  'mandelbrot-fixed': { dims: [64, 48, 100], replicas: 2 },
  'merkle-root': { dims: [4096], replicas: 2 },
  'prefix-sum': { dims: [1 << 16], replicas: 2 },
};

/** One job spec per built-in workload (ids 0..4): { id, kernel, workload, params, replicas }. */
export async function jobSpecs(api, salt = 'e2e') {
  const specs = [];
  for (let id = 0; id < 5; id++) {
    const workload = (await api.call.computeMarketApi.workload(id)).unwrap();
    const kernel = workload.name.toUtf8();
    const small = SMALL[kernel];
    if (!small) throw new Error(`no job spec for workload ${kernel}`);
    const params = { seed: blake2AsHex(`${salt}/${kernel}`), dims: small.dims, target: small.target ?? null };
    specs.push({ id, kernel, workload, params, replicas: small.replicas });
  }
  return specs;
}

/** The fewest units that cover `dims` on `workload`: ⌈product of dims / unit size⌉. */
export function minUnits(workload, dims) {
  const work = dims.reduce((a, d) => a * BigInt(d), 1n);
  const unit = workload.unitSize.toBigInt();
  return Number((work + unit - 1n) / unit);
}

/** The fewest units that cover the job, checked against the chain's quote. */
export async function unitsFor(api, spec) {
  const units = minUnits(spec.workload, spec.params.dims);
  const q = await api.call.computeMarketApi.quote(spec.id, spec.params, units, spec.replicas, spec.workload.priceFloor.toBigInt());
  if (!q.isOk) throw new Error(`${spec.kernel}: quote refused ${units} units: ${q.asErr.type}`);
  return units;
}

/** The worker's plain-Rust reference result for `kernel` on `params`. */
export function referenceOf(kernel, params) {
  const out = execFileSync(workerBinary(), ['run', kernel, JSON.stringify(params), '--reference'], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out);
}

/** Compute-market events of blocks from..=to: { method, data, block }. */
export async function marketEvents(api, from, to) {
  const out = [];
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(hash)).query.system.events();
    for (const { event } of events) {
      if (event.section === 'computeMarket') out.push({ method: event.method, data: event.data, block: n });
    }
  }
  return out;
}

/** Blocks and seconds (block timestamps) from the order's block to the job's finishing block. */
export async function jobLatency(api, job, submittedAt) {
  const finished = job.finishedAt.unwrap().toNumber();
  const ts = async (n) => (await (await api.at(await api.rpc.chain.getBlockHash(n))).query.timestamp.now()).toNumber();
  return { blocks: finished - submittedAt, seconds: (await ts(finished) - await ts(submittedAt)) / 1000 };
}
