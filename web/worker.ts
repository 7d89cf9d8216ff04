/**
 * The dashboard's simulation worker: the core, unchanged, off the page's thread. It receives a raw
 * scenario (parsed from the editor), runs it as `lmsim run/compare --json` (a migration scenario)
 * or `lmsim consolidate FILE --json` (a synthetic data center) would, and posts progress, then
 * the result document, or the scenario's problems (each "path: what was expected").
 */
import { syntheticConsolidationResult } from '../src/report/synthetic-consolidation.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { scenarioResults } from '../src/scenario/results.js';

export type ScenarioKind = 'migration' | 'consolidation';
export type WorkerRequest = { id: number; kind: ScenarioKind; raw: Record<string, unknown> };
export type WorkerReply =
  | { id: number; type: 'progress'; index: number; count: number; time: number; horizon: number }
  | { id: number; type: 'done'; document: unknown; wallMs: number }
  | { id: number; type: 'invalid'; issues: string[] }
  | { id: number; type: 'failed'; message: string };

const post = (reply: WorkerReply) => (self as unknown as { postMessage(m: WorkerReply): void }).postMessage(reply);

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const { id, kind, raw } = e.data;
  const t0 = performance.now();
  let last = -1;
  const progress = (index: number, count: number, time: number, horizon: number) => {
    const now = performance.now();
    if (now - last < 50) return; // a few updates a second are enough for a progress bar
    last = now;
    post({ id, type: 'progress', index, count, time, horizon });
  };
  try {
    const document =
      kind === 'consolidation'
        ? syntheticConsolidationResult(raw, 'consolidation scenario', progress)
        : scenarioResults(raw, 'scenario', undefined, progress);
    post({ id, type: 'done', document, wallMs: performance.now() - t0 });
  } catch (err) {
    if (err instanceof ScenarioError) post({ id, type: 'invalid', issues: err.issues });
    else post({ id, type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
};
