/**
 * The trace table's two layouts (percent codes with a palette, or the values themselves) against
 * CloudSim's interpolation computed on the input rows, to the bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/random.js';
import { TraceTable, toTraceTable } from './traces.js';

const INTERVAL = 300;

/** CloudSim's UtilizationModelPlanetLabInMemory on one row (the last sample held). */
function reference(row: ArrayLike<number>, t: number): number {
  const at = (k: number) => row[Math.min(k, row.length - 1)];
  if (t % INTERVAL === 0) return at(t / INTERVAL);
  const k1 = Math.floor(t / INTERVAL);
  const k2 = Math.ceil(t / INTERVAL);
  return at(k1) + ((at(k2) - at(k1)) / ((k2 - k1) * INTERVAL)) * (t - k1 * INTERVAL);
}

/** Every VM at every sample and at seeded times between samples reads as the reference does. */
function assertReadsLike(table: TraceTable, rows: readonly ArrayLike<number>[], seed: string): void {
  const samples = rows[0].length;
  const rng = new Rng(3, seed);
  const times = Array.from({ length: samples + 1 }, (_, k) => k * INTERVAL);
  for (let i = 0; i < 50; i++) times.push(rng.float() * samples * INTERVAL);
  for (const t of times) {
    const sample = table.sampleAt(t, INTERVAL);
    for (let v = 0; v < rows.length; v++) assert.ok(Object.is(sample(v), reference(rows[v], t)), `VM ${v} at ${t} s: ${sample(v)} != ${reference(rows[v], t)}`);
  }
  for (let v = 0; v < rows.length; v++) {
    for (let k = 0; k < samples; k++) assert.ok(Object.is(table.value(k * rows.length + v), rows[v][k]));
    assert.ok(Object.is(table.value(samples * rows.length + v), rows[v][samples - 1]), 'the last sample is repeated');
  }
}

function percentRows(vms: number, samples: number, seed: string): Float64Array[] {
  const rng = new Rng(1, seed);
  return Array.from({ length: vms }, () => Float64Array.from({ length: samples }, () => Math.round(rng.float() * 100) / 100));
}

test('traces: integer percents (as doubles, or as float32 in the compact layout) are held as one byte per sample and read back to the bit', () => {
  // more VMs than one copy block, and a count that is not a multiple of it
  const rows = percentRows(150, 12, 'percent');
  const table = toTraceTable(rows);
  assert.ok(table.data instanceof Uint8Array && table.palette !== null);
  assertReadsLike(table, rows, 'percent');

  const values = new Float32Array(rows.length * 12);
  rows.forEach((row, v) => values.set(row, v * 12));
  const compact = toTraceTable({ samples: 12, values });
  assert.ok(compact.data instanceof Uint8Array && compact.palette !== null);
  const rows32 = rows.map((_, v) => values.subarray(v * 12, (v + 1) * 12));
  assert.ok(
    rows32.some((row, v) => row.some((u, k) => u !== rows[v][k])),
    'float32 percents are other numbers than the doubles',
  );
  assertReadsLike(compact, rows32, 'percent32');
});

test('traces: other values, two numbers for one percent and -0 keep the values themselves', () => {
  const rng = new Rng(2, 'plain');
  const fine = Array.from({ length: 70 }, () => Float64Array.from({ length: 9 }, () => rng.float()));
  const plain = toTraceTable(fine);
  assert.ok(plain.data instanceof Float64Array && plain.palette === null);
  assertReadsLike(plain, fine, 'plain');

  const twoForOne = percentRows(3, 5, 'two');
  twoForOne[2][4] = 0.37;
  twoForOne[1][0] = 0.37 + 1e-15; // rounds to the same percent as 0.37
  const mixed = toTraceTable(twoForOne);
  assert.equal(mixed.palette, null);
  assertReadsLike(mixed, twoForOne, 'two');

  const negativeZero = [Float64Array.of(0, 0.5, -0)];
  const nz = toTraceTable(negativeZero);
  assert.equal(nz.palette, null);
  assert.ok(Object.is(nz.value(2), -0));
  assertReadsLike(nz, negativeZero, 'nz');
});

test('traces: the integral of either layout is the same number', () => {
  const rows = percentRows(4, 10, 'integral');
  const codes = toTraceTable(rows);
  // the same values in the plain layout, copied here sample-major
  const data = new Float64Array(rows.length * 11);
  rows.forEach((row, v) => {
    for (let k = 0; k <= 10; k++) data[k * rows.length + v] = row[Math.min(k, 9)];
  });
  const plain = new TraceTable(rows.length, 10, data, null);
  assert.ok(codes.palette !== null);
  for (let v = 0; v < rows.length; v++) {
    for (const [t0, t1] of [
      [0, 3000],
      [150, 2850.5],
      [601, 602],
      [2999, 3300],
    ])
      assert.ok(Object.is(codes.integral(v, t0, t1, INTERVAL), plain.integral(v, t0, t1, INTERVAL)));
  }
});

test('traces: bad input is reported in row order, as before any copy', () => {
  assert.throws(() => toTraceTable([Float64Array.of(0.1, 0.2), Float64Array.of(0.1)]), /trace 1: expected 2 samples, got 1/);
  assert.throws(
    () => toTraceTable([Float64Array.of(0.1, 0.2), Float64Array.of(0.1, 2), Float64Array.of(-1, 0.5)]),
    /trace 1, sample 1: expected a utilisation fraction in \[0, 1\], got 2/,
  );
  assert.throws(() => toTraceTable({ samples: 2, values: Float64Array.of(0.1, 0.2, NaN, 0.5) }), /trace 1, sample 0: .* got NaN/);
  assert.throws(() => toTraceTable({ samples: 3, values: Float64Array.of(0.1, 0.2) }), /compact traces: 2 values is not a multiple of 3 samples/);
});
