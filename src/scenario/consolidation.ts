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
import { ScenarioError } from './errors.js';
import { formatIssue as formatScenarioIssue, formatPath, parseScenarioData } from './load.js';
import { OverlayError, overlayScenario } from './overlay.js';
import { Duration, Rate, Size, unit, type MigrationOptionValues } from './schema.js';
import { normalizeOptions, optionFields } from './migration-options.js';
import { reusePolicies } from '../migration/reuse.js';
import { networkModelNames, type NetworkModelName } from '../network/network-models.js';
import { FIDELITIES, MIGRATION_MODELS } from './consolidation-names.js';
import { checkConsolidation, FIELD_DEFAULTS, PLANETLAB, type ConsolidationSpec } from './consolidation-spec.js';
import { parseDuration, parsePageRate, UnitError } from '../core/units.js';
import { PLANETLAB_HOSTS } from '../datacenter/planetlab-config.js';
import { POWER_TABLE_POINTS } from '../datacenter/power.js';

// The parts that need neither zod nor yaml live in their own modules (`lmsim consolidate --trace
// DIR` loads only those); they are re-exported here, where they always were.
export { FIDELITIES, MIGRATION_MODELS, type MigrationModelName } from './consolidation-names.js';
import type { MigrationModelName } from './consolidation-names.js';
export { consolidationConfig, liveSettings, migrationModelOf, type ConsolidationSpec } from './consolidation-spec.js';

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

/** Memory reuse across a consolidation run (datacenter/kept-images.ts): a policy, or the policy with its parameters. */
const ReuseSpec = z.union([
  z.enum(reusePolicies).transform((policy) => ({ policy })),
  z.strictObject({
    policy: z.enum(reusePolicies),
    /** skip-hot: pages written this recently before departure are not kept. */
    hotWindow: Duration.optional(),
    /** What a host that switches off does with its images: drop (its DRAM goes off) or keep (an upper bound: memory kept powered at no cost). */
    whenOff: z.enum(['drop', 'keep']).optional(),
  }),
]);

/** A live migration's settings: lmsim's assumptions about the guests, then every migration option (by lmsim's or QEMU's name). */
const MigrationObject = z
  .strictObject({
    model: z.enum(MIGRATION_MODELS).meta({ description: 'cloudsim (one delay, RAM / (BW/2)) or a live-migration algorithm' }),
    /** 'fluid' (region-level expected counts, fast) or 'page' (page-exact). */
    fidelity: z.enum(FIDELITIES).optional().meta({ description: 'fluid: region-level expected counts, fast (default); page: page-exact, slow' }),
    writeRateAtFullLoad: PageRate.optional().meta({ description: 'page writes per second of a VM at 100% CPU, in proportion below (default 5000/s)' }),
    hotShare: Fraction.optional().meta({ description: 'share of the writes that go to the hot set (default 0.9)' }),
    hotFraction: Fraction.optional().meta({ description: "hot set as a share of the VM's memory (default 0.1)" }),
    latency: Duration.optional().meta({ description: 'one-way latency between hosts (default 0.2ms)' }),
    networkModel: z.enum(networkModelNames).optional().meta({ description: 'how transfers pay the latency: once (default), per-transfer, cm02, lv08 (docs/model.md, Network)' }),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: "seed of the guests' random streams" }),
    ...optionFields(['algorithm', 'reuse']),
    reuse: ReuseSpec.optional().meta({ description: 'memory reuse across the run (fluid memory): hosts keep the images of VMs that left them' }),
  })
  .transform((m, ctx) => normalizeOptions(m, ctx, 'model') as LiveMigrationFields);

/** The `migration:` block as validated. */
export type LiveMigrationFields = {
  model: MigrationModelName;
  fidelity?: (typeof FIDELITIES)[number];
  writeRateAtFullLoad?: number;
  hotShare?: number;
  hotFraction?: number;
  latency?: number;
  networkModel?: NetworkModelName;
  seed?: number;
} & Partial<Omit<MigrationOptionValues, 'algorithm' | 'reuse'>> & { reuse?: { policy: (typeof reusePolicies)[number]; hotWindow?: number; whenOff?: 'drop' | 'keep' } };

const MigrationSpec = z.union([z.enum(MIGRATION_MODELS).transform((model) => ({ model })), MigrationObject]);

export const ConsolidationFile = z.strictObject({
  name: z.string().optional(),
  /** PlanetLab day folder, relative to the scenario file; without it, seeded synthetic traces (datacenter/synthetic-traces.ts). */
  trace: z.string().min(1).optional(),
  policy: z.string(),
  param: z.number().positive().optional(),
  migration: MigrationSpec.default(FIELD_DEFAULTS.migration),
  hosts: HostsSpec.default(FIELD_DEFAULTS.hosts),
  vms: VmsSpec.default(FIELD_DEFAULTS.vms),
  /** Seconds between consolidation steps (300). */
  interval: PositiveDuration.optional(),
  /** Seconds between trace samples (300). */
  traceInterval: PositiveDuration.optional(),
  /** Simulated time (24h). */
  duration: PositiveDuration.optional(),
  /** When the workload starts (CloudSim: 0.1 s). */
  startTime: Duration.optional(),
  seed: z.number().int().optional(),
  /**
   * Variants run side by side: each entry sets paths of this scenario (`migration.reuse: keep-all`,
   * `policy: thr-mmt`), with an optional `label`; each variant is validated like the file.
   */
  compare: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
});

export type MigrationSpecValue = LiveMigrationFields;
/** What the schema accepted: the input of the checks it cannot express (checkConsolidation). */
export type ConsolidationFields = z.output<typeof ConsolidationFile>;

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
        return `migration: expected one of ${MIGRATION_MODELS.map((m) => `"${m}"`).join(', ')} or { model, fidelity, writeRateAtFullLoad, hotShare, hotFraction, latency, networkModel, seed, and any migration option (docs/options.md) }, got ${JSON.stringify(issue.input)}`;
      }
      if (where === 'migration.reuse') {
        return `migration.reuse: expected one of ${reusePolicies.map((m) => `"${m}"`).join(', ')} or { policy, hotWindow, whenOff }, got ${JSON.stringify(issue.input)}`;
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
  const spec = checkConsolidation(parsed.data, source, baseDir, isFolder);
  const compare = parsed.data.compare;
  if (compare === undefined) return spec;
  const { compare: _, ...base } = data as Record<string, unknown>;
  const variants = compare.map((entry, i) => {
    const { label, ...paths } = entry;
    if (label !== undefined && typeof label !== 'string') throw new ScenarioError([`compare[${i}].label: expected a string, got ${JSON.stringify(label)}`], source);
    if (Object.keys(paths).length === 0) throw new ScenarioError([`compare[${i}]: expected at least one path to set, e.g. { label: keep-all, migration.reuse: keep-all }`], source);
    let raw: Record<string, unknown>;
    try {
      raw = overlayScenario(base, paths);
    } catch (e) {
      if (e instanceof OverlayError) throw new ScenarioError([`compare[${i}].${e.path}: ${e.reason}`], source);
      throw e;
    }
    const name = label ?? Object.entries(paths).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
    return { label: name, spec: validateConsolidation(raw, `${source} compare[${i}]`, baseDir, isFolder) };
  });
  return { ...spec, variants };
}

/** The published JSON Schema of consolidation scenario files (`lmsim schema consolidation`). */
export function consolidationJsonSchema(): object {
  return z.toJSONSchema(ConsolidationFile.meta({ title: 'lmsim consolidation scenario' }), { io: 'input', unrepresentable: 'any' });
}
