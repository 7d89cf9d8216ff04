/**
 * @module datacenter/live-migration
 * Consolidation migrations that cost what real migrations cost: each scheduling step's batch of
 * migrations runs through the live-migration engine together, so they share host NICs max-min
 * fairly, re-send the pages their guests dirty, and pause for a downtime.
 *
 * CloudSim's VMs have no memory behaviour, so lmsim assumes one, stated here and in
 * docs/consolidation.md: a VM writes `writeRateAtFullLoad` pages/s at 100% CPU, in proportion to
 * its utilisation, `hotShare` of them into a hot set of `hotFraction` of its memory; all of its
 * memory holds data.
 */
import { Simulation } from '../core/kernel.js';
import { Migration } from '../migration/driver.js';
import { AlgorithmName, defaultOptions, MigrationOptions } from '../migration/options.js';
import { PrecopyPresetName } from '../migration/algorithms/precopy.js';
import { World } from '../migration/world.js';
import { createWorkload, WorkloadSpec } from '../workload/workload.js';
import { fluidLayout } from '../workload/fluid-layout.js';
import { MigrationModel, MigrationOutcome, MigrationRequest } from './migration-model.js';

export interface LiveMigrationSettings {
  algorithm: Exclude<AlgorithmName, 'stop-and-copy'> | 'stop-and-copy';
  preset: PrecopyPresetName;
  /** fluid: memory as regions with expected counts, O(regions) per step (default); page: every page. */
  fidelity: 'fluid' | 'page';
  /** Page writes per second at 100% CPU. */
  writeRateAtFullLoad: number;
  /** Share of writes that go to the hot set. */
  hotShare: number;
  /** Hot set, as a share of the VM's memory. */
  hotFraction: number;
  /** One-way latency between hosts, s. */
  latency: number;
  pageSize: number;
  /** Seed of the guests' random streams (one stream per VM and step). */
  seed: number;
  /** Migration options over the algorithm's defaults (e.g. downtimeLimit, maxBandwidth, timeout). */
  options: Partial<MigrationOptions>;
}

export const liveMigrationDefaults: LiveMigrationSettings = {
  algorithm: 'precopy',
  preset: 'qemu',
  fidelity: 'fluid',
  writeRateAtFullLoad: 5000, // ~20 MB/s of page writes at full load: a moderately busy guest
  hotShare: 0.9,
  hotFraction: 0.1,
  latency: 0.0002,
  pageSize: 4096,
  seed: 1,
  // an operator's timeout: pre-copy that has not converged in 5 min is cancelled
  options: { timeout: 300 },
};

/** The live-migration engine as a consolidation MigrationModel. */
export function liveMigrationModel(settings: Partial<LiveMigrationSettings> = {}): MigrationModel {
  const s: LiveMigrationSettings = { ...liveMigrationDefaults, ...settings, options: { ...liveMigrationDefaults.options, ...settings.options } };
  const options: MigrationOptions = { ...defaultOptions(s.algorithm, s.preset), ...s.options };
  let step = 0;
  return {
    name: s.algorithm === 'precopy' ? `precopy:${s.preset}` : s.algorithm,
    plan(batch: MigrationRequest[]): MigrationOutcome[] {
      step++;
      // Migrations that share no host do not interact (max-min sharing is per connected set of
      // links), so each group of migrations linked through hosts runs in its own simulation: the
      // same outcomes, without every flow event re-sharing every link of the batch.
      const outcomes: MigrationOutcome[] = new Array(batch.length);
      for (const group of hostGroups(batch)) {
        const results = simulate(group.map((i) => batch[i]));
        group.forEach((i, k) => (outcomes[i] = results[k]));
      }
      return outcomes;
    },
  };

  function simulate(batch: MigrationRequest[]): MigrationOutcome[] {
    const sim = new Simulation();
    const world = new World(sim, s.seed, s.latency);
    const hostOf = (id: number, bandwidth: number) => {
      const name = `h${id}`;
      return world.hosts.get(name) ?? world.addHost(name, Infinity, bandwidth);
    };
    const migrations = batch.map((r) => {
      const source = hostOf(r.from, r.fromBandwidth);
      const target = hostOf(r.to, r.toBandwidth);
      const pages = Math.ceil(r.ramBytes / s.pageSize);
      const hot = Math.max(1, Math.round(pages * s.hotFraction));
      const spec: WorkloadSpec = {
        kind: 'hotcold',
        writeRate: s.writeRateAtFullLoad * Math.min(1, Math.max(0, r.cpuUtilization)),
        readRate: 0,
        workingSet: pages,
        hotSet: hot,
        hotShare: s.hotShare,
        offset: 0,
      };
      const workload = createWorkload(spec, world.rng(`vm:${r.vm}:step:${step}`));
      const layout = s.fidelity === 'fluid' ? fluidLayout(spec, pages, pages) : undefined;
      const vm = world.addVm(`v${r.vm}`, pages * s.pageSize, s.pageSize, pages, workload, source, layout);
      return new Migration(world, vm, target, 0, options);
    });
    sim.run();
    return migrations.map((m) => {
      const r = m.result;
      return {
        duration: r.totalTime ?? 0,
        downtime: r.downtime ?? 0,
        bytesTransferred: r.bytesTransferred,
        completed: r.status === 'completed',
        reason: r.status === 'completed' ? undefined : `${r.status}: ${r.reason}`,
      };
    });
  }
}

/** Indices of the batch grouped by connected hosts (union-find over source and target ids). */
export function hostGroups(batch: readonly MigrationRequest[]): number[][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    while (parent.get(x) !== r) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  const key = (id: number) => {
    if (!parent.has(id)) parent.set(id, id);
    return id;
  };
  for (const r of batch) {
    const a = find(key(r.from));
    const b = find(key(r.to));
    if (a !== b) parent.set(a, b);
  }
  const groups = new Map<number, number[]>();
  batch.forEach((r, i) => {
    const root = find(r.to);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  });
  return [...groups.values()];
}
