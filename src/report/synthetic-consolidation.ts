/**
 * @module report/synthetic-consolidation
 * A consolidation scenario run in memory, its result as `lmsim consolidate FILE --json` prints
 * it: what the dashboard's worker runs. Pure, so only synthetic data centers (seeded traces with
 * PlanetLab's statistics, datacenter/synthetic-traces.ts): a trace folder is on a disk the
 * browser cannot read.
 */
import { PlacementError, runConsolidation } from '../datacenter/run.js';
import { validateConsolidation } from '../scenario/consolidation.js';
import {
  consolidationConfig,
  consolidationWorkProblem,
  migrationModelOf,
  specTraces,
  SYNTHETIC_VMS,
  type ConsolidationSpec,
} from '../scenario/consolidation-spec.js';
import { SYNTHETIC_SAMPLES } from '../datacenter/synthetic-traces.js';
import { ScenarioError } from '../scenario/errors.js';
import { consolidationRecord } from './consolidation-record.js';

/** The dashboard's consolidation scenario: a synthetic day of 60 hosts and 100 VMs, LR-MMT 1.2 with pre-copy migrations (under a second). */
export const defaultConsolidation = {
  name: 'synthetic day: 60 hosts, 100 VMs, LR-MMT 1.2, pre-copy',
  policy: 'lr-mmt',
  param: 1.2,
  migration: 'precopy',
  hosts: { count: 60 },
  vms: { count: 100 },
  duration: '24h',
  seed: 7,
};

/**
 * Validates a consolidation scenario that runs without files, and refuses work past the bound
 * (each `compare:` variant too).
 * @throws ScenarioError naming each field.
 */
export function checkSyntheticConsolidation(raw: unknown, source: string): ConsolidationSpec {
  const spec = validateConsolidation(raw, source);
  const issues: string[] = [];
  const runs: [string, ConsolidationSpec][] = [['', spec], ...(spec.variants ?? []).map((v, i): [string, ConsolidationSpec] => [`compare[${i}]: `, v.spec])];
  for (const [where, s] of runs) {
    if (s.trace !== undefined) {
      issues.push(`${where || 'trace: '}a PlanetLab folder is read from disk: run it with lmsim consolidate FILE; leave trace out for a synthetic data center`);
      continue;
    }
    // checked on every edit in the dashboard: the traces' size, not the traces
    const problem = consolidationWorkProblem(s, SYNTHETIC_SAMPLES, s.vmCount ?? SYNTHETIC_VMS);
    if (problem) issues.push(`${where || `${problem.field ?? 'hosts.count'}: `}${problem.message}`);
  }
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return spec;
}

/** The record of `lmsim consolidate FILE --json`: one run's, or with `compare:` the list of its variants' (each with `variant`, its label). */
export type SyntheticConsolidationDocument = ReturnType<typeof consolidationRecord> | (ReturnType<typeof consolidationRecord> & { variant: string })[];

/** Runs a synthetic consolidation scenario; `onProgress` sees the run (variant) and its simulated time. */
export function syntheticConsolidationResult(
  raw: unknown,
  source: string,
  onProgress?: (index: number, count: number, simulated: number, limit: number) => void,
): SyntheticConsolidationDocument {
  const spec = checkSyntheticConsolidation(raw, source);
  const run = (s: ConsolidationSpec, index: number, count: number, label?: string) => {
    const { traces, vms } = specTraces(s, () => {
      throw new Error('unreachable: a synthetic data center reads no folder');
    });
    try {
      const progress = onProgress && ((t: number, limit: number) => onProgress(index, count, t, limit));
      return consolidationRecord(s, runConsolidation(consolidationConfig(s, vms), traces, migrationModelOf(s.migration), { onProgress: progress }));
    } catch (e) {
      // too many or too large VMs for the hosts: the input's fault, said at the hosts
      if (e instanceof PlacementError)
        throw new ScenarioError(
          [
            `${label !== undefined ? `compare "${label}": ` : ''}hosts: ${e.message}; give more or larger hosts (hosts.count, hosts.types) or fewer VMs (vms.count)`,
          ],
          source,
        );
      throw e;
    }
  };
  if (spec.variants === undefined) return run(spec, 0, 1);
  const variants = spec.variants;
  return variants.map((v, i) => ({ variant: v.label, ...run(v.spec, i, variants.length, v.label) }));
}
