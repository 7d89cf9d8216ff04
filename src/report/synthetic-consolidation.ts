/**
 * @module report/synthetic-consolidation
 * A consolidation scenario run in memory, its result as `lmsim consolidate FILE --json` prints
 * it: what the dashboard's worker runs. Pure, so only synthetic data centers (seeded traces with
 * PlanetLab's statistics, datacenter/synthetic-traces.ts): a trace folder is on a disk the
 * browser cannot read, and a `compare:` list is printed as a list the views do not draw.
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
 * Validates a consolidation scenario that runs without files, and refuses work past the bound.
 * @throws ScenarioError naming each field.
 */
export function checkSyntheticConsolidation(raw: unknown, source: string): ConsolidationSpec {
  const spec = validateConsolidation(raw, source);
  const issues: string[] = [];
  if (spec.trace !== undefined)
    issues.push('trace: a PlanetLab folder is read from disk: run it with lmsim consolidate FILE; leave trace out for a synthetic data center');
  if (spec.variants !== undefined) issues.push('compare: one consolidation at a time here (lmsim consolidate FILE --json runs the variants)');
  if (issues.length > 0) throw new ScenarioError(issues, source);
  // checked on every edit in the dashboard: the traces' size, not the traces
  const problem = consolidationWorkProblem(spec, SYNTHETIC_SAMPLES, spec.vmCount ?? SYNTHETIC_VMS);
  if (problem) throw new ScenarioError([`${problem.field ?? 'hosts.count'}: ${problem.message}`], source);
  return spec;
}

/** Runs a synthetic consolidation scenario; `onProgress` sees the simulated time. */
export function syntheticConsolidationResult(
  raw: unknown,
  source: string,
  onProgress?: (simulated: number, limit: number) => void,
): ReturnType<typeof consolidationRecord> {
  const spec = checkSyntheticConsolidation(raw, source);
  const { traces, vms } = specTraces(spec, () => {
    throw new Error('unreachable: a synthetic data center reads no folder');
  });
  try {
    return consolidationRecord(spec, runConsolidation(consolidationConfig(spec, vms), traces, migrationModelOf(spec.migration), { onProgress }));
  } catch (e) {
    // too many or too large VMs for the hosts: the input's fault, said at the hosts
    if (e instanceof PlacementError)
      throw new ScenarioError([`hosts: ${e.message}; give more or larger hosts (hosts.count, hosts.types) or fewer VMs (vms.count)`], source);
    throw e;
  }
}
