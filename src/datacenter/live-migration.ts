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
import { Host, Vm, World } from '../migration/world.js';
import type { ReusableImage, ReuseOptions } from '../migration/reuse.js';
import type { FluidLayout, FluidTransfer } from '../memory/fluid.js';
import type { MemoryTransfer } from '../memory/page-transfer.js';
import { keptImageDefaults, type KeptImageOptions, type VmMemory } from './kept-images.js';
import { createWorkload, WorkloadSpec } from '../workload/workload.js';
import { fluidGeometry, fluidLayout, withRates, type FluidGeometry } from '../workload/fluid-layout.js';
import type { EngineOptions, MigrationEngine, MigrationEnded, MigrationModel, MigrationOutcome, MigrationRequest } from './migration-model.js';
import { resolveNetworkModel, type NetworkModelName } from '../network/network-models.js';

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
  /** How transfers pay it (network/network-models.ts); absent: `once`. */
  networkModel?: NetworkModelName;
  pageSize: number;
  /** Seed of the guests' random streams (one stream per VM and step). */
  seed: number;
  /** Migration options over the algorithm's defaults (e.g. downtimeLimit, maxBandwidth, timeout). */
  options: Partial<MigrationOptions>;
  /**
   * Memory reuse across the run (fluid memory only): the host a VM left keeps its image, a VM that
   * returns sends only what changed (datacenter/kept-images.ts). `reportInterval` is not used:
   * hosts report written pages at each scheduling step.
   */
  reuse: KeptImageOptions;
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
  reuse: keptImageDefaults,
};

/**
 * The live-migration engine as a consolidation MigrationModel: one world per run on the run's
 * kernel, so a migration that outlives its scheduling step shares its hosts' NICs with the
 * batches of the steps after it (max-min fairly, as any concurrent migrations).
 */
export function liveMigrationModel(settings: Partial<LiveMigrationSettings> = {}): MigrationModel {
  const s: LiveMigrationSettings = {
    ...liveMigrationDefaults,
    ...settings,
    options: { ...liveMigrationDefaults.options, ...settings.options },
    reuse: { ...keptImageDefaults, ...settings.reuse },
  };
  const options: MigrationOptions = { ...defaultOptions(s.algorithm, s.preset), ...s.options };
  const reuse = s.reuse;
  if (reuse.policy !== 'none' && s.fidelity !== 'fluid') throw new RangeError('reuse: memory reuse in consolidation needs fluid memory (fidelity: fluid)');
  return {
    name: s.algorithm === 'precopy' ? `precopy:${s.preset}` : s.algorithm,
    open: (sim, engine) => new LiveMigrations(sim, s, options, engine?.sharedLayouts ?? true),
    reuse: reuse.policy === 'none' ? undefined : { options: reuse, memoryOf: (ramBytes) => vmMemory(s, ramBytes) },
  };
}

/** A VM's workload: `writeRateAtFullLoad x utilisation` page writes/s, `hotShare` of them into its hot set. */
function workloadSpec(s: LiveMigrationSettings, pages: number, utilization: number): WorkloadSpec {
  return {
    kind: 'hotcold',
    writeRate: s.writeRateAtFullLoad * Math.min(1, Math.max(0, utilization)),
    readRate: 0,
    workingSet: pages,
    hotSet: Math.max(1, Math.round(pages * s.hotFraction)),
    hotShare: s.hotShare,
    offset: 0,
  };
}

/** The memory regions of a VM of `ramBytes` and their write rates at full load (the fluid layout's). */
function vmMemory(s: LiveMigrationSettings, ramBytes: number): VmMemory {
  const pages = Math.ceil(ramBytes / s.pageSize);
  const layout = fluidLayout(workloadSpec(s, pages, 1), pages, pages);
  return { pageSize: s.pageSize, sizes: layout.sizes, fullRates: layout.writeRates[0] };
}

