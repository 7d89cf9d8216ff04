import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, parseDuration, parsePageRate, parseRate, parseSize, UNIT_SPELLINGS, UnitError } from './units.js';

// The oracle: every accepted spelling with its value written out by hand, independently of the tables.
const SIZES: [string, number][] = [
  ['B', 1], ['byte', 1], ['bytes', 1],
  ['kB', 1000], ['KB', 1000], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12], ['PB', 1e15],
  ['KiB', 1024], ['MiB', 1048576], ['GiB', 1073741824], ['TiB', 1099511627776], ['PiB', 1125899906842624],
  ['K', 1024], ['M', 1048576], ['G', 1073741824], ['T', 1099511627776], ['P', 1125899906842624],
  ['k', 1024], ['m', 1048576], ['g', 1073741824], ['t', 1099511627776], ['p', 1125899906842624],
];

const BIT = 1 / 8;
const RATES: [string, number][] = [
  ['bit/s', BIT], ['bps', BIT], ['b/s', BIT],
  ['kbit/s', 125], ['Kbit/s', 125], ['kbps', 125], ['Kbps', 125], ['kb/s', 125], ['Kb/s', 125],
  ['Mbit/s', 125000], ['mbit/s', 125000], ['Mbps', 125000], ['mbps', 125000], ['Mb/s', 125000],
  ['Gbit/s', 125e6], ['gbit/s', 125e6], ['Gbps', 125e6], ['gbps', 125e6], ['Gb/s', 125e6],
  ['Tbit/s', 125e9], ['tbit/s', 125e9], ['Tbps', 125e9], ['tbps', 125e9], ['Tb/s', 125e9],
  ['B/s', 1], ['byte/s', 1], ['bytes/s', 1], ['Bps', 1],
  ['kB/s', 1000], ['KB/s', 1000], ['kBps', 1000], ['KBps', 1000],
  ['MB/s', 1e6], ['MBps', 1e6], ['GB/s', 1e9], ['GBps', 1e9], ['TB/s', 1e12], ['TBps', 1e12],
  ['KiB/s', 1024], ['MiB/s', 1048576], ['GiB/s', 1073741824], ['TiB/s', 1099511627776],
];

const DURATIONS: [string, number][] = [
  ['ns', 1e-9], ['us', 1e-6], ['µs', 1e-6], ['ms', 1e-3], ['s', 1], ['sec', 1], ['min', 60], ['h', 3600], ['d', 86400],
];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b);

test('every size spelling, with and without a space, and its value', () => {
  for (const [unit, bytes] of SIZES) {
    assert.ok(close(parseSize(`3${unit}`), 3 * bytes), unit);
    assert.ok(close(parseSize(`1.5 ${unit}`), 1.5 * bytes), unit);
  }
  assert.deepEqual([...UNIT_SPELLINGS.size].sort(), SIZES.map(([u]) => u).sort(), 'the test covers every accepted size unit');
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize(4096), 4096);
  assert.equal(parseSize('0.5KiB'), 512);
});

test('every rate spelling: lower-case b is bit, B is byte', () => {
  for (const [unit, bytesPerSecond] of RATES) {
    assert.ok(close(parseRate(`8${unit}`), 8 * bytesPerSecond), unit);
    assert.ok(close(parseRate(`8 ${unit}`), 8 * bytesPerSecond), unit);
  }
  assert.deepEqual([...UNIT_SPELLINGS.rate].sort(), RATES.map(([u]) => u).sort(), 'the test covers every accepted rate unit');
  // the cases: 1Gb/s is a gigabit, not a gigabyte
  assert.equal(parseRate('1Gb/s'), 125e6);
  assert.equal(parseRate('1Gb/s'), parseRate('1Gbit/s'));
  assert.equal(parseRate('1Gb/s'), parseRate('1Gbps'));
  assert.equal(parseRate('100Mb/s'), 12.5e6);
  assert.equal(parseRate('1GB/s'), 1e9);
  assert.equal(parseRate('1GiB/s'), 2 ** 30);
  assert.equal(parseRate(1000), 1000);
  assert.equal(parseRate('1000'), 1000);
});

