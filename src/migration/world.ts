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

  path(from: Host, to: Host): Link[] {
    return [from.up, to.down];
  }

  rng(stream: string): Rng {
    return new Rng(this.seed, stream);
  }
}
