import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOverlay, deletePath, formatPathKeys, getPath, OverlayError, overlayScenario, parsePath, parseSetArgument } from './overlay.js';

test('paths: keys, indexes, [*] and quoted keys; formatPathKeys is the inverse', () => {
  assert.deepEqual(parsePath('vms[0].count'), ['vms', 0, 'count']);
  assert.deepEqual(parsePath('migrations[*].timeout'), ['migrations', { every: true }, 'timeout']);
  assert.deepEqual(parsePath('hosts[1]["a.b"]'), ['hosts', 1, 'a.b']);
  assert.deepEqual(parsePath('network.bandwidth'), ['network', 'bandwidth']);
  for (const p of ['vms[0].count', 'migrations[*].timeout', 'hosts[1]["a.b"]', 'a.b.c']) assert.equal(formatPathKeys(parsePath(p)), p);
  for (const bad of ['', 'a..b', 'a.', 'vms[x]', 'vms[0', 'vms[0]count', '.a']) {
    assert.throws(() => parsePath(bad), (e: unknown) => e instanceof OverlayError && /expected a path like/.test(e.message), bad);
  }
});

test('applyOverlay sets values at paths of a copy, creating missing mappings, refusing what is not there', () => {
  const raw = { vms: [{ name: 'a', count: 1 }, { name: 'b' }], migrations: [{ vm: 'a' }, { vm: 'b' }] };
  const before = structuredClone(raw);
  const out = applyOverlay(raw, { 'vms[0].count': 5, 'migrations[*].timeout': '10min', 'vms[1].free.size': '1GiB' });
  assert.deepEqual(raw, before, 'the input is untouched');
  assert.equal(out.vms[0].count, 5);
  assert.deepEqual(getPath(out, 'migrations[*].timeout'), ['10min', '10min']);
  assert.deepEqual((out.vms[1] as Record<string, unknown>).free, { size: '1GiB' });
  // a value set with [*] is copied into each place
  const shared = applyOverlay(raw, [['migrations[*].reuse', { policy: 'keep-all' }]]) as unknown as { migrations: { reuse: object }[] };
  assert.notEqual(shared.migrations[0].reuse, shared.migrations[1].reuse);
  assert.throws(() => applyOverlay(raw, { 'vms[2].count': 1 }), /vms\[2\].count: vms has 2 elements, no \[2\]/);
  assert.throws(() => applyOverlay(raw, { 'vms[0].name.x': 1 }), /vms\[0\]\.name\.x: vms\[0\]\.name is not a mapping/);
  assert.throws(() => applyOverlay({ migrations: [] }, { 'migrations[*].x': 1 }), /empty list, so \[\*\] matches nothing/);
  const d = applyOverlay(raw, {});
  deletePath(d, 'migrations[*].vm');
  assert.deepEqual(d.migrations, [{}, {}]);
});

test('overlayScenario: migration.X means every migration; a consolidation model name becomes a mapping', () => {
  const migrations = overlayScenario({ migrations: [{ vm: 'a' }, { vm: 'b' }] }, { 'migration.downtimeLimit': '30ms' });
  assert.deepEqual(migrations.migrations, [{ vm: 'a', downtimeLimit: '30ms' }, { vm: 'b', downtimeLimit: '30ms' }]);
  const consolidation = overlayScenario({ policy: 'lr-mmt', migration: 'precopy' }, { 'migration.downtimeLimit': '30ms' });
  assert.deepEqual(consolidation.migration, { model: 'precopy', downtimeLimit: '30ms' });
  assert.throws(() => overlayScenario({ migrations: [] }, { 'migration.timeout': 1 }), (e: unknown) => e instanceof OverlayError && e.path === 'migration.timeout');
});

test('--set values are read as YAML', () => {
  assert.deepEqual(parseSetArgument('vms[0].count=5'), ['vms[0].count', 5]);
  assert.deepEqual(parseSetArgument('migration.xbzrle=true'), ['migration.xbzrle', true]);
  assert.deepEqual(parseSetArgument('migration.downtimeLimit=30ms'), ['migration.downtimeLimit', '30ms']);
  assert.deepEqual(parseSetArgument('migration.reuse={ policy: keep-all }'), ['migration.reuse', { policy: 'keep-all' }]);
  assert.deepEqual(parseSetArgument('name=a=b'), ['name', 'a=b']);
  assert.throws(() => parseSetArgument('vms[0].count'), /expected PATH=VALUE/);
  assert.throws(() => parseSetArgument('vms[0].count='), /no value/);
});
