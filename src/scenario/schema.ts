/**
 * @module scenario/schema
 * The scenario file format (YAML or JSON), validated with zod: units are parsed here, at the edge,
 * and every error names its path ("vms[2].memory: expected a size like 4GiB, got \"4 gigs\"").
 * The same schema is published as JSON Schema (`lmsim schema`).
 */
import { z } from 'zod';
import { parseDuration, parseRate, parseSize, UnitError } from '../core/units.js';
import { rampSchedules } from '../migration/algorithms/downtime-ramp.js';
import { stallActions } from '../migration/algorithms/stall-detection.js';
import { algorithmNames } from '../migration/options.js';
import { reusePolicies } from '../migration/reuse.js';

/** A number or a human unit string, parsed at the edge; every failure says what was expected. */
export function unit(parse: (v: unknown) => number, description = '', pattern = '') {
  // any input goes to the parser, which names the expected form whatever the mistake
  return z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'required' });
        return z.NEVER;
      }
      try {
        return parse(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof UnitError ? e.message : String(e) });
        return z.NEVER;
      }
    })
    .meta({ type: ['number', 'string'], ...(description ? { description } : {}), ...(pattern ? { examples: [pattern] } : {}) });
}

/** A size: "4GiB", "512MiB", "120MB" or a number of bytes. */
export const Size = unit(parseSize, 'a size: "4GiB", "512MiB", "120MB" or bytes', '4GiB');
/** A rate: "1Gbit/s", "100Mbps", "128MiB/s" or bytes/s. */
export const Rate = unit(parseRate, 'a rate: "1Gbit/s", "100Mbps", "128MiB/s" or bytes/s', '1Gbit/s');
/** A duration: "300ms", "10s", "2min" or seconds. */
export const Duration = unit(parseDuration, 'a duration: "300ms", "10s", "2min" or seconds', '300ms');
/** "unlimited" (or "none") or a value. */
function orUnlimited<T extends z.ZodType>(inner: T) {
  return z.union([z.enum(['unlimited', 'none']).transform(() => Infinity), inner]);
}

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
};

export const workloadKinds = ['idle', 'uniform', 'hotcold', 'zipf', 'sweep', 'phases'] as const;

interface PatternInput {
  writeSize?: number;
  writeRate: number | string;
  readRate?: number | string;
  workingSet?: number;
  offset?: number;
}

export type WorkloadInput =
  | { kind: 'idle' }
  | ({ kind: 'uniform' } & PatternInput)
  | ({ kind: 'hotcold'; hotSet: number; hotShare: number } & PatternInput)
  | ({ kind: 'zipf'; exponent: number } & PatternInput)
  | ({ kind: 'sweep' } & PatternInput)
  | { kind: 'phases'; repeat: boolean; phases: { duration: number; workload: WorkloadInput }[] };

export const Workload: z.ZodType<WorkloadInput> = z.lazy(() =>
  z.discriminatedUnion('kind', [
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
    z.strictObject({
      kind: z.literal('phases'),
      repeat: z.boolean().default(false),
      phases: z.array(z.strictObject({ duration: Duration, workload: Workload })).min(1),
    }),
  ]),
) as unknown as z.ZodType<WorkloadInput>;

