/**
 * One conformance suite for every placement policy: on many seeded data centers (fast-check), each
 * policy's choices through a round of placements, exclusions and take-backs are those of a
 * brute-force oracle written from the definitions (first fit: the first suitable host by id;
 * PABFD: all suitable hosts sorted by (power increase, id), the first that has nothing allocated or
 * that the detector accepts). The cases hold ties (repeated demands on look-alike hosts), full
 * hosts, hosts that just fit, empty hosts switched off and empty hosts still on, excluded hosts,
 * detectors that reject most hosts, and LR with its placement screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../core/random.js';
import { regressionScreen } from '../overload/lr.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5, PLANETLAB_VM_TYPES } from '../planetlab-config.js';
import { makeDetector } from '../policy-name.js';
import type { OverloadDetector } from '../policy.js';
import { DataCenterState } from '../state.js';
import type { ConsolidationConfig, HostType } from '../types.js';
import { FirstFit } from './first-fit.js';
import { IndexedPabfd } from './indexed-pabfd.js';
import { Pabfd, powerIncrease } from './pabfd.js';
import { isSuitable, sortByDemandDecreasing, type Placement } from './placement.js';

type Oracle = (dc: DataCenterState, v: number, excluded: Uint8Array, detector: OverloadDetector, checkReservations: boolean) => number;

const firstFitOracle: Oracle = (dc, v, excluded, _detector, check) => {
  const fits = [...Array(dc.hostCount).keys()].filter((h) => excluded[h] === 0 && isSuitable(dc, h, v, check));
  return fits.length > 0 ? Math.min(...fits) : -1;
};

const pabfdOracle: Oracle = (dc, v, excluded, detector, check) => {
  const ranked = [...Array(dc.hostCount).keys()]
    .filter((h) => excluded[h] === 0 && isSuitable(dc, h, v, check))
    .map((h) => ({ h, increase: powerIncrease(dc, h, v) }))
    .sort((a, b) => a.increase - b.increase || a.h - b.h);
  return ranked.find(({ h }) => dc.allocSum[h] === 0 || !detector.isOverloaded(dc, h, v))?.h ?? -1;
};

/** Every policy, with the oracle it must agree with. */
const POLICIES: { name: string; make: (detector: OverloadDetector) => Placement; oracle: Oracle }[] = [
  { name: 'first fit', make: () => new FirstFit(), oracle: firstFitOracle },
  { name: 'PABFD (plain scan)', make: (d) => new Pabfd(d), oracle: pabfdOracle },
  { name: 'indexed PABFD', make: (d) => new IndexedPabfd(d, { grouped: false, screen: regressionScreen(d) }), oracle: pabfdOracle },
  { name: 'indexed PABFD without screen', make: (d) => new IndexedPabfd(d, { grouped: false }), oracle: pabfdOracle },
  // groups from the first host on, so that small data centers use them
  { name: 'grouped PABFD', make: (d) => new IndexedPabfd(d, { screen: regressionScreen(d), groupedMinHosts: 0, groupedScanRatio: 0 }), oracle: pabfdOracle },
  {
    name: 'grouped PABFD without tie buckets',
    make: (d) => new IndexedPabfd(d, { screen: regressionScreen(d), groupedMinHosts: 0, groupedScanRatio: 0, tieBuckets: false }),
    oracle: pabfdOracle,
  },
  { name: 'indexed PABFD with its JavaScript loop', make: (d) => new IndexedPabfd(d, { grouped: false, screen: regressionScreen(d), wasmScan: false }), oracle: pabfdOracle },
  {
    name: 'grouped PABFD with its JavaScript loops',
    make: (d) => new IndexedPabfd(d, { screen: regressionScreen(d), groupedMinHosts: 0, groupedScanRatio: 0, wasmScan: false }),
    oracle: pabfdOracle,
  },
];

/** A 12-core G4 whose table dips, and a G5 with much RAM: hosts of several shapes. */
const BIG_G4: HostType = { ...HOST_G4, name: 'G4 x6 dipping', pes: 12, ramBytes: 64e9, power: [86, 95, 90, 96, 99.5, 120, 106, 108, 112, 114, 117] };
const BIG_G5: HostType = { ...HOST_G5, name: 'G5 x6', pes: 12, ramBytes: 64e9 };

