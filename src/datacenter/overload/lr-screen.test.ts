/** LR's placement screen drops only hosts LR rejects, so the indexed PABFD chooses as without it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/random.js';
import { IndexedPabfd } from '../placement/indexed-pabfd.js';
import { Pabfd } from '../placement/pabfd.js';
import type { Placement } from '../placement/placement.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5, PLANETLAB_VM_TYPES } from '../planetlab-config.js';
import { makeDetector } from '../policy-name.js';
import { DataCenterState } from '../state.js';
import type { ConsolidationConfig, HostType } from '../types.js';
import { regressionScreen } from './lr.js';

/** A step round's choice for VM v. */
function choice(p: Placement, dc: DataCenterState, v: number, excluded: Uint8Array): number {
  p.begin(dc, { initial: false, checkReservations: false });
  return p.findHost(dc, v, excluded);
}

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
      const screen = regressionScreen(lr)!(dc, v)!;
      for (let h = 0; h < hosts.length; h++) {
        if (dc.allocSum[h] === 0) continue;
        if (screen.version[h] !== dc.hostVersion[h] + 1) screen.refresh(dc, h);
        if (screen.score[h] < screen.limit[dc.hostType[h]]) continue;
        dropped++;
        if (hostTypes[dc.hostType[h]] === slow) assert.fail(`seed ${seed}: the screen dropped a host with no single prediction point`);
        assert.ok(lr.isOverloaded(dc, h, v), `seed ${seed}: the screen dropped host ${h} for VM ${v}, which LR accepts`);
      }
      checked++;
      assert.equal(choice(new IndexedPabfd(lr, { screen: regressionScreen(lr) }), dc, v, none), choice(new Pabfd(plain), dc, v, none), `seed ${seed}, VM ${v}`);
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
  assert.equal(choice(new IndexedPabfd(lr, { screen: regressionScreen(lr) }), dc, 1, new Uint8Array(2)), 1);
});
