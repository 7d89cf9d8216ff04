/** The grouped candidate pass: its bounds hold, and PABFD chooses as with the full scan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5, PLANETLAB_VM_TYPES } from '../planetlab-config.js';
import { makeDetector } from '../policy-name.js';
import { powerAt } from '../power.js';
import { DataCenterState } from '../state.js';
import type { ConsolidationConfig, HostType } from '../types.js';
import type { OverloadDetector } from '../policy.js';
import { HostCandidates } from './candidates.js';
import { IncreaseBins } from './increase-bins.js';
import { GROUPED_SCAN_RATIO, IndexedPabfd } from './indexed-pabfd.js';
import { Pabfd } from './pabfd.js';
import { GROUPED_MIN_HOSTS } from './placement-index.js';

/** A 12-core G4 whose table dips (SPECpower tables do not, but nothing may rely on it). */
const DIPPING: HostType = { ...HOST_G4, name: 'dipping', pes: 12, power: [86, 95, 90, 96, 99.5, 120, 106, 108, 112, 114, 117] };
const BIG_G5: HostType = { ...HOST_G5, name: 'G5 x6', pes: 12, ramBytes: 64e9 };

/**
 * A loaded data center: VMs of repeating demands (so that increases tie) on hosts filled up to
 * `level()` of their capacity, and a last update that found each host's allocation, or more, or
 * less (offsets of both signs on a share `offsets` of the hosts: spread widely, or a few VM demands).
 */
function loadedDataCenter(rng: Rng, hostCount: number, level: () => number, offsets: number, spread: boolean): DataCenterState {
  const hostTypes = [HOST_G4, BIG_G5, DIPPING];
  const hosts = Int32Array.from({ length: hostCount }, () => rng.int(hostTypes.length));
  const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8 }), hostTypes, hosts };
  const vms = Array.from({ length: 12 * hostCount }, () => rng.int(PLANETLAB_VM_TYPES.length));
  const dc = new DataCenterState(cfg, vms);
  let v = 0;
  for (let h = 0; h < hostCount; h++) {
    const target = level() * dc.totalMips[h];
    for (; v < vms.length && dc.allocSum[h] < target; v++) {
      dc.req[v] = dc.allocReq[v] = 50 * (1 + rng.int(40));
      if (dc.avail[h] >= dc.req[v]) dc.create(v, h);
    }
  }
  for (; v < vms.length; v++) dc.req[v] = dc.allocReq[v] = 50 * (1 + rng.int(40));
  for (let h = 0; h < hostCount; h++) {
    const x = rng.float();
    const step = spread ? dc.allocSum[h] * rng.float() : 50 * (1 + rng.int(3));
    const mips = x < 1 - offsets ? dc.allocSum[h] : x < 1 - offsets / 2 ? Math.max(0, dc.allocSum[h] - step) : Math.min(dc.totalMips[h], dc.allocSum[h] + step);
    dc.setUtilization(h, mips);
  }
  return dc;
}

/** Power increase of host `h` for demand `r`, as PABFD computes it. */
function increaseOf(dc: DataCenterState, h: number, r: number): number {
  return powerAt(dc.hostPower[h], (dc.allocSum[h] + r) / dc.totalMips[h]) - dc.curPower[h];
}

/** Every grouped host's increase for demand `r` is at or above its group's bound; returns the hosts. */
function assertBounds(dc: DataCenterState, bins: IncreaseBins, r: number, where: string): Set<number> {
  bins.bounds(r);
  const hosts = new Set<number>();
  for (let i = 0; i < bins.usedCount; i++) {
    const g = bins.used[i];
    for (let j = 0; j < bins.size[g]; j++) {
      const h = bins.members[g][j];
      hosts.add(h);
      const diff = increaseOf(dc, h, r);
      assert.ok(diff >= bins.bound[i], `${where}, r ${r}: host ${h} increases by ${diff} W, below its group's bound ${bins.bound[i]}`);
    }
  }
  assert.equal(hosts.size, bins.hostCount, where);
  return hosts;
}

