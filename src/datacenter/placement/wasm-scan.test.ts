/**
 * The WebAssembly scan kernel against the loops it compiles, written here from their definition
 * with powerAt (power.ts): the same positions, leads, listed hosts and increases, to the bit, on
 * seeded hosts whose increases tie up to rounding, with utilisations on table points, at or past
 * capacity and at 0, hosts short of free MIPS or PE capacity, excluded hosts, leads held by
 * lower and higher ids, and screen scores known above and below the limit or not known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5, powerAt, withDeltas } from '../power.js';
import { ROW_ALLOC, ROW_AVAIL, ROW_POWER, ROW_SIZE, ROW_TYPE } from './placement-index.js';
import { WasmScan } from './wasm-scan.js';

/**
 * The grouped pass's loop over a group (indexed-pabfd.ts visitGroup with nextLeaderJs): from
 * (min, minHost), each host of hosts[from..n) that would take the lead takes it unless, with a
 * screen and something allocated, its score is at or above `limit`; stops at a host that would
 * take the lead whose score is NaN (not known). Returns that position (n if none), its increase,
 * and the lead so far.
 */
function groupLeast(
  rows: Float64Array,
  excluded: Uint8Array,
  hosts: Int32Array,
  from: number,
  n: number,
  table: Float64Array,
  cap: number,
  r: number,
  min: number,
  minHost: number,
  scores: Float64Array | undefined,
  limit: number,
): { i: number; lead: number; min: number; minHost: number } {
  for (let i = from; i < n; i++) {
    const h = hosts[i];
    const row = ROW_SIZE * h;
    if (excluded[h] === 1 || rows[row + ROW_AVAIL] < r) continue;
    const diff = powerAt(table, (rows[row + ROW_ALLOC] + r) / cap) - rows[row + ROW_POWER];
    if (diff < min || (diff === min && h < minHost)) {
      if (scores !== undefined && rows[row + ROW_ALLOC] !== 0) {
        if (Number.isNaN(scores[h])) return { i, lead: diff, min, minHost };
        if (scores[h] >= limit) continue;
      }
      min = diff;
      minHost = h;
    }
  }
  return { i: n, lead: NaN, min, minHost };
}

/** The full pass's loop of indexed-pabfd.ts (listUntilLeaderJs), hosts of any type, listing into out. */
function listUntilLeader(
  rows: Float64Array,
  excluded: Uint8Array,
  hosts: Int32Array,
  from: number,
  n: number,
  out: { host: number[]; diff: number[] },
  r: number,
  perPe: number,
  min: number,
  minHost: number,
): { i: number; lead: number } {
  for (let i = from; i < n; i++) {
    const h = hosts[i];
    const row = ROW_SIZE * h;
    const type = rows[row + ROW_TYPE];
    if (excluded[h] === 1 || TYPE_PE_MIPS[type] < perPe || rows[row + ROW_AVAIL] < r) continue;
    const diff = powerAt(TYPE_POWER[type], (rows[row + ROW_ALLOC] + r) / TYPE_CAP[type]) - rows[row + ROW_POWER];
    if (diff < min || (diff === min && h < minHost)) return { i, lead: diff };
    out.host.push(h);
    out.diff.push(diff);
  }
  return { i: n, lead: NaN };
}

const TYPE_POWER = [withDeltas(HP_PROLIANT_ML110_G4), withDeltas(HP_PROLIANT_ML110_G5), withDeltas([86, 95, 90, 96, 99.5, 120, 106, 108, 112, 114, 117])];
const TYPE_CAP = Float64Array.of(12 * 1860, 12 * 2660, 2 * 1860);
const TYPE_PE_MIPS = Float64Array.of(1860, 2660, 1860);
const HOSTS = 300;

/**
 * Seeded rounds: hosts whose allocations sit near one table segment (increases equal but for
 * rounding), on table points, at 0 and past capacity, some short of free MIPS, some excluded, some
 * with a power off their allocation's; a visiting order with repeats; a demand on a table point
 * or anywhere; a lead held by nobody, a lower or a higher id. Every other round the excluded flags
 * and the hosts to visit are in the kernel's memory (newExcluded, newMembers: read in place), else
 * in plain arrays (copied).
 */
