/**
 * @module datacenter/placement/placement-index
 * What the indexed PABFD keeps beside the model state, so that a placement looks at few hosts and
 * reads little memory per host. Kept current through the placement round's notices (begin,
 * changed, exclude); the model state knows nothing of it.
 *  - Scan rows: what the scan reads of a host side by side (one cache line for two hosts),
 *    copied from the state at the round's start and for each host the round changes.
 *  - Candidates: at t = 0, one host per class of look-alike hosts (InitialCandidates); at a step,
 *    the non-pristine hosts plus one interchangeable empty host per type (HostCandidates).
 *  - Groups (optional): the step's candidates grouped by bounds of their power increase
 *    (IncreaseBins), so that a placement skips the groups that cannot hold the winner; their hosts
 *    whose increases tie up to rounding also in tie buckets (TieBuckets), in id order.
 */
import type { DataCenterState } from '../state.js';
import { HostCandidates, InitialCandidates } from './candidates.js';
import { IncreaseBins } from './increase-bins.js';
import { WasmScan } from './wasm-scan.js';

/**
 * Groups are kept only when a step starts with at least this many non-pristine hosts. With fewer, a
 * plain scan was as fast or faster: the 800-host PlanetLab day (CloudSim mode) ran 5-20 % slower
 * with groups (three alternated measurements as they were tuned), the 1,000-host synthetic day's
 * first 6 hours the same; 3,000 hosts ran faster.
 */
export const GROUPED_MIN_HOSTS = 1000;

/** Offsets in a scan row (ROW_SIZE values per host, host h's at ROW_SIZE x h). */
export const ROW_AVAIL = 0;
export const ROW_ALLOC = 1;
export const ROW_POWER = 2;
export const ROW_TYPE = 3;
export const ROW_SIZE = 4;

export interface PlacementIndexOptions {
  /** Group the step's candidates (default true). */
  readonly grouped?: boolean;
  /** Least number of non-pristine hosts at a step's start for groups (default GROUPED_MIN_HOSTS). */
  readonly groupedMinHosts?: number;
  /** Run the scans' loops compiled to WebAssembly (wasm-scan.ts) where available (default true). */
  readonly wasmScan?: boolean;
  /** Keep the groups' hosts of offset 0 in tie buckets too (tie-buckets.ts; default true). */
  readonly tieBuckets?: boolean;
}

export class PlacementIndex {
  /** Per host: free MIPS, allocated MIPS, power at the last update, host type (the state's avail, allocSum, curPower, hostType). */
  rows: Float64Array = new Float64Array(0);
  /** Per host type: the capacity of one PE (MIPS). A type's capacity and power table are the state's typeTotalMips and typePower. */
  typePeMips = new Float64Array(0);
  /** The scans' loops compiled, which hold the rows in their memory; undefined when off. */
  wasm: WasmScan | undefined;
  private dc: DataCenterState | undefined;
  private initial: InitialCandidates | undefined;
  private step: HostCandidates | undefined;
  private groups: IncreaseBins | undefined;
  private readonly grouped: boolean;
  private readonly groupedMinHosts: number;
  private readonly wasmScan: boolean;
  private readonly tieBuckets: boolean;

  constructor(options: PlacementIndexOptions = {}) {
    this.grouped = options.grouped ?? true;
    this.groupedMinHosts = options.groupedMinHosts ?? GROUPED_MIN_HOSTS;
    this.wasmScan = options.wasmScan ?? true;
    this.tieBuckets = options.tieBuckets ?? true;
  }

  /** A round begins on `dc` as it is now (initial: the placement at t = 0). */
  begin(dc: DataCenterState, initial: boolean): void {
    if (this.dc !== dc) {
      this.dc = dc;
      this.typePeMips = new Float64Array(dc.typeTotalMips.length);
      for (let h = 0; h < dc.hostCount; h++) this.typePeMips[dc.hostType[h]] = dc.peMips[h];
      this.wasm = this.wasmScan ? WasmScan.for(dc.hostCount, dc.typePower, dc.typeTotalMips, this.typePeMips) : undefined;
      this.rows = this.wasm?.rows ?? new Float64Array(ROW_SIZE * dc.hostCount);
      const wasm = this.wasm;
      this.groups = this.grouped ? new IncreaseBins(dc, wasm && ((length) => wasm.newMembers(length)), this.tieBuckets) : undefined;
    }
    this.wasm?.releaseExcluded();
    this.wasm?.forgetScores();
    for (let h = 0; h < dc.hostCount; h++) this.copyRow(h);
    this.initial = initial ? new InitialCandidates(dc) : undefined;
    this.step = initial ? undefined : new HostCandidates(dc, this.groups, this.groupedMinHosts);
  }

  /** Host `h`'s allocation changed. */
  changed(h: number): void {
    this.copyRow(h);
    this.wasm?.forgetScore(h);
    this.initial?.changed(h);
    this.step?.changed(h);
  }

  /** Host `h` is no target for the rest of the round. */
  exclude(h: number): void {
    this.step?.exclude(h);
  }

  /** A zeroed excluded array for the round (the kernel reads it in place: WasmScan.newExcluded). */
  newExcluded(): Uint8Array {
    return this.wasm?.newExcluded() ?? new Uint8Array(this.dc!.hostCount);
  }

  /** Hosts that can hold the winner (any order; valid until the next notice). */
  ids(): Int32Array {
    return this.initial ? this.initial.ids() : this.step!.ids();
  }

  /** The same hosts in groups, or undefined (an initial round, groups off, or too few hosts). */
  get bins(): IncreaseBins | undefined {
    return this.step?.bins;
  }

  private copyRow(h: number): void {
    const dc = this.dc!;
    const at = ROW_SIZE * h;
    this.rows[at + ROW_AVAIL] = dc.avail[h];
    this.rows[at + ROW_ALLOC] = dc.allocSum[h];
    this.rows[at + ROW_POWER] = dc.curPower[h];
    this.rows[at + ROW_TYPE] = dc.hostType[h];
  }
}
