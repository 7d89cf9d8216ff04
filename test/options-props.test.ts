/**
 * Properties of the option registry and the overlays built on it:
 * - for every example, `compare` with one variant equal to the migrations' own settings gives
 *   byte-identical migration results to `run` (variants are overlays: nothing is dropped);
 * - `--set` round-trips every registry option, by lmsim's name and by QEMU's, for values drawn
 *   by fast-check within the option's bounds;
 * - docs/options.md is what `lmsim options` prints (regenerate: node bin/lmsim.js options > docs/options.md).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { migrationOptionNames, migrationOptions, type NumberKind, type OptionDecl, type OptionKind } from '../src/migration/option-registry.js';
import { parseScenarioData, validateScenario } from '../src/scenario/load.js';
import { formatOptionValue } from '../src/scenario/migration-options.js';
import { optionsMarkdown } from '../src/scenario/options-doc.js';
import { overlayScenario, parseSetArgument } from '../src/scenario/overlay.js';
import { resolveOptions, runScenario } from '../src/scenario/run.js';
import { sweepVariants } from '../src/scenario/sweep.js';
import { applyVariant } from '../src/scenario/variants.js';
import { repoRoot } from './support.js';

const root = repoRoot();
const PLAN = new Set(['id', 'vm', 'to', 'after', 'at']);

test('every example: compare with the migrations\' own settings as its one variant equals run, byte for byte', () => {
  let checked = 0;
  for (const f of readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.yaml'))) {
    let raw = parseScenarioData(readFileSync(join(root, 'examples', f), 'utf8'), f);
    if (!Array.isArray(raw.migrations)) continue; // consolidation scenarios and sweep grids
    raw = sweepVariants(raw, f)?.[0].data ?? raw;
    const { compare: _c, ...plain } = raw;
    const own = (raw.migrations as Record<string, unknown>[]).map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !PLAN.has(k))));
    // the one variant: the options every migration shares (all of them when they agree)
    const variant = Object.fromEntries(Object.entries(own[0]).filter(([k, v]) => own.every((o) => JSON.stringify(o[k]) === JSON.stringify(v))));
    const run = runScenario(validateScenario(plain, f));
    const compared = runScenario(validateScenario(applyVariant(raw, variant), f));
    assert.equal(JSON.stringify(compared.migrations), JSON.stringify(run.migrations), f);
    checked++;
  }
  assert.ok(checked >= 8, `${checked} examples checked`);
});

const base = {
  network: { bandwidth: '1Gbit/s' },
  hosts: [{ name: 'A', memory: '8GiB' }, { name: 'B', memory: '8GiB' }],
  vms: [{ name: 'db', host: 'A', memory: '1GiB' }],
  migrations: [{ vm: 'db', to: 'B' }],
};

/** Values of a kind, in lmsim's units, as fast-check arbitraries (finite; unlimited drawn too). */
function values(kind: OptionKind): fc.Arbitrary<unknown> {
  switch (kind.type) {
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...kind.values);
    case 'object':
      return kind.shorthand === 'boolean' ? fc.boolean() : fc.constantFrom(...(kind.fields[Object.keys(kind.fields)[0]].kind as { values: readonly string[] }).values);
    default: {
      const k = kind as NumberKind;
      const lo = k.min === undefined ? 0 : k.exclusiveMin ? k.min + 1 : k.min;
      const hi = k.max ?? (k.type === 'duration' && k.plainMax !== undefined ? k.plainMax * 1000 : 1e6);
      // durations in whole ms, sizes and rates in whole KiB, counts and percents whole
      const step = k.type === 'duration' ? 1e-3 : k.type === 'size' || k.type === 'rate' ? 1024 : 1;
      const n = fc.integer({ min: Math.ceil(lo / step), max: Math.max(Math.ceil(lo / step), Math.floor(k.type === 'duration' ? hi : hi / step)) });
      const finite = n.map((i) => i * step);
      return k.unlimited ? fc.oneof(finite, fc.constant(Infinity)) : finite;
    }
  }
}

let algorithm = 'precopy';

/** The resolved options of the base scenario's migration with the overlay set (under `algorithm`, one the option applies to). */
function resolved(overlay: [string, unknown][]): Record<string, unknown> {
  const spec = validateScenario(overlayScenario(base, [['migration.algorithm', algorithm], ...overlay]));
  return resolveOptions(spec.migrations[0]) as unknown as Record<string, unknown>;
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

test('--set round-trips every registry option, by its name and by its QEMU name', () => {
  for (const name of migrationOptionNames) {
    const d = migrationOptions[name] as OptionDecl;
    algorithm = name === 'algorithm' ? 'precopy' : d.algorithms[0];
    fc.assert(
      fc.property(values(d.kind), (v) => {
        const text = typeof v === 'number' ? formatOptionValue(d.kind, v) : String(v);
        const o = resolved([parseSetArgument(`migration.${name}=${text}`)]);
        if (d.kind.type === 'object') {
          // the shorthand: deferHot true -> the default predictor, false -> off; reuse NAME -> { policy: NAME } (its first field)
          const got = o[name] as Record<string, unknown> | null;
          return d.kind.shorthand === 'boolean' ? (got === null) === (v === false) : got?.[Object.keys(d.kind.fields)[0]] === v;
        }
        if (!close(o[name], v)) throw new Error(`--set migration.${name}=${text} gave ${o[name]}, expected ${v}`);
        for (const q of d.qemu ?? []) {
          if (q.name === name) continue;
          if (q.type === 'parameter' && typeof v === 'number' && Number.isFinite(v)) {
            const viaQemu = resolved([[`migration.${q.name}`, v / q.factor]]);
            if (!close(viaQemu[name], v)) throw new Error(`${q.name}: ${v / q.factor} gave ${viaQemu[name]}, expected ${v}`);
          }
          if (q.type === 'parameter' && typeof v !== 'number' && !close(resolved([[`migration.${q.name}`, v]])[name], v)) throw new Error(q.name);
          if (q.type === 'capability' && typeof v === 'boolean' && !close(resolved([[`migration.${q.name}`, v]])[name], v)) throw new Error(q.name);
        }
        return true;
      }),
      { numRuns: 25, seed: 16 },
    );
  }
});

test('docs/options.md is what `lmsim options` prints (regenerate: node bin/lmsim.js options > docs/options.md)', () => {
  assert.equal(readFileSync(join(root, 'docs/options.md'), 'utf8'), optionsMarkdown());
});
