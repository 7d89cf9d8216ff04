/**
 * The WebAssembly scan kernel against the loop it compiles, written here from its definition with
 * powerAt (power.ts): the same position and the same increase, to the bit, on seeded groups whose
 * increases tie up to rounding, with utilisations on table points, at or past capacity and at 0,
 * hosts short of free MIPS, excluded hosts, and leads held by lower and higher ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5, powerAt, withDeltas } from '../power.js';
import { ROW_ALLOC, ROW_AVAIL, ROW_POWER, ROW_SIZE, ROW_TYPE } from './placement-index.js';
import { WasmScan } from './wasm-scan.js';

/** The loop of indexed-pabfd.ts (nextLeaderJs): the first of hosts[from..n) that takes the lead. */
function nextLeader(
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
): { i: number; lead: number } {
  for (let i = from; i < n; i++) {
    const h = hosts[i];
    const row = ROW_SIZE * h;
    if (excluded[h] === 1 || rows[row + ROW_AVAIL] < r) continue;
    const diff = powerAt(table, (rows[row + ROW_ALLOC] + r) / cap) - rows[row + ROW_POWER];
    if (diff < min || (diff === min && h < minHost)) return { i, lead: diff };
  }
  return { i: n, lead: NaN };
}

test('the WebAssembly kernel finds the JavaScript loop leaders, to the bit', (t) => {
  const typePower = [withDeltas(HP_PROLIANT_ML110_G4), withDeltas(HP_PROLIANT_ML110_G5), withDeltas([86, 95, 90, 96, 99.5, 120, 106, 108, 112, 114, 117])];
  const typeCap = [12 * 1860, 12 * 2660, 2 * 1860];
  const hostCount = 300;
  const scan = WasmScan.for(hostCount, typePower);
  if (scan === undefined) {
    if (process.env.CI === 'true') assert.fail('WebAssembly is not available');
    t.skip('WebAssembly is not available');
    return;
  }
  const rng = new Rng(7, 'wasm-scan');
  const rows = scan.rows;
  const excluded = new Uint8Array(hostCount);
  let leads = 0;
  for (let round = 0; round < 400; round++) {
    const type = rng.int(typePower.length);
    const table = typePower[type];
    const cap = typeCap[type];
    // allocations on a grid near one table segment (increases equal but for rounding), on table
    // points, at 0 and past capacity
    const segment = rng.int(10);
    for (let h = 0; h < hostCount; h++) {
      const kind = rng.int(20);
      const alloc =
        kind === 0 ? 0 : kind === 1 ? cap * (1 + rng.int(3)) : kind === 2 ? cap * [0.1, 0.2, 0.4, 0.8][rng.int(4)] : Math.round(cap * (segment / 10 + rng.float() / 10) * 100) / 100;
      rows[ROW_SIZE * h + ROW_AVAIL] = rng.int(10) === 0 ? rng.float() * 100 : cap - Math.min(alloc, cap) + 1000;
      rows[ROW_SIZE * h + ROW_ALLOC] = alloc;
      rows[ROW_SIZE * h + ROW_POWER] = rng.int(8) === 0 ? powerAt(table, rng.float()) : powerAt(table, alloc / cap);
      rows[ROW_SIZE * h + ROW_TYPE] = type;
      excluded[h] = rng.int(10) === 0 ? 1 : 0;
    }
    const n = 1 + rng.int(hostCount);
    const hosts = Int32Array.from({ length: 2 * n }, () => rng.int(hostCount));
    // r on table points (u exactly 0.1, 0.2, 0.4, 0.8 for an empty host) or anywhere
    const r = rng.int(4) === 0 ? cap * [0.1, 0.2, 0.4, 0.8][rng.int(4)] : rng.float() * cap * 0.3;
    scan.setExcluded(excluded);
    scan.setHosts(hosts, n);
    // follow the leaders through the group, as the grouped pass does
    let min = rng.int(3) === 0 ? Number.MAX_VALUE : powerAt(table, rng.float()) - powerAt(table, rng.float());
    let minHost = rng.int(3) === 0 ? -1 : rng.int(hostCount);
    for (let from = 0; ; ) {
      const expected = nextLeader(rows, excluded, hosts, from, n, table, cap, r, min, minHost);
      const i: number = scan.nextLeader(from, n, type, r, cap, min, minHost);
      assert.equal(i, expected.i, `round ${round}, from ${from}`);
      if (i >= n) break;
      assert.ok(Object.is(scan.leadIncrease, expected.lead), `round ${round}: lead ${scan.leadIncrease} vs ${expected.lead}`);
      leads++;
      min = expected.lead;
      minHost = hosts[i];
      from = i + 1;
    }
  }
  assert.ok(leads > 1000, `only ${leads} leads`);
});
