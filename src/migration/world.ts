/**
 * @module migration/world
 * The runtime entities a migration acts on: hosts with memory, a NIC and a concurrency limit;
 * VMs with a page image and a workload; the network between hosts (a star: each host's NIC has an
 * up and a down link, so a path A -> B is [A.up, B.down] and concurrent migrations share NICs
 * max-min fairly, under a network model: network/network-models.ts); kept images (memory reuse);
 * injected failures.
 */
import { Simulation } from '../core/kernel.js';
import { Rng } from '../core/random.js';
import { FluidImage, FluidLayout, FluidTransfer } from '../memory/fluid.js';
import { PageImage } from '../memory/page-image.js';
import { MemoryTransfer, PageTransfer } from '../memory/page-transfer.js';
import { Link, Network } from '../network/network.js';
import { NetworkModel, networkModels, windowBound } from '../network/network-models.js';
import { FreeMemory } from '../workload/free-memory.js';
import { Workload } from '../workload/workload.js';
import type { FailureImpact, Migration } from './driver.js';
import type { ReusableImage } from './reuse.js';
import { ZERO } from '../core/doubles.js';

const CONTENT_POOL_SIZE = 2 ** 24;
const MAX_CONTENT_POOLS = 255;

/** Memory of a host over time: what VMs reserve and what kept images hold. */
export interface HostMemoryStats {
  peakUsed: number;
  peakKept: number;
  /** Highest used + kept seen, bytes (never above the host's memory). */
  peakTotal: number;
  /** Time-average of kept-image memory over the run, bytes. */
  averageKept: number;
  /** Kept images evicted to make room for arriving VMs. */
  evictions: number;
  /** [time s, used bytes, kept bytes] at every change. */
  series: [number, number, number][];
}

export class Host {
  /** Bytes reserved by VMs running here or arriving. */
  used = ZERO;
  alive = true;
  /** Migrations under way with this host as source or destination. */
  migrations = 0;
  /** Page contents this host received in migrations (deduplication: gang migration). */
  readonly contents = new Set<number>();
  /** Images of VMs that left, kept for reuse, oldest first. */
  readonly kept = new Map<Vm, ReusableImage>();
  #keptBytes = ZERO;
  #keptIntegral = ZERO;
  #lastChange = ZERO;
  readonly stats: HostMemoryStats = { peakUsed: ZERO, peakKept: ZERO, peakTotal: ZERO, averageKept: ZERO, evictions: 0, series: [] };

  constructor(
    readonly name: string,
    /** Memory available to VMs, bytes. */
    readonly memory: number,
    readonly up: Link,
    readonly down: Link,
    /** Most migrations this host takes part in at once (as source or destination). */
    readonly maxConcurrent: number,
  ) {}

  get keptBytes(): number {
    return this.#keptBytes;
  }

  /** Memory neither reserved nor holding kept images, bytes. */
  get free(): number {
    return this.memory - this.used - this.#keptBytes;
  }

  reserve(bytes: number, now: number): void {
    this.used += bytes;
    this.#changed(now);
  }

  release(bytes: number, now: number): void {
    this.used -= bytes;
    this.#changed(now);
  }

  keep(image: ReusableImage, now: number): void {
    this.kept.set(image.vm, image);
    this.keptChanged(now);
  }

  /** A kept image was released (reused, evicted, lost). */
  forget(image: ReusableImage, now: number): void {
    if (this.kept.get(image.vm) === image) this.kept.delete(image.vm);
    this.keptChanged(now);
  }

  /** Kept images changed size: recount and record. */
  keptChanged(now: number): void {
    let bytes = 0;
    for (const k of this.kept.values()) bytes += k.bytes;
    this.#integrate(now);
    this.#keptBytes = bytes;
    this.#record(now);
  }

  /** Evicts kept images (oldest first, never `vm`'s own) until `bytes` fit; false if they cannot. */
  makeRoom(bytes: number, vm: Vm, sim: Simulation): boolean {
    if (this.memory - this.used < bytes) return false;
    if (this.free >= bytes) return true;
    for (const [owner, image] of [...this.kept]) {
      if (this.free >= bytes) break;
      if (owner === vm) continue;
      image.release(sim);
      this.stats.evictions++;
    }
    return this.free >= bytes;
  }

  /** Closes the time-average at the end of the run. */
  finish(now: number): HostMemoryStats {
    this.#integrate(now);
    this.stats.averageKept = now > 0 ? this.#keptIntegral / now : 0;
    return this.stats;
  }

