/**
 * @module scenario/consolidation-spec
 * The validated form of a consolidation scenario and everything about it that needs no schema
 * library: the checks a schema cannot express, the defaults, the run configuration. The file format
 * itself (YAML, zod) is scenario/consolidation.ts; `lmsim consolidate --trace DIR` gets by with
 * this module alone, without the ~0.2 s zod and yaml add to start-up.
 */
import { ScenarioError } from './errors.js';
import type { ConsolidationFields, MigrationSpecValue } from './consolidation.js';
import { cloudsimMigrationModel, type MigrationModel } from '../datacenter/migration-model.js';
import { liveMigrationModel, type LiveMigrationSettings } from '../datacenter/live-migration.js';
import { keptImageDefaults } from '../datacenter/kept-images.js';
import {
  CLOUDSIM_START_TIME,
  HOST_G4,
  HOST_G5,
  PLANETLAB_DAY,
  PLANETLAB_HOSTS,
  PLANETLAB_INTERVAL,
  PLANETLAB_VM_TYPES,
} from '../datacenter/planetlab-config.js';
import { parsePolicy } from '../datacenter/policy-name.js';
import { syntheticTraces } from '../datacenter/synthetic-traces.js';
import { migrationOptionNames } from '../migration/option-registry.js';
import { deferralDefaults } from '../migration/optimizations/deferral.js';
import { quarterVmTypes } from '../datacenter/run.js';
import type { ConsolidationConfig, HostType, VmType } from '../datacenter/types.js';

/** `hosts:` and `vms:` value for CloudSim's PlanetLab setup. */
export const PLANETLAB = 'planetlab-cloudsim';

/** What the schema fills in for the fields a scenario leaves out (and the CLI for missing flags). */
export const FIELD_DEFAULTS = { migration: { model: 'cloudsim' }, hosts: PLANETLAB, vms: PLANETLAB } as const;

/** A validated consolidation scenario, units in seconds, bytes, bytes/s; the trace path absolute. */
export interface ConsolidationSpec {
  name?: string;
  /** A PlanetLab day folder; undefined: seeded synthetic traces (SYNTHETIC_VMS VMs unless vmCount says). */
  trace?: string;
  policy: string;
  param?: number;
  migration: MigrationSpecValue;
  hostTypes: HostType[];
  hostCount: number;
  vmTypes: VmType[];
  vmCount?: number;
  interval: number;
  traceInterval: number;
  duration: number;
  startTime: number;
  seed: number;
  /** The file's `compare:` variants, each a whole scenario, run side by side. */
  variants?: { label: string; spec: ConsolidationSpec }[];
}

/**
 * The checks of a consolidation scenario that a schema cannot express, and its defaults: `f` is
 * what the schema accepted (or command-line flags already checked as strictly).
 * @throws ScenarioError with every issue, each naming its path.
 */
