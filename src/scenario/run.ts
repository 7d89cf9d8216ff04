/**
 * @module scenario/run
 * runScenario(): the pure entry point. A validated scenario in, the one RunResult record out.
 * No I/O, no clock: the same scenario and seed give byte-identical JSON.
 */
import { Priority, Simulation } from '../core/kernel.js';
import { parsePageRate } from '../core/units.js';
import { Migration } from '../migration/driver.js';
import { rampDefaults, RampOptions } from '../migration/algorithms/downtime-ramp.js';
import { defaultOptions, MigrationOptions } from '../migration/options.js';
import { MigrationResult } from '../migration/result.js';
import { Host, HostMemoryStats, World } from '../migration/world.js';
import { deferralDefaults } from '../migration/optimizations/deferral.js';
import { PageImage } from '../memory/page-image.js';
import { resolveNetworkModel } from '../network/network-models.js';
import { FreeMemory } from '../workload/free-memory.js';
import { createWorkload, MixPart, WorkloadSpec } from '../workload/workload.js';
import { fluidLayout } from '../workload/fluid-layout.js';
import type { FluidLayout } from '../memory/fluid.js';
import { VERSION } from '../version.js';
import { memberNames, MigrationSpecT, ScenarioSpec, WorkloadInput } from './schema.js';
import { NAME_FIELDS, signature } from './alike-entries.js';

export interface HostResult {
  name: string;
  memory: number;
  /** Reserved by VMs at the end, bytes. */
  used: number;
  /** Held by kept images at the end, bytes. */
  keptBytes: number;
  /** Memory over the run: peaks, time-average of kept images, evictions, the series. */
  memoryStats: HostMemoryStats;
}

export interface RunResult {
  lmsim: string;
  scenario: string;
  seed: number;
  /** Simulated time when the run ended, s. */
  simulatedTime: number;
  events: number;
  migrations: MigrationResult[];
  vms: { name: string; host: string; state: string }[];
  hosts: HostResult[];
  /** The validated input, units resolved to seconds, bytes and bytes/s. */
  input: ScenarioSpec;
}

export interface RunOptions {
  /** Called now and then with the simulated time and the horizon (for a progress bar). */
  onProgress?: (time: number, horizon: number) => void;
  /**
   * Page-exact memory on its plain path: the guest's writes one by one and transfers page by page,
   * without the bulk writes and the word-at-a-time scan (the same results, slower; docs/design.md).
   */
  pageByPage?: boolean;
}

/** Runs a validated scenario to completion (or its horizon). */
export function runScenario(spec: ScenarioSpec, options: RunOptions = {}): RunResult {
  const sim = new Simulation();
  const world = new World(sim, spec.seed, spec.network.latency, resolveNetworkModel(spec.network));
  world.pageByPage = options.pageByPage === true;
  for (const h of spec.hosts) world.addHost(h.name, h.memory, h.nic ?? spec.network.bandwidth, h.maxConcurrent ?? Infinity);
  const groups = new Map<string, string[]>();
  // skip-hot predicts from the time of each page's last write: kept from the start when a migration may ask
  const recency = spec.migrations.some((m) => m.reuse?.policy?.includes('skip-hot'));
  const shapes = new Map<string, { workloadSpec: WorkloadSpec; layout: FluidLayout | undefined }>();
  // every VM is there at time 0: each host's memory is reserved once for all its VMs, which gives
  // the same sum, peak and record as VM by VM (a data center has thousands of VMs)
  const placed = new Map<Host, number>();
  for (const v of spec.vms) {
    const names = memberNames(v);
    groups.set(v.name, names);
    const pages = Math.ceil(v.memory / spec.pageSize);
    const resident = Math.floor((v.resident ?? v.memory) / spec.pageSize);
    const top = Math.floor((v.residentTop ?? 0) / spec.pageSize);
    // VM entries alike (thousands in a large data center) share their workload in pages and their regions
    const key = `${JSON.stringify(v.workload)} ${v.memory} ${resident} ${v.residentAt} ${top}`;
    let shape = shapes.get(key);
    if (!shape) {
      const workloadSpec = toPages(v.workload, v.memory, spec.pageSize);
      shapes.set(key, (shape = { workloadSpec, layout: spec.fidelity === 'fluid' ? fluidLayout(workloadSpec, pages, resident, v.residentAt, top) : undefined }));
    }
    const { workloadSpec, layout } = shape;
    // an idle guest draws nothing and keeps no state: its members share one (and no random stream)
    const idle = workloadSpec.kind === 'idle' ? createWorkload(workloadSpec, world.rng('idle')) : null;
    for (const name of names) {
      const workload = idle ?? createWorkload(workloadSpec, world.rng(`vm:${name}:workload`));
      const host = world.hosts.get(v.host)!;
      const vm = world.addVm(name, pages * spec.pageSize, spec.pageSize, resident, workload, host, layout, v.residentAt, recency, top, false);
      placed.set(host, (placed.get(host) ?? 0) + vm.memory);
      if (v.compressibility !== undefined) vm.compressibility = v.compressibility;
      if (v.catchUp !== undefined) vm.catchUp = v.catchUp;
      if (vm.image && v.free) {
        const size = Math.min(resident, Math.floor(v.free.size / spec.pageSize));
        const churn = v.free.churn === undefined ? 0 : parsePageRate(v.free.churn, spec.pageSize);
        vm.freeMemory = new FreeMemory(vm.image, resident - size, size, resident, churn, world.rng(`vm:${name}:free`));
      }
      if (vm.image && v.duplicates) addDuplicates(world, vm.image, name, resident, v.duplicates);
    }
  }
  for (const [host, bytes] of placed) host.reserve(bytes, sim.now);
  // one migration per member of a group; `after` follows the same member's earlier migration
  const byId = new Map<string, Map<string, Migration>>();
  const migrations: Migration[] = [];
  // the members share their resolved options, and so do entries alike but for their names (a
  // generated data center repeats one entry under thousands): nothing changes options once resolved
  const resolved = new Map<string, MigrationOptions>();
  for (const m of spec.migrations) {
    const members = groups.get(m.vm) ?? [m.vm];
    const mine = new Map<string, Migration>();
    const key = signature(m as unknown as Record<string, unknown>, NAME_FIELDS.migrations);
    let options = key === undefined ? undefined : resolved.get(key);
    if (options === undefined) {
      options = resolveOptions(m);
      if (key !== undefined) resolved.set(key, options);
    }
    for (const name of members) {
      const after = m.after ? byId.get(m.after)?.get(name) ?? null : null;
      const migration = new Migration(world, world.vms.get(name)!, world.hosts.get(m.to)!, m.at, options, after);
      mine.set(name, migration);
      migrations.push(migration);
    }
    if (m.id) byId.set(m.id, mine);
  }
  for (const f of spec.failures) {
    const inject = 'link' in f
      ? () => { const [a, b] = f.link.split('-'); world.cutLink(world.hosts.get(a)!, world.hosts.get(b)!); }
      : () => world.crashHost(world.hosts.get(f.host)!);
    sim.scheduleAt(f.at, { onEvent: inject }, 0, Priority.urgent);
  }
  const { onProgress } = options;
  sim.run(spec.horizon, onProgress && ((t) => onProgress(t, spec.horizon)));
  for (const m of migrations) m.giveUpAtHorizon(sim, spec.horizon);
  return {
    lmsim: VERSION,
    scenario: spec.name,
    seed: spec.seed,
    simulatedTime: sim.now,
    events: sim.eventsRun,
    migrations: migrations.map((m) => m.result),
    vms: [...world.vms.values()].map((vm) => ({ name: vm.name, host: vm.host.name, state: vm.state })),
    hosts: [...world.hosts.values()].map((h) => ({
      name: h.name,
      memory: h.memory,
      used: h.used,
      keptBytes: h.keptBytes,
      memoryStats: h.finish(sim.now),
    })),
    input: spec,
  };
}

