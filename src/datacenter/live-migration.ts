/**
 * @module datacenter/live-migration
 * Consolidation migrations that cost what real migrations cost: every migration of a run goes
 * through the live-migration engine on the run's timeline, so concurrent migrations (of one step
 * or of several) share host NICs max-min fairly, re-send the pages their guests dirty, and pause
 * for a downtime.
 *
 * CloudSim's VMs have no memory behaviour, so lmsim assumes one, stated here and in
 * docs/consolidation.md: a VM writes `writeRateAtFullLoad` pages/s at 100% CPU, in proportion to
 * its utilisation, `hotShare` of them into a hot set of `hotFraction` of its memory; all of its
 * memory holds data.
 */
import type { Simulation } from '../core/kernel.js';
import { Migration } from '../migration/driver.js';
import { AlgorithmName, defaultOptions, MigrationOptions } from '../migration/options.js';
import { PrecopyPresetName } from '../migration/algorithms/precopy.js';
import type { MigrationResult } from '../migration/result.js';
import { Host, World } from '../migration/world.js';
import { createWorkload, WorkloadSpec } from '../workload/workload.js';
import { fluidLayout } from '../workload/fluid-layout.js';
import type { MigrationEngine, MigrationEnded, MigrationModel, MigrationOutcome, MigrationRequest } from './migration-model.js';

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

/**
 * The live-migration engine as a consolidation MigrationModel: one world per run on the run's
 * kernel, so a migration that outlives its scheduling step shares its hosts' NICs with the
 * batches of the steps after it (max-min fairly, as any concurrent migrations).
 */
export function liveMigrationModel(settings: Partial<LiveMigrationSettings> = {}): MigrationModel {
  const s: LiveMigrationSettings = { ...liveMigrationDefaults, ...settings, options: { ...liveMigrationDefaults.options, ...settings.options } };
  const options: MigrationOptions = { ...defaultOptions(s.algorithm, s.preset), ...s.options };
  return {
    name: s.algorithm === 'precopy' ? `precopy:${s.preset}` : s.algorithm,
    open: (sim) => new LiveMigrations(sim, s, options),
  };
}

/** A world that tells its owner when each migration ends. */
class ConsolidationWorld extends World {
  readonly onEnd = new Map<Migration, () => void>();

  override ended(m: Migration): void {
    super.ended(m);
    const done = this.onEnd.get(m);
    if (done === undefined) return;
    this.onEnd.delete(m);
    done();
  }
}

/** The migrations of one consolidation run. */
class LiveMigrations implements MigrationEngine {
  readonly #world: ConsolidationWorld;
  #batches = 0;

  constructor(
    sim: Simulation,
    private readonly s: LiveMigrationSettings,
    private readonly options: MigrationOptions,
  ) {
    this.#world = new ConsolidationWorld(sim, s.seed, s.latency);
  }

  start(batch: readonly MigrationRequest[], ended: MigrationEnded): void {
    const s = this.s, world = this.#world;
    const step = ++this.#batches;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      const source = this.#host(r.from, r.fromBandwidth);
      const target = this.#host(r.to, r.toBandwidth);
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
      const m = new Migration(world, vm, target, world.sim.now, this.options);
      world.onEnd.set(m, () => ended(i, outcomeOf(m.result)));
    }
  }

  #host(id: number, bandwidth: number): Host {
    const name = `h${id}`;
    return this.#world.hosts.get(name) ?? this.#world.addHost(name, Infinity, bandwidth);
  }
}

function outcomeOf(r: MigrationResult): MigrationOutcome {
  return {
    duration: r.totalTime ?? 0,
    downtime: r.downtime ?? 0,
    bytesTransferred: r.bytesTransferred,
    completed: r.status === 'completed',
    reason: r.status === 'completed' ? undefined : `${r.status}: ${r.reason}`,
  };
}