export function checkConsolidation(f: ConsolidationFields, source = 'consolidation scenario', baseDir = '.', isFolder?: (path: string) => boolean): ConsolidationSpec {
  const issues: string[] = [];
  let kind: string | undefined;
  try {
    kind = parsePolicy(f.policy).kind;
  } catch (e) {
    issues.push(`policy: ${(e as Error).message}`);
  }
  if (kind === 'migration' && f.param === undefined) issues.push(`param: required for policy "${f.policy}" (e.g. 1.2 for lr-mmt, 0.8 for thr-mmt, 2.5 for mad-mmt, 1.5 for iqr-mmt)`);
  if (kind === 'migration' && f.param !== undefined && f.policy.toLowerCase().startsWith('thr') && f.param > 1) {
    issues.push(`param: a THR threshold is a utilisation fraction in (0, 1], got ${f.param}`);
  }
  if ((kind === 'dvfs' || kind === 'npa') && f.migration.model !== 'cloudsim') issues.push(`migration: policy "${f.policy}" migrates nothing; leave migration out or set it to cloudsim`);
  const trace = f.trace === undefined || f.trace.startsWith('/') ? f.trace : `${baseDir.replace(/\/+$/, '')}/${f.trace}`;
  if (trace !== undefined && isFolder && !isFolder(trace)) {
    issues.push(`trace: no folder ${trace}${trace !== f.trace ? ` ("${f.trace}" relative to ${baseDir})` : ''}; expected a CloudSim PlanetLab day folder (one file of 288 CPU percents per VM)`);
  }
  const m: MigrationSpecValue = f.migration;
  if (m.model === 'cloudsim') {
    const extra = Object.keys(m).filter((k) => k !== 'model');
    if (extra.length > 0) issues.push(`migration: ${extra.map((k) => `"${k}"`).join(', ')} only apply to precopy, postcopy and hybrid, not to cloudsim`);
  } else if (m.preset !== undefined && m.model !== 'precopy' && m.model !== 'hybrid') {
    issues.push(`migration.preset: a pre-copy preset does not apply to ${m.model}`);
  } else if ((m.fidelity ?? 'fluid') === 'fluid') {
    for (const field of ['xbzrle', 'deferHot', 'freePageHinting', 'dedup'] as const) {
      if (m[field]) issues.push(`migration.${field}: needs fidelity: page (it decides page by page; the default is fluid)`);
    }
  }
  if (m.reuse !== undefined && m.reuse.policy !== 'none' && m.fidelity === 'page') {
    issues.push('migration.reuse: memory reuse in consolidation needs fluid memory (fidelity: fluid); kept images are expected page counts');
  }
  const hosts = f.hosts === PLANETLAB ? { count: PLANETLAB_HOSTS, types: undefined } : f.hosts;
  const hostTypes: HostType[] = hosts.types
    ? hosts.types.map((t) => ({ name: t.name, pes: t.cores, mipsPerPe: t.mips, ramBytes: t.memory, bandwidth: t.bandwidth, power: Object.freeze([...t.power]) }))
    : [HOST_G4, HOST_G5];
  hostTypes.forEach((t, i) => {
    if (!(t.bandwidth > 0)) issues.push(`hosts.types[${i}].bandwidth: expected a rate > 0`);
    if (!(t.ramBytes > 0)) issues.push(`hosts.types[${i}].memory: expected a size > 0`);
  });
  const vms = f.vms === PLANETLAB ? { types: undefined, count: undefined } : f.vms;
  const vmTypes: VmType[] = vms.types
    ? vms.types.map((t) => ({ name: t.name, mips: t.mips, pes: t.cores, ramBytes: t.memory, bandwidth: t.bandwidth }))
    : PLANETLAB_VM_TYPES;
  vmTypes.forEach((t, i) => {
    if (!(t.ramBytes > 0)) issues.push(`vms.types[${i}].memory: expected a size > 0`);
    // CloudSim's suitability on an empty host (placement/placement.ts isSuitable): no host of any type takes it
    const fits = hostTypes.some((h) => h.mipsPerPe >= t.mips && h.pes * h.mipsPerPe >= t.mips * t.pes && h.ramBytes >= t.ramBytes && h.bandwidth >= t.bandwidth);
    if (!fits) {
      issues.push(
        `vms.types[${i}]: a VM of this type (${t.pes} x ${t.mips} MIPS, ${t.ramBytes} bytes, ${t.bandwidth} bytes/s) fits on no host type even when the host is empty; give a larger host type (hosts.types) or a smaller VM type`,
      );
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return {
    name: f.name,
    trace,
    policy: f.policy.toLowerCase(),
    param: f.param,
    migration: m,
    hostTypes,
    hostCount: hosts.count,
    vmTypes,
    vmCount: vms.count,
    interval: f.interval ?? PLANETLAB_INTERVAL,
    traceInterval: f.traceInterval ?? PLANETLAB_INTERVAL,
    duration: f.duration ?? PLANETLAB_DAY,
    startTime: f.startTime ?? CLOUDSIM_START_TIME,
    seed: f.seed ?? 0,
  };
}

/** VMs of a synthetic data center when the scenario does not say (CloudSim's PlanetLab day 20110303 has 1,052). */
export const SYNTHETIC_VMS = 1052;

/** What specTraces needs of a trace folder. */
export interface TraceFolder {
  names: readonly string[];
  traces: { samples: number; values: Float64Array };
}

/**
 * The traces a spec runs on: the first `vmCount` files of its folder (read by `load`), or, when it
 * names no folder, seeded synthetic traces with PlanetLab's statistics (`vmCount` or SYNTHETIC_VMS
 * VMs, the spec's seed). `vms` is 0 for an empty folder.
 */
export function specTraces(spec: ConsolidationSpec, load: (dir: string) => TraceFolder): { traces: { samples: number; values: Float64Array }; vms: number } {
  if (spec.trace === undefined) {
    const vms = spec.vmCount ?? SYNTHETIC_VMS;
    return { traces: syntheticTraces(vms, spec.seed), vms };
  }
  const folder = load(spec.trace);
  const vms = spec.vmCount === undefined ? folder.names.length : Math.min(spec.vmCount, folder.names.length);
  const t = folder.traces;
  return { traces: vms === folder.names.length ? t : { samples: t.samples, values: t.values.subarray(0, vms * t.samples) }, vms };
}

/**
 * Work of a consolidation in host and VM steps: every scheduling step looks at every host and VM
 * (the fast paths skip most, but the arrays are that large). The bound is a few minutes of one
 * core: the 10,000-host, 100,000-VM synthetic day (about 3e7) takes under a minute.
 */
export const CONSOLIDATION_WORK_BOUND = 1e8;
const CONSOLIDATION_STEPS_PER_SECOND = 5e5;

/**
 * Why a run of `spec` on `vms` traces of `samples` samples is refused before it starts: traces
 * shorter than the time to simulate (`field` "duration"), or work past CONSOLIDATION_WORK_BOUND
 * (`field` null; the caller says how to force it, if it can). Null: it may run.
 */
export function consolidationWorkProblem(spec: ConsolidationSpec, samples: number, vms: number): { field: 'duration' | null; message: string } | null {
  const span = samples * spec.traceInterval;
  if (span < spec.duration) return { field: 'duration', message: `the traces cover ${span} s, less than the ${spec.duration} s to simulate` };
  const steps = Math.ceil(spec.duration / spec.interval);
  const work = (spec.hostCount + vms) * steps;
  if (work <= CONSOLIDATION_WORK_BOUND) return null;
  return {
    field: null,
    message:
      `this consolidation is estimated at ${work.toExponential(1)} host and VM steps (${spec.hostCount} hosts + ${vms} VMs over ${steps} scheduling steps; about ${Math.ceil(work / CONSOLIDATION_STEPS_PER_SECOND / 60)} min of one core), ` +
      `more than the bound of ${CONSOLIDATION_WORK_BOUND.toExponential(0)} (a few minutes); use fewer hosts or VMs, a shorter duration or a longer interval`,
  };
}

/** The run configuration of a spec, for `vms` traces. */
export function consolidationConfig(spec: ConsolidationSpec, vms: number): ConsolidationConfig {
  return {
    hostTypes: spec.hostTypes,
    hosts: Int32Array.from({ length: spec.hostCount }, (_, i) => i % spec.hostTypes.length),
    vmTypes: spec.vmTypes,
    vmTypeOf: quarterVmTypes(vms, spec.vmTypes.length),
    policy: spec.policy,
    parameter: spec.param,
    schedulingInterval: spec.interval,
    traceInterval: spec.traceInterval,
    simulationLimit: spec.duration,
    startTime: spec.startTime,
    reservationCheck: 'initial-only',
    seed: spec.seed,
  };
}

/** The live-migration settings of a migration spec (engine defaults for what it leaves out). */
export function liveSettings(m: MigrationSpecValue): Partial<LiveMigrationSettings> {
  const settings: Partial<LiveMigrationSettings> = { algorithm: m.model as LiveMigrationSettings['algorithm'] };
  if (m.preset !== undefined) settings.preset = m.preset;
  if (m.writeRateAtFullLoad !== undefined) settings.writeRateAtFullLoad = m.writeRateAtFullLoad;
  if (m.hotShare !== undefined) settings.hotShare = m.hotShare;
  if (m.hotFraction !== undefined) settings.hotFraction = m.hotFraction;
  if (m.latency !== undefined) settings.latency = m.latency;
  if (m.networkModel !== undefined) settings.networkModel = m.networkModel;
  if (m.seed !== undefined) settings.seed = m.seed;
  if (m.fidelity !== undefined) settings.fidelity = m.fidelity;
  if (m.reuse !== undefined) settings.reuse = { ...keptImageDefaults, ...m.reuse };
  // every migration option the block sets, over the engine's defaults
  const options: Record<string, unknown> = {};
  for (const name of migrationOptionNames) {
    const value = (m as Record<string, unknown>)[name];
    if (name === 'algorithm' || name === 'preset' || value === undefined) continue;
    if (name === 'deferHot') options.deferHot = value === null ? null : { ...deferralDefaults, ...(value as object) };
    else if (name === 'reuse') continue; // the data center's reuse (settings.reuse), not one migration's
    else options[name] = value;
  }
  if (Object.keys(options).length > 0) settings.options = options as LiveMigrationSettings['options'];
  return settings;
}

/** The migration cost model of a spec. */
export function migrationModelOf(m: MigrationSpecValue): MigrationModel {
  return m.model === 'cloudsim' ? cloudsimMigrationModel : liveMigrationModel(liveSettings(m));
}