function* rounds(scan: WasmScan, rng: Rng, oneType: boolean) {
  const rows = scan.rows;
  const plainExcluded = new Uint8Array(HOSTS);
  const storedHosts = scan.newMembers(2 * HOSTS);
  assert.ok(storedHosts !== undefined);
  for (let round = 0; round < 300; round++) {
    const inPlace = round % 2 === 1;
    scan.releaseExcluded();
    const excluded = inPlace ? scan.newExcluded()! : plainExcluded;
    const type0 = rng.int(TYPE_POWER.length);
    const segment = rng.int(10);
    for (let h = 0; h < HOSTS; h++) {
      const type = oneType ? type0 : rng.int(TYPE_POWER.length);
      const table = TYPE_POWER[type];
      const cap = TYPE_CAP[type];
      const kind = rng.int(20);
      const alloc =
        kind === 0 ? 0 : kind === 1 ? cap * (1 + rng.int(3)) : kind === 2 ? cap * [0.1, 0.2, 0.4, 0.8][rng.int(4)] : Math.round(cap * (segment / 10 + rng.float() / 10) * 100) / 100;
      rows[ROW_SIZE * h + ROW_AVAIL] = rng.int(10) === 0 ? rng.float() * 100 : cap - Math.min(alloc, cap) + 1000;
      rows[ROW_SIZE * h + ROW_ALLOC] = alloc;
      rows[ROW_SIZE * h + ROW_POWER] = rng.int(8) === 0 ? powerAt(table, rng.float()) : powerAt(table, alloc / cap);
      rows[ROW_SIZE * h + ROW_TYPE] = type;
      excluded[h] = rng.int(10) === 0 ? 1 : 0;
    }
    const n = 1 + rng.int(HOSTS);
    const hosts = inPlace ? storedHosts.subarray(0, 2 * n) : new Int32Array(2 * n);
    for (let i = 0; i < 2 * n; i++) hosts[i] = rng.int(HOSTS);
    const cap = TYPE_CAP[type0];
    const r = rng.int(4) === 0 ? cap * [0.1, 0.2, 0.4, 0.8][rng.int(4)] : rng.float() * cap * 0.3;
    const min = rng.int(3) === 0 ? Number.MAX_VALUE : powerAt(TYPE_POWER[type0], rng.float()) - powerAt(TYPE_POWER[type0], rng.float());
    const minHost = rng.int(3) === 0 ? -1 : rng.int(HOSTS);
    scan.setExcluded(excluded);
    scan.setHosts(hosts, n);
    yield { round, type: type0, excluded, hosts, n, r, cap, min, minHost };
  }
}

function kernel(t: { skip(reason: string): void }): WasmScan | undefined {
  const scan = WasmScan.for(HOSTS, TYPE_POWER, TYPE_CAP, TYPE_PE_MIPS);
  if (scan === undefined) {
    if (process.env.CI === 'true') assert.fail('WebAssembly is not available');
    t.skip('WebAssembly is not available');
  }
  return scan;
}

test('the compiled group loop takes the JavaScript loop\'s leads and stops where it does, to the bit', (t) => {
  const scan = kernel(t);
  if (scan === undefined) return;
  const rng = new Rng(7, 'wasm-scan');
  let stops = 0;
  let dropped = 0;
  for (const c of rounds(scan, rng, true)) {
    const table = TYPE_POWER[c.type];
    // scores: none (no screen), or some known, some not (NaN), some at or above the limit
    const screened = rng.int(4) !== 0;
    const limit = rng.float();
    scan.forgetScores();
    for (let h = 0; h < HOSTS; h++) {
      const x = rng.int(3);
      if (x > 0) scan.scores[h] = x === 1 ? limit + rng.float() * (rng.int(2) === 0 ? 0 : 1) : limit - rng.float() - 1e-9;
    }
    const scores = screened ? Float64Array.from(scan.scores) : undefined;
    let { min, minHost } = c;
    for (let from = 0; ; ) {
      const expected = groupLeast(scan.rows, c.excluded, c.hosts, from, c.n, table, c.cap, c.r, min, minHost, scores, limit);
      const i: number = scan.groupLeast(from, c.n, c.type, c.r, c.cap, min, minHost, screened, limit);
      assert.equal(i, expected.i, `round ${c.round}, from ${from}`);
      assert.ok(Object.is(scan.leastIncrease, expected.min) && scan.leastHost === expected.minHost, `round ${c.round}: least ${scan.leastIncrease} (${scan.leastHost}) vs ${expected.min} (${expected.minHost})`);
      if (i >= c.n) break;
      assert.ok(Object.is(scan.leadIncrease, expected.lead), `round ${c.round}: lead ${scan.leadIncrease} vs ${expected.lead}`);
      stops++;
      // the caller screens the host: it takes the lead or is dropped, at random here
      ({ min, minHost } = expected);
      if (rng.int(2) === 0) {
        min = expected.lead;
        minHost = c.hosts[i];
      } else dropped++;
      from = i + 1;
    }
  }
  assert.ok(stops > 250 && dropped > 120, `only ${stops} stops, ${dropped} dropped`);
});

