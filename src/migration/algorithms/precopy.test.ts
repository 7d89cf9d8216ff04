// Policy unit tests: scripted observations in, decisions out; no engine involved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrecopyObservation, PrecopyPolicy, precopyPresets } from './precopy.js';

const MiB = 2 ** 20;
const obs = (o: Partial<PrecopyObservation>): PrecopyObservation => ({
  elapsed: 0, round: 1, remainingPages: 1000, remainingBytes: 1000 * 4096, bandwidth: 100 * MiB, bytesSent: 0, memoryBytes: 1024 * MiB, lastRoundPages: 1000, ...o,
});

test('qemu: syncs when pending < bandwidth x downtime-limit, not at the end of a pass', () => {
  const p = new PrecopyPolicy(precopyPresets.qemu);
  const threshold = 100 * MiB * 0.3; // 30 MiB
  assert.equal(p.shouldSync(obs({ remainingBytes: threshold + 1, remainingPages: 7681 })), false);
  assert.equal(p.shouldSync(obs({ remainingBytes: threshold - 1, remainingPages: 7679 })), true);
  assert.equal(p.shouldSync(obs({ remainingPages: 0, remainingBytes: 0 })), true);
});

test('qemu: switches over only when pending after the sync is below the threshold; no round cap', () => {
  const p = new PrecopyPolicy(precopyPresets.qemu);
  assert.equal(p.stopReason(obs({ remainingBytes: 31 * MiB, round: 1000 })), null);
  assert.match(p.stopReason(obs({ remainingBytes: 29 * MiB }))!, /downtime below the limit/);
  assert.equal(p.stopReason(obs({ remainingBytes: 29 * MiB, bandwidth: 0 })), null); // no estimate yet
});

test('qemu: an iteration is one 100 ms rate-limit window', () => {
  const p = new PrecopyPolicy(precopyPresets.qemu);
  assert.equal(p.iterationBytes(128 * MiB, 4104), 12.8 * MiB);
});

test('xen v2: stop after 5 rounds or under 50 dirty pages', () => {
  const p = new PrecopyPolicy(precopyPresets.xen);
  assert.equal(p.shouldSync(obs({ remainingPages: 10 })), false); // only at the end of a pass
  assert.equal(p.stopReason(obs({ round: 4, remainingPages: 50 })), null);
  assert.match(p.stopReason(obs({ round: 4, remainingPages: 49 }))!, /fewer than 50/);
  assert.match(p.stopReason(obs({ round: 5, remainingPages: 5000 }))!, /round cap \(5\)/);
  assert.equal(p.iterationBytes(1e9, 4104), 1024 * 4104);
});

test('xen legacy: 29 rounds, < 50 pages sent in the last round, or 3x memory', () => {
  const p = new PrecopyPolicy(precopyPresets['xen-legacy']);
  assert.equal(p.stopReason(obs({ round: 28, lastRoundPages: 50 })), null);
  assert.match(p.stopReason(obs({ round: 28, lastRoundPages: 49, remainingPages: 5000 }))!, /fewer than 50/);
  assert.match(p.stopReason(obs({ round: 29 }))!, /round cap \(29\)/);
  assert.match(p.stopReason(obs({ bytesSent: 3 * 1024 * MiB }))!, /3x memory/);
  assert.equal(precopyPresets['xen-legacy'].skipRedirtied, true);
});

test('simgrid: stage-2 rounds until dirty bytes < bandwidth x 30 ms', () => {
  const p = new PrecopyPolicy(precopyPresets.simgrid);
  assert.equal(p.stopReason(obs({ remainingBytes: 3.1 * MiB })), null);
  assert.match(p.stopReason(obs({ remainingBytes: 2.9 * MiB }))!, /below the limit/);
  assert.equal(p.iterationBytes(1e9, 4104), Infinity);
});

test('qemu avail-switchover-bandwidth replaces the estimate in the switch-over decision', () => {
  const p = new PrecopyPolicy(precopyPresets.qemu, 1000 * MiB);
  // estimate 100 MiB/s -> threshold 30 MiB; given 1000 MiB/s -> 300 MiB
  assert.match(p.stopReason(obs({ remainingBytes: 200 * MiB }))!, /below the limit/);
  assert.equal(new PrecopyPolicy(precopyPresets.qemu).stopReason(obs({ remainingBytes: 200 * MiB })), null);
});
