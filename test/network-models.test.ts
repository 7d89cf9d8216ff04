/** The network models (src/network/network-models.ts) against closed forms. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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

/**
 * Reference weighted max-min rates by progressive filling over every flow at once: all unfrozen
 * flows' levels (rate x penalty) grow together until a link saturates (its load the weighted sum of
 * the rates crossing it) or a flow reaches its cap.
 */
function weightedReference(capacities: number[], uses: { link: number; weight: number }[][], penalties: number[], caps: number[]): number[] {
  const rate = uses.map(() => 0);
  const frozen = uses.map(() => false);
  const residual = capacities.slice();
  for (;;) {
    const usage = capacities.map(() => 0);
    uses.forEach((u, i) => !frozen[i] && u.forEach(({ link, weight }) => (usage[link] += weight / penalties[i])));
    let inc = Infinity;
    uses.forEach((_, i) => !frozen[i] && (inc = Math.min(inc, (caps[i] - rate[i]) * penalties[i])));
    usage.forEach((u, l) => u > 0 && (inc = Math.min(inc, residual[l] / u)));
    if (!Number.isFinite(inc)) break;
    uses.forEach((u, i) => {
      if (frozen[i]) return;
      rate[i] += inc / penalties[i];
      u.forEach(({ link, weight }) => (residual[link] -= (weight * inc) / penalties[i]));
    });
    let froze = false;
    uses.forEach((u, i) => {
      if (frozen[i]) return;
      if (rate[i] >= caps[i] * (1 - 1e-12) || u.some(({ link }) => residual[link] <= capacities[link] * 1e-12)) frozen[i] = froze = true;
    });
    if (!froze) break;
  }
  return rate;
}

test('with cross-traffic and penalties, rates equal weighted progressive filling on random star networks', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ nic: fc.integer({ min: 10, max: 1000 }), penalty: fc.integer({ min: 0, max: 5 }) }), { minLength: 2, maxLength: 4 }),
      fc.array(fc.record({ from: fc.nat(), hop: fc.nat(), cap: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }) }), { minLength: 1, maxLength: 10 }),
      fc.constantFrom(0, 0.05, 0.5),
      fc.boolean(),
      (hosts, specs, cross, penalized) => {
        const sim = new Simulation();
        const net = new Network(sim);
        net.crossWeight = cross;
        net.penalized = penalized;
        net.penaltyLatency = 1;
        // links 2h (up) and 2h + 1 (down) of host h
        const links = hosts.flatMap((h, i) => [net.addLink(`${i}.up`, h.nic), net.addLink(`${i}.down`, h.nic)]);
        hosts.forEach((h, i) => {
          links[2 * i].twin = links[2 * i + 1];
          links[2 * i + 1].twin = links[2 * i];
          links[2 * i].penalty = links[2 * i + 1].penalty = h.penalty;
        });
        const owner = { onFlowDone: () => undefined };
        const routes = specs.map((s) => {
          const from = s.from % hosts.length, to = (from + 1 + (s.hop % (hosts.length - 1))) % hosts.length;
          return { from, to };
        });
        const caps = specs.map((s) => s.cap ?? Infinity);
        const flows = routes.map((r, i) => net.start([links[2 * r.from], links[2 * r.to + 1]], 1e9, caps[i], owner));
        sim.run(0);
        const uses = routes.map((r) => [
          { link: 2 * r.from, weight: 1 },
          { link: 2 * r.to + 1, weight: 1 },
          ...(cross > 0 ? [{ link: 2 * r.to, weight: cross }, { link: 2 * r.from + 1, weight: cross }] : []),
        ]);
        const penalties = routes.map((r) => (penalized ? 1 + hosts[r.from].penalty + hosts[r.to].penalty : 1));
        const expected = weightedReference(links.map((l) => l.capacity), uses, penalties, caps);
        flows.forEach((f, i) => assert.ok(Math.abs(f.rate - expected[i]) <= 1e-9 * Math.max(1, expected[i]), `flow ${i}: ${f.rate} vs ${expected[i]}`));
      },
    ),
    { seed: 11, numRuns: 300 },
  );
});

test('every algorithm completes under every network model with a current destination copy; per-transfer adds the acknowledgement', () => {
  for (const algorithm of ['precopy', 'postcopy', 'hybrid', 'stop-and-copy', 'downtime-ramp', 'stall-detection']) {
    const times: Record<string, number> = {};
    for (const model of ['once', 'per-transfer', 'cm02', 'lv08']) {
      const input = twoHostScenario({ memory: '64MiB', latency: '5ms', migration: { algorithm, timeout: '120s' }, workload: { kind: 'hotcold', writeRate: '5000/s', hotSet: '8MiB', hotShare: 0.9 } });
      input.network = { ...input.network, model } as typeof input.network;
      const m = run(input).migrations[0];
      assert.equal(m.status, 'completed', `${algorithm} under ${model}: ${m.reason}`);
      assert.equal(m.stalePagesAtResume, 0, `${algorithm} under ${model}`);
      times[model] = m.totalTime!;
    }
    if (algorithm === 'stop-and-copy') assert.ok(relErr(times['per-transfer'], times.once + 0.005) < 1e-9, 'one transfer: only the acknowledgement is added');
  }
});

test('a network model that does not exist, or a factor out of range, is refused naming the field', () => {
  const input = twoHostScenario({});
  const bad = (network: Record<string, unknown>) => () => validateScenario({ ...input, network: { bandwidth: '1Gbit/s', ...network } });
  assert.throws(bad({ model: 'lv07' }), (e: unknown) => e instanceof ScenarioError && /network\.model/.test(e.message) && /lv08/.test(e.message));
  assert.throws(bad({ bandwidthFactor: 0 }), (e: unknown) => e instanceof ScenarioError && /network\.bandwidthFactor/.test(e.message));
  assert.throws(bad({ tcpWindow: 'big' }), (e: unknown) => e instanceof ScenarioError && /network\.tcpWindow/.test(e.message));
});
