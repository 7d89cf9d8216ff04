/** Replication statistics against hand-computed values and published t quantiles. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incompleteBeta, studentTCdf, studentTQuantile, summarize } from './confidence.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('t quantiles match the published table (two-sided 95%: t(0.975, df))', () => {
  // Student's t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [4, 2.776], [9, 2.262], [29, 2.045], [100, 1.984]];
  for (const [df, t] of table) close(studentTQuantile(0.975, df), t, 5e-4, `df ${df}`);
  close(studentTQuantile(0.995, 9), 3.250, 5e-4, '99% df 9');
  // df = 1 is the Cauchy distribution: quantile tan(pi (p - 1/2))
  close(studentTQuantile(0.9, 1), Math.tan(Math.PI * 0.4), 1e-9, 'Cauchy');
  // df = 2 has a closed form: t = (2p - 1) sqrt(2 / (4 p (1 - p)))
  const p = 0.975;
  close(studentTQuantile(p, 2), (2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 1e-9, 'df 2 closed form');
  assert.equal(studentTQuantile(0.5, 7), 0);
  close(studentTQuantile(0.025, 9), -studentTQuantile(0.975, 9), 1e-12, 'symmetry');
  close(studentTCdf(studentTQuantile(0.8, 13), 13), 0.8, 1e-12, 'cdf(quantile)');
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-12, 'I_x(1,1) = x');
});

test('mean, sd and the 95% interval of a hand-computed case', () => {
  // 1..5: mean 3, sd sqrt(10/4), half-width t(0.975,4) sd / sqrt(5) = 2.7764451 x 1.5811388 / 2.2360680
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.n, 5);
  assert.equal(s.mean, 3);
  close(s.sd, Math.sqrt(2.5), 1e-15, 'sd');
  close(s.half, 1.96324316, 1e-7, 'half-width');
  close(s.low, 3 - 1.96324316, 1e-7, 'low');
  close(s.high, 3 + 1.96324316, 1e-7, 'high');
});

test('nulls are left out; one value has no spread; equal values a zero-width interval', () => {
  assert.equal(summarize([null, 4]).n, 1);
  assert.ok(Number.isNaN(summarize([4]).sd));
  assert.ok(Number.isNaN(summarize([4]).half));
  const same = summarize([2, 2, 2]);
  assert.equal(same.sd, 0);
  assert.equal(same.half, 0);
});
