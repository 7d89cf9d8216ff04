/** Unit tests of the policies on small hand-checked host sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataCenterState, HISTORY_LENGTH } from './state.js';
import { HOST_G4, HOST_G5, PLANETLAB_VM_TYPES, cloudsimPlanetLabConfig } from './planetlab-config.js';
import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5, powerAt, withDeltas } from './power.js';
import { iqr, loessEstimates, mad, median, robustLoessEstimates } from './stats.js';
import { thresholdDetector } from './overload/thr.js';
import { madDetector } from './overload/mad.js';
import { iqrDetector } from './overload/iqr.js';
import { regressionDetector } from './overload/lr.js';
import { minimumMigrationTime } from './selection/mmt.js';
import { minimumUtilization } from './selection/mu.js';
import { maximumCorrelation } from './selection/mc.js';
import { randomSelection } from './selection/rs.js';
import { IndexedPabfd } from './placement/indexed-pabfd.js';
import { Pabfd } from './placement/pabfd.js';
import { parsePolicy } from './policy-name.js';
import { Rng } from '../core/random.js';
import { cloudsimMigrationCost, delayModel } from './migration-model.js';
import { runConsolidation } from './run.js';
import { utilizationAt, toTraceTable } from './traces.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import type { ConsolidationConfig } from './types.js';
import type { OverloadDetector } from './policy.js';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

/** hosts: 0 = G4 (3720 MIPS), 1 = G5 (5320 MIPS); VM types: 0 = 2500, 1 = 2000, 2 = 1000, 3 = 500 MIPS. */
function state(hostTypes: number[], vmTypes: number[]): DataCenterState {
  const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8 }), hosts: hostTypes };
  return new DataCenterState(cfg, vmTypes);
}

/** Puts VM v on host h with demand `mips`. */
function place(dc: DataCenterState, v: number, h: number, mips: number): void {
  dc.req[v] = mips;
  dc.allocReq[v] = mips;
  dc.create(v, h);
  dc.home[v] = h;
}

test('power: SPECpower tables interpolate linearly between 10 % points', () => {
  assert.equal(powerAt(HP_PROLIANT_ML110_G4, 0), 86);
  assert.equal(powerAt(HP_PROLIANT_ML110_G5, 1), 135);
  close(powerAt(HP_PROLIANT_ML110_G4, 0.55), 104); // 102 + (106 - 102) * 0.5
  close(powerAt(HP_PROLIANT_ML110_G5, 0.25), 103); // 101 + (105 - 101) * 0.5
  close(powerAt(HP_PROLIANT_ML110_G4, 0.5), 102);
});

test('power: a table with its deltas appended gives the same watts to the bit', () => {
  for (const table of [HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5, [0, 0.3, 7.7, 7.7, 9, 100, 101.1, 150, 150.5, 199, 200]]) {
    const fast = withDeltas(table);
    const us = [0, 0.1, 0.2, 0.3, 0.4, 0.7, 0.8, 0.9, 1, 1.005, 1e-300, 0.1 + 1e-17, 0.30000000000000004, 0.9999999999999999];
    const rng = new Rng(7, 'power-deltas');
    for (let i = 0; i < 2000; i++) us.push(rng.float());
    for (const u of us) assert.equal(powerAt(fast, u), powerAt(table, u), `u = ${u}`);
  }
});

test('traces: CloudSim interpolation between 300 s samples, last sample repeated', () => {
  const t = toTraceTable([Float64Array.of(0.1, 0.4, 0.7)]);
  close(utilizationAt(t, 0, 300, 300), 0.4);
  close(utilizationAt(t, 0, 450, 300), 0.55);
  close(utilizationAt(t, 0, 300.1, 300), 0.4 + 0.3 * (0.1 / 300));
  close(utilizationAt(t, 0, 750, 300), 0.7); // beyond the last sample: held
  assert.throws(() => toTraceTable([Float64Array.of(0.5, 1.5)]), /trace 0, sample 1/);
});

test('stats: median, MAD and IQR as CloudSim computes them', () => {
  assert.equal(median([1, 3, 2, 4]), 2.5);
  assert.equal(mad([1, 2, 3, 4, 100]), 1); // median 3, deviations 2 1 0 1 97
  // 1..12: q1 = sorted[round(3.25) - 1] = 3, q3 = sorted[round(9.75) - 1] = 10
  assert.equal(iqr(Array.from({ length: 12 }, (_, i) => 12 - i)), 7);
});

