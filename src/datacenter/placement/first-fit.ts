/**
 * @module datacenter/placement/first-fit
 * First fit: the first host, by id, that is suitable for the VM (CloudSim's
 * PowerVmAllocationPolicyAbstract.findHostForVm, used by PowerVmAllocationPolicySimple for the
 * DVFS and NPA runs).
 */
import type { DataCenterState } from '../state.js';
import { isSuitable, type Placement, type PlacementRound } from './placement.js';

export class FirstFit implements Placement {
  readonly name = 'first-fit';
  private checkReservations = true;

  private hostCount = 0;

  begin(dc: DataCenterState, round: PlacementRound): void {
    this.checkReservations = round.checkReservations;
    this.hostCount = dc.hostCount;
  }

  findHost(dc: DataCenterState, v: number, excluded: Uint8Array): number {
    for (let h = 0; h < dc.hostCount; h++) if (excluded[h] === 0 && isSuitable(dc, h, v, this.checkReservations)) return h;
    return -1;
  }

  changed(): void {}

  exclude(): void {}

  newExcluded(): Uint8Array {
    return new Uint8Array(this.hostCount);
  }
}
