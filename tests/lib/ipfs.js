// A real IPFS client (Helia 7, js-libp2p) that dials a Crucible node started with
// `--ipfs-server` and fetches a blob by CID over bitswap (/ipfs/bitswap/1.2.0), as any IPFS
// peer would. Only what the node speaks: TCP, noise, yamux, identify (js bitswap learns a
// peer's protocols from identify; without it no wantlist is sent); no DHT, bootstrap or mDNS.
// Blobs' CIDs use the blake2b-256 multihash, which Helia does not know by default.
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap } from '@helia/bitswap';
import { tcp } from '@libp2p/tcp';
import { noise } from '@libp2p/noise';
import { yamux } from '@libp2p/yamux';
import { identify } from '@libp2p/identify';
import { blake2b256 } from '@multiformats/blake2/blake2b';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import all from 'it-all';
import { concat } from 'uint8arrays/concat';

// Node 20 has no Promise.withResolvers, which libp2p's queues use (Node 22 has it).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  };
}

/**
 * The bytes of the block `cid` from the peer at `addr` (`/ip4/…/tcp/…/p2p/12D3Koo…`), over
 * bitswap. The node answers blocks of at most 2 MiB (a blob's bound), drops idle connections
 * after 10 s and answers DONT_HAVE for what it lacks, which a `get` waits out: a missing block
 * ends with the timeout.
 */
export async function fetchOverBitswap(addr, cid, { timeoutMs = 30_000 } = {}) {
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ hashers: [blake2b256] }), {
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  }));
  await helia.start();
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    await helia.libp2p.dial(multiaddr(addr), { signal });
    return concat(await all(helia.blockstore.get(CID.parse(cid), { signal })));
  } finally {
    await helia.stop();
  }
}
