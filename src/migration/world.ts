/**
 * @module migration/world
 * The runtime entities a migration acts on: hosts with memory and a NIC, VMs with a page image and
 * a workload, and the network between hosts (a star: each host's NIC has an up and a down link, so
 * a path A -> B is [A.up, B.down] and concurrent migrations share NICs max-min fairly).
 */
import { Simulation } from '../core/kernel.js';
import { Rng } from '../core/random.js';
import { PageImage } from '../memory/page-image.js';
import { Link, Network } from '../network/network.js';
import { Workload } from '../workload/workload.js';
import type { FailureImpact, Migration } from './driver.js';

export class Host {
  /** Bytes reserved by VMs running here or arriving. */
  used = 0;
  /** Highest `used` seen, bytes. */
  peakUsed = 0;
  alive = true;

  constructor(
    readonly name: string,
    /** Memory available to VMs, bytes. */
    readonly memory: number,
    readonly up: Link,
    readonly down: Link,
  ) {}

  get free(): number {
    return this.memory - this.used;
  }

  reserve(bytes: number): void {
    this.used += bytes;
    if (this.used > this.peakUsed) this.peakUsed = this.used;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }
}

export type VmState = 'running' | 'paused' | 'lost';

export class Vm {
  state: VmState = 'running';
  /** Workload time already applied to the image, s. */
  #writtenUntil = 0;
  /** Share of full speed the vCPUs run at (1 = unthrottled). */
  speed = 1;
  /** True while a migration of this VM is under way. */
  migrating = false;

  constructor(
    readonly name: string,
    readonly memory: number,
    readonly pageSize: number,
    readonly image: PageImage,
    readonly workload: Workload,
    public host: Host,
  ) {}

  /** The workload has already been applied up to t (post-copy drew it access by access). */
  setWrittenUntil(t: number): void {
    this.#writtenUntil = Math.max(this.#writtenUntil, t);
  }

  /** Applies the guest's writes up to time t (only while it runs). */
  advanceTo(t: number): void {
    if (t <= this.#writtenUntil) return;
    if (this.state === 'running') this.workload.advance(this.#writtenUntil, t, this.image, this.speed);
    this.#writtenUntil = t;
  }
}

export class World {
  readonly hosts = new Map<string, Host>();
  readonly vms = new Map<string, Vm>();
  readonly network: Network;
  /** Migrations under way (they hear about failures). */
  readonly active = new Set<Migration>();
  /** Host pairs that cannot reach each other ("A|B", both orders). */
  readonly #cut = new Set<string>();

  constructor(
    readonly sim: Simulation,
    readonly seed: number,
    /** One-way latency between two hosts, s. */
    readonly latency: number,
  ) {
    this.network = new Network(sim);
  }

  addHost(name: string, memory: number, nic: number): Host {
    const host = new Host(name, memory, this.network.addLink(`${name}.up`, nic), this.network.addLink(`${name}.down`, nic));
    this.hosts.set(name, host);
    return host;
  }

  addVm(name: string, memory: number, pageSize: number, residentPages: number, workload: Workload, host: Host): Vm {
    const image = new PageImage(Math.ceil(memory / pageSize), residentPages);
    const vm = new Vm(name, memory, pageSize, image, workload, host);
    host.reserve(memory);
    this.vms.set(name, vm);
    return vm;
  }

  reachable(a: Host, b: Host): boolean {
    return a.alive && b.alive && !this.#cut.has(`${a.name}|${b.name}`);
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

  /** A host crashes: its VMs are lost, its NIC goes down, migrations to or from it hear of it. */
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
        host.release(vm.memory);
      }
    }
  }

  path(from: Host, to: Host): Link[] {
    return [from.up, to.down];
  }

  rng(stream: string): Rng {
    return new Rng(this.seed, stream);
  }
}
