/**
 * @module scenario/results
 * A raw scenario's results as the CLI prints them with --json: its sweep's variants or its
 * `compare:` list's ({ lmsim, scenario, seed, variants: [{ name, result }] }), else its one run
 * (the RunResult). Pure: `lmsim report` and the dashboard's worker both call it.
 */
import { VERSION } from '../version.js';
import { validateScenario } from './load.js';
import { RunResult, runScenario } from './run.js';
import type { ScenarioSpec } from './schema.js';
import { sweepVariants } from './sweep.js';
import { variantSpecs, type VariantInput } from './variants.js';

export interface VariantsDocument {
  lmsim: string;
  scenario: string;
  seed: number;
  variants: { name: string; result: RunResult }[];
}

/** Progress of a run of several variants: variant `index` of `count` has simulated `time` of `horizon` s. */
export type ResultsProgress = (index: number, count: number, time: number, horizon: number) => void;

/**
 * @param beforeRun sees every validated scenario before any runs (e.g. to refuse work too large).
 */
export function scenarioResults(
  raw: Record<string, unknown>,
  source: string,
  seed?: number,
  onProgress?: ResultsProgress,
  beforeRun?: (specs: ScenarioSpec[]) => void,
): RunResult | VariantsDocument {
  const withSeed = (spec: ScenarioSpec) => (seed === undefined ? spec : { ...spec, seed });
  const sweep = sweepVariants(raw, source);
  const many = (named: { name: string; spec: ScenarioSpec }[]): { name: string; result: RunResult }[] => {
    beforeRun?.(named.map((n) => withSeed(n.spec)));
    return named.map(({ name, spec }, i) => ({
      name,
      result: runScenario(withSeed(spec), { onProgress: onProgress && ((t, h) => onProgress(i, named.length, t, h)) }),
    }));
  };
  if (sweep) {
    const runs = many(sweep.map((v) => ({ name: v.label, spec: validateScenario(v.data, `${source} (sweep "${v.label}")`) })));
    return { lmsim: VERSION, scenario: runs[0].result.scenario, seed: runs[0].result.seed, variants: runs };
  }
  const spec = withSeed(validateScenario(raw, source));
  const compare = raw.compare as VariantInput[] | undefined;
  if (Array.isArray(compare) && compare.length > 0 && spec.migrations.length > 0) {
    return { lmsim: VERSION, scenario: spec.name, seed: spec.seed, variants: many(variantSpecs(raw, compare, source)) };
  }
  beforeRun?.([spec]);
  return runScenario(spec, { onProgress: onProgress && ((t, h) => onProgress(0, 1, t, h)) });
}
