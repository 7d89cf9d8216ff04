// The downtime ramp against its references' own figures, and against the closed-form switch-over
// time of a guest whose pending set after each sync is a fixed hot set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, twoHostScenario } from '../../../test/support.js';
import { kubevirtLevel, novaSteps, rampDefaults } from './downtime-ramp.js';

const MiB = 2 ** 20;

test('nova steps: the table in nova downtime_steps()\'s docstring (3 GB, 10 steps, 30 s delay, 400 ms)', () => {
  const steps = novaSteps({ ...rampDefaults.nova, maxDowntime: 0.4, steps: 10, delayPerGiB: 30 }, 3 * 2 ** 30);
  assert.deepEqual(
    steps.map(([t, d]) => [t, Math.round(d * 1000)]),
    [[0, 40], [90, 76], [180, 112], [270, 148], [360, 184], [450, 220], [540, 256], [630, 292], [720, 328], [810, 364], [900, 400]],
  );
  // at least 2 GiB of data count (nova's lower bound)
  assert.equal(novaSteps({ ...rampDefaults.nova, delayPerGiB: 75 }, 2 ** 29)[1][0], 150);
});

test('kubevirt levels: VEP 291\'s defaults go 150, 300, ... 1050 ms', () => {
  const r = rampDefaults.kubevirt;
  assert.deepEqual(Array.from({ length: r.steps }, (_, i) => Math.round(kubevirtLevel(r, i) * 1000)), [150, 300, 450, 600, 750, 900, 1050]);
});

// All writes go to a 48 MiB hot set, fast enough to rewrite it every round: after each sync 12,288
// pages (48 MiB) are pending, and QEMU's rule switches over once 48 MiB < 128 MiB/s x limit, i.e.
// once the limit exceeds 375 ms. Plain pre-copy (300 ms) never gets there.
const hot = { kind: 'hotcold' as const, writeRate: 500_000, workingSet: 48 * MiB, hotSet: 48 * MiB, hotShare: 1 };
const busy = (migration: Record<string, unknown>) =>
  run(twoHostScenario({ memory: '1GiB', resident: '128MiB', workload: hot, bandwidth: '10Gbit/s', migration: { timeout: '100s', ...migration } })).migrations[0];

test('plain pre-copy times out on the hot set (the ramp is what converges below)', () => {
  assert.equal(busy({ algorithm: 'precopy' }).status, 'timeout');
});

test('nova ramp: switches over at the first check after the step above 375 ms (step 8 at 8 x int(3 s/GiB x 2 GiB) = 48 s)', () => {
  const m = busy({ algorithm: 'downtime-ramp', downtimeRamp: { schedule: 'nova', delayPerGiB: '3s' } });
  assert.equal(m.status, 'completed');
  assert.equal(m.reason, 'expected downtime below the limit');
  // steps: 50, 95, ... 365 ms (step 7, at 42 s) is not enough; 410 ms (step 8, after 48 s) is
  assert.ok(m.totalTime! > 48 && m.totalTime! < 48 + 0.5, `${m.totalTime}`);
  assert.equal(m.stalePagesAtResume, 0);
});

test('kubevirt ramp: two cooldowns after round 3 began (150 -> 300 -> 450 ms)', () => {
  const m = busy({ algorithm: 'downtime-ramp', downtimeRamp: 'kubevirt' });
  assert.equal(m.status, 'completed');
  const start = m.rounds[2].start; // round 3: the cooldown starts at its first check
  const expected = start + 2 * rampDefaults.kubevirt.cooldown;
  assert.ok(m.totalTime! >= expected && m.totalTime! < expected + 0.5, `${m.totalTime} vs ${expected}`);
});

test('kubevirt ramp: a guest that converges at 150 ms pauses less than with QEMU\'s 300 ms', () => {
  const idle = { kind: 'hotcold' as const, writeRate: 2_000, workingSet: 8 * MiB, hotSet: 8 * MiB, hotShare: 1 };
  const go = (migration: Record<string, unknown>) => run(twoHostScenario({ memory: '1GiB', resident: '128MiB', workload: idle, bandwidth: '1Gbit/s', migration })).migrations[0];
  const ramp = go({ algorithm: 'downtime-ramp', downtimeRamp: 'kubevirt' }), plain = go({ algorithm: 'precopy' });
  assert.equal(ramp.status, 'completed');
  assert.ok(ramp.downtime! <= plain.downtime!, `${ramp.downtime} vs ${plain.downtime}`);
});
