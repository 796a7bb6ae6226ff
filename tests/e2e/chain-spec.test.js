// The checked-in local testnet spec must be exactly what this runtime and node produce.
// If this fails after a runtime change, regenerate it: scripts/gen-chain-specs.sh
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinary, repoRoot } from '../lib/node.js';

test('chain-specs/local-testnet.raw.json matches the runtime build', () => {
  const checkedIn = JSON.parse(readFileSync(join(repoRoot, 'chain-specs', 'local-testnet.raw.json'), 'utf8'));
  const fresh = JSON.parse(execFileSync(nodeBinary(), ['export-chain-spec', '--chain', 'local', '--raw'], {
    maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
  }).toString());
  assert.equal(checkedIn.id, 'crucible_local_testnet');
  const code = (s) => s.genesis.raw.top['0x3a636f6465'];
  assert.ok(code(fresh)?.length > 1000, 'fresh spec carries the runtime code');
  assert.equal(code(checkedIn), code(fresh), 'runtime Wasm differs: run scripts/gen-chain-specs.sh');
  assert.deepEqual(checkedIn.genesis, fresh.genesis, 'genesis state differs: run scripts/gen-chain-specs.sh');
  assert.deepEqual({ ...checkedIn, genesis: null }, { ...fresh, genesis: null });
});