interface Case {
  seed: number;
  hosts: number;
  initial: boolean;
  detector: 'thr' | 'lr' | 'mad' | 'rejecting';
  checkReservations: boolean;
  /** Share of hosts loaded at the start of a step round. */
  loaded: number;
  /** Demands in multiples of 100 MIPS (many ties) or any. */
  roundDemands: boolean;
}

const cases: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  hosts: fc.integer({ min: 1, max: 90 }),
  initial: fc.boolean(),
  detector: fc.constantFrom('thr' as const, 'lr' as const, 'mad' as const, 'rejecting' as const),
  checkReservations: fc.boolean(),
  loaded: fc.double({ min: 0, max: 1, noNaN: true }),
  roundDemands: fc.boolean(),
});

/** A hash of whole numbers. */
function mix(...xs: number[]): number {
  let x = 0x9e3779b9;
  for (const y of xs) x = Math.imul(x ^ (y | 0) ^ Math.floor(y / 2 ** 32), 0x85ebca6b) ^ (x >>> 13);
  return x >>> 0;
}

/** Plays case `c` with `policy`, asserting each choice against `oracle`; returns the number of placements that found a host. */
function play(c: Case, make: (d: OverloadDetector) => Placement, oracle: Oracle): number {
  const rng = new Rng(c.seed, 'placement-conformance');
  const hostTypes = [HOST_G4, HOST_G5, BIG_G4, BIG_G5];
  // few host types and a few VM types make look-alike hosts and equal increases common
  const typeCount = 1 + rng.int(hostTypes.length);
  const hosts = Int32Array.from({ length: c.hosts }, () => rng.int(typeCount));
  const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), hostTypes, hosts };
  const vmTypes = Array.from({ length: 8 * c.hosts + 20 }, () => rng.int(1 + rng.int(PLANETLAB_VM_TYPES.length)));
  const dc = new DataCenterState(cfg, vmTypes);
  // rejects four hosts in five, as a function of the host's state (a detector reads nothing else)
  const salt = rng.int(2 ** 30);
  const rejects = (d: DataCenterState, h: number) => mix(salt, d.hostType[h], Math.round(d.allocSum[h] * 1000), d.lists[h].length) % 5 !== 0;
  const detector: OverloadDetector =
    c.detector === 'rejecting'
      ? { name: 'rejecting', isOverloaded: (d, h) => rejects(d, h) }
      : makeDetector(c.detector, c.detector === 'thr' ? 0.5 + 0.5 * rng.float() : c.detector === 'lr' ? 0.8 + rng.float() : 2.5, 300, 0.7);
  const policy = make(detector);
  // odd seeds: the excluded flags the policy hands out (the compiled scan reads them in place)
  let excluded: Uint8Array = new Uint8Array(c.hosts);
  const demand = (v: number) => (c.roundDemands ? 100 * (1 + rng.int(Math.ceil(dc.vmMips[v] / 100))) : rng.float() * dc.vmMips[v]);
  let found = 0;
  const choose = (v: number, what: string) => {
    const expected = oracle(dc, v, excluded, detector, c.checkReservations || c.initial);
    const got = policy.findHost(dc, v, excluded);
    assert.equal(got, expected, `${policy.name}, seed ${c.seed}: ${what}`);
    if (got >= 0) found++;
    return got;
  };

  if (c.initial) {
    // t = 0: every VM at full capacity, in id order (look-alike hosts everywhere)
    policy.begin(dc, { initial: true, checkReservations: true });
    if (c.seed % 2 === 1) excluded = policy.newExcluded();
    for (let v = 0; v < dc.vmCount; v++) {
      dc.req[v] = dc.allocReq[v] = dc.vmMips[v] * dc.vmPes[v];
      const h = choose(v, `initial VM ${v}`);
      if (h < 0) continue;
      dc.create(v, h);
      policy.changed(h);
      dc.req[v] = 0;
    }
    return found;
  }

  // a step: some VMs placed, histories (for LR and MAD), utilisation of the last update
  const placed = new Uint8Array(dc.vmCount);
  for (let v = 0; v < dc.vmCount; v++) {
    const n = rng.float() < 0.2 ? rng.int(10) : 10 + rng.int(20);
    let u = rng.float() * 0.7;
    const trend = (rng.float() - 0.4) * 0.1;
    for (let k = 0; k < n; k++) dc.pushHistory(v, (u = Math.min(1, Math.max(0, u + trend + (rng.float() - 0.5) * 0.05))));
    dc.req[v] = dc.allocReq[v] = demand(v);
  }
  for (let h = 0; h < c.hosts; h++) {
    if (rng.float() >= c.loaded) continue;
    // fill to a level; one host in four exactly full (free MIPS 0)
    const full = rng.float() < 0.25;
    const level = full ? 1 : rng.float();
    // (at most 12 VMs a host: VMs stay for the placements)
    for (let v = rng.int(dc.vmCount), n = 0; n < 12 && dc.allocSum[h] < level * dc.totalMips[h]; v = (v + 1) % dc.vmCount, n++) {
      if (placed[v] === 1) continue;
      if (full && dc.avail[h] < dc.req[v] && dc.avail[h] > 0) dc.req[v] = dc.allocReq[v] = Math.min(dc.avail[h], dc.peMips[h]);
      if (dc.avail[h] < dc.req[v] || dc.req[v] === 0) break;
      dc.create(v, h);
      placed[v] = 1;
    }
  }
  for (let h = 0; h < c.hosts; h++) {
    // off (empty, 0 at the last update), or still on though emptied, or drawing more or less than its allocation now
    const x = rng.float();
    const u =
      x < 0.6 ? dc.allocSum[h] : x < 0.8 ? Math.min(dc.totalMips[h], dc.allocSum[h] + 100 * (1 + rng.int(5))) : Math.max(0, dc.allocSum[h] - 100 * rng.int(5));
    dc.setUtilization(h, u);
  }
  policy.begin(dc, { initial: false, checkReservations: c.checkReservations });
  if (c.seed % 2 === 1) excluded = policy.newExcluded();
  const taken: { v: number; h: number }[] = [];
  for (let k = 0; k < 3 * c.hosts + 10; k++) {
    const x = rng.float();
    if (x < 0.08) {
      const h = rng.int(c.hosts);
      excluded[h] = 1;
      policy.exclude(h);
    } else if (x < 0.13 && taken.length > 0) {
      const { v, h } = taken.splice(rng.int(taken.length), 1)[0];
      dc.destroy(v, h);
      placed[v] = 0;
      policy.changed(h);
    } else if (x < 0.16) {
      // a VM leaves a host that is then no target (an overloaded host's VM selection)
      const h = rng.int(c.hosts);
      const v = dc.lists[h][0];
      if (v === undefined) continue;
      dc.destroy(v, h);
      placed[v] = 0;
      excluded[h] = 1;
      policy.changed(h);
    } else {
      const v = rng.int(dc.vmCount);
      if (placed[v] === 1) continue;
      // a VM that just fits a host: its demand is that host's free MIPS (capped at one PE)
      if (rng.float() < 0.15) {
        const h = rng.int(c.hosts);
        if (dc.avail[h] > 0) dc.req[v] = dc.allocReq[v] = Math.min(dc.avail[h], dc.peMips[h], dc.vmMips[v]);
      }
      const h = choose(v, `placement ${k}, VM ${v} (${dc.req[v]} MIPS)`);
      if (h < 0) continue;
      dc.create(v, h);
      placed[v] = 1;
      policy.changed(h);
      taken.push({ v, h });
    }
  }
  return found;
}

