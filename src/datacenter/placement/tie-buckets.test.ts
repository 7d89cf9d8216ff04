/** The tie buckets: their bounds hold for every host, are reached, and the grouped PABFD with them chooses as the plain scan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { regressionScreen } from '../overload/lr.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5, PLANETLAB_VM_TYPES } from '../planetlab-config.js';
import { makeDetector } from '../policy-name.js';
import { powerAt } from '../power.js';
import { DataCenterState } from '../state.js';
import type { ConsolidationConfig, HostType } from '../types.js';
import { HostCandidates } from './candidates.js';
import { IncreaseBins } from './increase-bins.js';
import { IndexedPabfd } from './indexed-pabfd.js';
import { Pabfd } from './pabfd.js';
import { GROUPED_MIN_HOSTS } from './placement-index.js';
import { K, TieBuckets } from './tie-buckets.js';

const BIG_G4: HostType = { ...HOST_G4, name: 'G4 x6', pes: 12, ramBytes: 64e9 };
const BIG_G5: HostType = { ...HOST_G5, name: 'G5 x6', pes: 12, ramBytes: 64e9 };
/** A table that dips (no bound for its falling segment) and one with a segment across 128 W (two binades). */
const ODD: HostType = { ...HOST_G4, name: 'odd', pes: 12, power: [86, 95, 90, 96, 99.5, 120, 126, 130, 131, 133, 140] };

/**
 * Hosts of the given types loaded to `level()` of their capacity with VMs of repeating demands
 * (multiples of 50 MIPS), updated at their allocation (offset 0, the tied case) except a share
 * `offsets` drawing a little more or less.
 */
function tiedDataCenter(rng: Rng, hostCount: number, types: HostType[], level: () => number, offsets: number): DataCenterState {
  const hosts = Int32Array.from({ length: hostCount }, () => rng.int(types.length));
  const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8 }), hostTypes: types, hosts };
  const vms = Array.from({ length: 14 * hostCount }, () => rng.int(PLANETLAB_VM_TYPES.length));
  const dc = new DataCenterState(cfg, vms);
  const demand = () => 50 * (1 + rng.int(40));
  let v = 0;
  for (let h = 0; h < hostCount; h++) {
    const target = level() * dc.totalMips[h];
    for (; v < vms.length && dc.allocSum[h] < target; v++) {
      dc.req[v] = dc.allocReq[v] = demand();
      if (dc.avail[h] >= dc.req[v]) dc.create(v, h);
    }
  }
  for (; v < vms.length; v++) dc.req[v] = dc.allocReq[v] = demand();
  for (let h = 0; h < hostCount; h++) {
    const x = rng.float();
    const step = 50 * (1 + rng.int(3));
    const mips = x < 1 - offsets ? dc.allocSum[h] : x < 1 - offsets / 2 ? Math.max(0, dc.allocSum[h] - step) : Math.min(dc.totalMips[h], dc.allocSum[h] + step);
    dc.setUtilization(h, mips);
  }
  return dc;
}

function increaseOf(dc: DataCenterState, h: number, r: number): number {
  return powerAt(dc.hostPower[h], (dc.allocSum[h] + r) / dc.totalMips[h]) - dc.curPower[h];
}

test('tie buckets: no host increases its power by less than its bucket bound, and the bounds are reached', () => {
  let reached = 0;
  let bucketsChecked = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const rng = new Rng(seed, 'tie-buckets');
    const dc = tiedDataCenter(rng, 800, [BIG_G4, BIG_G5, ODD, HOST_G4], () => rng.float(), 0.2);
    const ties = new TieBuckets(dc);
    const bucketOf = new Map<number, number>();
    for (let h = 0; h < dc.hostCount; h++) {
      const u = dc.allocSum[h] / dc.totalMips[h];
      const x = u * 10;
      const segment = u > 0 ? Math.floor(x) : 0;
      const c = u < 1 ? dc.hostType[h] * 10 + segment : -1;
      const added = ties.add(h, c);
      // only hosts whose power is their table's at their allocation (offset 0) are added
      if (added) assert.equal(powerAt(dc.hostPower[h], u), dc.curPower[h], `seed ${seed}, host ${h}`);
      if (added) bucketOf.set(h, -1);
    }
    assert.ok(bucketOf.size > dc.hostCount / 2, `seed ${seed}: most hosts are in buckets (${bucketOf.size})`);
    // the buckets hold each added host once, in increasing id order
    const listed: number[] = [];
    for (let q = 0; q < ties.lists.length; q++) {
      const list = Array.from(ties.lists[q].subarray(0, ties.count[q]));
      assert.deepEqual(list, [...list].sort((a, b) => a - b));
      for (const h of list) bucketOf.set(h, q);
      listed.push(...list);
    }
    assert.equal(listed.length, bucketOf.size);
    for (const r of [1e-6, 0.5, 37.5, 50, 250, 700, 1000 * rng.float(), 2000 * rng.float(), 2500, 9000]) {
      if (!ties.prepare(r)) continue;
      const least = new Map<number, number>();
      for (const [h, q] of bucketOf) {
        const c = Math.floor(q / K);
        if (ties.ready[c] === 0 || dc.allocSum[h] + r > ties.limit[c]) continue;
        const diff = increaseOf(dc, h, r);
        assert.ok(diff >= ties.bound[q], `seed ${seed}, r ${r}: host ${h} increases by ${diff} W, below its bucket's bound ${ties.bound[q]}`);
        least.set(q, Math.min(least.get(q) ?? Infinity, diff));
      }
      // tight to the grid: a bucket's least increase is its bound or one grid step above, often the bound
      for (const [q, l] of least) {
        bucketsChecked++;
        if (l === ties.bound[q]) reached++;
        // within two grid steps and the rounding the bound allows for (2^-50 of the increase, 1.26 x 2^-52 of the slope)
        const c = Math.floor(q / K);
        const table = dc.typePower[Math.floor(c / 10)];
        const grid = 2 ** (Math.floor(Math.log2(table[c % 10])) - 52);
        const slope = (table[(c % 10) + 1] - table[c % 10]) * 10;
        const allowed = 2 * grid + l * 2 ** -50 + slope * 1.26 * 2 ** -52;
        assert.ok(l - ties.bound[q] <= allowed, `seed ${seed}, r ${r}: bucket ${q}'s least ${l} W is further above its bound ${ties.bound[q]} W than the rounding allows`);
      }
    }
    for (const h of [...bucketOf.keys()].slice(0, 100)) assert.ok(ties.remove(h));
    assert.ok(!ties.remove([...bucketOf.keys()][0]), 'a removed host is in no bucket');
  }
  assert.ok(reached > 0.2 * bucketsChecked, `bounds reached in ${reached} of ${bucketsChecked} buckets`);
});

