/**
 * @module datacenter/host-updates
 * How the run updates hosts between scheduling steps. CloudSim updates every host in full at every
 * instant (each step and each migration completion): `EveryHost`, the plain strategy. `LinearHosts`
 * (linear-hosts.ts) carries hosts whose state is linear in time by their linear model between full
 * updates, with the same decisions and the same figures up to floating-point rounding. The run
 * tells the strategy of the step's instants and of the hosts it touches; a host with from[h] >= 0
 * is carried at the current instant (its utilisation comes from the strategy, its VM entries are
 * made up when its span ends), every other host is updated in full.
 */
import type { VmHistory } from './metrics.js';

export interface HostUpdates {
  readonly name: string;
  /** Per host: the instant its span started while it is carried, -1 while it is updated in full. */
  readonly from: Int32Array;
  /** Per carried host: 1 if its utilisation must be summed exactly at each instant (exactSums). */
  readonly exact: Uint8Array;
  /** The requested MIPS of the last exactSums. */
  readonly requested: number;
  /** A scheduling step at `t` (every host updated in full), the next at `end`: spans may start. */
  beginStep(t: number, end: number): void;
  /** A completion instant at `t`; returns its index. */
  addInstant(t: number): number;
  /** The index of the step's last instant. */
  readonly lastInstant: number;
  timeOf(instant: number): number;
  /** Carried hosts (valid until the next call to start or end). */
  readonly openHosts: readonly number[];
  /** Host `h` was just updated in full: carries it from this instant if it qualifies; returns whether. */
  start(h: number): boolean;
  /** Ends the spans that hold only before `t`, whose full update is next; their instants up to `last` were skipped. */
  endExpired(t: number, last: number, vmHist: VmHistory): void;
  /** True if `t` is a trace sample time, where every span must end. */
  onSample(t: number): boolean;
  /** A carried host's utilisation summed exactly at the instant `sample` reads (sets `requested`). */
  exactSums(h: number, sample: (v: number) => number): number;
  /** A carried host's utilisation (MIPS) at `t`. */
  utilization(h: number, t: number): number;
  /** Ends host h's span: its instants after the start up to `last` were skipped, its next full update is at `endTime`. */
  end(h: number, endTime: number, last: number, vmHist: VmHistory): void;
}

/** CloudSim's procedure: every host updated in full at every instant; no host is ever carried. */
export class EveryHost implements HostUpdates {
  readonly name = 'every host';
  readonly from: Int32Array;
  readonly exact: Uint8Array;
  readonly requested = 0;
  readonly lastInstant = 0;
  readonly openHosts: readonly number[] = [];

  constructor(hostCount: number) {
    this.from = new Int32Array(hostCount).fill(-1);
    this.exact = new Uint8Array(hostCount);
  }

  beginStep(): void {}

  addInstant(): number {
    return 0;
  }

  timeOf(): number {
    throw new Error('EveryHost: no carried host has instants');
  }

  start(): boolean {
    return false;
  }

  endExpired(): void {}

  onSample(): boolean {
    return false;
  }

  exactSums(): number {
    throw new Error('EveryHost: no host is carried');
  }

  utilization(): number {
    throw new Error('EveryHost: no host is carried');
  }

  end(): void {
    throw new Error('EveryHost: no host is carried');
  }
}