test('stats: Loess of a straight line recovers it; robust Loess agrees', () => {
  const y = Array.from({ length: 10 }, (_, i) => 0.2 + 0.05 * (i + 1));
  const [b0, b1] = loessEstimates(y);
  close(b0, 0.2);
  close(b1, 0.05);
  const [r0, r1] = robustLoessEstimates(y.map((v, i) => (i === 4 ? v + 0.3 : v)));
  assert.ok(Number.isFinite(r0) && Number.isFinite(r1));
  // one outlier: hand-computed OLS slope of the perturbed series (+0.3 at x = 5): 0.05 + 0.3 * (5 - 5.5) / 82.5
  const [, s1] = loessEstimates(y.map((v, i) => (i === 4 ? v + 0.3 : v)));
  close(s1, 0.05 + (0.3 * (5 - 5.5)) / 82.5, 1e-12);
});

test('THR: overloaded when requested MIPS / capacity exceeds the threshold', () => {
  const dc = state([0], [0, 3]);
  place(dc, 0, 0, 2500);
  place(dc, 1, 0, 500); // 3000 / 3720 = 0.806
  assert.equal(thresholdDetector(0.8).isOverloaded(dc, 0, -1), true);
  assert.equal(thresholdDetector(0.81).isOverloaded(dc, 0, -1), false);
});

test('MAD / IQR: dynamic threshold from the host history, THR 0.7 fallback below 12 values', () => {
  const dc = state([1], [2]);
  place(dc, 0, 0, 2660); // 0.5 of the host
  const fallback = thresholdDetector(0.7);
  // 11 history values: fallback decides (0.5 <= 0.7)
  for (let i = 0; i < 11; i++) dc.pushHistory(0, 0.5 + 0.01 * i);
  dc.invalidateHistories();
  assert.equal(madDetector(2.5, fallback).isOverloaded(dc, 0, -1), false);
  // 12 values of VM utilisation 0.5..0.61 -> host history u * 1000 / 5320; MAD = 3 steps of 0.01 * 1000 / 5320
  dc.pushHistory(0, 0.61);
  dc.invalidateHistories();
  const step = (0.01 * 1000) / 5320;
  const madValue = 3 * step;
  // requested 2660 / 5320 = 0.5 > 1 - s * MAD when s > 0.5 / MAD
  assert.equal(madDetector(0.49 / madValue, fallback).isOverloaded(dc, 0, -1), false);
  assert.equal(madDetector(0.51 / madValue, fallback).isOverloaded(dc, 0, -1), true);
  // IQR of 12 evenly spaced values = 7 steps
  const iqrValue = 7 * step;
  assert.equal(iqrDetector(0.49 / iqrValue, fallback).isOverloaded(dc, 0, -1), false);
  assert.equal(iqrDetector(0.51 / iqrValue, fallback).isOverloaded(dc, 0, -1), true);
});

test('host history sums: one shift per history value, however many updates share the instant', () => {
  const dc = state([1], [1, 2]);
  place(dc, 0, 0, 1000);
  place(dc, 1, 0, 500);
  const out = new Float64Array(HISTORY_LENGTH);
  const fresh = new Float64Array(HISTORY_LENGTH);
  for (let step = 1; step <= 4; step++) {
    dc.hostHistory(0, -1, out); // the cached sums are valid
    dc.pushHistory(0, 0.1 * step);
    dc.pushHistory(1, 0.2 * step);
    dc.shiftHistories();
    dc.shiftHistories(); // a second update at the same instant: no new value, nothing to shift
    const n = dc.hostHistory(0, -1, out);
    dc.invalidateHistories();
    assert.equal(dc.hostHistory(0, -1, fresh), n);
    assert.deepEqual(Array.from(out.subarray(0, n)), Array.from(fresh.subarray(0, n)), `step ${step}`);
  }
});

test('LR / LRR: prediction at x = 11 (10 values + one migration interval) x safety >= 1', () => {
  const dc = state([1], [1]); // 2000-MIPS VM on a 5320-MIPS host
  place(dc, 0, 0, 1000);
  for (let i = 1; i <= 10; i++) dc.pushHistory(0, 0.5 + 0.04 * i); // VM 0.54 .. 0.90, oldest first
  dc.invalidateHistories();
  const k = 2000 / 5320;
  const predicted = (0.5 + 0.04 * 11) * k; // the line extended one step
  const fallback = thresholdDetector(0.7);
  for (const robust of [false, true]) {
    assert.equal(regressionDetector(0.99 / predicted, 300, fallback, robust).isOverloaded(dc, 0, -1), false);
    assert.equal(regressionDetector(1.01 / predicted, 300, fallback, robust).isOverloaded(dc, 0, -1), true);
  }
});

