// The data plane from a client's side: blob names (hash, CID), manifests, uploads through
// `blobs.store`/`blobs.storeManifest` and downloads through the nodes' `bitswap_v1_get` RPC,
// every byte checked against its hash. The consumer CLI (tools/crucible.js) and the end-to-end
// tests use the same functions.
import { blake2AsU8a } from '@polkadot/util-crypto';
import { compactToU8a, compactFromU8a, u8aToHex, hexToU8a, u8aConcat, u8aEq } from '@polkadot/util';

/** The first bytes of every manifest blob (`pallet_blobs::MANIFEST_MAGIC`). */
export const MANIFEST_MAGIC = new TextEncoder().encode('crcm');

/**
 * The node's `bitswap_v1_get` RPC for @polkadot/api (`ApiPromise.create({ rpc: DATA_RPC })`):
 * `api.rpc.bitswap.v1Get(cid)` answers the indexed bytes under a CID.
 */
export const DATA_RPC = {
  bitswap: {
    v1Get: {
      description: 'The bytes a node keeps in its transaction index under a CID',
      endpoint: 'bitswap_v1_get',
      params: [{ name: 'cid', type: 'Text' }],
      type: 'Bytes',
    },
  },
};

/** The blake2-256 of `bytes`: a blob's name on chain. */
export const blobHash = (bytes) => blake2AsU8a(bytes, 256);

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
// CIDv1, raw codec (0x55), multihash blake2b-256 (varint 0xb220), digest length 32.
const CID_PREFIX = Uint8Array.from([0x01, 0x55, 0xa0, 0xe4, 0x02, 0x20]);

/** A blob's CID (CIDv1, raw, blake2b-256; base32 with the `b` prefix), as `pallet_blobs::cid_of`. */
export function cidOf(hash) {
  const bytes = u8aConcat(CID_PREFIX, typeof hash === 'string' ? hexToU8a(hash) : hash);
  let out = 'b';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The hash (0x hex) a `0x…` hash or a blob's CID names; throws on anything else. */
export function hashOf(ref) {
  if (/^0x[0-9a-fA-F]{64}$/.test(ref)) return ref.toLowerCase();
  if (/^b[a-z2-7]+$/.test(ref)) {
    const bytes = [];
    let buffer = 0;
    let bits = 0;
    for (const c of ref.slice(1)) {
      buffer = ((buffer << 5) | B32.indexOf(c)) & 0xffff;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((buffer >> bits) & 0xff);
      }
    }
    const u8 = Uint8Array.from(bytes);
    if (u8.length === 38 && u8aEq(u8.subarray(0, 6), CID_PREFIX)) return u8aToHex(u8.subarray(6));
    throw new Error(`${ref} is not a Crucible blob CID (CIDv1, raw codec, blake2b-256)`);
  }
  throw new Error(`${ref} is neither a 0x-prefixed 32-byte hash nor a blob CID`);
}

/** A manifest's bytes: the magic, then the SCALE encoding of Vec<{ hash: H256, size: u32 }>. */
export function encodeManifest(chunks) {
  const parts = [MANIFEST_MAGIC, compactToU8a(chunks.length)];
  for (const c of chunks) {
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, c.size, true);
    parts.push(typeof c.hash === 'string' ? hexToU8a(c.hash) : c.hash, size);
  }
  return u8aConcat(...parts);
}

/** The chunks a manifest's bytes list ([{ hash: 0x…, size }]), or null if they are no manifest. */
export function decodeManifest(bytes) {
  if (bytes.length < MANIFEST_MAGIC.length || !u8aEq(bytes.subarray(0, 4), MANIFEST_MAGIC)) return null;
  const [offset, n] = compactFromU8a(bytes.subarray(4));
  const count = n.toNumber();
  let at = 4 + offset;
  if (bytes.length !== at + count * 36) return null;
  const chunks = [];
  for (let i = 0; i < count; i++, at += 36) {
    const size = new DataView(bytes.buffer, bytes.byteOffset + at + 32, 4).getUint32(0, true);
    chunks.push({ hash: u8aToHex(bytes.subarray(at, at + 32)), size });
  }
  return chunks;
}