/** Preset defaults, then the scenario's overrides. */
export function resolveOptions(m: Omit<MigrationSpecT, 'vm' | 'to' | 'at'>): MigrationOptions {
  const options = defaultOptions(m.algorithm, m.preset);
  for (const [key, value] of Object.entries(m)) {
    if (value === undefined || !(key in options)) continue;
    if (key === 'reuse') options.reuse = { ...options.reuse, ...stripUndefined(value as object) };
    else if (key === 'downtimeRamp') {
      const ramp = value as Partial<RampOptions>;
      options.downtimeRamp = { ...rampDefaults[ramp.schedule ?? 'nova'], ...stripUndefined(ramp) };
    } else if (key === 'deferHot') options.deferHot = value === null ? null : { ...deferralDefaults, ...stripUndefined(value as object) };
    else (options as unknown as Record<string, unknown>)[key] = value;
  }
  return options;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Content identity for dedup: the first `share` of resident pages hold the named image's pages
 * (the same in every VM that names it); the next `internal` share are pairs of equal pages.
 */
function addDuplicates(world: World, image: PageImage, vm: string, resident: number, d: { image?: string; share: number; internal: number }): void {
  const content = (image.content = new Uint32Array(image.pageCount));
  const shared = d.image ? Math.floor(resident * d.share) : 0;
  if (shared > 0) {
    const base = world.contentBase(`image:${d.image}`);
    for (let p = 0; p < shared; p++) content[p] = base + p;
  }
  const internal = Math.floor(resident * d.internal) & ~1;
  if (internal > 0) {
    const base = world.contentBase(`vm:${vm}`);
    for (let i = 0; i < internal && shared + i < resident; i++) content[shared + i] = base + (i >> 1);
  }
}

/** Workload sizes in bytes -> pages (the runtime works in pages). */
function toPages(w: WorkloadInput, memory: number, pageSize: number): WorkloadSpec {
  const pages = (bytes: number) => Math.floor(bytes / pageSize);
  switch (w.kind) {
    case 'idle':
      return w;
    case 'phases':
      return {
        kind: 'phases',
        repeat: w.repeat,
        phases: w.phases.map((p) => ({ duration: p.duration, workload: toPages(p.workload, memory, pageSize) })),
      };
    case 'mix':
      return { kind: 'mix', parts: w.parts.map((p) => toPages(p, memory, pageSize) as MixPart) };
    default: {
      const offset = pages(w.offset ?? 0);
      const workingSet = pages(w.workingSet ?? memory - (w.offset ?? 0));
      const pattern = {
        writeSize: w.writeSize,
        writeRate: parsePageRate(w.writeRate, pageSize),
        readRate: w.readRate === undefined ? 0 : parsePageRate(w.readRate, pageSize),
        offset,
        workingSet,
        ...(w.scatteredOver === undefined ? {} : { scatteredOver: pages(w.scatteredOver) }),
      };
      if (w.kind === 'hotcold') return { kind: 'hotcold', ...pattern, hotSet: pages(w.hotSet), hotShare: w.hotShare };
      if (w.kind === 'zipf') return { kind: 'zipf', ...pattern, exponent: w.exponent };
      return { kind: w.kind, ...pattern };
    }
  }
}
