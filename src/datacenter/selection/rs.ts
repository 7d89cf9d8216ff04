/**
 * @module datacenter/selection/rs
 * RS, random selection (Beloglazov & Buyya, CCPE 2012, sec. 6.2): a uniformly random migratable
 * VM, drawn from a seeded stream so runs reproduce.
 */
import { Rng } from '../../core/random.js';
import { migratableVms, type VmSelector } from '../policy.js';

/** Random selection using stream "datacenter/rs" of `seed`. */
export function randomSelection(seed: number): VmSelector {
  const rng = new Rng(seed, 'datacenter/rs');
  return {
    name: 'rs',
    select(dc, h) {
      const vms = migratableVms(dc, h);
      return vms.length === 0 ? -1 : vms[rng.int(vms.length)];
    },
  };
}