test('grouped PABFD with tie buckets chooses as the plain scan and without them where hundreds of hosts tie', () => {
  let covered = 0;
  let placements = 0;
  for (let seed = 1; seed <= 4; seed++) {
    const rng = new Rng(seed, 'tie-buckets-pabfd');
    // one or two types, loaded in few table segments: hundreds of hosts per segment, increases equal but for rounding
    const types = seed % 2 === 0 ? [BIG_G4] : [BIG_G4, BIG_G5];
    const dc = tiedDataCenter(rng, 2500, types, () => 0.35 + 0.2 * rng.int(3) + 0.08 * rng.float(), 0.1);
    for (let v = 0; v < dc.vmCount; v++) {
      let u = rng.float() * 0.5;
      for (let k = 0; k < 12; k++) dc.pushHistory(v, (u = Math.min(1, Math.max(0, u + (rng.float() - 0.45) * 0.05))));
    }
    const detector = seed <= 2 ? makeDetector('lr', 1.2, 300, 0.7) : makeDetector('thr', 0.8, 300, 0.7);
    const screen = seed <= 2 ? regressionScreen(detector) : undefined;
    // the groups and buckets the grouped PABFD keeps, mirrored to see that the buckets cover groups
    const candidates = new HostCandidates(dc, new IncreaseBins(dc, undefined, true), GROUPED_MIN_HOSTS);
    const policies = [new IndexedPabfd(detector, { screen }), new IndexedPabfd(detector, { screen, tieBuckets: false }), new IndexedPabfd(detector, { screen, wasmScan: false })];
    const plain = new Pabfd(detector);
    for (const p of [...policies, plain]) p.begin(dc, { initial: false, checkReservations: false });
    const excluded = new Uint8Array(dc.hostCount);
    const listed = new Set(dc.lists.flat());
    const unplaced: number[] = [];
    for (let v = 0; v < dc.vmCount; v++) if (!listed.has(v)) unplaced.push(v);
    const placed: { v: number; h: number }[] = [];
    for (const v of unplaced.slice(0, 500)) {
      const x = rng.float();
      if (x < 0.05) {
        const h = rng.int(dc.hostCount);
        excluded[h] = 1;
        candidates.exclude(h);
        for (const p of policies) p.exclude(h);
      } else if (x < 0.1 && placed.length > 0) {
        const { v: back, h } = placed.pop()!;
        dc.destroy(back, h);
        candidates.changed(h);
        for (const p of policies) p.changed(h);
      }
      const bins = candidates.bins!;
      if (bins.bounds(dc.req[v], true) !== undefined) for (let i = 0; i < bins.usedCount; i++) covered += bins.covered[i];
      const expected = plain.findHost(dc, v, excluded);
      for (const p of policies) assert.equal(p.findHost(dc, v, excluded), expected, `seed ${seed}, VM ${v} (${dc.req[v]} MIPS)`);
      placements++;
      if (expected < 0) continue;
      dc.create(v, expected);
      candidates.changed(expected);
      for (const p of policies) p.changed(expected);
      placed.push({ v, h: expected });
    }
  }
  assert.ok(covered > 10 * placements, `the tie buckets cover groups (${covered} group visits left to them in ${placements} placements)`);
});
