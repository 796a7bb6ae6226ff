// Test harness: start real `crucible-node` processes on free loopback ports with temporary
// base paths, connect @polkadot/api clients, and stop everything afterwards. Every wait is
// bounded by a timeout.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { TIMEOUT } from './chain.js';
import { DATA_RPC } from './data.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

/** A release binary of this workspace: $ENV_VAR if set, else $CARGO_TARGET_DIR/release/NAME. */
export function releaseBinary(name, envVar) {
  if (process.env[envVar]) return process.env[envVar];
  const targetDir = process.env.CARGO_TARGET_DIR || join(repoRoot, 'target');
  const bin = join(targetDir, 'release', name);
  if (!existsSync(bin)) throw new Error(`${name} not found at ${bin}; build it or set ${envVar}`);
  return bin;
}

/** The node binary: $CRUCIBLE_NODE, else the release build. */
export const nodeBinary = () => releaseBinary('crucible-node', 'CRUCIBLE_NODE');

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolve `promise`, or reject after `ms` with a message naming what was awaited. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Poll `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor(fn, ms, what, every = 250) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
}

/**
 * A crucible-node process.
 *   const n = await CrucibleNode.start({ chain: 'dev' });
 *   const api = await n.api();
 *   ...
 *   await n.stop();
 */
export class CrucibleNode {
  constructor(opts) {
    this.opts = opts;
    this.name = opts.name || opts.chain;
    this.basePath = opts.basePath;
    this.ownsBasePath = opts.ownsBasePath;
    this.rpcPort = opts.rpcPort;
    this.p2pPort = opts.p2pPort;
    this.prometheusPort = opts.prometheusPort;
    // A persistent libp2p key, so the peer id survives restarts.
    this.nodeKey = opts.nodeKey || randomBytes(32).toString('hex');
    this.proc = null;
    this.apis = [];
    this.logFile = join(this.basePath, `${this.name}.log`);
  }

  static async start(opts = {}) {
    const basePath = opts.basePath || mkdtempSync(join(tmpdir(), 'crucible-e2e-'));
    const node = new CrucibleNode({
      chain: 'dev',
      ...opts,
      basePath,
      ownsBasePath: !opts.basePath,
      rpcPort: opts.rpcPort || (await freePort()),
      p2pPort: opts.p2pPort || (await freePort()),
      prometheusPort: opts.prometheusPort || (await freePort()),
    });
    await node.launch();
    return node;
  }

  args() {
    const o = this.opts;
    const a = [
      '--base-path', this.basePath,
      '--rpc-port', String(this.rpcPort),
      '--port', String(this.p2pPort),
      '--prometheus-port', String(this.prometheusPort),
      '--no-telemetry', '--no-mdns',
      '--rpc-cors', 'all',
    ];
    // `--dev` also makes the node Alice (her keys, forced authoring); `dev: false` joins the dev
    // chain as a node of its own.
    if (o.chain === 'dev' && o.dev !== false) a.push('--dev');
    else a.push('--chain', o.chain);
    if (o.validator) a.push('--validator');
    if (o.key) a.push(`--${o.key}`);
    a.push('--node-key', this.nodeKey);
    for (const b of o.bootnodes || []) a.push('--bootnodes', b);
    if (o.extraArgs) a.push(...o.extraArgs);
    return a;
  }

  async launch() {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.log = log;
    this.proc = spawn(nodeBinary(), this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((res) => this.proc.once('exit', (code, signal) => res({ code, signal })));
    this.output = '';
    const collect = (d) => {
      log.write(d);
      if (this.output.length < 2_000_000) this.output += d.toString();
    };
    this.proc.stdout.on('data', collect);
    this.proc.stderr.on('data', collect);
    this.startedAt = Date.now();
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`${this.name} exited (${code ?? signal}) while starting:\n${this.output.slice(-4000)}`);
    });
    await Promise.race([waitFor(() => this.rpcReady(), TIMEOUT.nodeStart, `${this.name}'s RPC on port ${this.rpcPort}`), died]);
    died.catch(() => {});
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.rpcPort}`;
  }

  async rpcReady() {
    if (this.proc.exitCode !== null) {
      throw new Error(`${this.name} exited with ${this.proc.exitCode}:\n${this.output.slice(-4000)}`);
    }
    // The node falls back to another port when its --rpc-port was taken in the meantime (say,
    // by an embedded compute worker's own free port): take the port it logs it serves on.
    const served = /Running JSON-RPC server: addr=127\.0\.0\.1:(\d+)/.exec(this.output);
    if (!served) return false;
    this.rpcPort = Number(served[1]);
    try {
      const r = await fetch(`http://127.0.0.1:${this.rpcPort}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
        signal: AbortSignal.timeout(TIMEOUT.rpcProbe),
      });
      return r.ok && (await r.json()).result !== undefined;
    } catch {
      return false;
    }
  }

  /** A raw JSON-RPC call over HTTP: resolves to `result`, rejects with the JSON-RPC error. */
  async rpc(method, params = []) {
    const r = await fetch(`http://127.0.0.1:${this.rpcPort}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
      signal: AbortSignal.timeout(TIMEOUT.rpcCall),
    });
    const body = await r.json();
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
    return body.result;
  }

  /** The node's libp2p peer id (from its log line "Local node identity is: ..."). */
  async peerId() {
    return waitFor(() => /Local node identity is: (\w+)/.exec(this.output)?.[1], TIMEOUT.peerId, `${this.name}'s peer id`);
  }

  async multiaddr() {
    return `/ip4/127.0.0.1/tcp/${this.p2pPort}/p2p/${await this.peerId()}`;
  }

  /** A connected ApiPromise; closed by stop(). */
  async api() {
    const provider = new WsProvider(this.wsUrl, 1000, {}, TIMEOUT.wsRequest);
    const api = await withTimeout(ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true, rpc: DATA_RPC }), TIMEOUT.api, `${this.name}'s API`);
    this.apis.push(api);
    return api;
  }

  /** Stop the process (SIGINT, then SIGKILL after `graceMs`); keep the base path. */
  async kill(signal = 'SIGINT', graceMs = TIMEOUT.stopGrace) {
    for (const api of this.apis.splice(0)) {
      await api.disconnect().catch(() => {});
    }
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill(signal);
      const done = await Promise.race([this.exited, sleep(graceMs).then(() => null)]);
      if (!done) {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    await new Promise((r) => this.log.end(r));
  }

  /** Start again on the same base path and ports. */
  async restart() {
    await this.launch();
  }

  /** Stop and delete the base path if this harness created it. */
  async stop() {
    await this.kill();
    if (this.ownsBasePath && !process.env.KEEP_E2E_DATA) rmSync(this.basePath, { recursive: true, force: true });
  }
}

