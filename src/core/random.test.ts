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

test('ints(n, count) gives the numbers and leaves the state of count calls of int(n)', () => {
  const sizes = [1, 2, 3, 31, 65_536, 1_000_003, 2 ** 31 - 1, 2 ** 31];
  for (let seed = 1; seed <= 20; seed++) {
    const a = new Rng(seed, 'ints'), b = new Rng(seed, 'ints');
    for (const n of sizes) {
      const count = (seed * 37) % 300;
      const out = new Int32Array(count + 1).fill(7);
      a.ints(n, count, out);
      const one = Array.from({ length: count }, () => b.int(n));
      assert.deepEqual([...out.subarray(0, count)], one, `seed ${seed} n ${n}`);
      assert.equal(out[count], 7, 'nothing written past count');
      assert.equal(a.nextUint32(), b.nextUint32(), `state after seed ${seed} n ${n}`);
    }
  }
});
