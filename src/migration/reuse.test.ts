/**
 * Many VMs, shared links, capacity and memory reuse against their oracles: SimGrid's fair-share
 * example, closed forms for the way back, the caching policies' orderings, and capacity that is
 * never exceeded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relErr, run } from '../../test/support.js';
import { ScenarioInput } from '../scenario/schema.js';

const w = 4096 + 8;

function hosts(bMemory = '64GiB', maxConcurrent?: number) {
  return [
    { name: 'A', memory: '64GiB', maxConcurrent },
    { name: 'B', memory: bMemory, maxConcurrent },
  ];
}

test('fair sharing: two concurrent 1 GB idle VMs each take exactly twice as long as one alone (SimGrid)', () => {
  const scenario = (count: number): ScenarioInput => ({
    network: { bandwidth: '1Gbit/s' },
    hosts: hosts(),
    vms: [{ name: 'vm', count, host: 'A', memory: '1GB' }],
    migrations: [{ vm: 'vm', to: 'B', algorithm: 'precopy', preset: 'simgrid', pageHeader: 0, deviceState: 0, resumeLatency: 0 }],
  });
  const one = run(scenario(1)).migrations[0].totalTime!;
  const two = run(scenario(2)).migrations.map((m) => m.totalTime!);
  assert.ok(relErr(one, 1e9 / 125e6) < 1e-3);
  for (const t of two) assert.ok(relErr(t, 2 * one) < 1e-9, `${t} vs ${2 * one}`);
});

test('fair sharing: N identical concurrent qemu migrations on one link behave like one on rate/N', () => {
  const scenario = (count: number, bandwidth: string): ScenarioInput => ({
    network: { bandwidth },
    hosts: hosts(),
    vms: [{ name: 'vm', count, host: 'A', memory: '256MiB', workload: { kind: 'uniform', writeRate: 1000, workingSet: '64MiB' } }],
    migrations: [{ vm: 'vm', to: 'B', algorithm: 'precopy', preset: 'qemu', maxBandwidth: 'unlimited' }],
  });
  const alone = run(scenario(1, '250Mbit/s')).migrations[0];
  for (const m of run(scenario(4, '1Gbit/s')).migrations) {
    assert.equal(m.status, 'completed');
    assert.ok(relErr(m.totalTime!, alone.totalTime!) < 0.02, `${m.totalTime} vs ${alone.totalTime}`);
    assert.ok(relErr(m.bytesTransferred, alone.bytesTransferred) < 0.02);
  }
});

test('maxConcurrent: migrations wait for a slot; never more than the limit at once', () => {
  const r = run({
    network: { bandwidth: '1Gbit/s' },
    hosts: hosts('64GiB', 2),
    vms: [{ name: 'vm', count: 6, host: 'A', memory: '100MB' }],
    migrations: [{ vm: 'vm', to: 'B', algorithm: 'precopy', preset: 'simgrid', pageHeader: 0, deviceState: 0, resumeLatency: 0 }],
  });
  const ms = r.migrations;
  assert.ok(ms.every((m) => m.status === 'completed'));
  const events = ms.flatMap((m) => [[m.startTime, 1], [m.endTime!, -1]] as [number, number][]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  for (const [, d] of events) {
    active += d;
    assert.ok(active <= 2);
  }
  const pair = ms[0].totalTime!; // two at a time share 1 Gbit/s: 100 MB / 62.5 MB/s
  assert.ok(relErr(pair, 100e6 / 62.5e6) < 1e-3);
  assert.deepEqual(ms.map((m) => Math.round(m.startTime / pair)), [0, 0, 1, 1, 2, 2]);
  assert.ok(relErr(ms[5].queuedFor, 2 * pair) < 1e-6);
});

/** A VM goes A -> B, runs `onB` there, and comes back; returns both migrations and host A. */
function roundTrip(onB: object, reuse: string, extra: Partial<ScenarioInput> = {}) {
  const r = run({
    seed: 3,
    network: { bandwidth: '1Gbit/s', latency: '0.1ms' },
    hosts: hosts(),
    vms: [
      {
        name: 'vm',
        host: 'A',
        memory: '256MiB',
        workload: {
          kind: 'phases',
          phases: [
            { duration: 10, workload: { kind: 'idle' } },
            { duration: 20, workload: onB as never },
            { duration: 3600, workload: { kind: 'idle' } },
          ],
        },
      },
    ],
    migrations: [
      { id: 'out', vm: 'vm', to: 'B', at: 0, reuse: reuse as never, deviceState: 0 },
      { vm: 'vm', to: 'A', after: 'out', at: 40, reuse: reuse as never, deviceState: 0 },
    ],
    ...extra,
  });
  return { out: r.migrations[0], back: r.migrations[1], a: r.hosts[0], result: r };
}

const pages = 65_536;
const exchange = pages / 8;

test('reuse: a VM that wrote nothing while away comes back with only the bitmap exchange', () => {
  const { back } = roundTrip({ kind: 'idle' }, 'keep-all');
  assert.equal(back.status, 'completed');
  assert.equal(back.reuse!.reusedPages, pages);
  assert.equal(back.reuse!.reuseRatio, 1);
  assert.equal(back.bytesTransferred, exchange);
  assert.equal(back.stalePagesAtResume, 0);
});

