/**
 * The conformance suite: one behavioural contract every migration algorithm runs (as Hono's
 * routers share `runTest`). A case an algorithm cannot meet is skipped with a written reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, twoHostScenario } from '../../../test/support.js';

export type ConformanceCase =
  | 'ends-on-one-host'
  | 'downtime-bounds'
  | 'destination-current'
  | 'resident-pages-cross'
  | 'deterministic'
  | 'failure-before-switchover-keeps-source';

export interface ConformanceOptions {
  name: string;
  /** Migration options that select the algorithm. */
  migration: Record<string, unknown>;
  /** Cases this algorithm skips, with the reason. */
  skip?: Partial<Record<ConformanceCase, string>>;
}

const MiB = 2 ** 20;
const busy = { kind: 'hotcold' as const, writeRate: 20_000, readRate: 20_000, workingSet: 192 * MiB, hotSet: 16 * MiB, hotShare: 0.9 };

function scenario(migration: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { ...twoHostScenario({ memory: '256MiB', resident: '192MiB', workload: busy, latency: '0.2ms', migration: { timeout: '2min', ...migration } }), ...extra };
}

export function runConformance({ name, migration, skip = {} }: ConformanceOptions): void {
  const check = (c: ConformanceCase, title: string, body: () => void) =>
    test(`conformance ${name}: ${title}`, { skip: skip[c] }, body);

  check('ends-on-one-host', 'the VM ends on exactly one host and holds memory only there', () => {
    const r = run(scenario(migration));
    assert.equal(r.migrations[0].status, 'completed');
    assert.equal(r.vms[0].host, 'B');
    assert.equal(r.vms[0].state, 'running');
    assert.deepEqual(r.hosts.map((h) => h.used), [0, 256 * MiB]);
  });

  check('downtime-bounds', '0 <= downtime <= totalTime', () => {
    const m = run(scenario(migration)).migrations[0];
    assert.ok(m.downtime! >= 0 && m.downtime! <= m.totalTime!, `${m.downtime} vs ${m.totalTime}`);
  });

  check('destination-current', 'every destination page is current when the migration completes', () => {
    assert.equal(run(scenario(migration)).migrations[0].stalePagesAtResume, 0);
  });

  check('resident-pages-cross', 'every resident page crosses the wire at least once', () => {
    const m = run(scenario(migration)).migrations[0];
    assert.ok(m.bytesTransferred >= 192 * 256 * (4096 + 8));
    assert.ok(m.pagesTransferred >= 256 * 256);
  });

  check('deterministic', 'the same seed gives byte-identical results; another seed another path', () => {
    const a = JSON.stringify(run(scenario(migration)));
    assert.equal(JSON.stringify(run(scenario(migration))), a);
    assert.notEqual(JSON.stringify(run({ ...scenario(migration), seed: 99 })), a);
  });

  check('failure-before-switchover-keeps-source', 'a destination crash before the switch-over leaves the VM running on the source', () => {
    const r = run(scenario(migration, { failures: [{ at: '0.5s', host: 'B' }] }));
    const m = r.migrations[0];
    assert.equal(m.status, 'aborted');
    assert.match(m.reason, /host B crashed at 0\.500 s .*the VM keeps running on A/);
    assert.equal(m.downtime, null);
    assert.equal(r.vms[0].host, 'A');
    assert.equal(r.vms[0].state, 'running');
  });
}
