/**
 * @module datacenter/placement/pabfd
 * PABFD, power-aware best-fit decreasing (Beloglazov & Buyya, CCPE 2012, sec. 4; CloudSim
 * PowerVmAllocationPolicyMigrationAbstract.findHostForVm), as CloudSim scans: VMs come sorted by
 * decreasing CPU demand (sortByDemandDecreasing); each goes to the suitable host whose power grows
 * least, among hosts that are not excluded and would not be overloaded after the placement (a
 * host with nothing allocated is never checked for overload). Hosts are visited in id order and
 * only a strictly smaller increase takes the lead, so ties go to the lowest id.
 * indexed-pabfd.ts makes the same choices faster.
 */
import type { OverloadDetector } from '../policy.js';
import { powerAt } from '../power.js';
import type { DataCenterState } from '../state.js';
import { isSuitable, type Placement, type PlacementRound } from './placement.js';

export class Pabfd implements Placement {
  readonly name = 'pabfd';
  private checkReservations = false;

  constructor(private readonly detector: OverloadDetector) {}

  private hostCount = 0;

  begin(dc: DataCenterState, round: PlacementRound): void {
    this.checkReservations = round.checkReservations;
    this.hostCount = dc.hostCount;
  }

  findHost(dc: DataCenterState, v: number, excluded: Uint8Array): number {
    let minPower = Number.MAX_VALUE;
    let chosen = -1;
    for (let h = 0; h < dc.hostCount; h++) {
      if (excluded[h] === 1 || !isSuitable(dc, h, v, this.checkReservations)) continue;
      if (dc.allocSum[h] !== 0 && this.detector.isOverloaded(dc, h, v)) continue;
      const increase = powerIncrease(dc, h, v);
      if (increase < minPower) {
        minPower = increase;
        chosen = h;
      }
    }
    return chosen;
  }

  changed(): void {}

  exclude(): void {}

  newExcluded(): Uint8Array {
    return new Uint8Array(this.hostCount);
  }
}

/** How much host `h`'s power grows (watts) from its last update's if VM `v` is added at its demand. */
export function powerIncrease(dc: DataCenterState, h: number, v: number): number {
  return powerAt(dc.hostPower[h], (dc.allocSum[h] + dc.req[v]) / dc.totalMips[h]) - dc.curPower[h];
}
