/**
 * @module scenario/schema
 * The scenario file format (YAML or JSON), validated with zod: units are parsed here, at the edge,
 * and every error names its path ("vms[2].memory: expected a size like 4GiB, got \"4 gigs\"").
 * The same schema is published as JSON Schema (`lmsim schema`).
 */
import { z } from 'zod';
import type { AlgorithmName, MigrationOptions } from '../migration/options.js';
import type { PrecopyPresetName } from '../migration/algorithms/precopy.js';
import type { DeferralOptions } from '../migration/optimizations/deferral.js';
import type { ReuseOptions } from '../migration/reuse.js';
import { migrationOptionNames } from '../migration/option-registry.js';
import { networkModelFields, networkModelNames } from '../network/network-models.js';
import { Duration, orUnlimited, Rate, Size } from './fields.js';
import { normalizeOptions, optionFields, withNamedOptions, type OptionFields } from './migration-options.js';

export { Duration, orUnlimited, Rate, Size, unit } from './fields.js';

/** A write rate: "20000/s" (pages per second) or a byte rate "64MiB/s"; converted with the page size later. */
const PageRate = z
  .union([z.number().nonnegative(), z.string()])
  .meta({ description: 'page writes per second: "20000/s", or a byte rate like "64MiB/s"', examples: ['20000/s'] });

const Fraction = z.number().min(0).max(1);

const workloadFields = {
  writeSize: Size.optional().meta({ description: 'bytes a write changes in its page (the same bytes each time), default the whole page: drives XBZRLE deltas' }),
  writeRate: PageRate,
  readRate: PageRate.optional().meta({ description: 'page reads per second besides the writes (they matter for post-copy), default 0' }),
  workingSet: Size.optional().meta({ description: 'pages the guest writes, default: its resident memory' }),
  offset: Size.optional().meta({ description: 'where the working set starts in guest memory, default 0' }),
  scatteredOver: Size.optional().meta({
    description: 'the working set is a scattered set of pages drawn once per VM (seeded) out of this many bytes from `offset`, visited in address order; default: contiguous from `offset`',
  }),
};

export const workloadKinds = ['idle', 'uniform', 'hotcold', 'zipf', 'sweep', 'mix', 'phases'] as const;

interface PatternInput {
  writeSize?: number;
  writeRate: number | string;
  readRate?: number | string;
  workingSet?: number;
  offset?: number;
  scatteredOver?: number;
}

export type WorkloadInput =
  | { kind: 'idle' }
  | ({ kind: 'uniform' } & PatternInput)
  | ({ kind: 'hotcold'; hotSet: number; hotShare: number } & PatternInput)
  | ({ kind: 'zipf'; exponent: number } & PatternInput)
  | ({ kind: 'sweep' } & PatternInput)
  | { kind: 'mix'; parts: MixPartInput[] }
  | { kind: 'phases'; repeat: boolean; phases: { duration: number; workload: WorkloadInput }[] };

export type MixPartInput = Exclude<WorkloadInput, { kind: 'mix' } | { kind: 'phases' }>;

const patternKinds = [
  z.strictObject({ kind: z.literal('idle') }),
  z.strictObject({ kind: z.literal('uniform'), ...workloadFields }),
  z.strictObject({
    kind: z.literal('hotcold'),
    ...workloadFields,
    hotSet: Size.meta({ description: 'size of the hot set at the start of the working set' }),
    hotShare: Fraction.meta({ description: 'share of writes that go to the hot set, 0..1' }),
  }),
  z.strictObject({
    kind: z.literal('zipf'),
    ...workloadFields,
    exponent: z.number().positive().default(1).meta({ description: 'Zipf exponent s: P(rank k) ~ k^-s' }),
  }),
  z.strictObject({ kind: z.literal('sweep'), ...workloadFields }),
] as const;

export const Workload: z.ZodType<WorkloadInput> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    ...patternKinds,
    z.strictObject({
      kind: z.literal('mix'),
      parts: z
        .array(z.discriminatedUnion('kind', [...patternKinds]))
        .min(1)
        .meta({ description: 'patterns that run at the same time (several regions, or an application beside the guest kernel): writes add up, accesses come from each part by its rate' }),
    }),
    z.strictObject({
      kind: z.literal('phases'),
      repeat: z.boolean().default(false),
      phases: z.array(z.strictObject({ duration: Duration, workload: Workload })).min(1),
    }),
  ]),
) as unknown as z.ZodType<WorkloadInput>;

