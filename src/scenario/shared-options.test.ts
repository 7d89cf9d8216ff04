/**
 * Migration entries alike but for their names (VM, destination, ids) share one resolved options
 * object in a run; each migration's options are still exactly those its own entry resolves to.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../../test/support.js';
import { resolveOptions } from './run.js';

test('entries alike but for their names share their resolved options, equal to each entry resolved alone', () => {
  const r = run({
    name: 'shared options',
    seed: 1,
    horizon: '1h',
    network: { bandwidth: '1Gbit/s', latency: 0 },
    hosts: [
      { name: 'A', memory: '64GiB' },
      { name: 'B', memory: '64GiB' },
    ],
    vms: ['a', 'b', 'c', 'd'].map((name) => ({ name, host: 'A', memory: '256MiB', workload: { kind: 'idle' as const } })),
    migrations: [
      { vm: 'a', to: 'B', at: 0, algorithm: 'precopy', maxBandwidth: '100MiB/s' },
      { vm: 'b', to: 'B', at: 0, algorithm: 'precopy', maxBandwidth: '100MiB/s' },
      { vm: 'c', to: 'B', at: 0, algorithm: 'precopy', maxBandwidth: '50MiB/s' },
      { vm: 'd', to: 'B', at: 0, algorithm: 'postcopy', maxBandwidth: '100MiB/s' },
    ],
  });
  const [a, b, c, d] = r.migrations.map((m) => m.options);
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.notEqual(a, d);
  assert.equal(c.maxBandwidth, 50 * 2 ** 20);
  assert.equal(d.algorithm, 'postcopy');
  r.input.migrations.forEach((m, i) => assert.deepEqual(r.migrations[i].options, resolveOptions(m)));
});
