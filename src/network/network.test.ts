import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Simulation } from '../core/kernel.js';
import { Flow, Network } from './network.js';

function setup() {
  const sim = new Simulation();
  const net = new Network(sim);
  const done = new Map<Flow, number>();
  const owner = { onFlowDone: (f: Flow, s: Simulation) => done.set(f, s.now) };
  return { sim, net, done, owner };
}

test('one flow takes size / capacity', () => {
  const { sim, net, done, owner } = setup();
  const l = net.addLink('l', 100);
  const f = net.start([l], 1000, Infinity, owner);
  sim.run();
  assert.equal(done.get(f), 10);
});

test('two concurrent flows on one link each take twice as long (SimGrid fair share)', () => {
  const { sim, net, done, owner } = setup();
  const l = net.addLink('l', 100);
  const a = net.start([l], 1000, Infinity, owner);
  const b = net.start([l], 1000, Infinity, owner);
  sim.run();
  assert.equal(done.get(a), 20);
  assert.equal(done.get(b), 20);
});

test('a flow that ends early gives its share back (rescheduled on change)', () => {
  const { sim, net, done, owner } = setup();
  const l = net.addLink('l', 100);
  const a = net.start([l], 500, Infinity, owner); // 50/s until b ends
  const b = net.start([l], 250, Infinity, owner); // done at 5 s
  sim.run();
  assert.equal(done.get(b), 5);
  assert.equal(done.get(a), 7.5); // 250 left at 100/s
});

test('max-min: a capped flow leaves the rest to the others; a flow limited elsewhere too', () => {
  const { sim, net, owner } = setup();
  const shared = net.addLink('shared', 100);
  const narrow = net.addLink('narrow', 10);
  const capped = net.start([shared], 1e6, 20, owner);
  const thin = net.start([shared, narrow], 1e6, Infinity, owner);
  const free = net.start([shared], 1e6, Infinity, owner);
  assert.equal(capped.rate, 20);
  assert.equal(thin.rate, 10);
  assert.equal(free.rate, 70);
  sim.run(1);
});

test('a link that goes down stalls its flows; abort returns the bytes delivered', () => {
  const { sim, net, done, owner } = setup();
  const l = net.addLink('l', 100);
  const f = net.start([l], 1000, Infinity, owner);
  sim.run(4);
  net.setLinkUp(l, false);
  assert.equal(f.rate, 0);
  sim.run(100);
  assert.equal(done.has(f), false);
  assert.equal(net.abort(f), 400);
});

/**
 * Reference max-min fair rates by textbook progressive filling over every flow at once (no
 * components, no bottleneck order): all unfrozen flows grow together until a link saturates or a
 * flow reaches its cap.
 */
function referenceRates(capacities: number[], paths: number[][], caps: number[]): number[] {
  const rate = paths.map(() => 0);
  const frozen = paths.map((p, i) => caps[i] <= 0 || p.length === 0);
  const residual = capacities.slice();
  for (;;) {
    const users = capacities.map(() => 0);
    paths.forEach((p, i) => !frozen[i] && p.forEach((l) => users[l]++));
    let inc = Infinity;
    paths.forEach((_, i) => !frozen[i] && (inc = Math.min(inc, caps[i] - rate[i])));
    users.forEach((u, l) => u > 0 && (inc = Math.min(inc, residual[l] / u)));
    if (!Number.isFinite(inc)) break;
    paths.forEach((p, i) => {
      if (frozen[i]) return;
      rate[i] += inc;
      p.forEach((l) => (residual[l] -= inc));
    });
    let froze = false;
    paths.forEach((p, i) => {
      if (frozen[i]) return;
      if (rate[i] >= caps[i] * (1 - 1e-12) || p.some((l) => residual[l] <= capacities[l] * 1e-12)) frozen[i] = froze = true;
    });
    if (!froze) break;
  }
  return rate;
}