test('increase bins: no host increases its power by less than its group bound, and the bound is the least increase over its bin', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rng = new Rng(seed, 'increase-bins');
    const dc = loadedDataCenter(rng, 300, () => rng.float(), 0.4, true);
    const bins = new IncreaseBins(dc);
    for (let h = 0; h < dc.hostCount; h++) bins.place(h);
    assert.equal(bins.hostCount, dc.hostCount);
    for (const r of [0, 1e-9, 37.5, 250, 1000 * rng.float(), 2500, 5000, 40000]) {
      assertBounds(dc, bins, r, `seed ${seed}`);
      let seen = 0;
      for (let i = 0; i < bins.usedCount; i++) {
        const g = bins.used[i];
        let lowestOffset = Infinity;
        let lo = Infinity;
        let hi = -Infinity;
        for (let j = 0; j < bins.size[g]; j++) {
          const h = bins.members[g][j];
          const cap = dc.totalMips[h];
          lowestOffset = Math.min(lowestOffset, powerAt(dc.hostPower[h], dc.allocSum[h] / cap) - dc.curPower[h]);
          lo = Math.min(lo, dc.allocSum[h] / cap);
          hi = Math.max(hi, dc.allocSum[h] / cap);
          seen++;
        }
        // tight: sampled densely over the 1 % bin that holds the hosts' allocations, the least
        // increase (plus the group's offsets, which sit within a factor 2 of their lower edge)
        // is not far above the bound
        const h = bins.members[g][0];
        const cap = dc.totalMips[h];
        if (hi >= 1 || lowestOffset < 0) continue;
        const bin = Math.floor(lo * 100 + 1e-9) / 100;
        let least = Infinity;
        for (let k = 0; k <= 2000; k++) {
          const a = (bin + k / 200000) * cap;
          least = Math.min(least, powerAt(dc.hostPower[h], (a + r) / cap) - powerAt(dc.hostPower[h], a / cap));
        }
        // the samples are cap / 200,000 apart: they may miss a corner by that much times g's slope
        let steepest = 0;
        for (let k = 0; k < 10; k++) steepest = Math.max(steepest, Math.abs(dc.hostPower[h][k + 1] - dc.hostPower[h][k]) * 10);
        const slack = 1e-6 + (2 * steepest) / 200000 + (lowestOffset === 0 ? 0 : lowestOffset);
        assert.ok(least + lowestOffset - bins.bound[i] <= slack, `seed ${seed}, r ${r}: bound ${bins.bound[i]} W, sampled least ${least} W + offset ${lowestOffset} W`);
      }
      assert.equal(seen, dc.hostCount);
    }
    // moving and removing hosts keeps the groups consistent
    for (let k = 0; k < 200; k++) {
      const h = rng.int(dc.hostCount);
      if (rng.float() < 0.3) bins.remove(h);
      else {
        const v = dc.lists[h][0];
        if (v !== undefined) dc.destroy(v, h);
        bins.place(h);
      }
    }
    let total = 0;
    for (let i = 0; i < bins.usedCount; i++) total += bins.size[bins.used[i]];
    assert.equal(total, bins.hostCount);
    bins.clear();
    assert.equal(bins.usedCount, 0);
    assert.equal(bins.hostCount, 0);
  }
});

test('PABFD over grouped candidates chooses as the full scan, through placements, exclusions and take-backs', () => {
  let groupedPasses = 0;
  let placements = 0;
  for (let seed = 1; seed <= 4; seed++) {
    const rng = new Rng(seed, 'grouped-pabfd');
    const dc = loadedDataCenter(rng, 3000, () => 0.55 + 0.1 * rng.int(4) + 0.02 * rng.float(), 0.1, false);
    for (let v = 0; v < dc.vmCount; v++) {
      let u = rng.float() * 0.5;
      for (let k = 0; k < 12; k++) dc.pushHistory(v, (u = Math.min(1, Math.max(0, u + (rng.float() - 0.45) * 0.05))));
    }
    const rejected = Uint8Array.from({ length: dc.hostCount }, () => (rng.float() < 0.2 ? 1 : 0));
    const detectors: OverloadDetector[] = [
      makeDetector('lr', 1.2, 300, 0.7),
      makeDetector('thr', 0.8, 300, 0.7),
      // rejects a fifth of the hosts: the grouped winner is often overloaded (the full pass follows)
      { name: 'random', isOverloaded: (_: DataCenterState, h: number) => rejected[h] === 1 },
    ];
    const detector = detectors[seed % detectors.length];
    // the candidates and groups the grouped PABFD keeps, mirrored here to check them
    const candidates = new HostCandidates(dc, new IncreaseBins(dc), GROUPED_MIN_HOSTS);
    assert.ok(candidates.bins, 'the data center is large enough for groups');
    const grouped = new IndexedPabfd(detector);
    const plain = new Pabfd(detector);
    for (const p of [grouped, plain]) p.begin(dc, { initial: false, checkReservations: true });
    const excluded = new Uint8Array(dc.hostCount);
    const listed = new Set(dc.lists.flat());
    const unplaced: number[] = [];
    for (let v = 0; v < dc.vmCount; v++) if (!listed.has(v)) unplaced.push(v);
    const placed: { v: number; h: number }[] = [];
    for (const v of unplaced.slice(0, 400)) {
      if (rng.float() < 0.05) {
        const h = rng.int(dc.hostCount);
        excluded[h] = 1;
        candidates.exclude(h);
        grouped.exclude(h);
      }
      if (placed.length > 0 && rng.float() < 0.05) {
        const { v: back, h } = placed.pop()!;
        dc.destroy(back, h);
        candidates.changed(h);
        grouped.changed(h);
      }
      const bins = candidates.bins!;
      // the groups hold the candidates not excluded (ids() may keep those until it compacts), each under its bound
      const inGroups = assertBounds(dc, bins, dc.req[v], `seed ${seed}, VM ${v}`);
      const open = Array.from(candidates.ids()).filter((h) => excluded[h] === 0);
      assert.deepEqual([...inGroups].sort((a, b) => a - b), open, `seed ${seed}, VM ${v}`);
      if (bins.hostCount >= GROUPED_SCAN_RATIO * bins.usedCount) groupedPasses++;
      const h = grouped.findHost(dc, v, excluded);
      assert.equal(h, plain.findHost(dc, v, excluded), `seed ${seed}, VM ${v}`);
      placements++;
      if (h < 0) continue;
      dc.create(v, h);
      candidates.changed(h);
      grouped.changed(h);
      placed.push({ v, h });
    }
  }
  assert.ok(groupedPasses > 0.9 * placements, `the grouped pass ran (${groupedPasses} of ${placements} placements)`);
});
