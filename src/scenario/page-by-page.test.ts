/**
 * The page-exact engine's speed techniques (bulk writes: memory/bulk-writes.ts; the
 * word-at-a-time scan) against their off switch, runScenario's `pageByPage` (every write through
 * PageImage.write, every page taken one at a time): whole runs give byte-identical JSON, over the
 * examples and over scenarios that turn on each workload kind and each mechanism that keeps state
 * per page (generations, last-write times, content ids, kept images' logs, free pages).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, twoHostScenario } from '../../test/support.js';
import { PageImage } from '../memory/page-image.js';
import { parseScenarioData, validateScenario } from './load.js';
import { runScenario } from './run.js';
import { ScenarioSpec } from './schema.js';
import { variantSpecs, VariantInput } from './variants.js';

const MiB = 2 ** 20;

/** Runs a scenario both ways; returns how many pages each path wrote through PageImage.write(). */
function same(spec: ScenarioSpec, what: string): { fast: number; plain: number } {
  const write = PageImage.prototype.write;
  let calls = 0;
  PageImage.prototype.write = function (p: number) {
    calls++;
    return write.call(this, p);
  };
  try {
    const fast = JSON.stringify(runScenario(spec));
    const fastCalls = calls;
    calls = 0;
    const plain = JSON.stringify(runScenario(spec, { pageByPage: true }));
    assert.equal(fast, plain, what);
    return { fast: fastCalls, plain: calls };
  } finally {
    PageImage.prototype.write = write;
  }
}

test('examples: the same results with and without the page-exact speed techniques', () => {
  const files = ['precopy-basic', 'precopy-nonconvergent', 'precopy-vs-postcopy', 'presets', 'migrate-back', 'optimizations', 'postcopy-failure', 'seed-table1'];
  let bulk = 0;
  for (const f of files) {
    const file = join(repoRoot(), 'examples', `${f}.yaml`);
    const raw = parseScenarioData(readFileSync(file, 'utf8'), file);
    const variants = (raw.compare as VariantInput[] | undefined) ?? [{}];
    const { compare: _, ...base } = raw;
    for (const { name, spec } of variantSpecs(base, variants, file)) {
      if (spec.fidelity !== 'page') continue;
      const calls = same(spec, `${f} ${name}`);
      assert.ok(calls.fast <= calls.plain, `${f} ${name}: the plain path writes page by page`);
      bulk += calls.plain - calls.fast;
    }
  }
  assert.ok(bulk > 0, 'the examples exercise the bulk writes (fewer calls of write())');
});

test('every workload kind and per-page mechanism: the same results with and without them', () => {
  const hotcold = { kind: 'hotcold', writeRate: 30_000, workingSet: 96 * MiB, hotSet: 8 * MiB, hotShare: 0.9 };
  const workloads: Record<string, unknown>[] = [
    hotcold,
    { kind: 'uniform', writeRate: 50_000, workingSet: 48 * MiB, offset: 16 * MiB, readRate: 10_000 },
    { kind: 'uniform', writeRate: 400_000, workingSet: 4 * MiB }, // batches larger than the set: marginal probabilities
    { kind: 'zipf', writeRate: 20_000, workingSet: 64 * MiB, exponent: 1.1 },
    { kind: 'sweep', writeRate: 20_000, workingSet: 32 * MiB },
    { ...hotcold, scatteredOver: 120 * MiB },
    { kind: 'mix', parts: [hotcold, { kind: 'uniform', writeRate: 5_000, workingSet: 128 * MiB }] },
    { kind: 'phases', repeat: true, phases: [{ duration: 0.5, workload: hotcold }, { duration: 0.3, workload: { kind: 'idle' } }] },
  ];
  const migrations: Record<string, unknown>[] = [
    { algorithm: 'precopy', preset: 'qemu' },
    { algorithm: 'precopy', preset: 'qemu', xbzrle: true }, // generations
    { algorithm: 'precopy', preset: 'xen-legacy' }, // skips re-dirtied pages: page by page
    { algorithm: 'precopy', preset: 'xen', deferHot: true },
    { algorithm: 'precopy', dedup: true },
    { algorithm: 'postcopy' },
    { algorithm: 'hybrid', reuse: 'drop-updated+skip-hot' }, // last-write times
    { algorithm: 'precopy', iterationMaxWait: 0.05, zeroScanRate: 4e9, firstReceiveRate: 2e8 }, // pages new to the destination
  ];
  let bulk = 0, runs = 0;
  for (const [i, workload] of workloads.entries()) {
    for (const [j, migration] of migrations.entries()) {
      if ((i + j) % 2 === 1 && i > 0) continue; // a spread of pairs, kept quick
      const input = twoHostScenario({ memory: '128MiB', resident: '112MiB', workload: workload as never, bandwidth: '1Gbit/s', latency: '0.2ms', seed: 3 + i, migration: { timeout: '1min', ...migration } });
      const calls = same(validateScenario(input), `${JSON.stringify(workload)} ${JSON.stringify(migration)}`);
      bulk += calls.plain - calls.fast;
      runs++;
    }
  }
  // a kept image on the first host records the guest's writes (watchers) until the VM comes back
  const back = twoHostScenario({ memory: '128MiB', workload: hotcold as never, migration: { reuse: 'keep-all' } });
  back.migrations!.push({ vm: 'vm', to: 'A', at: 5, reuse: 'keep-all' } as never);
  same(validateScenario(back), 'there and back with kept images');
  // free pages with churn, and duplicates (content ids)
  const free = twoHostScenario({ memory: '128MiB', workload: hotcold as never, migration: { freePageHinting: true, dedup: true } });
  Object.assign(free.vms[0], { free: { size: '32MiB', churn: '2000/s' }, duplicates: { image: 'debian-12', share: 0.3, internal: 0.1 } });
  same(validateScenario(free), 'free pages and duplicates');
  assert.ok(runs > 10 && bulk > 0);
});
