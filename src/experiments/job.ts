/**
 * @module experiments/job
 * One run of a sweep, the same wherever it executes (this thread, a pool thread, a BullMQ worker on
 * another machine): validate the raw scenario, check the key and the lmsim version the coordinator
 * planned with, run it, and return its scalar metrics and its full result as JSON text.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runConsolidation } from '../datacenter/run.js';
import { isFolder } from '../io/consolidation-file.js';
import { loadPlanetLabFolder, type PlanetLabFolder } from '../io/planetlab.js';
import { consolidationRecord } from '../report/consolidation-record.js';
import { consolidationMetrics, migrationMetrics, type Metrics, type RunKind } from '../report/run-metrics.js';
import { consolidationConfig, migrationModelOf, validateConsolidation, type ConsolidationSpec } from '../scenario/consolidation.js';
import { specTraces } from '../scenario/consolidation-spec.js';
import { validateScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import type { ScenarioSpec } from '../scenario/schema.js';
import { VERSION } from '../version.js';
import { runKey } from './run-key.js';

/** A run to do: plain JSON (it crosses threads and Redis). */
export interface RunJob {
  key: string;
  kind: RunKind;
  /** The lmsim version the key was computed with. */
  lmsim: string;
  /** The raw scenario (a consolidation trace path made absolute). */
  data: Record<string, unknown>;
  /** Where it came from, for error messages ("grid.yaml (downtime=30ms, seed 3)"). */
  source: string;
}

/** A finished run. */
export interface RunOutput {
  key: string;
  metrics: Metrics;
  /** The full result (RunResult, or the consolidation record) as JSON text. */
  result: string;
  /** Timing and provenance: not part of the result. */
  wallSeconds: number;
  worker: string;
}

/** A validated scenario of either kind, and its key. */
export function validateRun(kind: RunKind, data: Record<string, unknown>, source: string): { spec: ScenarioSpec | ConsolidationSpec; key: string } {
  const spec = kind === 'migration' ? validateScenario(data, source) : validateConsolidation(data, source, '/', isFolder);
  return { spec, key: runKey(kind, spec, VERSION) };
}

/** The kind of a raw scenario: consolidation scenarios name a trace. */
export function kindOf(data: Record<string, unknown>): RunKind {
  return 'trace' in data || 'policy' in data ? 'consolidation' : 'migration';
}

const traceCache = new Map<string, PlanetLabFolder>();

function traces(dir: string): PlanetLabFolder {
  let folder = traceCache.get(dir);
  if (!folder) {
    folder = loadPlanetLabFolder(dir);
    traceCache.clear(); // one day at a time: a day of 1,052 VMs is 2.4 MB
    traceCache.set(dir, folder);
  }
  return folder;
}

/** Runs a consolidation spec on its trace folder, as `lmsim consolidate` does. */
function consolidate(spec: ConsolidationSpec): object {
  const { traces: t, vms } = specTraces(spec, traces);
  if (vms === 0) throw new Error(`trace: ${spec.trace} has no trace files`);
  if (t.samples * spec.traceInterval < spec.duration) throw new Error(`duration: the traces cover ${t.samples * spec.traceInterval} s, less than the ${spec.duration} s to simulate`);
  return consolidationRecord(spec, runConsolidation(consolidationConfig(spec, vms), t, migrationModelOf(spec.migration)));
}

/** Executes one job. @throws Error when the job was planned by another lmsim version or its key does not match. */
export function executeJob(job: RunJob): RunOutput {
  const t0 = performance.now();
  if (job.lmsim !== VERSION) throw new Error(`${job.source}: planned by lmsim ${job.lmsim}, this worker is lmsim ${VERSION}; run workers of the coordinator's version`);
  const { spec, key } = validateRun(job.kind, job.data, job.source);
  if (key !== job.key) throw new Error(`${job.source}: this worker computes key ${key.slice(0, 12)} for the scenario, the coordinator ${job.key.slice(0, 12)}`);
  let metrics: Metrics;
  let result: string;
  if (job.kind === 'migration') {
    const r = runScenario(spec as ScenarioSpec);
    metrics = migrationMetrics(r);
    result = JSON.stringify(r);
  } else {
    const r = consolidate(spec as ConsolidationSpec) as ReturnType<typeof consolidationRecord>;
    metrics = consolidationMetrics(r);
    result = JSON.stringify(r);
  }
  return { key, metrics, result, wallSeconds: (performance.now() - t0) / 1000, worker: `${hostname()}:${process.pid}` };
}
