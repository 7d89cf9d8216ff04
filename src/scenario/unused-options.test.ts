import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScenario } from './load.js';
import { unusedOptions } from './unused-options.js';

const base = {
  network: { bandwidth: '1Gbit/s' },
  hosts: [{ name: 'A', memory: '8GiB' }, { name: 'B', memory: '8GiB' }],
  vms: [{ name: 'vm', host: 'A', memory: '64MiB' }],
};

test('options an algorithm never reads are named with their path; options it reads are not', () => {
  const spec = validateScenario({
    ...base,
    migrations: [
      { vm: 'vm', to: 'B', algorithm: 'precopy', downtimeLimit: '30ms', downtimeRamp: 'kubevirt' },
      { vm: 'vm', to: 'A', at: 100, algorithm: 'postcopy', downtimeLimit: '30ms', prepaging: 'bubble' },
    ],
  });
  const notes = unusedOptions(spec);
  assert.equal(notes[0], 'migrations[0].downtimeRamp: no effect on algorithm precopy (it applies to downtime-ramp)');
  assert.equal(notes.length, 2);
  assert.match(notes[1], /^migrations\[1\]\.downtimeLimit: no effect on algorithm postcopy \(it applies to .*precopy/);
});

test('every shipped example sets only options its algorithms read', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { parseScenarioData } = await import('./load.js');
  const { repoRoot } = await import('../../test/support.js');
  const dir = join(repoRoot(), 'examples');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const raw = parseScenarioData(readFileSync(join(dir, f), 'utf8'), f);
    if (!('migrations' in raw)) continue;
    assert.deepEqual(unusedOptions(validateScenario(raw, f)), [], f);
  }
});

test('a mapping for a shorthand-or-mapping option says what it lacks, at its path', () => {
  const migration = { vm: 'vm', to: 'B', algorithm: 'downtime-ramp', downtimeRamp: { steps: 5 } };
  assert.throws(() => validateScenario({ ...base, migrations: [migration] }), (e: Error) => {
    assert.match(e.message, /migrations\[0\]\.downtimeRamp\.schedule: required, expected one of "nova", "kubevirt"/);
    return true;
  });
});