test('the compiled full-pass loop lists and finds leaders as the JavaScript loop, to the bit', (t) => {
  const scan = kernel(t);
  if (scan === undefined) return;
  const rng = new Rng(8, 'wasm-scan full');
  let leads = 0;
  let listed = 0;
  for (const c of rounds(scan, rng, false)) {
    const perPe = rng.int(4) === 0 ? 1860 + rng.float() * 1000 : c.r / 4;
    const out = { host: [] as number[], diff: [] as number[] };
    let { min, minHost } = c;
    let m = 0;
    for (let from = 0; ; ) {
      const expected = listUntilLeader(scan.rows, c.excluded, c.hosts, from, c.n, out, c.r, perPe, min, minHost);
      const i: number = scan.listUntilLeader(from, c.n, m, c.r, perPe, min, minHost);
      assert.equal(i, expected.i, `round ${c.round}, from ${from}`);
      m = scan.listedCount;
      assert.equal(m, out.host.length, `round ${c.round}: listed`);
      if (i >= c.n) break;
      assert.ok(Object.is(scan.leadIncrease, expected.lead), `round ${c.round}: lead ${scan.leadIncrease} vs ${expected.lead}`);
      leads++;
      // the pass lists the leader itself
      out.host.push(c.hosts[i]);
      out.diff.push(expected.lead);
      scan.candHost[m] = c.hosts[i];
      scan.candDiff[m] = expected.lead;
      m++;
      min = expected.lead;
      minHost = c.hosts[i];
      from = i + 1;
    }
    assert.deepEqual([...scan.candHost.subarray(0, m)], out.host, `round ${c.round}: listed hosts`);
    for (let k = 0; k < m; k++) assert.ok(Object.is(scan.candDiff[k], out.diff[k]), `round ${c.round}: increase ${k}`);
    listed += m;
  }
  assert.ok(leads > 500 && listed > 10000, `only ${leads} leads, ${listed} listed`);
});

test('excluded flags and member lists from the kernel\'s memory are read in place; two excluded arrays a round', (t) => {
  const scan = kernel(t);
  if (scan === undefined) return;
  const table = TYPE_POWER[0];
  const cap = TYPE_CAP[0];
  for (let h = 0; h < HOSTS; h++) {
    scan.rows[ROW_SIZE * h + ROW_AVAIL] = cap;
    scan.rows[ROW_SIZE * h + ROW_ALLOC] = 0;
    scan.rows[ROW_SIZE * h + ROW_POWER] = powerAt(table, 0);
    scan.rows[ROW_SIZE * h + ROW_TYPE] = 0;
  }
  scan.releaseExcluded();
  const a = scan.newExcluded()!;
  const b = scan.newExcluded()!;
  assert.ok(a !== undefined && b !== undefined && scan.newExcluded() === undefined, 'two arrays a round');
  const hosts = scan.newMembers(3)!;
  hosts.set([5, 7, 9]);
  scan.setExcluded(a);
  scan.setHosts(hosts, 3);
  // every host ties: the lowest id visited leads
  const least = () => (scan.groupLeast(0, 3, 0, 100, cap, Number.MAX_VALUE, -1, false, 0), scan.leastHost);
  assert.equal(least(), 5);
  // changed after setExcluded and setHosts: the loop sees the change
  a[5] = 1;
  assert.equal(least(), 7);
  hosts[1] = 5;
  assert.equal(least(), 9);
  // the other array, then a plain one (a copy: later changes are not seen)
  scan.setExcluded(b);
  assert.equal(least(), 5);
  const plain = new Uint8Array(HOSTS);
  scan.setExcluded(plain);
  plain[5] = 1;
  assert.equal(least(), 5);
  // a new round hands the memory out again, zeroed
  scan.releaseExcluded();
  const c = scan.newExcluded()!;
  assert.equal(c.byteOffset, a.byteOffset);
  assert.equal(c[5], 0);
});