/** The 3-validator local testnet's raw chain spec (Alice, Bob and Charlie validate and provide). */
export const LOCAL_SPEC = join(repoRoot, 'chain-specs', 'local-testnet.raw.json');

/**
 * Start the 3-validator local testnet: Alice's node first (the others' bootnode), then Bob's
 * and Charlie's. Resolves to { alice, bob, charlie } (CrucibleNodes); `opts` go to every node.
 */
export async function startLocalTestnet(opts = {}) {
  const nodes = {};
  nodes.alice = await CrucibleNode.start({ ...opts, chain: LOCAL_SPEC, name: 'alice', key: 'alice' });
  const boot = await nodes.alice.multiaddr();
  [nodes.bob, nodes.charlie] = await Promise.all(['bob', 'charlie'].map((name) =>
    CrucibleNode.start({ ...opts, chain: LOCAL_SPEC, name, key: name, bootnodes: [boot] })));
  return nodes;
}

/** Wait until the chain's best block number reaches `n`. */
export async function waitForBlock(api, n, ms = TIMEOUT.blocks) {
  return waitFor(async () => {
    const h = await api.rpc.chain.getHeader();
    return h.number.toNumber() >= n ? h.number.toNumber() : false;
  }, ms, `best block ${n}`);
}

/** Wait until the finalized block number reaches `n`. */
export async function waitForFinalized(api, n, ms = TIMEOUT.finality) {
  return waitFor(async () => {
    const h = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    return h.number.toNumber() >= n ? h.number.toNumber() : false;
  }, ms, `finalized block ${n}`);
}

export async function finalizedNumber(api) {
  const h = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
  return h.number.toNumber();
}

export async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/** A dispatch error decoded from metadata: { kind, section?, name, docs? }, or null. */
export function decodeDispatchError(api, dispatchError) {
  if (!dispatchError) return null;
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return { kind: 'Module', section: meta.section, name: meta.name, docs: meta.docs.join(' ') };
  }
  if (dispatchError.isToken) return { kind: 'Token', name: dispatchError.asToken.type };
  return { kind: dispatchError.type, name: dispatchError.toString() };
}

/** Sign and submit `tx`; resolve once its status reaches `until` ('finalized' or 'inBlock'). */
function submitUntil(api, tx, signer, ms, until) {
  return withTimeout(new Promise((res, rej) => {
    let unsub;
    let done = false;
    tx.signAndSend(signer, (result) => {
      const { status, events, dispatchError } = result;
      if (done) return;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        done = true;
        if (unsub) unsub();
        rej(new Error(`transaction ${status.type}`));
        return;
      }
      const reached = until === 'inBlock' ? status.isInBlock : status.isFinalized;
      if (reached) {
        done = true;
        if (unsub) unsub();
        const blockHash = until === 'inBlock' ? status.asInBlock : status.asFinalized;
        res({ blockHash, events, dispatchError: decodeDispatchError(api, dispatchError) });
      }
    }).then((u) => { unsub = u; if (done) u(); }).catch(rej);
  }), ms, until === 'inBlock' ? 'transaction inclusion' : 'transaction finalization');
}

/**
 * Sign and submit `tx`, resolve when it is in a finalized block with
 * { blockHash, events, dispatchError } (dispatchError decoded, or null).
 */
export function submitAndFinalize(api, tx, signer, ms = TIMEOUT.tx) {
  return submitUntil(api, tx, signer, ms, 'finalized');
}

/**
 * Sign and submit `tx`, resolve as soon as it is in a (best, not yet finalized) block, with the
 * same { blockHash, events, dispatchError }. For when finality is stalled or must not be
 * awaited (e.g. a validator is about to be killed).
 */
export function submitAndInclude(api, tx, signer, ms = TIMEOUT.txInBlock) {
  return submitUntil(api, tx, signer, ms, 'inBlock');
}