/** Overridable migration options (every preset constant is one of these). */
const migrationOptionFields = {
  algorithm: z.enum(algorithmNames).default('precopy'),
  preset: z.enum(['qemu', 'xen', 'xen-legacy', 'simgrid']).default('qemu'),
  downtimeLimit: Duration.optional(),
  maxRounds: orUnlimited(z.number().int().positive()).optional(),
  minDirtyPages: z.number().int().nonnegative().optional(),
  maxSentFactor: orUnlimited(z.number().positive()).optional(),
  maxBandwidth: orUnlimited(Rate).optional(),
  timeout: orUnlimited(Duration).optional(),
  deviceState: Size.optional(),
  resumeLatency: Duration.optional(),
  pageHeader: z.number().int().nonnegative().optional(),
  zeroPageBytes: z.number().int().nonnegative().optional(),
  syncRule: z.enum(['below-threshold', 'round-end']).optional(),
  iterationWindow: Duration.optional(),
  batchPages: orUnlimited(z.number().int().nonnegative()).optional(),
  skipRedirtied: z.boolean().optional(),
  uncappedSwitchover: z.boolean().optional(),
  // post-copy and hybrid
  prepaging: z.enum(['forward', 'bubble', 'none']).optional(),
  preempt: z.boolean().optional(),
  pushChunk: Size.optional(),
  maxPostcopyBandwidth: orUnlimited(Rate).optional(),
  postcopyAfterRounds: orUnlimited(z.number().int().positive()).optional(),
  stallRounds: z.number().int().nonnegative().optional(),
  // downtime-ramp and stall-detection
  downtimeRamp: z
    .union([
      z.enum(rampSchedules).transform((schedule) => ({ schedule })),
      z.strictObject({
        schedule: z.enum(rampSchedules).optional().meta({ description: 'nova (OpenStack downtime steps) or kubevirt (VEP 291 linear ramp); default nova' }),
        maxDowntime: Duration.optional().meta({ description: 'the ceiling (nova live_migration_downtime 500ms, kubevirt maxDowntimeMs 1050ms)' }),
        steps: z.number().int().min(1).optional().meta({ description: 'nova: increments (10); kubevirt: levels from initial to the ceiling (7)' }),
        delayPerGiB: Duration.optional().meta({ description: 'nova live_migration_downtime_delay: time between steps per GiB of RAM, at least 2 GiB counted (75s)' }),
        initialDowntime: Duration.optional().meta({ description: 'kubevirt initialMs (150ms)' }),
        startAfterRound: z.number().int().positive().optional().meta({ description: 'kubevirt startAfterIteration (3)' }),
        cooldown: Duration.optional().meta({ description: 'kubevirt cooldownSeconds between increases (10s)' }),
      }),
    ])
    .optional()
    .meta({ description: 'downtime-ramp: how the downtime limit rises while pre-copy runs' }),
  onStall: z.enum(stallActions).optional().meta({ description: 'stall-detection: abort, or switch to post-copy, after stallRounds syncs without progress (default abort)' }),
  // QEMU optimizations (names follow QEMU's parameters and capabilities)
  xbzrle: z.boolean().optional(),
  xbzrleCacheSize: Size.optional(),
  multifdChannels: z.number().int().nonnegative().optional(),
  compression: z.enum(['none', 'zlib', 'zstd']).optional(),
  autoConverge: z.boolean().optional(),
  cpuThrottleInitial: z.number().min(1).max(99).optional(),
  cpuThrottleIncrement: z.number().min(1).max(99).optional(),
  maxCpuThrottle: z.number().min(1).max(99).optional(),
  throttleTriggerThreshold: z.number().min(1).max(100).optional(),
  dirtyLimit: orUnlimited(Rate).optional(),
  availSwitchoverBandwidth: Rate.optional(),
  syncTime: Duration.optional(),
  // the seed's related work: hot-page deferral, free-page elimination, deduplication
  deferHot: z
    .union([
      z.boolean().transform((on) => (on ? {} : null)),
      z.strictObject({
        predictor: z.enum(['threshold', 'time-series']).optional(),
        window: z.number().int().min(1).max(8).optional().meta({ description: 'rounds of history, 1..8' }),
        threshold: z.number().positive().optional().meta({ description: 'rounds dirtied (threshold) or weighted score (time-series) that make a page hot' }),
        decay: z.number().positive().max(1).optional().meta({ description: 'time-series: weight of each older round' }),
      }),
    ])
    .optional()
    .meta({ description: 'hold pages dirtied in recent rounds back to the stop-and-copy' }),
  freePageHinting: z.boolean().optional().meta({ description: 'do not send free pages (the destination gets zero pages)' }),
  dedup: z.boolean().optional().meta({ description: 'send a page whose content the destination already received as a reference' }),
  // memory reuse
  reuse: z
    .union([
      z.enum(reusePolicies).transform((policy) => ({ policy })),
      z.strictObject({
        policy: z.enum(reusePolicies),
        reportInterval: Duration.optional().meta({ description: 'drop-updated: how often the other host reports written pages' }),
        hotWindow: Duration.optional().meta({ description: 'skip-hot: pages written this recently before departure are not kept' }),
      }),
    ])
    .optional()
    .meta({ description: 'keep the image on the source when the VM leaves, reuse it when it comes back' }),
};

export const MigrationSpec = z.strictObject({
  id: z.string().min(1).optional().meta({ description: 'a name other migrations can follow with `after`' }),
  vm: z.string().min(1).meta({ description: 'a VM, or a VM group (all its members migrate)' }),
  to: z.string().min(1),
  after: z.string().min(1).optional().meta({ description: 'start when the migration with this id has completed (for a group: the same member\'s)' }),
  at: Duration.default(0).meta({ description: 'start time; with `after`, the delay after that migration completed' }),
  ...migrationOptionFields,
});

export const Failure = z.union([
  z.strictObject({ at: Duration, link: z.string().regex(/^[^-\s]+-[^-\s]+$/, 'expected "HOST-HOST", e.g. "A-B"') }),
  z.strictObject({ at: Duration, host: z.string().min(1) }),
]);

export const Variant = z.strictObject({
  label: z.string().optional(),
  ...migrationOptionFields,
});

export const Scenario = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().default('scenario'),
    description: z.string().optional(),
    seed: z.number().int().default(1),
    pageSize: Size.default(4096),
    fidelity: z
      .enum(['page', 'fluid'])
      .default('page')
      .meta({ description: 'page: every page in typed arrays; fluid: memory as regions with expected counts (fast, for many VMs)' }),
    horizon: Duration.default(3600).meta({ description: 'simulated time limit; migrations still running then are reported unfinished' }),
    network: z.strictObject({
      bandwidth: Rate.meta({ description: 'each host NIC, per direction' }),
      latency: Duration.default(0),
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
    migrations: z.array(MigrationSpec).default([]),
    failures: z.array(Failure).default([]).meta({ description: 'injected failures: { at, link: "A-B" } cuts A from B, { at, host: B } crashes B' }),
    compare: z.array(Variant).optional().meta({ description: 'variants that `lmsim compare` runs when --algorithms is not given' }),
    sweep: z
      .array(z.strictObject({ label: z.string().min(1), set: z.record(z.string(), z.unknown()) }))
      .optional()
      .meta({ description: '`lmsim run` runs one variant per entry: `set` maps paths such as "vms[0].count" to values' }),
  })
  .meta({ title: 'lmsim scenario' });

export type ScenarioInput = z.input<typeof Scenario>;
export type ScenarioSpec = z.output<typeof Scenario>;
export type MigrationSpecT = z.output<typeof MigrationSpec>;
export type VariantSpec = z.output<typeof Variant>;

/** The published JSON Schema of the scenario format. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' });
}

/** The names of a VM entry's members: itself, or NAME-1 .. NAME-count for a group. */
export function memberNames(v: { name: string; count?: number }): string[] {
  return v.count === undefined ? [v.name] : Array.from({ length: v.count }, (_, i) => `${v.name}-${i + 1}`);
}
