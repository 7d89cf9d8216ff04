// Stall detection: the counter on scripted numbers; in a run, identical to pre-copy until it
// stalls, then an abort that leaves the VM at the source, or a post-copy that completes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, twoHostScenario } from '../../../test/support.js';
import { StallCounter } from './stall-detection.js';

const MiB = 2 ** 20;

test('stall counter: syncs in a row whose pages left did not fall below the best', () => {
  const c = new StallCounter();
  assert.deepEqual([100, 80, 90, 80, 79, 85, 85, 85].map((r) => c.observe(r)), [0, 0, 1, 2, 0, 1, 2, 3]);
});

const hot = { kind: 'hotcold' as const, writeRate: 500_000, workingSet: 48 * MiB, hotSet: 48 * MiB, hotShare: 1 };
const go = (workload: typeof hot, migration: Record<string, unknown>) =>
  run(twoHostScenario({ memory: '1GiB', resident: '128MiB', workload, bandwidth: '10Gbit/s', migration: { timeout: '100s', ...migration } }));

test('a converging migration runs exactly as pre-copy', () => {
  const calm = { ...hot, writeRate: 5_000, hotSet: 8 * MiB, workingSet: 8 * MiB };
  const a = go(calm, { algorithm: 'stall-detection' }).migrations[0], b = go(calm, { algorithm: 'precopy' }).migrations[0];
  assert.equal(a.status, 'completed');
  assert.deepEqual({ ...a, algorithm: '', options: {} }, { ...b, algorithm: '', options: {} });
});

test('a stalled migration aborts after stallRounds syncs without progress; the VM keeps running at the source', () => {
  const r = go(hot, { algorithm: 'stall-detection', stallRounds: 3 });
  const m = r.migrations[0];
  assert.equal(m.status, 'aborted');
  assert.equal(m.reason, 'pre-copy made no progress for 3 syncs; the VM keeps running on A');
  assert.ok(m.totalTime! < 5, `${m.totalTime}: long before the 100 s timeout`);
  assert.deepEqual([r.vms[0].host, r.vms[0].state], ['A', 'running']);
  assert.deepEqual(r.hosts.map((h) => h.used), [2 ** 30, 0]);
});

test('onStall: postcopy switches over (discard list and all) and completes with a current destination', () => {
  const m = go(hot, { algorithm: 'stall-detection', onStall: 'postcopy', stallRounds: 2 }).migrations[0];
  assert.equal(m.status, 'completed');
  assert.equal(m.reason, 'switched to post-copy: pre-copy made no progress for 2 syncs');
  assert.equal(m.stalePagesAtResume, 0);
  assert.ok(m.postcopy && m.postcopy.pagesPushed + m.postcopy.pagesRequested > 0);
});
