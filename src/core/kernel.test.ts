import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Priority, Simulation } from './kernel.js';

function recorder() {
  const seen: string[] = [];
  const target = (name: string) => ({ onEvent: (kind: number, sim: Simulation) => seen.push(`${name}${kind}@${sim.now}`) });
  return { seen, target };
}

test('events run in time order, then priority, then FIFO', () => {
  const sim = new Simulation();
  const { seen, target } = recorder();
  sim.schedule(2, target('a'), 0);
  sim.schedule(1, target('b'), 0);
  sim.schedule(1, target('c'), 0);
  sim.schedule(1, target('d'), 0, Priority.urgent);
  sim.schedule(1, target('e'), 0, Priority.late);
  sim.run();
  assert.deepEqual(seen, ['d0@1', 'b0@1', 'c0@1', 'e0@1', 'a0@2']);
});

test('FIFO holds over many equal-time events (heap growth)', () => {
  const sim = new Simulation();
  const order: number[] = [];
  for (let i = 0; i < 1000; i++) sim.schedule(5, { onEvent: () => order.push(i) });
  sim.run();
  assert.deepEqual(order, [...Array(1000).keys()]);
});

test('cancel skips an event; a stale handle cannot cancel a reused slot', () => {
  const sim = new Simulation();
  const { seen, target } = recorder();
  const h1 = sim.schedule(1, target('x'));
  sim.cancel(h1);
  sim.run();
  assert.deepEqual(seen, []);
  sim.schedule(1, target('y')); // reuses h1's slot
  sim.cancel(h1); // stale: must not cancel y
  sim.run();
  assert.deepEqual(seen, ['y0@1']);
});

test('run(until) stops at the horizon and rejects the past', () => {
  const sim = new Simulation();
  const { seen, target } = recorder();
  sim.schedule(1, target('a'));
  sim.schedule(10, target('b'));
  sim.run(5);
  assert.deepEqual(seen, ['a0@1']);
  assert.equal(sim.now, 5);
  assert.throws(() => sim.scheduleAt(1, target('c')), RangeError);
  assert.throws(() => sim.schedule(-1, target('c')), RangeError);
});

test('events scheduled from inside events run in order', () => {
  const sim = new Simulation();
  const times: number[] = [];
  const ticker = {
    onEvent(_k: number, s: Simulation) {
      times.push(s.now);
      if (times.length < 5) s.schedule(0.5, ticker);
    },
  };
  sim.schedule(0, ticker);
  sim.run();
  assert.deepEqual(times, [0, 0.5, 1, 1.5, 2]);
});

test('daemon events run while other events remain but do not keep the run going', () => {
  const sim = new Simulation();
  const ticks: number[] = [];
  const daemon = { onEvent: (_k: number, s: Simulation) => { ticks.push(s.now); s.scheduleDaemon(1, daemon); } };
  sim.scheduleDaemon(1, daemon);
  sim.schedule(3.5, { onEvent: () => {} });
  sim.run(100);
  assert.deepEqual(ticks, [1, 2, 3]);
  assert.equal(sim.now, 3.5);
});