  #changed(now: number): void {
    this.#integrate(now);
    this.#record(now);
  }

  #integrate(now: number): void {
    this.#keptIntegral += this.#keptBytes * (now - this.#lastChange);
    this.#lastChange = now;
  }

  #record(now: number): void {
    const s = this.stats;
    s.peakUsed = Math.max(s.peakUsed, this.used);
    s.peakKept = Math.max(s.peakKept, this.#keptBytes);
    s.peakTotal = Math.max(s.peakTotal, this.used + this.#keptBytes);
    const last = s.series[s.series.length - 1];
    if (last && last[0] === now) {
      last[1] = this.used;
      last[2] = this.#keptBytes;
    } else {
      s.series.push([now, this.used, this.#keptBytes]);
    }
  }
}

export type VmState = 'running' | 'paused' | 'lost';

export class Vm {
  state: VmState = 'running';
  /** Workload time already applied to the memory, s. */
  #writtenUntil = ZERO;
  /** Share of full speed the vCPUs run at (1 = unthrottled). */
  speed = 1;
  /** True while a migration of this VM is under way. */
  migrating = false;
  /** Share of a data page that compression removes. */
  compressibility = 0.5;
  /** Backlog a wall-clock-paced guest catches up after a stall, s (0: compute-bound). */
  catchUp = 0;
  /** Free-memory churn (page-exact VMs that declare free memory), else null. */
  freeMemory: FreeMemory | null = null;

  #fluid: FluidImage | null = null;

  /**
   * @param image page-exact memory, or null
   * @param layout the regions of fluid memory, or null: exactly one of the two
   */
  constructor(
    readonly name: string,
    readonly memory: number,
    readonly pageSize: number,
    readonly image: PageImage | null,
    readonly layout: FluidLayout | null,
    readonly workload: Workload,
    public host: Host,
  ) {}

  /**
   * Fluid memory (region-level expectations), or null. Made when first used: most VMs of a large
   * data center never migrate, and fluid memory that nothing asked about has not changed.
   */
  get fluid(): FluidImage | null {
    return this.layout === null ? null : (this.#fluid ??= new FluidImage(this.layout));
  }

  /** The page-exact image; throws for a fluid VM (callers check fidelity first). */
  get pages(): PageImage {
    if (!this.image) throw new Error(`VM ${this.name} has fluid memory: this needs page-exact memory`);
    return this.image;
  }

  get pageCount(): number {
    return this.image ? this.image.pageCount : this.fluid!.pageCount;
  }

  /** The migration's view of this VM's memory. */
  createTransfer(): MemoryTransfer {
    return this.image ? new PageTransfer(this.image) : new FluidTransfer(this.fluid!);
  }

  startTracking(): void {
    if (this.image) this.image.startTracking();
    else this.fluid!.startTracking();
  }

  stopTracking(): void {
    if (this.image) this.image.stopTracking();
    else this.fluid!.stopTracking();
  }

  get tracking(): boolean {
    return this.image ? this.image.log !== null : this.fluid!.tracking;
  }

  /** Pages in the dirty log now. */
  get loggedPages(): number {
    return this.image ? (this.image.log?.count ?? 0) : this.fluid!.logged;
  }

  /** The workload has already been applied up to t (post-copy drew it access by access). */
  setWrittenUntil(t: number): void {
    this.#writtenUntil = Math.max(this.#writtenUntil, t);
  }

  /** Applies the guest's writes up to time t (only while it runs). */
  advanceTo(t: number): void {
    if (t <= this.#writtenUntil) return;
    if (this.state === 'running') {
      if (this.image) {
        this.image.setTime(t);
        this.workload.advance(this.#writtenUntil, t, this.image, this.speed);
        this.freeMemory?.advance((t - this.#writtenUntil) * this.speed);
      } else {
        this.fluid!.advance(this.#writtenUntil, t, this.speed);
      }
    }
    this.#writtenUntil = t;
  }
}

export class World {
  readonly hosts = new Map<string, Host>();
  readonly vms = new Map<string, Vm>();
  readonly network: Network;
  /** Migrations under way (they hear about failures). */
  readonly active = new Set<Migration>();
  /** Migrations waiting for a free slot on their hosts, in arrival order. */
  readonly #queue: Migration[] = [];
  /** Host pairs that cannot reach each other ("A|B", both orders). */
  readonly #cut = new Set<string>();
  /** Page-exact memory takes the plain path: writes and transfers page by page (PageImage.pageByPage). */
  pageByPage = false;

  constructor(
    readonly sim: Simulation,
    readonly seed: number,
    /** One-way latency between two hosts, s. */
    readonly latency: number,
    readonly networkModel: NetworkModel = networkModels.once,
  ) {
    this.network = new Network(sim);
    this.network.flowCap = windowBound(networkModel, latency);
    this.network.crossWeight = networkModel.crossTraffic;
    // SimGrid's sharing penalty: the route's latency plus weight-S / bandwidth per link (a route
    // without latency has penalty 1: plain max-min)
    this.network.penalized = networkModel.weightS > 0 && latency > 0;
    this.network.penaltyLatency = latency;
  }

  /** The latency one transfer pays, s (the model's latency factor applied). */
  get transferLatency(): number {
    return this.latency * this.networkModel.latencyFactor;
  }

  addHost(name: string, memory: number, nic: number, maxConcurrent = Infinity): Host {
    // a bandwidth factor is the links' capacity scaled by it (network-models.ts)
    const capacity = nic * this.networkModel.bandwidthFactor;
    const up = this.network.addLink(`${name}.up`, capacity), down = this.network.addLink(`${name}.down`, capacity);
    up.twin = down;
    down.twin = up;
    up.penalty = down.penalty = this.networkModel.weightS / nic;
    const host = new Host(name, memory, up, down, maxConcurrent);
    this.hosts.set(name, host);
    return host;
  }

  /** A VM with page-exact memory, or fluid memory when a layout is given. */
  addVm(
    name: string,
    memory: number,
    pageSize: number,
    residentPages: number,
    workload: Workload,
    host: Host,
    fluid?: FluidLayout,
    residentAt: 'start' | 'end' = 'start',
    /** Page-exact: keep the time of each page's last write (reuse's skip-hot reads it). */
    recency = false,
    /** Data pages at the very top besides the resident ones (residentTop). */
    topPages = 0,
    /** False: the caller reserves the VM's memory on its host itself (see Host.reserve). */
    reserve = true,
  ): Vm {
    const pages = Math.ceil(memory / pageSize);
    const vm = fluid
      ? new Vm(name, memory, pageSize, null, fluid, workload, host)
      : new Vm(name, memory, pageSize, this.#pageImage(pages, residentPages, residentAt, recency, topPages), null, workload, host);
    if (reserve) host.reserve(memory, this.sim.now);
    this.vms.set(name, vm);
    return vm;
  }

  #pageImage(pages: number, residentPages: number, residentAt: 'start' | 'end', recency: boolean, topPages: number): PageImage {
    const image = new PageImage(pages, residentPages, residentAt, recency, topPages);
    image.pageByPage = this.pageByPage;
    return image;
  }

  /** A migration asks to start: now if both hosts have a free slot, else it waits in line. */
  admit(m: Migration): void {
    if (this.#hasSlots(m)) this.#begin(m);
    else {
      this.#queue.push(m);
      m.queued();
    }
  }

  /** A migration ended (any status): free its slots and start whoever waits and fits. */
  ended(m: Migration): void {
    if (this.active.delete(m)) {
      m.source.migrations--;
      m.destination.migrations--;
    }
    for (let i = 0; i < this.#queue.length; ) {
      const next = this.#queue[i];
      if (this.#hasSlots(next)) {
        this.#queue.splice(i, 1);
        this.#begin(next);
      } else i++;
    }
  }

  #hasSlots(m: Migration): boolean {
    return m.source.migrations < m.source.maxConcurrent && m.destination.migrations < m.destination.maxConcurrent;
  }

  #begin(m: Migration): void {
    m.source.migrations++;
    m.destination.migrations++;
    this.active.add(m);
    m.begin(this.sim);
  }

  reachable(a: Host, b: Host): boolean {
    return a.alive && b.alive && (this.#cut.size === 0 || !this.#cut.has(`${a.name}|${b.name}`));
  }

  /** The link between two hosts fails: migrations between them hear of it. */
  cutLink(a: Host, b: Host): void {
    this.#cut.add(`${a.name}|${b.name}`).add(`${b.name}|${a.name}`);
    const what = `link ${a.name}-${b.name} failed`;
    for (const m of [...this.active]) {
      const ends = [m.source, m.destination];
      if (ends.includes(a) && ends.includes(b)) m.onFailure(this.sim, { what, sourceLost: false, destinationLost: false });
    }
  }

  /** A host crashes: its VMs and kept images are lost, its NIC goes down, migrations hear of it. */
  crashHost(host: Host): void {
    host.alive = false;
    this.network.setLinkUp(host.up, false);
    this.network.setLinkUp(host.down, false);
    const what = `host ${host.name} crashed`;
    for (const m of [...this.active]) {
      const impact: FailureImpact = { what, sourceLost: m.source === host, destinationLost: m.destination === host };
      if (impact.sourceLost || impact.destinationLost) m.onFailure(this.sim, impact);
    }
    for (const vm of this.vms.values()) {
      if (vm.host === host && vm.state !== 'lost' && !vm.migrating) {
        vm.state = 'lost';
        host.release(vm.memory, this.sim.now);
      }
    }
    for (const image of [...host.kept.values()]) image.release(this.sim);
  }

  readonly #contentBases = new Map<string, number>();

  /**
   * The first content id of a named pool of page contents, the same for every VM that names it.
   * Pools are 2^24 pages apart (64 GiB of 4 KiB pages each); ids are never 0.
   */
  contentBase(pool: string): number {
    let base = this.#contentBases.get(pool);
    if (base === undefined) {
      if (this.#contentBases.size >= MAX_CONTENT_POOLS) throw new RangeError(`more than ${MAX_CONTENT_POOLS} content pools (duplicates: images and VMs with internal duplicates)`);
      base = 1 + this.#contentBases.size * CONTENT_POOL_SIZE;
      this.#contentBases.set(pool, base);
    }
    return base;
  }

  path(from: Host, to: Host): Link[] {
    return [from.up, to.down];
  }

  rng(stream: string): Rng {
    return new Rng(this.seed, stream);
  }
}
