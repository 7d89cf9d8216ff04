/** Grid axes: values, ranges, zipped groups, seeds, the expansion order, and errors naming the axis. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandGrid, gridSize, parseGridData, parseRange, parseSeeds, parseSetFlag, parseZipFlag } from './grid.js';
import { ScenarioError } from './errors.js';

function issues(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    return e.issues;
  }
  assert.fail('expected a ScenarioError');
}

test('ranges keep the unit of their ends and read as written', () => {
  assert.deepEqual(parseRange('10ms..50ms:10ms', 'x'), ['10ms', '20ms', '30ms', '40ms', '50ms']);
  assert.deepEqual(parseRange('0.1..0.3:0.1', 'x'), [0.1, 0.2, 0.3]);
  assert.deepEqual(parseRange('1Gbit/s..8Gbit/s:x2', 'x'), ['1Gbit/s', '2Gbit/s', '4Gbit/s', '8Gbit/s']);
  assert.deepEqual(parseRange('0..1/5', 'x'), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(parseRange('1MiB..1000MiB/4log', 'x'), ['1MiB', '10MiB', '100MiB', '1000MiB']);
  assert.deepEqual(parseRange('5..5:1', 'x'), [5]);
});

test('bad ranges name the axis and what was expected', () => {
  assert.match(issues(() => parseRange('1Gbit/s..100Mbit/s:x2', 'axes["network.bandwidth"]'))[0], /^axes\["network\.bandwidth"\]: .*same unit/);
  assert.match(issues(() => parseRange('10..1:1', 'a'))[0], /ends below its start/);
  assert.match(issues(() => parseRange('1..10:0', 'a'))[0], /step must be > 0/);
  assert.match(issues(() => parseRange('1..10', 'a'))[0], /say how to step/);
  assert.match(issues(() => parseRange('1..1e9:1', 'a'))[0], /more than 100000/);
  assert.match(issues(() => parseRange('0..10:x2', 'a'))[0], /start > 0/);
});

test('seeds', () => {
  assert.deepEqual(parseSeeds('1..4', 's'), [1, 2, 3, 4]);
  assert.deepEqual(parseSeeds([7, 9], 's'), [7, 9]);
  assert.deepEqual(parseSeeds('3,5', 's'), [3, 5]);
  assert.deepEqual(parseSeeds(5, 's'), [5]);
  assert.match(issues(() => parseSeeds('1..x', '--seeds'))[0], /^--seeds: expected a range of integers/);
  assert.match(issues(() => parseSeeds([1.5], 'seeds'))[0], /^seeds: expected integer seeds/);
  assert.match(issues(() => parseSeeds([1, 1], 'seeds'))[0], /listed twice/);
});

test('--set and --zip flags', () => {
  const a = parseSetFlag('migrations[0].downtimeLimit=30ms,300ms');
  assert.deepEqual(a, { name: 'migrations[0].downtimeLimit', paths: ['migrations[0].downtimeLimit'], values: [['30ms'], ['300ms']] });
  assert.deepEqual(parseSetFlag('vms[0].count=5,10').values, [[5], [10]]);
  assert.deepEqual(parseSetFlag('horizon=10s..30s:10s').values, [['10s'], ['20s'], ['30s']]);
  const z = parseZipFlag('migrations[0].algorithm=precopy,postcopy;migrations[0].preset=qemu,null');
  assert.deepEqual(z.paths, ['migrations[0].algorithm', 'migrations[0].preset']);
  assert.deepEqual(z.values, [['precopy', 'qemu'], ['postcopy', null]]);
  assert.match(issues(() => parseSetFlag('nopath'))[0], /^--set: expected PATH=VALUES/);
  assert.match(issues(() => parseSetFlag('vms[x].count=1'))[0], /not a scenario path/);
  assert.match(issues(() => parseZipFlag('a=1,2;b=1'))[0], /^--zip: zipped paths need as many values each/);
});

test('expansion: cartesian product, first axis slowest, seeds fastest; zipped paths move together; null removes', () => {
  const { grid } = parseGridData(
    {
      name: 'g',
      scenario: 'x.yaml',
      seeds: '1..2',
      axes: { 'vms[0].count': [1, 2], v: { zip: { 'm.algorithm': ['precopy', 'postcopy'], 'm.preset': ['xen', null] } } },
    },
    'g.yaml',
  );
  assert.deepEqual(gridSize(grid), { points: 4, seeds: 2, runs: 8 });
  const base = { vms: [{ name: 'a', count: 9 }], m: { algorithm: 'x', preset: 'qemu' }, sweep: [1] };
  const points = [...expandGrid(grid, base)];
  assert.deepEqual(
    points.map((p) => [p.coords['vms[0].count'], p.coords.v, p.seed]),
    [[1, 'precopy', 1], [1, 'precopy', 2], [1, 'postcopy', 1], [1, 'postcopy', 2], [2, 'precopy', 1], [2, 'precopy', 2], [2, 'postcopy', 1], [2, 'postcopy', 2]],
  );
  assert.deepEqual(points[2].data, { vms: [{ name: 'a', count: 1 }], m: { algorithm: 'postcopy' }, seed: 1 });
  assert.deepEqual(points[0].data.m, { algorithm: 'precopy', preset: 'xen' });
  assert.deepEqual(base.vms[0].count, 9, 'the base is not modified');
});

test('grid file errors name the field', () => {
  assert.match(issues(() => parseGridData({ axes: {} }, 'g'))[0], /^scenario: required/);
  assert.match(issues(() => parseGridData({ scenario: 'x', axse: {} }, 'g'))[0], /^axse: unknown field/);
  assert.match(issues(() => parseGridData({ scenario: 'x', axes: { 'a.b': [] } }, 'g'))[0], /^axes\["a\.b"\]: expected at least one value/);
  assert.match(issues(() => parseGridData({ scenario: 'x', axes: { 'a.b': [1], k: { path: 'a.b', values: [2] } } }, 'g'))[0], /path a\.b is already swept/);
  assert.match(issues(() => parseGridData({ scenario: 'x', axes: { seed: [1, 2] } }, 'g'))[0], /column of the results store/);
});
