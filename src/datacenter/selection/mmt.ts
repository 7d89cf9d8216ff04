/**
 * @module datacenter/selection/mmt
 * MMT, minimum migration time (Beloglazov & Buyya, CCPE 2012, sec. 6.1): the VM with the least RAM
 * (migration time is RAM over bandwidth); the first one in list order on ties.
 */
import type { VmSelector } from '../policy.js';

export const minimumMigrationTime: VmSelector = {
  name: 'mmt',
  select(dc, h) {
    let best = -1;
    let min = Infinity;
    for (const v of dc.lists[h]) {
      if (dc.inMigration[v] === 1) continue;
      if (dc.vmRam[v] < min) {
        min = dc.vmRam[v];
        best = v;
      }
    }
    return best;
  },
};
