// A single `--dev` node: authoring, finality, signed transfers, decoded errors, restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CrucibleNode, waitForBlock, waitForFinalized, submitAndFinalize, bestNumber, finalizedNumber,
} from '../lib/node.js';
import { UNIT, TIMEOUT, freeOf, txFee, assertDispatched } from '../lib/chain.js';

let basePath, node, api, alice, bob;

before(async () => {
  basePath = mkdtempSync(join(tmpdir(), 'crucible-dev-'));
  node = await CrucibleNode.start({ chain: 'dev', name: 'dev', basePath });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
});

after(async () => {
  if (node) await node.stop();
  if (basePath && !process.env.KEEP_E2E_DATA) rmSync(basePath, { recursive: true, force: true });
});

test('the chain identifies itself: name, token, runtime', async () => {
  assert.equal((await api.rpc.system.chain()).toString(), 'Crucible Development');
  const props = await api.rpc.system.properties();
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'CRU');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
  assert.equal(api.runtimeVersion.specName.toString(), 'crucible');
  assert.equal(api.consts.balances.existentialDeposit.toBigInt(), UNIT / 1000n);
  assert.equal(api.consts.aura.slotDuration.toNumber(), 3000);
  // Metadata at the versions polkadot.js and newer clients read.
  const versions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
  assert.ok(versions.includes(15) && versions.includes(16), `metadata versions ${versions}`);
  // Runtime APIs polkadot.js needs are present.
  for (const name of ['Core', 'Metadata', 'BlockBuilder', 'TaggedTransactionQueue', 'OffchainWorkerApi',
    'AuraApi', 'GrandpaApi', 'SessionKeys', 'AccountNonceApi', 'TransactionPaymentApi', 'GenesisBuilder']) {
    assert.ok(api.call[name[0].toLowerCase() + name.slice(1)], `runtime API ${name}`);
  }
  const presets = (await api.call.genesisBuilder.presetNames()).map((p) => p.toString());
  assert.deepEqual(presets.sort(), ['development', 'local_testnet']);
});

test('blocks are authored and finalized', async () => {
  const start = Date.now();
  const first = await waitForFinalized(api, 1, TIMEOUT.finality);
  console.log(`# first finalized block #${first} ${(Date.now() - node.startedAt) / 1000}s after node start`);
  const b = await bestNumber(api);
  await waitForBlock(api, b + 3, TIMEOUT.devBlocks);
  const f = await finalizedNumber(api);
  await waitForFinalized(api, f + 2, TIMEOUT.devBlocks);
  assert.ok(Date.now() - start < 90_000);
});

test('a signed transferKeepAlive moves exactly the amount and emits Transfer', async () => {
  const amount = 123n * UNIT + 456n;
  const r = await submitAndFinalize(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice);
  assertDispatched(r, 'transferKeepAlive');
  const { blockHash, events } = r;
  const header = await api.rpc.chain.getHeader(blockHash);
  const parent = header.parentHash;
  const fee = txFee(api, events, alice.address);
  assert.ok(fee > 0n);

  const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
  assert.ok(transfer, 'balances.Transfer event');
  assert.equal(transfer.event.data.from.toString(), alice.address);
  assert.equal(transfer.event.data.to.toString(), bob.address);
  assert.equal(transfer.event.data.amount.toBigInt(), amount);

  assert.equal(await freeOf(api, bob.address, blockHash), (await freeOf(api, bob.address, parent)) + amount);
  assert.equal(await freeOf(api, alice.address, blockHash), (await freeOf(api, alice.address, parent)) - amount - fee);
});

test('a transfer beyond the balance fails with a decoded error and moves nothing', async () => {
  const aliceFree = await freeOf(api, alice.address);
  const amount = aliceFree * 2n;
  const { blockHash, events, dispatchError } = await submitAndFinalize(
    api, api.tx.balances.transferKeepAlive(bob.address, amount), alice);
  // pallet-balances reports a shortfall through the fungible traits as TokenError::FundsUnavailable.
  assert.deepEqual(dispatchError, { kind: 'Token', name: 'FundsUnavailable' });
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)));
  assert.ok(!events.some(({ event }) => api.events.balances.Transfer.is(event)));
  const parent = (await api.rpc.chain.getHeader(blockHash)).parentHash;
  const fee = txFee(api, events, alice.address);
  assert.equal(await freeOf(api, bob.address, blockHash), await freeOf(api, bob.address, parent));
  assert.equal(await freeOf(api, alice.address, blockHash), (await freeOf(api, alice.address, parent)) - fee);
});

test('a pallet error is decoded from metadata (sudo by a non-sudo account)', async () => {
  const { blockHash, events, dispatchError } = await submitAndFinalize(
    api, api.tx.sudo.sudo(api.tx.balances.forceSetBalance(bob.address, 1n)), bob);
  assert.equal(dispatchError.kind, 'Module');
  assert.equal(dispatchError.section, 'sudo');
  assert.equal(dispatchError.name, 'RequireSudo');
  assert.match(dispatchError.docs, /sudo/i);
  const parent = (await api.rpc.chain.getHeader(blockHash)).parentHash;
  const fee = txFee(api, events, bob.address);
  assert.equal(await freeOf(api, bob.address, blockHash), (await freeOf(api, bob.address, parent)) - fee);
});

test('an invalid transaction is rejected by the pool (bad nonce)', async () => {
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  await assert.rejects(
    api.tx.balances.transferKeepAlive(bob.address, 1n).signAndSend(alice, { nonce: Math.max(0, nonce - 1) }),
    /Invalid Transaction|Transaction is outdated|1010/,
  );
});

test('a node restarted on the same base path keeps its chain and state', async () => {
  const amount = 7n * UNIT;
  const { blockHash } = await submitAndFinalize(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice);
  const bobBefore = await freeOf(api, bob.address);
  const finalizedBefore = await finalizedNumber(api);
  const includedAt = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();

  await node.kill('SIGINT');
  await node.restart();
  api = await node.api();

  // The old blocks are still there, unchanged.
  assert.equal((await api.rpc.chain.getBlockHash(includedAt)).toHex(), blockHash.toHex());
  assert.ok((await finalizedNumber(api)) >= finalizedBefore);
  assert.equal(await freeOf(api, bob.address), bobBefore);
  // And the chain goes on from there.
  await waitForFinalized(api, finalizedBefore + 2, TIMEOUT.finality);
});
