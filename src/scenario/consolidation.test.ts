/**
 * The consolidation scenario loader: defaults, units, the trace path relative to the file, and
 * errors that name their path and what was expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsolidationInputError, consolidationConfig, liveSettings, validateConsolidation } from './consolidation.js';
import { isFolder, loadConsolidationFile } from '../io/consolidation-file.js';
import { cloudsimPlanetLabConfig } from '../datacenter/planetlab-config.js';

const dir = mkdtempSync(join(tmpdir(), 'lmsim-consolidation-'));
mkdirSync(join(dir, 'day'));

function issues(data: unknown): string[] {
  try {
    validateConsolidation(data, 'f.yaml', dir, isFolder);
  } catch (e) {
    assert.ok(e instanceof ConsolidationInputError, String(e));
    return e.issues;
  }
  assert.fail('expected ConsolidationInputError');
}

const ok = { trace: 'day', policy: 'lr-mmt', param: 1.2 };

test('defaults are CloudSim PlanetLab', () => {
  const spec = validateConsolidation(ok, 'f.yaml', dir, isFolder);
  assert.equal(spec.trace, join(dir, 'day'));
  assert.equal(spec.migration.model, 'cloudsim');
  const cfg = consolidationConfig(spec, 1052);
  const ref = cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 });
  assert.deepEqual(Array.from(cfg.hosts), Array.from(ref.hosts));
  assert.deepEqual(cfg.hostTypes, ref.hostTypes);
  assert.deepEqual(cfg.vmTypes, ref.vmTypes);
  for (const k of ['schedulingInterval', 'traceInterval', 'simulationLimit', 'startTime', 'reservationCheck'] as const) assert.equal(cfg[k], ref[k], k);
});

test('explicit host and VM types with units, and a live migration block', () => {
  const spec = validateConsolidation(
    {
      ...ok,
      migration: { model: 'precopy', preset: 'qemu', writeRateAtFullLoad: '64MiB/s', timeout: '2min', downtimeLimit: '300ms', fidelity: 'fluid' },
      hosts: { count: 4, types: [{ name: 'a', cores: 2, mips: 1860, memory: '4096MB', bandwidth: '1Gbit/s', power: [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117] }] },
      vms: { types: [{ name: 'v', mips: 500, memory: '613MB', bandwidth: '100Mbit/s' }], count: 3 },
      duration: '6h',
    },
    'f.yaml',
    dir,
  );
  assert.equal(spec.hostTypes[0].ramBytes, 4096e6);
  assert.equal(spec.hostTypes[0].bandwidth, 1e9 / 8);
  assert.equal(spec.vmTypes[0].bandwidth, 100e6 / 8);
  assert.equal(spec.vmTypes[0].pes, 1);
  assert.equal(spec.vmCount, 3);
  assert.equal(spec.duration, 6 * 3600);
  const s = liveSettings(spec.migration) as Record<string, unknown>;
  assert.equal(s.writeRateAtFullLoad, (64 * 2 ** 20) / 4096);
  assert.deepEqual(s.options, { downtimeLimit: 0.3, timeout: 120 });
  assert.equal(s.fidelity, 'fluid');
});

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['missing trace folder', { ...ok, trace: 'nowhere' }, /^trace: no folder .*nowhere.*expected a CloudSim PlanetLab day folder/],
  ['a trace that is not a folder name', { policy: 'lr-mmt', param: 1.2, trace: 5 }, /^trace: expected string, got 5/],
  ['unknown policy', { ...ok, policy: 'lr-xyz' }, /^policy: unknown policy "lr-xyz": expected dvfs, npa or <thr\|iqr\|mad\|lr\|lrr>-<mmt\|mc\|mu\|rs>/],
  ['missing parameter', { trace: 'day', policy: 'thr-mmt' }, /^param: required for policy "thr-mmt"/],
  ['negative parameter', { ...ok, param: -1 }, /^param: .*got -1/],
  ['parameter as text', { ...ok, param: 'high' }, /^param: expected number, got "high"/],
  ['THR threshold above 1', { ...ok, policy: 'thr-mmt', param: 80 }, /^param: a THR threshold is a utilisation fraction/],
  ['unknown migration model', { ...ok, migration: 'teleport' }, /^migration: expected one of "cloudsim", "precopy", "postcopy", "hybrid"/],
  ['unknown preset', { ...ok, migration: { model: 'precopy', preset: 'kvm' } }, /^migration\.preset: expected one of "qemu", "xen", "xen-legacy", "simgrid", got "kvm"/],
  ['bad write rate', { ...ok, migration: { model: 'precopy', writeRateAtFullLoad: 'fast' } }, /^migration\.writeRateAtFullLoad: expected a page rate like 20000\/s/],
  ['zero timeout', { ...ok, migration: { model: 'precopy', timeout: 0 } }, /^migration\.timeout: expected a duration > 0/],
  ['unknown migration field', { ...ok, migration: { model: 'precopy', downtimeLimt: '1s' } }, /^migration: unknown field "downtimeLimt"/],
  ['live settings on cloudsim', { ...ok, migration: { model: 'cloudsim', timeout: '1min' } }, /^migration: "timeout" only apply to precopy, postcopy and hybrid/],
  ['unknown field', { ...ok, polciy: 'x' }, /^\(top level\): unknown field "polciy"/],
  ['host type units', { ...ok, hosts: { count: 2, types: [{ name: 'a', cores: 2, mips: 1000, memory: '4 gigs', bandwidth: '1Gbit/s', power: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }] } }, /^hosts\.types\[0\]\.memory: expected a size like 4GiB/],
  ['power table length', { ...ok, hosts: { types: [{ name: 'a', cores: 2, mips: 1000, memory: '4GB', bandwidth: '1Gbit/s', power: [1, 2, 3] }] } }, /^hosts\.types\[0\]\.power: .*11/],
  ['hosts preset', { ...ok, hosts: 'planetlab' }, /^hosts: expected "planetlab-cloudsim" or \{ count, types/],
  ['host count', { ...ok, hosts: { count: 0 } }, /^hosts\.count: .*got 0/],
  ['vm type', { ...ok, vms: { types: [{ name: 'v', mips: 500, memory: '613MB' }] } }, /^vms\.types\[0\]\.bandwidth: required/],
  ['duration', { ...ok, duration: 'a day' }, /^duration: expected a duration like 300ms/],
];

for (const [what, data, expected] of bad) {
  test(`bad consolidation scenario (${what}) names the path`, () => {
    const got = issues(data);
    assert.ok(got.some((i) => expected.test(i)), `issues: ${JSON.stringify(got)}`);
  });
}

test('every problem at once', () => {
  const got = issues({ trace: 'nowhere', policy: 'x-y', migration: 'teleport' });
  assert.ok(got.length >= 1);
  const all = issues({ trace: 'nowhere', policy: 'x-y' });
  assert.ok(all.some((i) => i.startsWith('trace:')) && all.some((i) => i.startsWith('policy:')), JSON.stringify(all));
});

test('a file: the trace is relative to the file, bad YAML is reported with the file name', () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'trace: day\npolicy: thr-mmt\nparam: 0.8\nmigration: precopy\n');
  const spec = loadConsolidationFile(file);
  assert.equal(spec.trace, join(dir, 'day'));
  assert.equal(spec.migration.model, 'precopy');
  writeFileSync(file, 'trace: [day\n');
  assert.throws(() => loadConsolidationFile(file), (e: Error) => e instanceof ConsolidationInputError && /c\.yaml is not valid:\n {2}not valid YAML\/JSON/.test(e.message));
  assert.throws(() => loadConsolidationFile(join(dir, 'none.yaml')), /none\.yaml is not valid:\n {2}cannot read the file: ENOENT/);
});