test('MMT picks the least RAM, MU the least demand, MC falls back to MMT without history', () => {
  const dc = state([1], [1, 3, 0]); // RAM 1740, 613, 870 MB
  place(dc, 0, 0, 300);
  place(dc, 1, 0, 400);
  place(dc, 2, 0, 100);
  assert.equal(minimumMigrationTime.select(dc, 0), 1);
  assert.equal(minimumUtilization.select(dc, 0), 2);
  assert.equal(maximumCorrelation(minimumMigrationTime).select(dc, 0), 1);
  dc.inMigration[1] = 1; // migrating VMs are not candidates
  assert.equal(minimumMigrationTime.select(dc, 0), 2);
  const rs = randomSelection(7);
  for (let i = 0; i < 10; i++) assert.ok([0, 2].includes(rs.select(dc, 0)));
});

test('MC: the VM best explained by the others leaves', () => {
  const dc = state([1], [2, 2, 2]);
  for (let v = 0; v < 3; v++) place(dc, v, 0, 100);
  // VM 1 is an exact linear function of VM 0 (R^2 = 1 for both); VM 2 is unrelated to them
  const a = [0.1, 0.5, 0.2, 0.8, 0.3, 0.6, 0.4, 0.9, 0.15, 0.7, 0.35, 0.55];
  const c = [0.6, 0.2, 0.9, 0.1, 0.7, 0.3, 0.8, 0.2, 0.5, 0.4, 0.45, 0.25];
  for (let i = 0; i < a.length; i++) {
    dc.pushHistory(0, a[i]);
    dc.pushHistory(1, 0.5 * a[i] + 0.1);
    dc.pushHistory(2, c[i]);
  }
  const pick = maximumCorrelation(minimumMigrationTime).select(dc, 0);
  assert.ok(pick === 0 || pick === 1, `picked ${pick}`);
});

test('PABFD: least power increase among suitable, non-overloaded hosts', () => {
  // host 0: G4 at 80 %; host 1: G5 empty; host 2: G5 at 30 %; the new VM (id 3) asks 500 MIPS
  const dc = state([0, 1, 1], [1, 2, 1, 3]);
  place(dc, 0, 0, 1860);
  place(dc, 1, 0, 1116);
  place(dc, 2, 2, 1596);
  for (const h of [0, 2]) dc.setUtilization(h, dc.allocSum[h]);
  dc.req[3] = 500;
  // power increase: G4 P(3476 / 3720) - P(0.8) = 115.03 - 112 = 3.03 W; empty G5 P(500 / 5320) - P(0) = 3.10 W;
  // G5 at 30 %: P(2096 / 5320) - P(0.3) = 109.70 - 105 = 4.70 W
  const none = new Uint8Array(3);
  // the plain scan and the indexed one choose alike
  const findHostForVm = (dc: DataCenterState, v: number, excluded: Uint8Array, detector: OverloadDetector) => {
    const choices = [new Pabfd(detector), new IndexedPabfd(detector)].map((p) => {
      p.begin(dc, { initial: false, checkReservations: false });
      return p.findHost(dc, v, excluded);
    });
    assert.equal(choices[0], choices[1]);
    return choices[0];
  };
  assert.equal(findHostForVm(dc, 3, none, thresholdDetector(0.95)), 0);
  // with THR 0.9 host 0 would be overloaded (0.934): the empty G5 wins over the loaded one
  assert.equal(findHostForVm(dc, 3, none, thresholdDetector(0.9)), 1);
  // excluded hosts are skipped
  assert.equal(findHostForVm(dc, 3, Uint8Array.of(1, 1, 0), thresholdDetector(0.9)), 2);
  // a PE must carry the VM: 2000 MIPS fits no G4 PE (1860)
  dc.req[3] = 2000;
  assert.equal(findHostForVm(dc, 3, Uint8Array.of(0, 1, 1), thresholdDetector(0.99)), -1);
});

test('CPU shares: oversubscribed hosts scale every VM, migration takes 10 % at the source and reserves 10 % at the target', () => {
  const dc = state([0], [0, 2, 2]);
  place(dc, 0, 0, 2500); // capped at one PE: 1860
  place(dc, 1, 0, 1000);
  place(dc, 2, 0, 1000); // 1860 + 2000 > 3720: oversubscribed
  const alloc = new Float64Array(3);
  dc.reallocate(0, alloc);
  const scale = 3720 / (1860 + 1000 + 1000);
  assert.deepEqual([...alloc], [Math.floor(1860 * scale), Math.floor(1000 * scale), Math.floor(1000 * scale)]);
  assert.equal(dc.avail[0], 0);
  const d2 = state([1, 1], [2]);
  place(d2, 0, 0, 1000);
  d2.inMigration[0] = 1;
  d2.addIncoming(0, 1);
  d2.lists[1].push(0);
  const a0 = new Float64Array(1);
  const a1 = new Float64Array(1);
  d2.reallocate(0, a0);
  d2.reallocate(1, a1);
  close(a0[0], 900);
  close(a1[0], 100);
  close(d2.allocSum[1], 1000); // the policies count the incoming VM at full demand
});

