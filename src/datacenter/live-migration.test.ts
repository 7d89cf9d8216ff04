/**
 * The live-migration cost model: migrations that share no host run in separate simulations
 * (hostGroups), which gives the same outcomes as one simulation of the whole batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostGroups, liveMigrationModel } from './live-migration.js';
import type { MigrationRequest } from './migration-model.js';

const GBIT = 1e9 / 8;
const req = (vm: number, from: number, to: number, ramMB = 870, cpu = 0.5): MigrationRequest => ({
  vm,
  from,
  to,
  ramBytes: ramMB * 1e6,
  cpuUtilization: cpu,
  vmMips: 2500,
  fromBandwidth: GBIT,
  toBandwidth: GBIT,
});

test('hostGroups joins migrations through shared hosts', () => {
  const batch = [req(1, 0, 5), req(2, 1, 5), req(3, 2, 6), req(4, 6, 7), req(5, 3, 8)];
  assert.deepEqual(hostGroups(batch), [[0, 1], [2, 3], [4]]);
});

test('disjoint groups cost what they cost alone; a shared target slows both', () => {
  const alone = liveMigrationModel().plan([req(1, 0, 5)], 0)[0];
  const shared = liveMigrationModel().plan([req(1, 0, 5), req(2, 1, 5)], 0);
  const mixed = liveMigrationModel().plan([req(1, 0, 5), req(3, 2, 6, 1740, 0.9)], 0);
  assert.equal(alone.completed, true);
  assert.deepEqual(mixed[0], alone);
  // 870 MB at ~125 MB/s alone (about 7 s plus re-sent pages); two into one 1 Gbit/s NIC take ~2x
  assert.ok(shared[0].duration > 1.6 * alone.duration, `${shared[0].duration} vs ${alone.duration}`);
});
