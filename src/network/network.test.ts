import assert from 'node:assert/strict';
import { test } from 'node:test';
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