/** A migration's options as validated: QEMU's names folded in, algorithm and preset resolved. */
export type MigrationOptionValues = { algorithm: AlgorithmName; preset: PrecopyPresetName } & Partial<Omit<MigrationOptions, 'algorithm' | 'preset' | 'deferHot' | 'reuse'>> & {
  deferHot?: Partial<DeferralOptions> | null;
  reuse?: Partial<ReuseOptions>;
};

const migrationPlan = {
  id: z.string().min(1).optional().meta({ description: 'a name other migrations can follow with `after`' }),
  vm: z.string().min(1).meta({ description: 'a VM, or a VM group (all its members migrate)' }),
  to: z.string().min(1).meta({ description: 'the destination host' }),
  after: z.string().min(1).optional().meta({ description: 'start when the migration with this id has completed (for a group: the same member\'s)' }),
  at: Duration.default(0).meta({ description: 'start time; with `after`, the delay after that migration completed' }),
};

/** One migration: what moves where and when, and its options (every registry option, by lmsim's or QEMU's name). */
function migrationSchema(options: Partial<OptionFields>) {
  return z.strictObject({ ...migrationPlan, ...options }).transform((m, ctx) => {
    const values = normalizeOptions(m, ctx);
    // the output lists the plan, then the options in declaration order; algorithm and preset always
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(migrationPlan)) if (values[key] !== undefined) out[key] = values[key];
    out.algorithm = values.algorithm ?? 'precopy';
    out.preset = values.preset ?? 'qemu';
    for (const key of migrationOptionNames) if (values[key] !== undefined && out[key] === undefined) out[key] = values[key];
    return out as { id?: string; vm: string; to: string; after?: string; at: number } & MigrationOptionValues;
  });
}

export const Failure = z.union([
  z.strictObject({ at: Duration, link: z.string().regex(/^[^-\s]+-[^-\s]+$/, 'expected "HOST-HOST", e.g. "A-B"') }),
  z.strictObject({ at: Duration, host: z.string().min(1) }),
]);

/** A `compare:` entry: options set on every migration (scenario/variants.ts), checked like a migration's. */
function variantSchema(options: Partial<OptionFields>) {
  return z
    .strictObject({ label: z.string().optional().meta({ description: 'the name in tables; default algorithm[:preset] and the options set' }), ...options })
    .superRefine((v, ctx) => void normalizeOptions(v, ctx));
}