test('reuse: bytes back = changed pages x (page + header) + the exchange', () => {
  const changed = 5000;
  const { back } = roundTrip({ kind: 'sweep', writeRate: changed / 20, workingSet: '256MiB' }, 'keep-all');
  assert.equal(back.reuse!.reusedPages, pages - changed);
  assert.equal(back.bytesTransferred, changed * w + exchange);
  assert.equal(back.stalePagesAtResume, 0);
});

test('reuse: a VM that rewrote everything gains nothing', () => {
  const all = roundTrip({ kind: 'sweep', writeRate: pages / 10, workingSet: '256MiB' }, 'keep-all').back;
  const none = roundTrip({ kind: 'sweep', writeRate: pages / 10, workingSet: '256MiB' }, 'none').back;
  assert.equal(all.reuse!.reusedPages, 0);
  assert.equal(all.bytesTransferred, none.bytesTransferred + exchange);
});

test('caching policy: drop-updated holds no more than keep-all and sends the same; skip-hot holds less and sends at least as much', () => {
  const onB = { kind: 'hotcold', writeRate: 4000, workingSet: '256MiB', hotSet: '32MiB', hotShare: 0.9 };
  const keepAll = roundTrip(onB, 'keep-all');
  const drop = roundTrip(onB, 'drop-updated');
  const skip = roundTrip(onB, 'skip-hot', {});
  // the guest was idle for 10 s before leaving: make it busy before, so skip-hot has a history
  const busyBefore = (reuse: string) =>
    run({
      seed: 3,
      network: { bandwidth: '1Gbit/s' },
      hosts: hosts(),
      vms: [{ name: 'vm', host: 'A', memory: '256MiB', workload: onB as never }],
      migrations: [
        { id: 'out', vm: 'vm', to: 'B', at: 20, reuse: reuse as never },
        { vm: 'vm', to: 'A', after: 'out', at: 30, reuse: reuse as never },
      ],
    });
  const heldKeepAll = keepAll.a.memoryStats, heldDrop = drop.a.memoryStats;
  assert.ok(heldDrop.averageKept < heldKeepAll.averageKept, `${heldDrop.averageKept} < ${heldKeepAll.averageKept}`);
  assert.ok(heldDrop.peakKept <= heldKeepAll.peakKept);
  assert.equal(drop.back.bytesTransferred, keepAll.back.bytesTransferred);
  assert.equal(skip.back.bytesTransferred, keepAll.back.bytesTransferred); // idle before leaving: nothing is hot
  const hotAll = busyBefore('keep-all'), hotSkip = busyBefore('skip-hot');
  assert.ok(hotSkip.hosts[0].memoryStats.peakKept < hotAll.hosts[0].memoryStats.peakKept);
  assert.ok(hotSkip.migrations[1].bytesTransferred >= hotAll.migrations[1].bytesTransferred);
  assert.ok(hotSkip.migrations[0].reuse!.skippedHotPages > 0);
  for (const r of [hotAll, hotSkip]) assert.equal(r.migrations[1].stalePagesAtResume, 0);
});

test('capacity: 15 VMs of 120 MB into a host with room for 13: 13 completed, 2 rejected with reasons; never over capacity', () => {
  const r = run({
    network: { bandwidth: '1Gbit/s' },
    hosts: [
      { name: 'A', memory: '4GB' },
      { name: 'B', memory: '1600MB' },
    ],
    vms: [{ name: 'task', count: 15, host: 'A', memory: '120MB', workload: { kind: 'uniform', writeRate: 200, workingSet: '24MB' } }],
    migrations: [
      { id: 'out', vm: 'task', to: 'B', reuse: 'keep-all' },
      { vm: 'task', to: 'A', after: 'out', at: 30, reuse: 'keep-all' },
    ],
  });
  const out = r.migrations.filter((m) => m.to === 'B');
  assert.equal(out.filter((m) => m.status === 'completed').length, 13);
  const rejected = out.filter((m) => m.status === 'rejected');
  assert.equal(rejected.length, 2);
  for (const m of rejected) assert.match(m.reason, /^host B has [0-9.]+ MiB free, VM task-1[45] needs 114\.4 MiB$/);
  const back = r.migrations.filter((m) => m.to === 'A');
  assert.equal(back.filter((m) => m.status === 'completed').length, 13);
  for (const m of back.filter((m) => m.status === 'rejected')) assert.match(m.reason, /follows the migration of task-1[45] to B, which ended rejected/);
  for (const h of r.hosts) {
    assert.ok(h.memoryStats.peakTotal <= h.memory);
    for (const [, used, kept] of h.memoryStats.series) assert.ok(used + kept <= h.memory, `${h.name}: ${used} + ${kept} > ${h.memory}`);
  }
});

test('kept images are evicted (oldest first) to make room for an arriving VM', () => {
  const r = run({
    network: { bandwidth: '10Gbit/s' },
    hosts: [
      { name: 'A', memory: '1GiB' },
      { name: 'B', memory: '2GiB' },
    ],
    vms: [
      { name: 'x', host: 'A', memory: '512MiB' },
      { name: 'y', host: 'A', memory: '512MiB' },
      { name: 'z', host: 'B', memory: '512MiB' },
    ],
    migrations: [
      { vm: 'x', to: 'B', at: 0, reuse: 'keep-all' },
      { vm: 'z', to: 'A', at: 10 }, // A: y 512 MiB + x's kept image 512 MiB: the image must go
    ],
  });
  assert.deepEqual(r.migrations.map((m) => m.status), ['completed', 'completed']);
  assert.equal(r.hosts[0].memoryStats.evictions, 1);
  assert.equal(r.hosts[0].keptBytes, 0);
});