for (const { name, make, oracle } of POLICIES) {
  test(`placement conformance: ${name} chooses as the brute-force oracle`, () => {
    let found = 0;
    let runs = 0;
    fc.assert(
      fc.property(cases, (c) => {
        found += play(c, make, oracle);
        runs++;
      }),
      { numRuns: 150, seed: 20 },
    );
    assert.ok(found > 10 * runs, `the cases place VMs (${found} in ${runs} cases)`);
  });
}

test('sortByDemandDecreasing orders as a stable sort by decreasing demand, as Java Collections.sort', () => {
  const cfg = cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts: 1 });
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 40 }), fc.boolean(), (levels, any) => {
      const dc = new DataCenterState(
        cfg,
        levels.map(() => 0),
      );
      // few demand levels: many ties, whose order must be kept
      const rng = new Rng(levels.length, 'sort');
      levels.forEach((l, v) => (dc.req[v] = any ? rng.float() * 1000 : l * 250));
      const ids = levels.map((_, v) => v).reverse();
      const expected = ids
        .map((v, i) => ({ v, i }))
        .sort((a, b) => dc.req[b.v] - dc.req[a.v] || a.i - b.i)
        .map(({ v }) => v);
      assert.deepEqual(sortByDemandDecreasing(dc, ids.slice()), expected);
    }),
    { numRuns: 300, seed: 20 },
  );
});