test('max-min rates equal textbook progressive filling on random topologies (re-shared per component)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), cap: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }) }), { minLength: 1, maxLength: 12 }),
      (capacities, specs) => {
        const { sim, net, owner } = setup();
        const links = capacities.map((c, i) => net.addLink(`l${i}`, c));
        const paths = specs.map((s) => [...new Set(s.path.map((x) => x % links.length))]);
        const caps = specs.map((s) => s.cap ?? Infinity);
        // started one by one at the same instant: one re-share at the end of the instant
        const flows = paths.map((p, i) => net.start(p.map((l) => links[l]), 1e9, caps[i], owner));
        sim.run(0);
        const expected = referenceRates(capacities, paths, caps);
        flows.forEach((f, i) => assert.ok(Math.abs(f.rate - expected[i]) <= 1e-9 * Math.max(1, expected[i]), `flow ${i}: ${f.rate} vs ${expected[i]}`));
        // every link within its capacity
        links.forEach((l, k) => assert.ok(flows.filter((_, i) => paths[i].includes(k)).reduce((s, f) => s + f.rate, 0) <= l.capacity * (1 + 1e-9)));
      },
    ),
    { seed: 7, numRuns: 300 },
  );
});

test('flows started at one instant are re-shared once; a rate read in between is already right', () => {
  const { sim, net, done, owner } = setup();
  const l = net.addLink('l', 100);
  const a = net.start([l], 1000, Infinity, owner);
  assert.equal(a.rate, 100); // read before the instant ends: re-shared at once
  const b = net.start([l], 1000, Infinity, owner);
  const c = net.start([l], 500, Infinity, owner);
  sim.run();
  assert.ok(Math.abs(done.get(c)! - 15) < 1e-9); // 500 at 100/3
  assert.ok(Math.abs(done.get(a)! - 25) < 1e-9); // then 500 left each at 50
  assert.ok(Math.abs(done.get(b)! - 25) < 1e-9);
});

for (const readsRate of [false, true]) {
  test(`a transfer that restarts on the same path and cap keeps its rate and others are unaffected${readsRate ? ' (handler reads a rate first)' : ''}`, () => {
    const sim = new Simulation();
    const net = new Network(sim);
    const l = net.addLink('l', 100);
    const ends: number[] = [];
    let rounds = 0;
    let bulk: Flow | undefined;
    // the owner sends four rounds of 100 bytes back to back, as a pre-copy migration does; a
    // post-copy owner reads a rate in its handler, which re-shares before the next round starts
    const rounder = {
      onFlowDone: (_f: Flow, s: Simulation) => {
        ends.push(s.now);
        if (readsRate) assert.equal(bulk!.rate, 100);
        if (++rounds < 4) net.start([l], 100, Infinity, rounder);
      },
    };
    let bulkEnd = -1;
    net.start([l], 100, Infinity, rounder);
    bulk = net.start([l], 1000, Infinity, { onFlowDone: (_f, s) => (bulkEnd = s.now) });
    sim.run();
    // 50 bytes/s each while both run: rounds end at 2, 4, 6, 8 s; then the bulk flow has 600 left at 100/s
    assert.deepEqual(ends, [2, 4, 6, 8]);
    assert.equal(bulkEnd, 14);
  });
}

test('a next transfer with a higher cap than its old rate was below keeps the rate; one whose old cap bound is re-shared', () => {
  for (const [oldCap, expected] of [
    [200, 50], // capped rounds on a 100 bytes/s link: the link was the limit, so nothing changes
    [20, 50], // the cap was the limit (20, the bulk flow 80): lifting it re-shares to 50/50
  ]) {
    const { sim, net, owner } = setup();
    const l = net.addLink('l', 100);
    let last: Flow | undefined;
    const rounds = { onFlowDone: () => (last = net.start([l], 1e6, Infinity, owner)) };
    net.start([l], 10, oldCap, rounds);
    const bulk = net.start([l], 1e6, Infinity, owner);
    sim.run(5);
    assert.equal(last!.rate, expected, `old cap ${oldCap}`);
    assert.equal(bulk.rate, 100 - expected, `old cap ${oldCap}`);
  }
});

