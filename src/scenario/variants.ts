/**
 * @module scenario/variants
 * `lmsim compare` variants (`compare:` entries and `--algorithms`) as overlays: each option a
 * variant names is set on every migration of the raw scenario, which is then validated like a
 * file. Everything else the migrations say (their timeout, downtime limit, reuse policy ...)
 * stays as written. One rule beyond setting values: a variant that switches to an algorithm
 * without pre-copy rounds (postcopy, stop-and-copy) and names no preset removes the migrations'
 * preset, which has no meaning there (and would be refused).
 */
import { algorithmLabel, algorithmNames, presetAlgorithms, type AlgorithmName } from '../migration/options.js';
import { precopyPresetNames, type PrecopyPresetName } from '../migration/algorithms/precopy.js';
import { synonymsOf } from '../migration/option-registry.js';
import { deletePath, setPath } from './overlay.js';
import type { ScenarioSpec } from './schema.js';
import { ScenarioError } from './errors.js';
import { validateScenario } from './load.js';

/** A variant as written: an optional label and migration option values (not yet validated). */
export type VariantInput = { label?: string } & Record<string, unknown>;

/** The raw scenario that runs one variant: its options set on every migration; no `compare:` or `sweep:`. */
export function applyVariant(raw: Record<string, unknown>, variant: VariantInput): Record<string, unknown> {
  const { compare: _compare, sweep: _sweep, ...base } = raw;
  const out = structuredClone(base);
  const { label: _label, ...options } = variant;
  if (!Array.isArray(out.migrations) || out.migrations.length === 0) return out;
  for (const [key, value] of Object.entries(options)) {
    setPath(out, ['migrations', { every: true }, key], value);
    for (const other of synonymsOf(key)) deletePath(out, ['migrations', { every: true }, other]);
  }
  const algorithm = options.algorithm as AlgorithmName | undefined;
  if (algorithm !== undefined && !('preset' in options) && !presetAlgorithms.includes(algorithm)) {
    deletePath(out, ['migrations', { every: true }, 'preset']);
  }
  return out;
}

/**
 * A variant's display name: its label, or the algorithm it runs (`precopy:xen`, `postcopy`) and
 * then each other option it sets (`precopy:qemu downtimeLimit=30ms`).
 * @param spec the validated scenario of the variant (for the algorithm it resolved to)
 */
export function variantName(variant: VariantInput, spec: ScenarioSpec): string {
  if (variant.label !== undefined) return variant.label;
  const first = spec.migrations[0];
  const extra = Object.entries(variant)
    .filter(([k]) => k !== 'label' && k !== 'algorithm' && k !== 'preset')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [first ? algorithmLabel(first.algorithm, first.preset) : 'variant', ...extra].join(' ');
}

/** A bad `--algorithms` list (exit 2). */
export class AlgorithmListError extends Error {}

/**
 * "precopy:qemu,postcopy,stop-and-copy" -> variants. Refuses unknown names, a preset on an
 * algorithm without pre-copy rounds, and the same entry twice.
 */
export function parseAlgorithmList(list: string): VariantInput[] {
  const items = list.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  const hint = `algorithm[:preset] with algorithms ${algorithmNames.join(', ')} and presets ${precopyPresetNames.join(', ')} (for ${presetAlgorithms.join(' and ')})`;
  if (items.every((s) => s === '')) throw new AlgorithmListError(`--algorithms: expected a comma-separated list of ${hint}`);
  return items.map((item) => {
    const [algorithm, preset, ...rest] = item.split(':');
    if (item === '' || rest.length > 0 || !(algorithmNames as readonly string[]).includes(algorithm)) {
      throw new AlgorithmListError(`--algorithms: "${item}" is not an ${hint}`);
    }
    if (preset !== undefined) {
      if (!presetAlgorithms.includes(algorithm as AlgorithmName)) {
        throw new AlgorithmListError(`--algorithms: "${item}": ${algorithm} has no pre-copy rounds, so no preset; write "${algorithm}"`);
      }
      if (!(precopyPresetNames as readonly string[]).includes(preset)) throw new AlgorithmListError(`--algorithms: "${item}" is not an ${hint}`);
    }
    if (seen.has(item)) throw new AlgorithmListError(`--algorithms: "${item}" is listed twice`);
    seen.add(item);
    return preset === undefined ? { algorithm } : { algorithm, preset: preset as PrecopyPresetName };
  });
}

/** Every variant's validated scenario, all problems reported at once (each under the variant's name). */
export function variantSpecs(raw: Record<string, unknown>, variants: VariantInput[], source: string): { name: string; spec: ScenarioSpec }[] {
  const issues: string[] = [];
  const out: { name: string; spec: ScenarioSpec }[] = [];
  variants.forEach((v, i) => {
    const where = v.label !== undefined ? `compare[${i}] ("${v.label}")` : `compare[${i}]`;
    try {
      const spec = validateScenario(applyVariant(raw, v), source);
      out.push({ name: variantName(v, spec), spec });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      issues.push(...e.issues.map((issue) => `${issue} (with ${where})`));
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return out;
}
