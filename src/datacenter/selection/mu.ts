/**
 * @module datacenter/selection/mu
 * MU, minimum utilisation (CloudSim PowerVmSelectionPolicyMinimumUtilization): the VM with the
 * smallest current MIPS demand; the first one in list order on ties.
 */
import type { VmSelector } from '../policy.js';

export const minimumUtilization: VmSelector = {
  name: 'mu',
  select(dc, h) {
    let best = -1;
    let min = Infinity;
    for (const v of dc.lists[h]) {
      if (dc.inMigration[v] === 1) continue;
      if (dc.req[v] < min) {
        min = dc.req[v];
        best = v;
      }
    }
    return best;
  },
};
