/**
 * @module scenario/run
 * runScenario(): the pure entry point. A validated scenario in, the one RunResult record out.
 * No I/O, no clock: the same scenario and seed give byte-identical JSON.
 */
import { Priority, Simulation } from '../core/kernel.js';
import { parsePageRate } from '../core/units.js';
import { Migration } from '../migration/driver.js';
import { defaultOptions, MigrationOptions } from '../migration/options.js';
import { MigrationResult } from '../migration/result.js';
import { World } from '../migration/world.js';
import { createWorkload, WorkloadSpec } from '../workload/workload.js';
import { VERSION } from '../version.js';
import { MigrationSpecT, ScenarioSpec, VariantSpec, WorkloadInput } from './schema.js';

export interface RunResult {
  lmsim: string;
  scenario: string;
  seed: number;
  /** Simulated time when the run ended, s. */
  simulatedTime: number;
  events: number;
  migrations: MigrationResult[];
  vms: { name: string; host: string; state: string }[];
  hosts: { name: string; memory: number; used: number; peakUsed: number }[];
  /** The validated input, units resolved to seconds, bytes and bytes/s. */
  input: ScenarioSpec;
}

/** Runs a validated scenario to completion (or its horizon). */
export function runScenario(spec: ScenarioSpec): RunResult {
  const sim = new Simulation();
  const world = new World(sim, spec.seed, spec.network.latency);
  for (const h of spec.hosts) world.addHost(h.name, h.memory, h.nic ?? spec.network.bandwidth);
  for (const v of spec.vms) {
    const pages = Math.ceil(v.memory / spec.pageSize);
    const resident = Math.floor((v.resident ?? v.memory) / spec.pageSize);
    const workload = createWorkload(toPages(v.workload, v.memory, spec.pageSize), world.rng(`vm:${v.name}:workload`));
    world.addVm(v.name, pages * spec.pageSize, spec.pageSize, resident, workload, world.hosts.get(v.host)!);
  }
  const migrations = spec.migrations.map(
    (m) => new Migration(world, world.vms.get(m.vm)!, world.hosts.get(m.to)!, m.at, resolveOptions(m)),
  );
  for (const f of spec.failures) {
    const inject = 'link' in f
      ? () => { const [a, b] = f.link.split('-'); world.cutLink(world.hosts.get(a)!, world.hosts.get(b)!); }
      : () => world.crashHost(world.hosts.get(f.host)!);
    sim.scheduleAt(f.at, { onEvent: inject }, 0, Priority.urgent);
  }
  sim.run(spec.horizon);
  for (const m of migrations) m.giveUpAtHorizon(sim, spec.horizon);
  return {
    lmsim: VERSION,
    scenario: spec.name,
    seed: spec.seed,
    simulatedTime: sim.now,
    events: sim.eventsRun,
    migrations: migrations.map((m) => m.result),
    vms: [...world.vms.values()].map((vm) => ({ name: vm.name, host: vm.host.name, state: vm.state })),
    hosts: [...world.hosts.values()].map((h) => ({ name: h.name, memory: h.memory, used: h.used, peakUsed: h.peakUsed })),
    input: spec,
  };
}

/** Preset defaults, then the scenario's overrides. */
export function resolveOptions(m: Omit<MigrationSpecT, 'vm' | 'to' | 'at'>): MigrationOptions {
  const options = defaultOptions(m.algorithm, m.preset);
  for (const [key, value] of Object.entries(m)) {
    if (value !== undefined && key in options) (options as unknown as Record<string, unknown>)[key] = value;
  }
  return options;
}

/** The scenario with every migration switched to a variant's algorithm and options. */
export function applyVariant(spec: ScenarioSpec, variant: VariantSpec): ScenarioSpec {
  const { label: _label, ...options } = variant;
  return {
    ...spec,
    migrations: spec.migrations.map((m) => ({ vm: m.vm, to: m.to, at: m.at, ...options })),
  };
}

/** A variant's display name: its label, or algorithm[:preset]. */
export function variantName(v: VariantSpec): string {
  return v.label ?? (v.algorithm === 'precopy' ? `precopy:${v.preset}` : v.algorithm);
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
    default: {
      const offset = pages(w.offset ?? 0);
      const workingSet = pages(w.workingSet ?? memory - (w.offset ?? 0));
      const pattern = {
        writeRate: parsePageRate(w.writeRate, pageSize),
        readRate: w.readRate === undefined ? 0 : parsePageRate(w.readRate, pageSize),
        offset,
        workingSet,
      };
      if (w.kind === 'hotcold') return { kind: 'hotcold', ...pattern, hotSet: pages(w.hotSet), hotShare: w.hotShare };
      if (w.kind === 'zipf') return { kind: 'zipf', ...pattern, exponent: w.exponent };
      return { kind: w.kind, ...pattern };
    }
  }
}
