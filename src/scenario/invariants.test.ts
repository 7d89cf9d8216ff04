/**
 * Invariants on random scenarios (fast-check): whatever the workload, link and preset,
 * 0 <= downtime <= totalTime, every resident page crosses at least once, the destination is current
 * at resume, the VM ends on exactly one host, and the same seed gives byte-identical JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { run, twoHostScenario } from '../../test/support.js';
import { ScenarioInput } from './schema.js';

const MiB = 2 ** 20;

const workloadArb = fc.oneof(
  fc.constant({ kind: 'idle' as const }),
  fc.record({ kind: fc.constant('uniform' as const), writeRate: fc.integer({ min: 100, max: 40_000 }), workingSet: fc.integer({ min: 1, max: 32 }).map((m) => m * MiB) }),
  fc.record({
    kind: fc.constant('hotcold' as const),
    writeRate: fc.integer({ min: 100, max: 40_000 }),
    workingSet: fc.constant(32 * MiB),
    hotSet: fc.integer({ min: 1, max: 8 }).map((m) => m * MiB),
    hotShare: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('sweep' as const), writeRate: fc.integer({ min: 100, max: 40_000 }), workingSet: fc.integer({ min: 1, max: 32 }).map((m) => m * MiB) }),
  fc.record({ kind: fc.constant('zipf' as const), writeRate: fc.integer({ min: 100, max: 20_000 }), workingSet: fc.constant(16 * MiB), exponent: fc.double({ min: 0.5, max: 2, noNaN: true }) }),
);

const scenarioArb = fc.record({
  memoryMiB: fc.integer({ min: 32, max: 96 }), // working sets are at most 32 MiB
  residentShare: fc.double({ min: 0.5, max: 1, noNaN: true }),
  workload: workloadArb,
  bandwidthMbit: fc.integer({ min: 100, max: 10_000 }),
  latencyMs: fc.double({ min: 0, max: 5, noNaN: true }),
  algorithm: fc.constantFrom('precopy:qemu', 'precopy:xen', 'precopy:xen-legacy', 'precopy:simgrid', 'stop-and-copy'),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

type Sample = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Sample): ScenarioInput {
  const [algorithm, preset] = s.algorithm.split(':');
  return twoHostScenario({
    memory: s.memoryMiB * MiB,
    resident: Math.floor(s.memoryMiB * s.residentShare) * MiB,
    workload: s.workload,
    bandwidth: `${s.bandwidthMbit}Mbit/s`,
    latency: s.latencyMs / 1000,
    seed: s.seed,
    migration: { algorithm, ...(preset ? { preset } : {}), timeout: '30s' },
  });
}

test('invariants hold on random scenarios', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const input = build(s);
      const r = run(input);
      const m = r.migrations[0];
      const residentPages = Math.floor(s.memoryMiB * s.residentShare) * 256;
      if (m.status === 'completed') {
        assert.ok(m.downtime! >= 0 && m.downtime! <= m.totalTime!, `downtime ${m.downtime} total ${m.totalTime}`);
        assert.ok(m.bytesTransferred >= residentPages * (4096 + 8), 'every resident page crosses at least once');
        assert.equal(m.stalePagesAtResume, 0, 'destination current at resume');
        assert.equal(r.vms[0].host, 'B');
      } else {
        assert.equal(m.status, 'timeout');
        assert.equal(m.downtime, null);
        assert.equal(r.vms[0].host, 'A');
      }
      assert.equal(r.hosts.reduce((sum, h) => sum + h.used, 0), s.memoryMiB * MiB, 'the VM holds memory on exactly one host');
      assert.equal(JSON.stringify(run(input)), JSON.stringify(r), 'same seed, same bytes');
    }),
    { numRuns: 40, seed: 20261124 },
  );
});

test('a different seed gives a different sample path where the workload is random', () => {
  const base = { memory: 64 * MiB, workload: { kind: 'uniform' as const, writeRate: 20_000, workingSet: 32 * MiB } };
  const a = run(twoHostScenario({ ...base, seed: 1 })).migrations[0];
  const b = run(twoHostScenario({ ...base, seed: 2 })).migrations[0];
  assert.notDeepEqual(a.rounds.map((r) => r.pagesDirtied), b.rounds.map((r) => r.pagesDirtied));
});