test('every duration spelling', () => {
  for (const [unit, seconds] of DURATIONS) assert.ok(close(parseDuration(`7${unit}`), 7 * seconds), unit);
  assert.deepEqual([...UNIT_SPELLINGS.duration].sort(), DURATIONS.map(([u]) => u).sort());
  assert.equal(parseDuration('300ms'), 0.3);
  assert.equal(parseDuration(1.5), 1.5);
});

test('page rates: pages per second, or a byte rate over the page size', () => {
  assert.equal(parsePageRate('20000/s', 4096), 20000);
  assert.equal(parsePageRate('20000 pages/s', 4096), 20000);
  assert.equal(parsePageRate('1 page/s', 4096), 1);
  assert.equal(parsePageRate(20000, 4096), 20000);
  assert.equal(parsePageRate('64MiB/s', 4096), 16384);
  assert.equal(parsePageRate('32Mbit/s', 4096), 4e6 / 4096);
});

test('ambiguous spellings are refused with the ones that are accepted', () => {
  const hint = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof UnitError);
      return e.message;
    }
    assert.fail('expected a UnitError');
  };
  assert.match(hint(() => parseRate('1gb/s')), /"gb\/s".*ambiguous.*Gb\/s \(1000000000 bits\/s\) or GB\/s \(1000000000 bytes\/s\)/);
  assert.match(hint(() => parseRate('1mb/s')), /Mb\/s.*MB\/s/);
  assert.match(hint(() => parseRate('1MBit/s')), /Mbit\/s/);
  assert.match(hint(() => parseRate('1 gigabit')), /unknown unit "gigabit"; accepted: .*Gbit\/s/);
  assert.match(hint(() => parseRate('1G/s')), /unknown unit "G\/s"/);
  assert.match(hint(() => parseSize('4Gb')), /"Gb".*write GB.*lower-case b is bit/);
  assert.match(hint(() => parseSize('4gib')), /write GiB/);
  assert.match(hint(() => parseSize('4GiB/s')), /unknown unit/);
  assert.match(hint(() => parseDuration('10S')), /write s \(1 s\)/);
  assert.match(hint(() => parseDuration('5m')), /unknown unit "m"; accepted: .*min/);
  assert.match(hint(() => parsePageRate('64mb/s', 4096)), /ambiguous/);
});

test('values that are not finite numbers are refused wherever they hide', () => {
  for (const f of [
    () => parseRate('1e309Gbit/s'),
    () => parseRate('1e309'),
    () => parseRate(Infinity),
    () => parseRate(NaN),
    () => parseSize('1e308TiB'),
    () => parseSize(Infinity),
    () => parseDuration('1e309s'),
    () => parseDuration('1e307d'),
    () => parsePageRate('1e309/s', 4096),
    () => parsePageRate('1e309MiB/s', 4096),
    () => parsePageRate(Infinity, 4096),
  ]) {
    assert.throws(f, (e: unknown) => e instanceof UnitError && /not a finite number/.test(e.message));
  }
});

test('bad units name what was expected', () => {
  assert.throws(() => parseSize('4 gigs'), (e: unknown) => e instanceof UnitError && /expected a size like 4GiB/.test(e.message) && /4 gigs/.test(e.message));
  assert.throws(() => parseSize(-1), /negative/);
  assert.throws(() => parseSize('-1GiB'), UnitError);
  assert.throws(() => parseRate('fast'), /expected a rate like 1Gbit\/s/);
  assert.throws(() => parseDuration('soon'), /expected a duration/);
  assert.throws(() => parseDuration(true), UnitError);
});

test('formatting', () => {
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(100), '100 B');
});
