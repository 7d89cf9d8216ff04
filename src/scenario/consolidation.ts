/**
 * @module scenario/consolidation
 * Consolidation scenario files (YAML or JSON), validated with zod; every error names its path:
 *
 * ```yaml
 * trace: ../shared/data/planetlab/20110303   # a CloudSim PlanetLab day folder, relative to this file
 * policy: lr-mmt                             # dvfs, npa or <thr|iqr|mad|lr|lrr>-<mmt|mc|mu|rs>
 * param: 1.2                                 # the policy's parameter (not for dvfs / npa)
 * migration: cloudsim                        # or precopy | postcopy | hybrid | { model: precopy, ... }
 * hosts: planetlab-cloudsim                  # or { count: 800, types: [ { name, cores, mips, memory, bandwidth, power } ] }
 * vms: planetlab-cloudsim                    # or { types: [ { name, mips, cores, memory, bandwidth } ], count: N }
 * ```
 *
 * Host types are assigned round-robin by host id (CloudSim: G4, G5, G4 ...); VM types by contiguous
 * blocks of the (sorted) trace list (CloudSim's Helper). Units as in migration scenarios
 * (src/core/units.ts): `4096MB`, `1Gbit/s`, `300s`, `5000/s`.
 */
import { z } from 'zod';
import { formatIssue as formatScenarioIssue, formatPath, parseScenarioData, ScenarioError } from './load.js';
import { Duration, Rate, Size, unit } from './schema.js';
import { parseDuration, parsePageRate, UnitError } from '../core/units.js';
import { cloudsimMigrationModel, type MigrationModel } from '../datacenter/migration-model.js';
import { liveMigrationModel, type LiveMigrationSettings } from '../datacenter/live-migration.js';
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
import { POWER_TABLE_POINTS } from '../datacenter/power.js';
import { quarterVmTypes } from '../datacenter/run.js';
import type { ConsolidationConfig, HostType, VmType } from '../datacenter/types.js';

/** Bad consolidation input: the same error as a bad migration scenario ("path: message" lines). */
export { ScenarioError as ConsolidationInputError };
const PositiveDuration = unit((v) => {
  const d = parseDuration(v);
  if (!(d > 0)) throw new UnitError('a duration > 0 like 300s or 5min', v);
  return d;
});
const PAGE_SIZE = 4096;
const PageRate = unit((v) => parsePageRate(v, PAGE_SIZE));
const Fraction = z.number().min(0).max(1);
const Count = z.number().int().positive();

const HostTypeSpec = z.strictObject({
  name: z.string().min(1),
  cores: Count,
  /** MIPS of one core. */
  mips: z.number().positive(),
  memory: Size,
  bandwidth: Rate,
  /** Watts at 0, 10, ..., 100 % CPU. */
  power: z.array(z.number().nonnegative()).length(POWER_TABLE_POINTS),
});

const VmTypeSpec = z.strictObject({
  name: z.string().min(1),
  mips: z.number().positive(),
  cores: Count.default(1),
  memory: Size,
  bandwidth: Rate,
});

const PLANETLAB = 'planetlab-cloudsim';

const HostsSpec = z.union([
  z.literal(PLANETLAB),
  z.strictObject({
    count: Count.default(PLANETLAB_HOSTS),
    types: z.array(HostTypeSpec).min(1).optional(),
  }),
]);

const VmsSpec = z.union([
  z.literal(PLANETLAB),
  z.strictObject({
    types: z.array(VmTypeSpec).min(1).optional(),
    /** Use only the first `count` trace files. */
    count: Count.optional(),
  }),
]);

export const MIGRATION_MODELS = ['cloudsim', 'precopy', 'postcopy', 'hybrid'] as const;
export type MigrationModelName = (typeof MIGRATION_MODELS)[number];
const PRESETS = ['qemu', 'xen', 'xen-legacy', 'simgrid'] as const;
export const FIDELITIES = ['fluid', 'page'] as const;

const MigrationObject = z.strictObject({
  model: z.enum(MIGRATION_MODELS),
  preset: z.enum(PRESETS).optional(),
  /** 'fluid' (region-level expected counts, fast) or 'page' (page-exact). */
  fidelity: z.enum(FIDELITIES).optional(),
  writeRateAtFullLoad: PageRate.optional(),
  hotShare: Fraction.optional(),
  hotFraction: Fraction.optional(),
  latency: Duration.optional(),
  downtimeLimit: Duration.optional(),
  timeout: PositiveDuration.optional(),
  maxBandwidth: z.union([z.enum(['unlimited', 'none']).transform(() => Infinity), Rate]).optional(),
  seed: z.number().int().optional(),
});

const MigrationSpec = z.union([z.enum(MIGRATION_MODELS).transform((model) => ({ model })), MigrationObject]);

