/** The candidate sets give exactly the full scan's PABFD choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5, PLANETLAB_VM_TYPES } from '../planetlab-config.js';
import { makeDetector } from '../policy-name.js';
import { powerAt } from '../power.js';
import { DataCenterState } from '../state.js';
import type { ConsolidationConfig, HostType } from '../types.js';
import { InitialCandidates } from './candidates.js';
import { findHostForVm } from './pabfd.js';

/** The initial placement of `vmTypes` on `hosts`, with or without the class candidates. */
function initialPlacement(cfg: ConsolidationConfig, vmTypes: number[], detectorName: 'thr' | 'lr', withClasses: boolean): number[] {
  const dc = new DataCenterState(cfg, vmTypes);
  const detector = makeDetector(detectorName, detectorName === 'thr' ? 0.8 : 1.2, 300, 0.7);
  const none = new Uint8Array(dc.hostCount);
  const candidates = withClasses ? new InitialCandidates(dc) : undefined;
  const homes: number[] = [];
  for (let v = 0; v < dc.vmCount; v++) {
    const full = dc.vmMips[v] * dc.vmPes[v];
    dc.req[v] = full;
    dc.allocReq[v] = full;
    const h = findHostForVm(dc, v, none, detector, true, candidates);
    homes.push(h);
    if (h < 0) continue;
    dc.create(v, h);
    dc.req[v] = 0;
    candidates?.placed(v, h);
  }
  return homes;
}

test('initial placement: one host per class of look-alike hosts gives the full scan choice', () => {
  const small = (t: HostType, pes: number): HostType => ({ ...t, name: `${t.name} x${pes}`, pes, ramBytes: 8e9 });
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Rng(seed, 'initial-candidates');
    const hostTypes = [small(HOST_G4, 2 + rng.int(6)), small(HOST_G5, 2 + rng.int(6)), HOST_G4];
    const hosts = Int32Array.from({ length: 5 + rng.int(60) }, () => rng.int(hostTypes.length));
    const vms = Array.from({ length: 10 + rng.int(300) }, () => rng.int(PLANETLAB_VM_TYPES.length));
    const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), hostTypes, hosts };
    for (const detector of ['thr', 'lr'] as const) {
      const full = initialPlacement(cfg, vms, detector, false);
      assert.deepEqual(initialPlacement(cfg, vms, detector, true), full, `seed ${seed}, ${detector}`);
      assert.ok(full.some((h) => h < 0) || new Set(full).size > 1, 'the case places VMs on several hosts');
    }
  }
});

test('PABFD: the least power increase among suitable hosts the detector accepts, lowest id on ties (brute force)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = new Rng(seed, 'pabfd-oracle');
    const hosts = Int32Array.from({ length: 2 + rng.int(200) }, () => rng.int(2));
    const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8 }), hosts };
    const vms = Array.from({ length: 8 * hosts.length }, () => rng.int(PLANETLAB_VM_TYPES.length));
    const dc = new DataCenterState(cfg, vms);
    // load: VMs on random hosts with demands that repeat (so that increases tie), some hosts empty
    let v = 0;
    for (; v < vms.length - 1; v++) {
      if (rng.float() < 0.3) continue;
      const h = rng.int(hosts.length);
      const mips = 100 * (1 + rng.int(8));
      if (dc.avail[h] < mips) continue;
      dc.req[v] = dc.allocReq[v] = mips;
      dc.create(v, h);
    }
    for (let h = 0; h < hosts.length; h++) dc.setUtilization(h, dc.allocSum[h]);
    const x = vms.length - 1;
    dc.req[x] = dc.allocReq[x] = 100 * (1 + rng.int(8));
    // a detector that rejects a seeded share of the hosts (most of them in some cases)
    const share = seed % 3 === 0 ? 0.97 : rng.float();
    const rejected = Uint8Array.from({ length: hosts.length }, () => (rng.float() < share ? 1 : 0));
    const detector = { name: 'test', isOverloaded: (_: DataCenterState, h: number) => rejected[h] === 1 };
    const excluded = Uint8Array.from({ length: hosts.length }, () => (rng.float() < 0.1 ? 1 : 0));
    let best = -1;
    let bestDiff = Infinity;
    for (let h = 0; h < hosts.length; h++) {
      if (excluded[h] === 1 || dc.avail[h] < dc.req[x] || (dc.allocSum[h] > 0 && rejected[h] === 1)) continue;
      const diff = powerAt(dc.hostPower[h], (dc.allocSum[h] + dc.req[x]) / dc.totalMips[h]) - dc.curPower[h];
      if (diff < bestDiff) {
        bestDiff = diff;
        best = h;
      }
    }
    assert.equal(findHostForVm(dc, x, excluded, detector, false), best, `seed ${seed}`);
    // the scan's side-by-side copy agrees with the arrays it mirrors
    for (let h = 0; h < hosts.length; h++) {
      const row = [dc.avail[h], dc.allocSum[h], dc.curPower[h], dc.totalMips[h]];
      assert.deepEqual(Array.from(dc.scanRow.subarray(4 * h, 4 * h + 4)), row, `seed ${seed}, host ${h}`);
    }
  }
});

