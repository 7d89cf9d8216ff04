/**
 * @module report/views/input
 * What a report or the dashboard can show, recognised from a parsed JSON document: a run
 * (`lmsim run --json`), a comparison or sweep of runs (`lmsim compare --json`, `run --json` of a
 * sweep), a consolidation (`lmsim consolidate --json`), or consolidations side by side (the list
 * `lmsim consolidate FILE --json` prints for a file with `compare:`).
 */
import type { RunResult } from '../../scenario/run.js';
import type { NamedRun } from './compare.js';
import type { ConsolidationOutput } from './consolidation.js';
import type { SweepSummary } from './sweep.js';

export type ReportInput =
  | { kind: 'run'; result: RunResult }
  | { kind: 'compare'; scenario: string; seed: number; lmsim: string; variants: NamedRun[] }
  | { kind: 'consolidation'; result: ConsolidationOutput & { lmsim?: string } }
  | { kind: 'consolidations'; variants: { label: string; result: ConsolidationOutput & { lmsim?: string; variant?: string } }[] }
  | { kind: 'sweep'; lmsim: string; store: string; summary: SweepSummary };

/** A document that is none of the results a report shows; the message says what was expected. */
export class ReportInputError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRun = (v: unknown): v is RunResult => isObject(v) && Array.isArray(v.migrations) && Array.isArray(v.hosts) && isObject(v.input);

const isConsolidation = (v: unknown): v is Record<string, unknown> => isObject(v) && typeof v.energyKWh === 'number' && typeof v.policy === 'string';

function withSeries(doc: Record<string, unknown>, source: string): ConsolidationOutput {
  if (!isObject(doc.series) || !Array.isArray(doc.series.time)) {
    throw new ReportInputError(`${source}: series: a consolidation result without its per-step series (made by an older lmsim); run lmsim consolidate --json again`);
  }
  return doc as unknown as ConsolidationOutput;
}

/** Recognises a result document; `source` names it in errors. */
export function reportInputOf(doc: unknown, source: string): ReportInput {
  if (isRun(doc)) return { kind: 'run', result: doc };
  if (isObject(doc) && Array.isArray(doc.variants)) {
    const variants = doc.variants as unknown[];
    variants.forEach((v, i) => {
      if (!(isObject(v) && typeof v.name === 'string' && isRun(v.result)))
        throw new ReportInputError(`${source}: variants[${i}]: expected { name, result } with a run result (lmsim compare --json)`);
    });
    if (variants.length === 0) throw new ReportInputError(`${source}: variants: expected at least one variant`);
    return {
      kind: 'compare',
      scenario: String(doc.scenario ?? ''),
      seed: Number(doc.seed ?? 0),
      lmsim: String(doc.lmsim ?? ''),
      variants: variants as NamedRun[],
    };
  }
  if (isObject(doc) && isObject(doc.sweepSummary)) {
    const summary = doc.sweepSummary as Record<string, unknown>;
    if (!Array.isArray(summary.groups) || !Array.isArray(summary.axes) || !Array.isArray(summary.metrics))
      throw new ReportInputError(`${source}: sweepSummary: expected { axes, metrics, groups } (a results store's summary)`);
    return { kind: 'sweep', lmsim: String(doc.lmsim ?? ''), store: String(doc.store ?? ''), summary: summary as unknown as SweepSummary };
  }
  if (isConsolidation(doc)) return { kind: 'consolidation', result: withSeries(doc, source) };
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isConsolidation)) {
    const variants = doc.map((d, i) => ({ label: String(d.variant ?? `variant ${i + 1}`), result: withSeries(d, `${source}: [${i}]`) }));
    return { kind: 'consolidations', variants };
  }
  throw new ReportInputError(`${source}: expected a result of lmsim run --json, compare --json or consolidate --json (or a scenario file)`);
}
