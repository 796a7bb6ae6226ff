// Chain helpers every test shares: the token's unit, balances, transaction fees, checks of a
// dispatch's outcome, and the named timeouts of every wait. One place for each: tests import
// them from here rather than keeping copies. (Nothing here imports the other helpers, so that
// node.js and market.js can import this module.)
import assert from 'node:assert/strict';

/** 1 CRU in planck (12 decimals). */
export const UNIT = 10n ** 12n;

/**
 * How long each wait may take, in ms, named by what is awaited. The tests pass these to
 * waitFor, waitForBlock, waitForFinalized, withTimeout and submit*; the harness (node.js) uses
 * the first group itself.
 */
export const TIMEOUT = Object.freeze({
  // The harness.
  /** A started node's RPC answers. */
  nodeStart: 60_000,
  /** A probe of a node's RPC (during nodeStart). */
  rpcProbe: 2_000,
  /** One JSON-RPC call over HTTP (CrucibleNode.rpc). */
  rpcCall: 10_000,
  /** One request over an API's WebSocket. */
  wsRequest: 30_000,
  /** An ApiPromise connects and loads the metadata. */
  api: 60_000,
  /** A node logs its peer id. */
  peerId: 30_000,
  /** A node stops after SIGINT, before it is sent SIGKILL. */
  stopGrace: 20_000,
  /** A transaction is in a finalized block (submitAndFinalize's default). */
  tx: 90_000,
  /** A transaction is in a best block (submitAndInclude's default). */
  txInBlock: 60_000,
  /** A batch of orders is in a block (best or finalized) on the 3-validator local testnet. */
  txBatchLocal: 180_000,
  /** The worker's plain-Rust reference run of a small job. */
  reference: 120_000,

  // Networks and blocks.
  /** Nodes peer with one another. */
  peers: 60_000,
  /** A restarted node's embedded compute worker starts (its log line). */
  workerStart: 30_000,
  /** A few more best or finalized blocks on a running single-node dev chain. */
  devBlocks: 30_000,
  /** A few more best blocks: on any network, also while one of three validators is down. */
  blocks: 60_000,
  /** A few more finalized blocks: the first after a (re)start, or on a network of nodes. */
  finality: 60_000,
  /** A restarted node catches up with the best block. */
  catchUp: 90_000,
  /** Finality covers an outage once the missing voter is back. */
  finalityResumes: 120_000,
  /** Every one of the three validators authors a block. */
  allAuthor: 90_000,
  /** Named validators (one or two) author a block. */
  authoring: 60_000,

  // The compute market.
  /** A submitted job is assigned (in the next block). */
  assignment: 30_000,
  /** One job is verified (or settled) by the node's offchain worker: from its order. */
  jobVerified: 120_000,
  /** One job of each built-in workload is verified on a dev chain. */
  jobsVerified: 180_000,
  /** Jobs with three replicas are verified on the 3-validator local testnet. */
  replicatedJobsVerified: 240_000,
  /** A job is verified by two of its three replicas: the whole commit and reveal windows. */
  jobWithNoShow: 300_000,

  // The data plane.
  /** A multi-MiB upload or download through the consumer CLI (a process of its own). */
  upload: 300_000,

  // Governance and staking.
  /** A referendum is enacted (from the vote). */
  referendum: 180_000,
  /** A newly bonded validator is in the active set (up to two eras). */
  election: 200_000,
  /** A nominator is in an era's exposure of the validator it backs. */
  exposure: 200_000,
  /** The active era ends. */
  era: 120_000,

  // Runtime upgrades.
  /** chopsticks forks the chain and dry-runs the next release's upgrade checks. */
  upgradeDryRun: 300_000,
});

/** `who`'s free balance (planck, a bigint), at block `at` (a hash) or the best block. */
export async function freeOf(api, who, at) {
  const q = at ? await api.at(at) : api;
  return (await q.query.system.account(who)).data.free.toBigInt();
}

/**
 * The transaction fee (with tip) that `events` of one extrinsic report; with `payer`, also
 * checks that it was `payer` who paid it.
 */
export function txFee(api, events, payer) {
  const paid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  if (!paid) throw new Error('no TransactionFeePaid event');
  if (payer !== undefined) assert.equal(paid.event.data.who.toString(), payer.toString(), 'the fee payer');
  return paid.event.data.actualFee.toBigInt() + paid.event.data.tip.toBigInt();
}

/** A decoded dispatch error (see node.js's decodeDispatchError) in words. */
export function describeDispatchError(e) {
  if (e === undefined) return 'no dispatchError in the result';
  if (e === null) return 'no error';
  const id = e.section ? `${e.section}.${e.name}` : e.name;
  return `${e.kind} error ${id}${e.docs ? `: ${e.docs}` : ''}`;
}

/**
 * Assert that the extrinsic of `r` (what submitAndFinalize/submitAndInclude resolve to)
 * dispatched without an error; the failure names the decoded error and its docs.
 */
export function assertDispatched(r, what = 'the extrinsic') {
  assert.equal(r.dispatchError, null, `${what} failed: ${describeDispatchError(r.dispatchError)}`);
}

/**
 * Assert that the extrinsic of `r` failed with the error `name` of pallet `section` (as the
 * metadata names them, e.g. 'computeMarket', 'NotEvictable'). With `section` null only the name
 * is compared: for errors outside the pallets (e.g. 'BadOrigin'), or any pallet's.
 */
export function assertFailedWith(r, section, name, what = 'the extrinsic') {
  const e = r.dispatchError;
  const want = section === null ? name : `${section}.${name}`;
  const ok = section === null ? e?.name === name : e?.section === section && e?.name === name;
  assert.ok(ok, `${what} should fail with ${want}: ${e ? describeDispatchError(e) : 'it dispatched'}`);
}