test('policy names parse; bad names fail clearly', () => {
  assert.deepEqual(parsePolicy('LR-MMT'), { kind: 'migration', detector: 'lr', selector: 'mmt' });
  assert.deepEqual(parsePolicy('dvfs'), { kind: 'dvfs' });
  assert.throws(() => parsePolicy('lr-xyz'), /unknown policy "lr-xyz"/);
});

test('CloudSim migration delay: RAM / (bandwidth / 2)', () => {
  const o = cloudsimMigrationCost({ vm: 0, from: 0, to: 1, ramBytes: PLANETLAB_VM_TYPES[0].ramBytes, cpuUtilization: 0.5, vmMips: 2500, fromBandwidth: HOST_G4.bandwidth, toBandwidth: HOST_G5.bandwidth });
  assert.equal(o.duration, 13.92); // 870 MB over 62.5 MB/s
});

test('a small run: migrations happen, a custom migration model is used, results are JSON', () => {
  const n = 40;
  const traces = Array.from({ length: n }, (_, v) => Float64Array.from({ length: 288 }, (_, k) => 0.05 + 0.9 * (0.5 + 0.5 * Math.sin((k + 7 * v) / 20))));
  let calls = 0;
  const slow = delayModel('slow', (r) => {
    calls++;
    return { duration: 400, downtime: 0.5, bytesTransferred: 2 * r.ramBytes, completed: true };
  });
  const cfg = cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8, hosts: 30 });
  const r = runConsolidation(cfg, traces, slow);
  assert.ok(r.migrations > 0 && calls > 0);
  assert.equal(r.migration.model, 'slow');
  assert.equal(r.migration.downtime.max, 0.5);
  close(r.meanTimeBeforeMigration, 400, 1e-6); // in-migration periods span the model's duration
  const again = runConsolidation(cfg, traces, slow);
  assert.deepEqual(JSON.parse(JSON.stringify(again)), JSON.parse(JSON.stringify(r)));
});

test('PlanetLab loader: sorted names (with spaces), percent -> fraction, errors name file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-planetlab-'));
  try {
    const lines = (f: (k: number) => number): string => Array.from({ length: 288 }, (_, k) => String(f(k))).join('\n') + '\n';
    writeFileSync(join(dir, 'b host'), lines(() => 50));
    writeFileSync(join(dir, 'a host'), lines((k) => k % 101));
    const { names, traces } = loadPlanetLabFolder(dir);
    assert.deepEqual(names, ['a host', 'b host']);
    assert.equal(traces.values[1], 0.01);
    assert.equal(traces.values[288], 0.5);
    writeFileSync(join(dir, 'c bad'), lines((k) => (k === 41 ? 'x' : 3) as number));
    assert.throws(() => loadPlanetLabFolder(dir), /c bad:42: expected an integer CPU percent, got "x"/);
    // CRLF, spaces around values and blank lines at the end are accepted
    writeFileSync(join(dir, 'c bad'), lines(() => 7).replace(/\n/g, ' \r\n') + '\r\n  \n');
    assert.equal(loadPlanetLabFolder(dir).traces.values[2 * 288 + 287], 0.07);
    const bad = (text: string, message: RegExp) => {
      writeFileSync(join(dir, 'c bad'), text);
      assert.throws(() => loadPlanetLabFolder(dir), message);
    };
    bad(lines((k) => (k === 9 ? '1 2' : 3) as number), /c bad:10: expected an integer CPU percent, got "1 2"/);
    bad(lines((k) => (k === 9 ? '' : 3) as number), /c bad:10: expected an integer CPU percent, got ""/);
    bad(lines((k) => (k === 0 ? 101 : 3)), /c bad:1: CPU percent 101 is above 100/);
    bad(lines((k) => (k === 0 ? -1 : 3)), /c bad:1: expected an integer CPU percent, got "-1"/);
    // a wrong line count is reported before a bad value
    bad(lines((k) => (k === 0 ? 'x' : 3) as number) + '5\n', /c bad: expected 288 lines, got 289/);
    bad('', /c bad: expected 288 lines, got 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