/** The scenario format, given the schemas of a migration and of a `compare:` entry. */
function scenarioSchema<M extends z.ZodType<MigrationSpecT>, V extends z.ZodType<z.output<ReturnType<typeof variantSchema>>>>(migration: M, variant: V) {
  return z
    .strictObject({
      $schema: z.string().optional(),
      name: z.string().default('scenario'),
      description: z.string().optional(),
      seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).meta({ description: 'seed of every random stream, a whole number from 0 to 2^53-1' }),
      pageSize: Size.default(4096),
      fidelity: z
        .enum(['page', 'fluid'])
        .default('page')
        .meta({ description: 'page: every page in typed arrays; fluid: memory as regions with expected counts (fast, for many VMs)' }),
      horizon: Duration.default(3600).meta({ description: 'simulated time limit; migrations still running then are reported unfinished' }),
      network: z.strictObject({
        bandwidth: Rate.meta({ description: 'each host NIC, per direction' }),
        latency: Duration.default(0),
        // optional without defaults: a scenario that names no model validates to what it said
        model: z.enum(networkModelNames).optional().meta({ description: networkModelFields.model }),
        tcpWindow: orUnlimited(Size).optional().meta({ description: networkModelFields.tcpWindow }),
        bandwidthFactor: z.number().gt(0).max(1).optional().meta({ description: networkModelFields.bandwidthFactor }),
        latencyFactor: z.number().nonnegative().optional().meta({ description: networkModelFields.latencyFactor }),
        crossTraffic: Fraction.optional().meta({ description: networkModelFields.crossTraffic }),
        weightS: z.number().nonnegative().optional().meta({ description: networkModelFields.weightS }),
      }),
      hosts: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            memory: Size,
            nic: Rate.optional().meta({ description: 'this host NIC, default network.bandwidth' }),
            maxConcurrent: z.number().int().positive().optional().meta({ description: 'most migrations at once with this host as source or destination; default unlimited' }),
          }),
        )
        .min(1),
      vms: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            count: z.number().int().positive().optional().meta({ description: 'a group of identical VMs named NAME-1 .. NAME-count' }),
            host: z.string().min(1),
            memory: Size,
            resident: Size.optional().meta({ description: 'memory holding data at start (the rest is zero pages); default all' }),
            residentAt: z.enum(['start', 'end']).default('start').meta({ description: 'where that data is: the first pages, or the last (Linux fills memory from the top)' }),
            residentTop: Size.optional().meta({
              description: "data pages at the very top of memory besides `resident` (with residentAt: start): what a guest kernel allocates there at boot, such as its per-page structures (struct page: 64 bytes per 4 KiB page)",
            }),
            free: z
              .strictObject({
                size: Size.meta({ description: 'free memory (unused, not zero) at the top of the resident memory' }),
                churn: PageRate.optional().meta({ description: 'pages allocated (and as many freed) per second, default 0' }),
              })
              .optional(),
            duplicates: z
              .strictObject({
                image: z.string().min(1).optional().meta({ description: 'VMs naming the same image share the content of their first `share` of resident pages' }),
                share: Fraction.default(0).meta({ description: 'share of resident pages with the image content' }),
                internal: Fraction.default(0).meta({ description: 'share of resident pages that duplicate another page of the same VM (pairs)' }),
              })
              .optional(),
            catchUp: Duration.optional().meta({ description: 'a guest paced by the wall clock catches up this much backlog after a stall (throttling), default 0: compute-bound' }),
            compressibility: Fraction.optional().meta({ description: 'share of a data page that compression removes (zlib level 1), default 0.5' }),
            workload: Workload.default({ kind: 'idle' }),
          }),
        )
        .min(1),
      migrations: z.array(migration).default([]),
      failures: z.array(Failure).default([]).meta({ description: 'injected failures: { at, link: "A-B" } cuts A from B, { at, host: B } crashes B' }),
      compare: z.array(variant).optional().meta({ description: 'variants that `lmsim compare` runs when --algorithms is not given' }),
      sweep: z
        .array(z.strictObject({ label: z.string().min(1), set: z.record(z.string(), z.unknown()) }))
        .optional()
        .meta({ description: '`lmsim run` runs one variant per entry: `set` maps paths such as "vms[0].count" to values' }),
    })
    .meta({ title: 'lmsim scenario' });
}

/** The scenario format as files are checked: the option fields of a migration and of a `compare:` entry are built for the options each names. */
export const Scenario = scenarioSchema(withNamedOptions(migrationSchema), withNamedOptions(variantSchema));

/** What a scenario file may hold, as a type: the whole schema's input (`Scenario` takes its option fields as they are named, so its own input type does not spell them). */
export type ScenarioInput = z.input<ReturnType<typeof wholeScenario>>;
export type ScenarioSpec = z.output<typeof Scenario>;
export type MigrationSpecT = z.output<ReturnType<typeof migrationSchema>>;

/** The scenario format with every option field of a migration and of a `compare:` entry, as it is published; `Scenario` checks alike. */
export function wholeScenario() {
  return scenarioSchema(migrationSchema(optionFields()), variantSchema(optionFields()));
}

/** The published JSON Schema of the scenario format. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(wholeScenario(), { io: 'input', unrepresentable: 'any' });
}

/** The names of a VM entry's members: itself, or NAME-1 .. NAME-count for a group. */
export function memberNames(v: { name: string; count?: number }): string[] {
  return v.count === undefined ? [v.name] : Array.from({ length: v.count }, (_, i) => `${v.name}-${i + 1}`);
}
