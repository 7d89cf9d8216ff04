import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationOptionNames, migrationOptions, qemuNames } from '../migration/option-registry.js';
import { algorithmNames, defaultOptions } from '../migration/options.js';
import { ScenarioError, validateScenario } from './load.js';
import { Scenario, scenarioJsonSchema, wholeScenario, type ScenarioInput } from './schema.js';
import { optionFields } from './migration-options.js';
import { consolidationJsonSchema, validateConsolidation } from './consolidation.js';
import { resolveOptions } from './run.js';

const base = (migration: Record<string, unknown>) => ({
  network: { bandwidth: '1Gbit/s' },
  hosts: [{ name: 'A', memory: '8GiB' }, { name: 'B', memory: '8GiB' }],
  vms: [{ name: 'db', host: 'A', memory: '1GiB' }],
  migrations: [{ vm: 'db', to: 'B', ...migration }],
});

function issues(migration: Record<string, unknown>): string[] {
  try {
    validateScenario(base(migration));
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
}

test('every option of MigrationOptions is in the registry and in both schemas, each described', () => {
  // options of one algorithm only (downtimeRamp, onStall) are in that algorithm's defaults
  assert.deepEqual(new Set(migrationOptionNames), new Set(algorithmNames.flatMap((a) => Object.keys(defaultOptions(a)))));
  const migration = (scenarioJsonSchema() as any).properties.migrations.items.properties;
  const consolidation = (consolidationJsonSchema() as any).properties.migration.anyOf.find((b: any) => b.properties)?.properties;
  for (const name of migrationOptionNames) {
    assert.ok(migration[name]?.description, `${name} has a description in lmsim schema`);
    if (name !== 'algorithm') assert.ok(consolidation[name], `consolidation migration: accepts ${name}`);
  }
  for (const { option, qemu } of qemuNames) if (qemu.name !== option) assert.ok(migration[qemu.name], `QEMU name ${qemu.name}`);
});

test("QEMU's names mean what QEMU means: downtime-limit in ms, max-bandwidth in bytes/s, capabilities on/off", () => {
  const m = validateScenario(base({ 'downtime-limit': 300, 'max-bandwidth': 1e8, 'auto-converge': true, 'cpu-throttle-initial': 30, 'xbzrle-cache-size': 2 ** 26, multifd: true, 'postcopy-preempt': true, 'vcpu-dirty-limit': 10 })).migrations[0];
  const o = resolveOptions(m);
  assert.equal(o.downtimeLimit, 0.3);
  assert.equal(o.maxBandwidth, 1e8);
  assert.equal(o.autoConverge, true);
  assert.equal(o.cpuThrottleInitial, 30);
  assert.equal(o.xbzrleCacheSize, 2 ** 26);
  assert.equal(o.multifdChannels, 2);
  assert.equal(o.preempt, true);
  assert.equal(o.dirtyLimit, 10 * 2 ** 20);
  assert.equal(resolveOptions(validateScenario(base({ 'downtime-limit': '1s' })).migrations[0]).downtimeLimit, 1);
  assert.equal(validateScenario(base({ 'postcopy-ram': true })).migrations[0].algorithm, 'hybrid');
  assert.ok(!('downtime-limit' in m), 'folded into downtimeLimit');
});

test('mistakes name the path and the fix', () => {
  assert.match(issues({ downtime_limit: 300 })[0], /migrations\[0\]: unknown field "downtime_limit": did you mean downtimeLimit \(QEMU: downtime-limit\)\?/);
  assert.match(issues({ maxbandwith: 1 })[0], /did you mean maxBandwidth \(QEMU: max-bandwidth\)/);
  assert.match(issues({ downtimeLimit: 300 })[0], /migrations\[0\]\.downtimeLimit: a plain number is seconds.*"300ms".*downtime-limit: 300/);
  assert.deepEqual(issues({ downtimeLimit: 2 }), [], 'a plain 2 s is accepted');
  assert.match(issues({ timeout: 0 })[0], /migrations\[0\]\.timeout: expected a duration > 0, got 0/);
  assert.match(issues({ algorithm: 'postcopy', preset: 'xen' })[0], /migrations\[0\]\.preset: a pre-copy preset does not apply to postcopy/);
  assert.match(issues({ algorithm: 'stop-and-copy', preset: 'qemu' })[0], /preset: a pre-copy preset does not apply to stop-and-copy/);
  assert.match(issues({ 'downtime-limit': 30, downtimeLimit: '30ms' })[0], /migrations\[0\]\.downtime-limit: the same value as downtimeLimit/);
  assert.match(issues({ multifd: false, multifdChannels: 4 })[0], /migrations\[0\]\.multifd: multifd: false contradicts multifdChannels: 4/);
  assert.match(issues({ cpuThrottleInitial: 100 })[0], /migrations\[0\]\.cpuThrottleInitial/);
});

test('the consolidation migration: block takes every live-migration option, by either name', () => {
  const ok = { trace: '.', policy: 'lr-mmt', param: 1.2 };
  const s = validateConsolidation({ ...ok, migration: { model: 'hybrid', 'downtime-limit': 50, postcopyAfterRounds: 2, prepaging: 'bubble', maxPostcopyBandwidth: '1Gbit/s' } });
  assert.equal(s.migration.downtimeLimit, 0.05);
  assert.equal(s.migration.postcopyAfterRounds, 2);
  assert.throws(() => validateConsolidation({ ...ok, migration: { model: 'precopy', xbzrle: true } }), /migration\.xbzrle: needs fidelity: page/);
  assert.throws(() => validateConsolidation({ ...ok, migration: { model: 'postcopy', preset: 'xen' } }), /migration\.preset: a pre-copy preset does not apply to postcopy/);
  assert.throws(() => validateConsolidation({ ...ok, migration: { model: 'precopy', downtime_limit: 1 } }), /did you mean downtimeLimit/);
});

test('registry kinds agree with the defaults they describe', () => {
  for (const name of migrationOptionNames) {
    const kind = migrationOptions[name].kind.type;
    const v = defaultOptions(migrationOptions[name].algorithms[0])[name];
    if (kind === 'boolean') assert.equal(typeof v, 'boolean', name);
    else if (kind === 'enum') assert.ok((migrationOptions[name].kind as { values: readonly string[] }).values.includes(v as string), name);
    else if (kind !== 'object') assert.equal(typeof v, 'number', name);
  }
});

function scenarioIssues(data: Record<string, unknown>): string[] {
  try {
    validateScenario(data);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
}

test('validate refuses what run could not mean, each issue with its path; references come with schema issues', () => {
  const vm = (extra: Record<string, unknown>) => ({ ...base({}), vms: [{ name: 'db', host: 'A', memory: '1GiB', ...extra }] });
  const one = (data: Record<string, unknown>) => scenarioIssues(data).join('\n');
  assert.match(one(vm({ workload: { kind: 'hotcold', writeRate: '100/s', hotSet: 0, hotShare: 1 } })), /vms\[0\]\.workload\.hotSet: 0 bytes is less than one page/);
  assert.deepEqual(scenarioIssues(vm({ workload: { kind: 'hotcold', writeRate: '100/s', hotSet: 0, hotShare: 0 } })), []);
  assert.match(one(vm({ workload: { kind: 'uniform', writeRate: '100/s', writeSize: '8KiB' } })), /vms\[0\]\.workload\.writeSize: expected 1 byte to one page \(4096 bytes\), got 8192/);
  // scattered working sets and mixes: the span holds the set, and each part is checked at its path
  const scattered = { kind: 'uniform', writeRate: '100/s', workingSet: '64MiB', scatteredOver: '32MiB' };
  assert.match(one(vm({ workload: scattered })), /vms\[0\]\.workload\.scatteredOver: expected at least the working set \(67108864 bytes\), got 33554432/);
  assert.match(one(vm({ workload: { ...scattered, offset: '512MiB', scatteredOver: '768MiB' } })), /vms\[0\]\.workload\.scatteredOver: offset \+ span \(1342177280 bytes\) exceed the VM's memory/);
  const mix = { kind: 'mix', parts: [{ kind: 'sweep', writeRate: '100/s', workingSet: '64MiB' }, { ...scattered, scatteredOver: '1GiB' }] };
  assert.deepEqual(scenarioIssues(vm({ workload: mix })), []);
  assert.match(one(vm({ workload: { kind: 'mix', parts: [mix.parts[0], scattered] } })), /vms\[0\]\.workload\.parts\[1\]\.scatteredOver/);
  assert.match(one({ ...vm({ workload: mix }), fidelity: 'fluid' }), /fidelity fluid supports .* use fidelity: page for zipf and scattered working sets/);
  // QEMU's timed send calls and the first-receive cost are page by page; unlimited (the default) is fine on fluid memory
  const fluid = (migration: Record<string, unknown>) => scenarioIssues({ ...base(migration), fidelity: 'fluid' });
  assert.deepEqual(fluid({ iterationMaxWait: '50ms', zeroScanRate: '2GB/s', firstReceiveRate: '300MB/s' }), [
    'migrations[0].iterationMaxWait: needs fidelity: page (a send call is timed page by page)',
    'migrations[0].zeroScanRate: needs fidelity: page (it is counted page by page)',
    'migrations[0].firstReceiveRate: needs fidelity: page (it is counted page by page)',
  ]);
  assert.deepEqual(fluid({ iterationMaxWait: 0, zeroScanRate: 'unlimited', firstReceiveRate: 'unlimited' }), []);
  assert.deepEqual(fluid({ receiveBuffer: '3MiB' }), ['migrations[0].receiveBuffer: needs fidelity: page (it holds first-time pages, counted page by page)']);
  assert.deepEqual(fluid({ receiveBuffer: 0 }), []);
  assert.match(one(vm({ resident: '512MiB', residentAt: 'end', residentTop: '16MiB' })), /vms\[0\]\.residentTop: the top of memory is where residentAt: end puts the data already/);
  assert.match(one(vm({ resident: '1020MiB', residentTop: '16MiB' })), /vms\[0\]\.residentTop: resident \+ residentTop \(1086324736 bytes\) exceed the VM's memory/);
  assert.match(one(vm({ free: { size: '1GiB' } })), /vms\[0\]\.free\.size: 1073741824 bytes of free memory is not less than the VM's resident memory/);
  assert.match(one(vm({ resident: '512MiB', free: { size: '600MiB' } })), /vms\[0\]\.free\.size/);
  assert.match(one(vm({ free: { size: '64MiB', churn: 'lots' } })), /vms\[0\]\.free\.churn: expected a page rate/);
  assert.match(one({ ...base({ at: '2h' }) }), /migrations\[0\]\.at: 7200 s is after the horizon \(3600 s\)/);
  assert.deepEqual(scenarioIssues({ ...base({ at: '2h' }), horizon: '3h' }), []);
  assert.match(one({ ...base({}), failures: [{ at: '2h', host: 'B' }] }), /failures\[0\]\.at: 7200 s is after the horizon/);
  // a schema issue and a dangling reference, reported together
  const both = scenarioIssues({ ...base({ timeout: 0 }), migrations: [{ vm: 'nope', to: 'C', timeout: 0 }] });
  assert.ok(both.some((i) => /migrations\[0\]\.timeout/.test(i)), both.join('\n'));
  assert.ok(both.some((i) => /migrations\[0\]\.vm: no VM named "nope"/.test(i)), both.join('\n'));
  assert.ok(both.some((i) => /migrations\[0\]\.to: no host named "C"/.test(i)), both.join('\n'));
});

test('option fields built for the options an entry names check as every field does: same values, same issues', () => {
  const whole = wholeScenario();
  const keys = Object.keys(optionFields());
  const values: unknown[] = [true, false, 0, 2, 300, -1, 1e9, 'x', '300ms', '10s', '64MiB', '1Gbit/s', 'unlimited', 'none', 'qemu', 'simgrid', 'precopy', 'postcopy', 'hybrid', 'forward', null, {}, { policy: 'none' }, [1]];
  let seed = 7;
  const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
  const documents: unknown[] = [];
  for (const key of keys) for (const value of values) documents.push({ ...base({ [key]: value }), compare: [{ [key]: value }] });
  for (let i = 0; i < 600; i++) {
    const entry = () => Object.fromEntries(Array.from({ length: 1 + (i % 4) }, () => [pick([...keys, 'downtime_limit', 'label', 'vm']), pick(values)]));
    const d = base(entry());
    d.migrations.push({ to: pick(['B', '', 3]), ...entry() } as (typeof d.migrations)[number]);
    documents.push(i % 3 ? d : { ...d, compare: [entry(), entry()] }, i % 5 ? d : { ...d, migrations: pick([null, 'x', [], [null]]) });
  }
  let failed = 0;
  for (const d of documents) {
    const [a, b] = [Scenario, whole].map((s) => s.safeParse(d, { reportInput: true, jitless: true }));
    assert.deepEqual(a, b, JSON.stringify(d));
    if (!a.success) failed++;
  }
  assert.ok(failed > documents.length / 3 && failed < documents.length, `${failed} of ${documents.length} documents refused`);
});

test('ScenarioInput, the public type of a scenario, spells out a migration entry as the whole schema does', () => {
  const input: ScenarioInput = { ...base({}), migrations: [{ vm: 'db', to: 'B', at: 0, downtimeLimit: '300ms' }] };
  // @ts-expect-error a migration's vm is a name (the build fails if the type lets a number through)
  const wrongType: ScenarioInput = { ...base({}), migrations: [{ vm: 5, to: 'B' }] };
  // @ts-expect-error a migration has no key it does not declare
  const unknownKey: ScenarioInput = { ...base({}), migrations: [{ vm: 'db', to: 'B', bogus: true }] };
  assert.equal(wholeScenario().safeParse(input).success, true);
  assert.equal(wholeScenario().safeParse(wrongType).success, false);
  assert.equal(wholeScenario().safeParse(unknownKey).success, false);
});
