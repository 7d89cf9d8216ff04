import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from './random.js';

test('same seed and stream give the same numbers; streams and seeds differ', () => {
  const a = new Rng(42, 'vm:a'), b = new Rng(42, 'vm:a'), c = new Rng(42, 'vm:b'), d = new Rng(43, 'vm:a');
  const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
  const xa = draw(a);
  assert.deepEqual(xa, draw(b));
  assert.notDeepEqual(xa, draw(c));
  assert.notDeepEqual(xa, draw(d));
});

test('float is uniform on [0,1): mean and variance within sampling error', () => {
  const r = new Rng(7);
  const n = 200_000;
  let sum = 0, sq = 0, min = 1, max = 0;
  for (let i = 0; i < n; i++) {
    const x = r.float();
    sum += x; sq += x * x;
    min = Math.min(min, x); max = Math.max(max, x);
  }
  const mean = sum / n, variance = sq / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  assert.ok(min >= 0 && max < 1);
});

test('int(n) covers [0,n) evenly', () => {
  const r = new Rng(1);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `bucket ${c}`);
});
