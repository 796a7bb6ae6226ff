#!/usr/bin/env node
// Crucible's consumer CLI (@polkadot/api): bring data to the chain and take it back.
//
//   scripts/crucible upload FILE                 store FILE as blobs; prints its hash, CID and cost
//   scripts/crucible download HASH|CID FILE      fetch the data from the node, check every hash, write FILE
//   scripts/crucible blob HASH|CID               the chain's record of a blob
//
// Options (anywhere): --url ws://127.0.0.1:9944 (the node), --suri //Alice (the signer),
// --timeout SECS (per transaction, 180). Upload resumes: chunks already on chain are skipped, so
// after Ctrl-C the same command picks up where it stopped.
import { readFileSync, writeFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { withTimeout } from '../lib/node.js';
import { upload, download, blobRecord, blobParams, hashOf, cidOf, plan, DATA_RPC } from '../lib/data.js';

const USAGE = `usage:
  crucible upload FILE
  crucible download HASH|CID FILE
  crucible blob HASH|CID
options: --url ws://127.0.0.1:9944  --suri //Alice  --timeout SECS`;

const CRU = 10n ** 12n;
const cru = (planck) => `${(Number(planck) / Number(CRU)).toFixed(6)} CRU`;
const mib = (bytes) => `${(Number(bytes) / 2 ** 20).toFixed(2)} MiB`;

function parseArgs(argv) {
  const o = { url: 'ws://127.0.0.1:9944', suri: '//Alice', timeout: '180', args: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const k = argv[i].slice(2);
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${k} needs a value\n${USAGE}`);
      o[k] = v;
    } else o.args.push(argv[i]);
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const [command, ...args] = o.args;
  const need = { upload: 1, download: 2, blob: 1 }[command];
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
      const r = await upload(api, signer, bytes, { timeoutMs: Number(o.timeout) * 1000, log: (m) => console.log(`  ${m}`) });
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

main().then(() => process.exit(0)).catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