/** An image kept on a host, handed to the driver when its VM migrates back: the pages held and unchanged stay. */
class FluidKeptImage implements ReusableImage {
  constructor(
    readonly vm: Vm,
    readonly options: ReuseOptions,
    readonly host: Host,
    private readonly pages: Float64Array,
  ) {}

  get bytes(): number {
    let p = 0;
    for (let r = 0; r < this.pages.length; r++) p += this.pages[r];
    return p * this.vm.pageSize;
  }

  reuseInto(transfer: MemoryTransfer, sim: Simulation): number {
    const t = transfer as FluidTransfer;
    let reused = 0;
    for (let r = 0; r < this.pages.length; r++) {
      const p = Math.min(this.pages[r], t.toSend[r]);
      t.toSend[r] -= p;
      reused += p;
    }
    this.release(sim);
    return reused;
  }

  release(sim: Simulation): void {
    this.host.forget(this, sim.now);
  }
}

/**
 * A world that tells its owner when each migration ends, and forgets the migrated VM then: the run
 * keeps the VM's state, and a kept image holds what reuse needs (a VM left in the world would live
 * until its next migration, hours later, and the collector would copy it to the old generation
 * with everything it holds).
 */
class ConsolidationWorld extends World {
  readonly onEnd = new Map<Migration, () => void>();

  override ended(m: Migration): void {
    super.ended(m);
    const done = this.onEnd.get(m);
    if (done === undefined) return;
    this.onEnd.delete(m);
    if (this.vms.get(m.vm.name) === m.vm) this.vms.delete(m.vm.name);
    done();
  }
}

/** The migrations of one consolidation run. */
class LiveMigrations implements MigrationEngine {
  readonly #world: ConsolidationWorld;
  #batches = 0;
  /**
   * Each VM size's fluid geometry (by pages), shared by the layouts of its migrations, which
   * differ only in their write rates (see withRates): a layout built whole per migration lived as
   * long as the migration, so it outlived the young generation and was copied into the old one.
   */
  readonly #geometries = new Map<number, FluidGeometry>();
  constructor(
    sim: Simulation,
    private readonly s: LiveMigrationSettings,
    private readonly options: MigrationOptions,
    private readonly sharedLayouts: boolean,
  ) {
    this.#world = new ConsolidationWorld(sim, s.seed, s.latency, resolveNetworkModel({ model: s.networkModel }));
  }

  start(batch: readonly MigrationRequest[], ended: MigrationEnded): void {
    const s = this.s,
      world = this.#world;
    const step = ++this.#batches;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      const source = this.#host(r.from, r.fromBandwidth);
      const target = this.#host(r.to, r.toBandwidth);
      const pages = Math.ceil(r.ramBytes / s.pageSize);
      const spec = workloadSpec(s, pages, r.cpuUtilization);
      const workload = createWorkload(spec, world.rng(`vm:${r.vm}:step:${step}`));
      const layout = s.fidelity === 'fluid' ? this.#layout(spec, pages) : undefined;
      const vm = world.addVm(`v${r.vm}`, pages * s.pageSize, s.pageSize, pages, workload, source, layout);
      if (r.keptPages) target.keep(new FluidKeptImage(vm, s.reuse, target, r.keptPages), world.sim.now);
      const m = new Migration(world, vm, target, world.sim.now, this.options);
      world.onEnd.set(m, () => ended(i, outcomeOf(m.result)));
    }
  }

  /** The fluid layout of a VM of `pages` pages running `spec` (workloadSpec's: its geometry depends on pages only). */
  #layout(spec: WorkloadSpec, pages: number): FluidLayout {
    if (!this.sharedLayouts) return fluidLayout(spec, pages, pages);
    let geometry = this.#geometries.get(pages);
    if (geometry === undefined) this.#geometries.set(pages, (geometry = fluidGeometry(spec, pages, pages)));
    return withRates(geometry, spec);
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