export const ConsolidationFile = z.strictObject({
  name: z.string().optional(),
  /** PlanetLab day folder, relative to the scenario file. */
  trace: z.string().min(1),
  policy: z.string(),
  param: z.number().positive().optional(),
  migration: MigrationSpec.default({ model: 'cloudsim' }),
  hosts: HostsSpec.default(PLANETLAB),
  vms: VmsSpec.default(PLANETLAB),
  /** Seconds between consolidation steps (300). */
  interval: PositiveDuration.optional(),
  /** Seconds between trace samples (300). */
  traceInterval: PositiveDuration.optional(),
  /** Simulated time (24h). */
  duration: PositiveDuration.optional(),
  /** When the workload starts (CloudSim: 0.1 s). */
  startTime: Duration.optional(),
  seed: z.number().int().optional(),
});

/** A validated consolidation scenario, units in seconds, bytes, bytes/s; the trace path absolute. */
export interface ConsolidationSpec {
  name?: string;
  trace: string;
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
}

export type MigrationSpecValue = z.output<typeof MigrationObject>;

/** The consolidation format's own wording (string-or-object fields, values and bounds with what was given); the rest as in migration scenarios. */
function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      if (typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)) {
        // an object that failed: report the object branch's own issues (the others wanted a string)
        const objectBranch = issue.errors.find((branch) => !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_value' || i.code === 'invalid_type')));
        if (objectBranch) return objectBranch.map((i) => formatIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue)).join('\n');
      }
      const custom = issue.errors.flat().find((i) => i.code === 'custom');
      if (custom) return `${where}${custom.path.length ? '.' + formatPath(custom.path) : ''}: ${custom.message}`;
      if (where === 'migration') {
        return `migration: expected one of ${MIGRATION_MODELS.map((m) => `"${m}"`).join(', ')} or { model, preset, fidelity, writeRateAtFullLoad, hotShare, hotFraction, latency, downtimeLimit, timeout, maxBandwidth, seed }, got ${JSON.stringify(issue.input)}`;
      }
      if (where === 'hosts' || where === 'vms') return `${where}: expected "${PLANETLAB}" or { count, types: [...] }, got ${JSON.stringify(issue.input)}`;
      return `${where}: ${issue.message}`;
    }
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`;
    case 'too_small':
    case 'too_big':
      return `${where}: ${issue.message}${issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : ''}`;
    default:
      return formatScenarioIssue(issue);
  }
}

/** Parses YAML/JSON text into a mapping (not yet validated). */
export function parseConsolidationText(text: string, source = 'consolidation scenario'): Record<string, unknown> {
  return parseScenarioData(text, source, 'a mapping with trace, policy, param, migration, hosts');
}

/**
 * Validates a parsed consolidation scenario.
 * @param baseDir folder the trace path is relative to (the scenario file's folder).
 * @param isFolder tells whether the trace folder exists (the caller's file system; omit to skip).
 * @throws ConsolidationInputError with every issue, each naming its path.
 */
export function validateConsolidation(data: unknown, source = 'consolidation scenario', baseDir = '.', isFolder?: (path: string) => boolean): ConsolidationSpec {
  const parsed = ConsolidationFile.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new ScenarioError(parsed.error.issues.flatMap((i) => formatIssue(i).split('\n')), source);
  const f = parsed.data;
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
  const trace = f.trace.startsWith('/') ? f.trace : `${baseDir.replace(/\/+$/, '')}/${f.trace}`;
  if (isFolder && !isFolder(trace)) {
    issues.push(`trace: no folder ${trace}${trace !== f.trace ? ` ("${f.trace}" relative to ${baseDir})` : ''}; expected a CloudSim PlanetLab day folder (one file of 288 CPU percents per VM)`);
  }
  const m: MigrationSpecValue = f.migration;
  if (m.model === 'cloudsim') {
    const extra = Object.keys(m).filter((k) => k !== 'model');
    if (extra.length > 0) issues.push(`migration: ${extra.map((k) => `"${k}"`).join(', ')} only apply to precopy, postcopy and hybrid, not to cloudsim`);
  } else if (m.preset !== undefined && m.model !== 'precopy' && m.model !== 'hybrid') {
    issues.push(`migration.preset: a pre-copy preset does not apply to ${m.model}`);
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
  if (m.seed !== undefined) settings.seed = m.seed;
  if (m.fidelity !== undefined) settings.fidelity = m.fidelity;
  const options: Record<string, number> = {};
  if (m.downtimeLimit !== undefined) options.downtimeLimit = m.downtimeLimit;
  if (m.timeout !== undefined) options.timeout = m.timeout;
  if (m.maxBandwidth !== undefined) options.maxBandwidth = m.maxBandwidth;
  if (Object.keys(options).length > 0) settings.options = options as LiveMigrationSettings['options'];
  return settings;
}

/** The migration cost model of a spec. */
export function migrationModelOf(m: MigrationSpecValue): MigrationModel {
  return m.model === 'cloudsim' ? cloudsimMigrationModel : liveMigrationModel(liveSettings(m));
}
