// The 3-validator local testnet (Alice, Bob, Charlie) from the checked-in raw chain spec.
//
// GRANDPA needs more than 2/3 of the voters: with 3 equal voters the threshold is
// 3 - floor((3-1)/3) = 3, so no voter may be missing for a block to be finalized. With one
// validator down, Aura keeps authoring in the slots of the other two; finality waits for the
// third voter and, once it is back and has caught up, finalizes everything authored meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLocalTestnet, waitFor, waitForBlock, waitForFinalized, bestNumber, finalizedNumber,
} from '../lib/node.js';
import { UNIT, TIMEOUT } from '../lib/chain.js';

const nodes = {};
const apis = {};

before(async () => {
  Object.assign(nodes, await startLocalTestnet());
  for (const [name, n] of Object.entries(nodes)) apis[name] = await n.api();
});

after(async () => {
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
});

test('the three validators peer with one another', async () => {
  for (const [name, api] of Object.entries(apis)) {
    await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 2, TIMEOUT.peers, `${name} to have 2 peers`);
  }
  const validators = (await apis.alice.query.session.validators()).map((v) => v.toString());
  assert.equal(validators.length, 3);
  // All three are staked validators (100,000 CRU each), elected by staking's genesis election;
  // the local testnet has no sudo key.
  const api = apis.alice;
  const staked = await api.query.staking.validators.entries();
  assert.deepEqual(staked.map(([k]) => k.args[0].toString()).sort(), [...validators].sort());
  for (const v of validators) {
    assert.equal((await api.query.staking.ledger(v)).unwrap().total.toBigInt(), 100_000n * UNIT);
  }
  assert.ok((await api.query.sudo.key()).isNone);
});

test('all three author blocks and blocks are finalized', async () => {
  const api = apis.alice;
  const authors = new Set();
  const unsub = await api.derive.chain.subscribeNewHeads((h) => {
    if (h.author) authors.add(h.author.toString());
  });
  try {
    await waitFor(() => authors.size === 3, TIMEOUT.allAuthor, 'blocks by all three validators');
  } finally {
    unsub();
  }
  const validators = (await api.query.session.validators()).map((v) => v.toString());
  assert.deepEqual([...authors].sort(), [...validators].sort());
  const f = await finalizedNumber(api);
  for (const [name, a] of Object.entries(apis)) {
    await waitForFinalized(a, f + 2, TIMEOUT.finality).catch((e) => { throw new Error(`${name}: ${e.message}`); });
  }
});

test('with one validator killed the others keep authoring; it restarts, catches up, and finality covers the gap', async () => {
  const finalizedAtKill = await finalizedNumber(apis.alice);
  const charlieAddr = (await apis.charlie.query.session.validators()).map(String)[2];
  await nodes.charlie.kill('SIGKILL');
  delete apis.charlie;
  const bestAtKill = await bestNumber(apis.alice);

  // Alice and Bob author in their own slots: 2 of every 3 slots.
  const authors = new Set();
  const unsub = await apis.alice.derive.chain.subscribeNewHeads((h) => { if (h.author) authors.add(h.author.toString()); });
  try {
    await waitForBlock(apis.alice, bestAtKill + 4, TIMEOUT.blocks);
  } finally {
    unsub();
  }
  assert.ok(authors.size >= 1, 'blocks authored while charlie is down');
  const bestDuringOutage = await bestNumber(apis.alice);
  console.log(`# outage: best #${bestAtKill} -> #${bestDuringOutage}, finalized stays at #${await finalizedNumber(apis.alice)} (was #${finalizedAtKill}); authors: ${[...authors].join(', ')}`);

  // Charlie comes back on the same base path and catches up.
  await nodes.charlie.restart();
  apis.charlie = await nodes.charlie.api();
  const target = await bestNumber(apis.alice);
  await waitForBlock(apis.charlie, target, TIMEOUT.catchUp);
  // Finality resumes and includes every block authored during the outage.
  for (const [name, a] of Object.entries(apis)) {
    await waitForFinalized(a, bestDuringOutage + 1, TIMEOUT.finalityResumes).catch((e) => { throw new Error(`${name}: ${e.message}`); });
  }
  // Charlie authors again.
  const again = new Set();
  const unsub2 = await apis.alice.derive.chain.subscribeNewHeads((h) => { if (h.author) again.add(h.author.toString()); });
  try {
    await waitFor(() => again.has(charlieAddr), TIMEOUT.authoring, 'a block by charlie after restart');
  } finally {
    unsub2();
  }
});