/** The data plane's governed values and bounds (runtime API `blobsApi.params`). */
export async function blobParams(api) {
  const p = await api.call.blobsApi.params();
  return {
    blobFee: p.blobFee.toBigInt(),
    byteFee: p.byteFee.toBigInt(),
    retentionPeriod: p.retentionPeriod.toNumber(),
    maxBlobSize: p.maxBlobSize.toNumber(),
    maxChunks: p.maxChunks.toNumber(),
  };
}

/** A blob's record ({ bytes, totalBytes, chunks, owner, storedAt, expiresAt }), or null. */
export async function blobRecord(api, hash) {
  const r = await api.call.blobsApi.blob(hash);
  if (r.isNone) return null;
  const b = r.unwrap();
  return {
    bytes: b.bytes.toNumber(),
    totalBytes: b.totalBytes.toBigInt(),
    chunks: b.chunks.toNumber(),
    owner: b.owner.toString(),
    storedAt: b.storedAt.toNumber(),
    expiresAt: b.expiresAt.toNumber(),
  };
}

/** How `bytes` are stored: their chunks (each at most `maxBlobSize`) and, for more than one, the manifest. */
export function plan(bytes, maxBlobSize) {
  if (bytes.length === 0) throw new Error('nothing to upload: the data is empty');
  const chunks = [];
  for (let at = 0; at < bytes.length; at += maxBlobSize) {
    const data = bytes.subarray(at, Math.min(at + maxBlobSize, bytes.length));
    chunks.push({ data, hash: u8aToHex(blobHash(data)), size: data.length });
  }
  // Data that fits in one blob is stored as it is, unless it starts like a manifest.
  const single = chunks.length === 1 && !u8aEq(bytes.subarray(0, 4), MANIFEST_MAGIC);
  const manifest = single ? null : encodeManifest(chunks);
  const hash = single ? chunks[0].hash : u8aToHex(blobHash(manifest));
  return { hash, cid: cidOf(hash), size: bytes.length, chunks, manifest };
}

/**
 * Sign and send `tx` as `signer` with `nonce`. Returns { ready, final }: `ready` resolves once
 * the pool holds the transaction (send the next nonce only then: a transaction that arrives
 * before its predecessor waits in the pool's future queue, which holds a tenth of the pool's
 * bytes, 2 MiB by default, and a chunk would be dropped); `final` resolves once it is in a
 * finalized block with { blockHash, events, error } (error: 'section.Name' of a failed
 * dispatch, or null). Both reject if the pool refuses or drops it.
 */
function sendWithNonce(api, tx, signer, nonce, ms) {
  let onReady;
  let failReady;
  const ready = new Promise((res, rej) => { onReady = res; failReady = rej; });
  const final = new Promise((resolve, reject) => {
    let unsub;
    let done = false;
    const finish = (f, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub();
      f(v);
    };
    const fail = (e) => { failReady(e); finish(reject, e); };
    const timer = setTimeout(() => fail(new Error(`transaction (nonce ${nonce}) not finalized within ${ms} ms`)), ms);
    tx.signAndSend(signer, { nonce }, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        fail(new Error(`transaction (nonce ${nonce}) ${status.type}`));
        return;
      }
      onReady();
      if (status.isFinalized) {
        let error = null;
        if (dispatchError) {
          if (dispatchError.isModule) {
            const m = api.registry.findMetaError(dispatchError.asModule);
            error = `${m.section}.${m.name}`;
          } else error = dispatchError.toString();
        }
        finish(resolve, { blockHash: status.asFinalized, events, error });
      }
    }).then((u) => { unsub = u; if (done) u(); }).catch(fail);
  });
  // Callers await `ready` first; keep an early rejection of `final` from going unhandled.
  final.catch(() => {});
  ready.catch(() => {});
  return { ready, final };
}

/**
 * Store `bytes` as `signer`: each chunk not stored yet, one after another into the pool (at most
 * `inFlight` unfinalized at a time: the pool holds 20 MiB by default), then the manifest if
 * there is more than one chunk. Chunks and manifests already on chain are skipped, so an
 * interrupted upload resumes where it stopped. Resolves to { hash, cid, size, chunks, stored,
 * fees, seconds } once every blob is in a finalized block; throws with the typed error of the
 * first refused store.
 */