test('rates stay max-min fair while transfers restart with other caps (each checked against progressive filling)', () => {
  const capChoice = fc.constantFrom<number | 'same' | 'up'>('same', 'up', 5, 50, Infinity);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 10, max: 200 }), { minLength: 1, maxLength: 5 }),
      fc.array(
        fc.record({
          path: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
          cap: fc.integer({ min: 5, max: 300 }),
          rounds: fc.array(fc.record({ size: fc.integer({ min: 1, max: 400 }), cap: capChoice }), { minLength: 1, maxLength: 4 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      (capacities, specs) => {
        const { sim, net } = setup();
        const links = capacities.map((c, i) => net.addLink(`l${i}`, c));
        const paths = specs.map((s) => [...new Set(s.path.map((x) => x % links.length))]);
        const current: (Flow | undefined)[] = [];
        const caps: number[] = [];
        specs.forEach((s, i) => {
          let round = 0;
          caps[i] = s.cap;
          // each owner sends its rounds back to back, the next with the same, a higher or another cap
          const owner = {
            onFlowDone: () => {
              const next = s.rounds[round++];
              if (!next) return void (current[i] = undefined);
              caps[i] = next.cap === 'same' ? caps[i] : next.cap === 'up' ? caps[i] * 2 : next.cap;
              current[i] = net.start(paths[i].map((l) => links[l]), next.size, caps[i], owner);
            },
          };
          current[i] = net.start(paths[i].map((l) => links[l]), 50, caps[i], owner);
        });
        for (let t = 0.5; t < 60; t += 0.5) {
          sim.run(t);
          const live = [...current.keys()].filter((i) => current[i]);
          const expected = referenceRates(capacities, live.map((i) => paths[i]), live.map((i) => caps[i]));
          live.forEach((i, k) => {
            const rate = current[i]!.rate;
            assert.ok(Math.abs(rate - expected[k]) <= 1e-9 * Math.max(1, expected[k]), `t ${t} flow ${i}: ${rate} vs ${expected[k]}`);
          });
        }
      },
    ),
    { seed: 11, numRuns: 200 },
  );
});

test("a link's flows keep the order of a search-and-swap removal (flows know their index; routes crossing a link twice too)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ path: fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }), size: fc.integer({ min: 1, max: 400 }), abortAt: fc.option(fc.integer({ min: 0, max: 30 })) }),
        { minLength: 1, maxLength: 25 },
      ),
      fc.boolean(),
      (specs, cross) => {
        const { sim, net } = setup();
        const links = Array.from({ length: 6 }, (_, i) => net.addLink(`l${i}`, 10 + 7 * i));
        if (cross) {
          net.crossWeight = 0.05;
          for (let i = 0; i < 6; i += 2) [links[i].twin, links[i + 1].twin] = [links[i + 1], links[i]];
        }
        // the reference: each link's flows as a plain list, a leaving flow searched and swapped with the last
        const expected = new Map(links.map((l) => [l, [] as Flow[]]));
        const leave = (f: Flow) => {
          for (const l of [...f.links, ...f.back]) {
            const fs = expected.get(l)!;
            const i = fs.indexOf(f);
            fs[i] = fs[fs.length - 1];
            fs.pop();
          }
        };
        const check = () => links.forEach((l) => assert.deepEqual(l.flows, expected.get(l)));
        const owner = { onFlowDone: (f: Flow) => (leave(f), check()) };
        specs.forEach((s, i) => {
          sim.scheduleAt(i / 2, {
            onEvent: () => {
              const f = net.start(s.path.map((x) => links[x]), s.size, Infinity, owner);
              for (const l of [...f.links, ...f.back]) expected.get(l)!.push(f);
              check();
              if (s.abortAt !== null) sim.scheduleAt(sim.now + s.abortAt / 3, { onEvent: () => f.active && (net.abort(f), leave(f), check()) });
            },
          });
        });
        sim.run();
        assert.ok(links.every((l) => l.flows.length === 0));
      },
    ),
  );
});