test("LR's placement screen drops only hosts LR rejects, so PABFD chooses as without it", () => {
  let dropped = 0;
  let checked = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Rng(seed, 'lr-screen');
    // a slow-NIC type gives VMs of different RAM different prediction points: never screened
    const slow: HostType = { ...HOST_G4, name: 'G4 10 Mbit/s', bandwidth: 10e6 / 8 };
    const hostTypes = seed % 4 === 0 ? [HOST_G4, HOST_G5, slow] : [HOST_G4, HOST_G5];
    const hosts = Int32Array.from({ length: 2 + rng.int(80) }, () => rng.int(hostTypes.length));
    const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), hostTypes, hosts };
    const vms = Array.from({ length: 4 * hosts.length }, () => rng.int(PLANETLAB_VM_TYPES.length));
    const dc = new DataCenterState(cfg, vms);
    // histories with trends (some hosts predicted overloaded), some shorter than the window
    for (let v = 0; v < vms.length; v++) {
      const n = rng.float() < 0.2 ? rng.int(10) : 10 + rng.int(20);
      let u = rng.float() * 0.6;
      const trend = (rng.float() - 0.4) * 0.1;
      for (let k = 0; k < n; k++) dc.pushHistory(v, (u = Math.min(1, Math.max(0, u + trend + (rng.float() - 0.5) * 0.05))));
      dc.req[v] = dc.allocReq[v] = u * dc.vmMips[v];
    }
    for (let v = 0; v < vms.length; v++) {
      const h = rng.int(hosts.length);
      // in a third of the cases most hosts stay empty (never checked for overload, never dropped)
      if (rng.float() < (seed % 3 === 0 ? 0.1 : 0.7) && dc.avail[h] >= dc.req[v]) dc.create(v, h);
    }
    for (let h = 0; h < hosts.length; h++) dc.setUtilization(h, dc.allocSum[h]);
    const lr = makeDetector('lr', 0.8 + rng.float(), 300, 0.7);
    const plain = { name: 'lr without screen', isOverloaded: lr.isOverloaded.bind(lr) };
    const none = new Uint8Array(hosts.length);
    for (let v = 0; v < vms.length; v++) {
      if (dc.lists.some((l) => l.includes(v))) continue;
      const screen = lr.screenFor!(dc, v)!;
      for (let h = 0; h < hosts.length; h++) {
        if (dc.allocSum[h] === 0) continue;
        if (screen.version[h] !== dc.hostVersion[h] + 1) screen.refresh(dc, h);
        if (screen.score[h] < screen.limit[dc.hostType[h]]) continue;
        dropped++;
        if (hostTypes[dc.hostType[h]] === slow) assert.fail(`seed ${seed}: the screen dropped a host with no single prediction point`);
        assert.ok(lr.isOverloaded(dc, h, v), `seed ${seed}: the screen dropped host ${h} for VM ${v}, which LR accepts`);
      }
      checked++;
      assert.equal(findHostForVm(dc, v, none, lr, false), findHostForVm(dc, v, none, plain, false), `seed ${seed}, VM ${v}`);
    }
  }
  assert.ok(dropped > 1000 && checked > 500, `the cases exercise the screen (${dropped} drops, ${checked} placements)`);

  // a VM that LR finds overloading even an empty host still goes to one (an empty host is never checked)
  const cfg: ConsolidationConfig = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 2.5 }), hosts: Int32Array.of(1, 1) };
  const dc = new DataCenterState(cfg, [0, 0]);
  for (let k = 0; k < 10; k++) dc.pushHistory(0, 0.2);
  for (let k = 0; k < 10; k++) dc.pushHistory(1, 1);
  dc.req[0] = dc.allocReq[0] = 0.2 * dc.vmMips[0];
  dc.req[1] = dc.allocReq[1] = dc.vmMips[1];
  dc.create(0, 0);
  const lr = makeDetector('lr', 2.5, 300, 0.7);
  assert.ok(lr.isOverloaded(dc, 0, 1) && lr.isOverloaded(dc, 1, 1), 'LR rejects both hosts for VM 1');
  assert.equal(findHostForVm(dc, 1, new Uint8Array(2), lr, false), 1);
});
