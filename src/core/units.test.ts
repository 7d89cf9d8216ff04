import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, parseDuration, parsePageRate, parseRate, parseSize, UnitError } from './units.js';

test('sizes: binary and decimal units, plain bytes', () => {
  assert.equal(parseSize('4GiB'), 4 * 2 ** 30);
  assert.equal(parseSize('4 GiB'), 4 * 2 ** 30);
  assert.equal(parseSize('512MiB'), 512 * 2 ** 20);
  assert.equal(parseSize('120MB'), 120e6);
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize(4096), 4096);
  assert.equal(parseSize('0.5KiB'), 512);
});

test('rates: Gbit means 10^9 bits, MiB/s means 2^20 bytes per second', () => {
  assert.equal(parseRate('1Gbit/s'), 125e6);
  assert.equal(parseRate('100Mbps'), 12.5e6);
  assert.equal(parseRate('128MiB/s'), 128 * 2 ** 20);
  assert.equal(parseRate('1GB/s'), 1e9);
  assert.equal(parseRate(1000), 1000);
});

test('durations and page rates', () => {
  assert.equal(parseDuration('300ms'), 0.3);
  assert.equal(parseDuration('10s'), 10);
  assert.equal(parseDuration('2min'), 120);
  assert.equal(parseDuration(1.5), 1.5);
  assert.equal(parsePageRate('20000/s', 4096), 20000);
  assert.equal(parsePageRate('64MiB/s', 4096), 16384);
});

test('bad units name what was expected', () => {
  assert.throws(() => parseSize('4 gigs'), (e: unknown) => e instanceof UnitError && /expected a size like 4GiB/.test(e.message) && /4 gigs/.test(e.message));
  assert.throws(() => parseSize(-1), UnitError);
  assert.throws(() => parseRate('fast'), /expected a rate like 1Gbit\/s/);
  assert.throws(() => parseDuration('soon'), /expected a duration/);
  assert.throws(() => parseSize('4GiB/s'), UnitError);
});

test('formatting', () => {
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(100), '100 B');
});
