/**
 * The live-migration cost model on a run's timeline: migrations of different steps share NICs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../core/kernel.js';
import { defaultOptions } from '../migration/options.js';
import { liveMigrationDefaults, liveMigrationModel } from './live-migration.js';
import type { MigrationOutcome, MigrationRequest } from './migration-model.js';

const GBIT = 1e9 / 8;
const req = (vm: number, from: number, to: number, ramBytes = 870e6, cpu = 0.5, bandwidth = GBIT): MigrationRequest => ({
  vm,
  from,
  to,
  ramBytes,
  cpuUtilization: cpu,
  vmMips: 2500,
  fromBandwidth: bandwidth,
  toBandwidth: bandwidth,
});

/** Runs batches started at the given times on one kernel; outcomes by batch. */
function runBatches(model: ReturnType<typeof liveMigrationModel>, batches: [number, MigrationRequest[]][]): MigrationOutcome[][] {
  const sim = new Simulation();
  const engine = model.open(sim);
  const out: MigrationOutcome[][] = batches.map(([, b]) => new Array(b.length));
  batches.forEach(([at, batch], k) => sim.scheduleAt(at, { onEvent: () => engine.start(batch, (i, o) => (out[k][i] = o)) }));
  sim.run();
  return out;
}

test('a migration that spans a step shares its source NIC with the next step\'s batch (rates by hand)', () => {
  // stop-and-copy of idle VMs, no rate cap: each migration is one flow of W bytes at its NIC share,
  // then the last byte's flight and the resume. Source NIC R = 1 MB/s: VM 1 (400 MB) leaves A at
  // step 0 and is still sending at step 300, when VM 2 (40 MB) leaves A too. From then on both
  // flows get R/2 on A's uplink until VM 2's flow ends; VM 1 then has A to itself again.
  const R = 1e6;
  const model = liveMigrationModel({ algorithm: 'stop-and-copy', fidelity: 'fluid', options: { timeout: Infinity, maxBandwidth: Infinity } });
  const alone = runBatches(model, [[0, [req(1, 0, 1, 400e6, 0, R)]]])[0][0];
  const [[m1], [m2]] = runBatches(model, [
    [0, [req(1, 0, 1, 400e6, 0, R)]],
    [300, [req(2, 0, 2, 40e6, 0, R)]],
  ]);
  const o = defaultOptions('stop-and-copy', 'qemu');
  const tail = liveMigrationDefaults.latency + o.resumeLatency;
  const W1 = m1.bytesTransferred, W2 = m2.bytesTransferred;
  // the wire bytes: every page with its header, and the device state
  assert.equal(W1, Math.ceil(400e6 / 4096) * (4096 + o.pageHeader) + o.deviceState);
  assert.equal(W2, Math.ceil(40e6 / 4096) * (4096 + o.pageHeader) + o.deviceState);
  assert.ok(Math.abs(alone.duration - (W1 / R + tail)) < 1e-6, `alone ${alone.duration}`);
  // VM 2: W2 at R/2
  assert.ok(Math.abs(m2.duration - (W2 / (R / 2) + tail)) < 1e-6, `VM 2 ${m2.duration}`);
  // VM 1: 300 s at R, 2 W2 / R s at R/2 (W2 bytes), the rest at R: (W1 + W2) / R in all
  assert.ok(Math.abs(m1.duration - ((W1 + W2) / R + tail)) < 1e-6, `VM 1 ${m1.duration}`);
  assert.ok(m1.duration > alone.duration + 39, 'the next step\'s batch slowed the migration down');
  assert.ok(m1.completed && m2.completed);
});

test('migrations that share no host do not slow each other; a shared target slows both', () => {
  const model = liveMigrationModel();
  const [[alone]] = runBatches(model, [[0, [req(1, 0, 5)]]]);
  const [shared] = runBatches(model, [[0, [req(1, 0, 5), req(2, 1, 5)]]]);
  const [mixed] = runBatches(model, [[0, [req(1, 0, 5), req(3, 2, 6, 1740e6, 0.9)]]]);
  assert.equal(alone.completed, true);
  assert.deepEqual(mixed[0], alone);
  // 870 MB at ~125 MB/s alone (about 7 s plus re-sent pages); two into one 1 Gbit/s NIC take ~2x
  assert.ok(shared[0].duration > 1.6 * alone.duration, `${shared[0].duration} vs ${alone.duration}`);
});
