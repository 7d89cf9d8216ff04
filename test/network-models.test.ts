/** The network models (src/network/network-models.ts) against closed forms. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulation } from '../src/core/kernel.js';
import { Flow, Network } from '../src/network/network.js';
import { resolveNetworkModel, windowBound } from '../src/network/network-models.js';
import { ScenarioError, validateScenario } from '../src/scenario/load.js';
import { relErr, run, twoHostScenario } from './support.js';

const GiB = 2 ** 30;
const C = 1.25e8;
const simgrid = { algorithm: 'precopy', preset: 'simgrid', maxBandwidth: 'unlimited', pageHeader: 0, deviceState: 0, resumeLatency: 0 };

function idle(network: Record<string, unknown>, migration: Record<string, unknown> = simgrid) {
  const input = twoHostScenario({ memory: '1GiB', bandwidth: C, migration });
  input.network = { bandwidth: C, ...network } as typeof input.network;
  input.fidelity = 'fluid';
  return run(input).migrations[0];
}

test('once (the default): the latency is paid once, after the final copy; naming it changes nothing', () => {
  const plain = idle({ latency: 0.01 });
  assert.ok(relErr(plain.totalTime!, GiB / C + 0.01) < 1e-12);
  const named = idle({ latency: 0.01, model: 'once' });
  assert.deepEqual({ ...named }, { ...plain });
});

test('per-transfer: the bulk pass, the empty final copy and the acknowledgement each pay the latency', () => {
  const m = idle({ latency: 0.01, model: 'per-transfer' });
  assert.ok(relErr(m.totalTime!, GiB / C + 3 * 0.01) < 1e-12, `total ${m.totalTime}`);
  assert.ok(relErr(m.downtime!, 0.01) < 1e-9, `downtime ${m.downtime}`); // the final copy's latency, not the acknowledgement
  // the round's measured bandwidth includes the latency
  assert.ok(relErr(m.rounds[0].duration, GiB / C + 0.01) < 1e-12);
});

test('per-transfer: a busy VM pays the latency every round, so rounds are longer and dirty more', () => {
  const busy = (model: string) => {
    const input = twoHostScenario({ memory: '1GiB', bandwidth: C, migration: simgrid, workload: { kind: 'sweep', writeRate: '30MiB/s', workingSet: '900MiB' } });
    input.network = { bandwidth: C, latency: 0.005, model } as typeof input.network;
    input.fidelity = 'fluid';
    return run(input).migrations[0];
  };
  const once = busy('once'), each = busy('per-transfer');
  assert.ok(each.rounds.length >= once.rounds.length);
  assert.ok(each.rounds[1].pagesSent > once.rounds[1].pagesSent, 'round 2 carries what round 1 (and its latency) dirtied');
  // each live round after the first lasts its bytes at the link rate plus the latency
  for (const r of each.rounds.filter((r) => r.kind === 'live')) assert.ok(relErr(r.duration, r.bytesSent / C + 0.005) < 1e-9);
});

test('a TCP window caps a flow at gamma / (2 x latency): an idle 1 GiB VM over 40 ms', () => {
  const window = 4 * 2 ** 20 / (2 * 0.04); // 52.4 MB/s < 125 MB/s
  const m = idle({ latency: 0.04, model: 'per-transfer', tcpWindow: '4MiB' });
  assert.ok(relErr(m.totalTime!, GiB / window + 3 * 0.04) < 1e-12, `total ${m.totalTime}`);
  const cm02 = idle({ latency: 0.04, model: 'cm02' }); // 4 MiB by default
  assert.ok(relErr(cm02.totalTime!, GiB / window + 3 * 0.04) < 1e-12);
  const none = idle({ latency: 0.04, model: 'cm02', tcpWindow: 'none' });
  assert.ok(relErr(none.totalTime!, GiB / C + 3 * 0.04) < 1e-12);
  assert.equal(windowBound(resolveNetworkModel({ model: 'lv08' }), 0), Infinity, 'no latency, no window bound');
});

test('lv08: a flow gets 0.97 of the link, a transfer pays 13.01 x the latency; the window is scaled too', () => {
  const m = idle({ latency: 0.001, model: 'lv08' });
  assert.ok(relErr(m.totalTime!, GiB / (0.97 * C) + 3 * 13.01 * 0.001) < 1e-12, `total ${m.totalTime}`);
  const slow = idle({ latency: 0.04, model: 'lv08' });
  assert.ok(relErr(slow.totalTime!, GiB / ((0.97 * 4 * 2 ** 20) / 0.08) + 3 * 13.01 * 0.04) < 1e-12);
  // a migration's own rate cap is not scaled (SimGrid bounds the variable at rate / factor)
  const capped = idle({ latency: 0, model: 'lv08' }, { ...simgrid, maxBandwidth: '100MiB/s' });
  assert.ok(relErr(capped.totalTime!, GiB / (100 * 2 ** 20)) < 1e-12);
});

test('cross-traffic: two flows in opposite directions each load the other one\'s link with 0.05 of their rate', () => {
  const sim = new Simulation();
  const net = new Network(sim);
  net.crossWeight = 0.05;
  const [aUp, aDown, bUp, bDown] = ['a.up', 'a.down', 'b.up', 'b.down'].map((n) => net.addLink(n, 100));
  aUp.twin = aDown;
  aDown.twin = aUp;
  bUp.twin = bDown;
  bDown.twin = bUp;
  const done = new Map<Flow, number>();
  const owner = { onFlowDone: (f: Flow, s: Simulation) => done.set(f, s.now) };
  const ab = net.start([aUp, bDown], 1000, Infinity, owner);
  const ba = net.start([bUp, aDown], 500, Infinity, owner);
  assert.ok(relErr(ab.rate, 100 / 1.05) < 1e-12);
  assert.ok(relErr(ba.rate, 100 / 1.05) < 1e-12);
  sim.run();
  // ba ends at 500 / (100/1.05) = 5.25 s; ab has 500 left, then alone at 100/s
  assert.ok(relErr(done.get(ba)!, 5.25) < 1e-12);
  assert.ok(relErr(done.get(ab)!, 10.25) < 1e-12);
  // one direction only: no interference
  const one = new Network(new Simulation());
  one.crossWeight = 0.05;
  const [u, d] = ['u', 'd'].map((n) => one.addLink(n, 100));
  u.twin = d;
  d.twin = u;
  assert.equal(one.start([u], 10, Infinity, owner).rate, 100);
});

test('weight-S: flows sharing a link get shares inversely proportional to their penalties (latency + weight-S / bandwidth per link)', () => {
  const sim = new Simulation();
  const net = new Network(sim);
  net.penalized = true;
  net.penaltyLatency = 0.001;
  const shared = net.addLink('shared', 100);
  const slow = net.addLink('slow', 1000);
  const fast = net.addLink('fast', 1000);
  shared.penalty = 0.001;
  slow.penalty = 0.003;
  fast.penalty = 0.001;
  const owner = { onFlowDone: () => undefined };
  const a = net.start([slow, shared], 1e6, Infinity, owner); // penalty 0.005
  const b = net.start([fast, shared], 1e6, Infinity, owner); // penalty 0.003
  assert.ok(relErr(a.rate, (100 * (1 / 0.005)) / (1 / 0.005 + 1 / 0.003)) < 1e-12, `a ${a.rate}`);
  assert.ok(relErr(b.rate, (100 * (1 / 0.003)) / (1 / 0.005 + 1 / 0.003)) < 1e-12, `b ${b.rate}`);
  // a cap below its weighted share: the other flow takes the rest
  const c = net.start([fast, shared], 1e6, 10, owner);
  assert.equal(c.rate, 10);
  assert.ok(relErr(a.rate + b.rate, 90) < 1e-12);
});

test('a network model that does not exist, or a factor out of range, is refused naming the field', () => {
  const input = twoHostScenario({});
  const bad = (network: Record<string, unknown>) => () => validateScenario({ ...input, network: { bandwidth: '1Gbit/s', ...network } });
  assert.throws(bad({ model: 'lv07' }), (e: unknown) => e instanceof ScenarioError && /network\.model/.test(e.message) && /lv08/.test(e.message));
  assert.throws(bad({ bandwidthFactor: 0 }), (e: unknown) => e instanceof ScenarioError && /network\.bandwidthFactor/.test(e.message));
  assert.throws(bad({ tcpWindow: 'big' }), (e: unknown) => e instanceof ScenarioError && /network\.tcpWindow/.test(e.message));
});