export async function upload(api, signer, bytes, { inFlight = 6, timeoutMs = 180_000, log = () => {} } = {}) {
  const params = await blobParams(api);
  const p = plan(bytes, params.maxBlobSize);
  if (p.chunks.length > params.maxChunks) {
    throw new Error(`${bytes.length} bytes need ${p.chunks.length} chunks; a manifest lists at most ${params.maxChunks}`);
  }
  const t0 = Date.now();
  const todo = [];
  for (const c of p.chunks) {
    if (!(await blobRecord(api, c.hash))) todo.push({ call: api.tx.blobs.store(u8aToHex(c.data)), hash: c.hash, size: c.size });
  }
  if (p.manifest && !(await blobRecord(api, p.hash))) {
    todo.push({ call: api.tx.blobs.storeManifest(u8aToHex(p.manifest)), hash: p.hash, size: p.manifest.length, manifest: true });
  }
  log(`${p.chunks.length} chunk(s)${p.manifest ? ' + manifest' : ''}, ${todo.length} to store`);
  let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  let fees = 0n;
  const pending = new Set();
  const failures = [];
  const feeOf = (events) => events
    .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event) || api.events.blobs.Stored.is(event) || api.events.blobs.ManifestStored.is(event))
    .reduce((s, { event }) => s + (event.data.actualFee ?? event.data.fee).toBigInt(), 0n);
  for (const item of todo) {
    // The manifest goes last: its nonce puts it after every chunk it refers to (if a chunk is
    // refused, the manifest is too, and the chunk's error is the one reported).
    while (pending.size >= inFlight) await Promise.race(pending);
    if (failures.length) break;
    const { ready, final } = sendWithNonce(api, item.call, signer, nonce++, timeoutMs);
    const tracked = final.then((r) => {
      fees += feeOf(r.events);
      // A chunk's refusal goes first: it is what made its manifest fail.
      const why = `${item.manifest ? 'the manifest' : `chunk ${item.hash}`} was refused: ${r.error}`;
      if (r.error) failures[item.manifest ? 'push' : 'unshift'](why);
      else log(`stored ${item.manifest ? 'manifest' : 'chunk'} ${item.hash} (${item.size} bytes)`);
    }).finally(() => pending.delete(tracked));
    pending.add(tracked);
    await ready;
  }
  await Promise.all(pending);
  if (failures.length) throw new Error(failures[0]);
  return { hash: p.hash, cid: p.cid, size: p.size, chunks: p.chunks.length, stored: todo.length, fees, seconds: (Date.now() - t0) / 1000 };
}

/** The bytes of one blob from a node's `bitswap_v1_get` (by CID), checked against `hash`. */
export async function fetchBlob(api, hash) {
  const cid = cidOf(hash);
  if (!api.rpc.bitswap?.v1Get) throw new Error('create the ApiPromise with { rpc: DATA_RPC } (and a node that serves bitswap_v1_get)');
  let bytes;
  try {
    bytes = (await api.rpc.bitswap.v1Get(cid)).toU8a(true);
  } catch (e) {
    throw new Error(`the node has no bytes for ${hash} (${cid}): ${e.message}`, { cause: e });
  }
  if (u8aToHex(blobHash(bytes)) !== hash) throw new Error(`the node's bytes for ${hash} do not hash to it`);
  return bytes;
}

/**
 * The data a hash or CID names: a data blob's bytes, or a manifest's chunks concatenated, every
 * blob checked against its hash and every chunk against its listed length. Resolves to
 * { bytes, hash, chunks, seconds }.
 */
export async function download(api, ref) {
  const hash = hashOf(ref);
  const t0 = Date.now();
  const head = await fetchBlob(api, hash);
  const chunks = decodeManifest(head);
  if (!chunks) return { bytes: head, hash, chunks: 0, seconds: (Date.now() - t0) / 1000 };
  const parts = [];
  for (const c of chunks) {
    const part = await fetchBlob(api, c.hash);
    if (part.length !== c.size) throw new Error(`chunk ${c.hash} has ${part.length} bytes, its manifest says ${c.size}`);
    parts.push(part);
  }
  return { bytes: u8aConcat(...parts), hash, chunks: chunks.length, seconds: (Date.now() - t0) / 1000 };
}
