// Open programs (#12): manifests as people write them (JSON, sizes as expressions such as
// "78*h + 40"), turned into the chain's kernel ABI (crucible_primitives::program::Manifest),
// and published with their source.
import { TIMEOUT, describeDispatchError } from './chain.js';
import { submitAndFinalize } from './node.js';
import { upload } from './data.js';

/**
 * An expression of the dimensions `dimNames` — a sum of terms, each a product of whole numbers
 * and dimension names ("4*n", "78*h + 40", "n*n") — as the chain's Expr: { terms: [{ coeff,
 * dims: [index, ..] }] }. A plain number is a constant.
 */
export function parseExpr(text, dimNames) {
  const src = String(text).trim();
  if (src === '') throw new Error('an empty expression');
  const terms = src.split('+').map((t) => {
    let coeff = 1n;
    const dims = [];
    for (const f of t.split('*').map((s) => s.trim())) {
      if (/^\d+$/.test(f)) coeff *= BigInt(f);
      else if (dimNames.includes(f)) dims.push(dimNames.indexOf(f));
      else throw new Error(`"${f}" in "${src}" is neither a whole number nor a dimension (${dimNames.join(', ')})`);
    }
    return { coeff, dims };
  });
  return { terms };
}

/** The value of a parsed expression for the dimension values `dims`. */
export function evalExpr(expr, dims) {
  return expr.terms.reduce((sum, t) => sum + t.dims.reduce((p, i) => p * BigInt(dims[i]), t.coeff), 0n);
}

const ENUM = {
  buffer: { input: (v) => ({ Input: Number(v) }), output: (v, d) => ({ Output: parseExpr(v, d) }), scratch: (v, d) => ({ Scratch: parseExpr(v, d) }) },
  arg: { buffer: (v) => ({ Buffer: Number(v) }), uint: (v, d) => ({ Uint: parseExpr(v, d) }), ulong: (v, d) => ({ Ulong: parseExpr(v, d) }), local: (v, d) => ({ Local: parseExpr(v, d) }) },
};

function oneOf(kind, obj, dimNames) {
  const keys = Object.keys(obj ?? {});
  const make = ENUM[kind][keys[0]];
  if (keys.length !== 1 || !make) throw new Error(`a ${kind} is one of {${Object.keys(ENUM[kind]).join('|')}: …}, not ${JSON.stringify(obj)}`);
  return make(obj[keys[0]], dimNames);
}

/**
 * The chain's Manifest (as @polkadot/api takes it) and the publisher's terms from a manifest
 * file's JSON:
 *   { name, dims: [{ name, min, max }], inputs: ["4*n"], buffers: [{ input: 0 } | { output: "…" }
 *     | { scratch: "…" }], launches: [{ entry, global: ["n"], local?: [64], args: [{ buffer: 0 }
 *     | { uint: "n" } | { ulong: "…" } | { local: "…" }] }], output: [1],
 *     verification: { quorum, bitExact }, work: "n", unitSize, maxWork,
 *     terms: { priceFloor, maxUnits, workPerBlock } }
 */
export function manifestFromJson(json) {
  const dimNames = (json.dims ?? []).map((d) => d.name);
  const manifest = {
    dims: (json.dims ?? []).map((d) => ({ name: d.name, min: d.min, max: d.max })),
    inputs: (json.inputs ?? []).map((e) => parseExpr(e, dimNames)),
    buffers: (json.buffers ?? []).map((b) => oneOf('buffer', b, dimNames)),
    launches: (json.launches ?? []).map((l) => ({
      entry: l.entry,
      global: (l.global ?? []).map((e) => parseExpr(e, dimNames)),
      local: l.local ?? [],
      args: (l.args ?? []).map((a) => oneOf('arg', a, dimNames)),
    })),
    output: json.output ?? [],
    verification: { quorum: json.verification?.quorum ?? 1, bitExact: json.verification?.bitExact ?? true },
    work: parseExpr(json.work ?? '0', dimNames),
    unitSize: BigInt(json.unitSize ?? 1),
    maxWork: BigInt(json.maxWork ?? 0),
  };
  const t = json.terms ?? {};
  const terms = { priceFloor: BigInt(t.priceFloor ?? 1), maxUnits: t.maxUnits ?? 1000, workPerBlock: BigInt(t.workPerBlock ?? 1) };
  return { name: json.name ?? 'program', manifest, terms };
}

/**
 * Publish `source` (bytes of OpenCL C) with the manifest JSON `json` as `signer`: the source is
 * uploaded as a blob (its hash names the program), then `publishProgram`. A refusal is thrown
 * with its error's name and doc. Resolves to { workload, kernelHash, deposit, uploaded, at }.
 */
export async function publishProgram(api, signer, source, json, { timeoutMs = TIMEOUT.tx, log = () => {} } = {}) {
  const { name, manifest, terms } = manifestFromJson(json);
  const uploaded = await upload(api, signer, source, { timeoutMs, log });
  const r = await submitAndFinalize(api, api.tx.computeMarket.publishProgram(name, uploaded.hash, manifest, terms), signer, timeoutMs);
  if (r.dispatchError) throw new Error(`publishProgram failed: ${describeDispatchError(r.dispatchError)}`);
  const ev = r.events.find(({ event }) => api.events.computeMarket.ProgramPublished.is(event)).event.data;
  const at = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  return { workload: ev.workload.toNumber(), kernelHash: ev.kernelHash.toHex(), deposit: ev.deposit.toBigInt(), uploaded, at };
}

/** An Expr as the chain returns it (a codec) in the form `evalExpr` takes. */
export function exprOf(codec) {
  return { terms: codec.terms.map((t) => ({ coeff: t.coeff.toBigInt(), dims: Array.from(t.dims).map(Number) })) };
}

/**
 * What a job on open program `id` needs, if `id` is one: { manifest (the codec), inputs (how
 * many), dimsFor(sizes), units(dims) }. `dimsFor` finds the one dimension of a program from the
 * size of its first input of `c·d` bytes; other programs need --dims.
 */
export async function programShape(api, id) {
  const p = await api.query.computeMarket.programs(id);
  if (p.isNone) return null;
  const m = p.unwrap().manifest;
  const work = exprOf(m.work);
  const unit = m.unitSize.toBigInt();
  return {
    manifest: m,
    inputs: m.inputs.length,
    dimsFor(sizes) {
      // The first input of `c·d` bytes gives the one dimension d.
      for (const [i, codec] of Array.from(m.inputs).entries()) {
        const [t, ...more] = exprOf(codec).terms;
        if (m.dims.length === 1 && t && !more.length && t.dims.length === 1 && BigInt(sizes[i]) % t.coeff === 0n) {
          return [Number(BigInt(sizes[i]) / t.coeff)];
        }
      }
      throw new Error('give --dims for this program (no input is a constant times its one dimension)');
    },
    units: (dims) => Number((evalExpr(work, dims) + unit - 1n) / unit),
  };
}
