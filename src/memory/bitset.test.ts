import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bitset, popcount } from './bitset.js';

test('add, delete, has and count', () => {
  const b = new Bitset(100);
  assert.equal(b.add(3), true);
  assert.equal(b.add(3), false);
  b.add(64); b.add(99);
  assert.equal(b.count, 3);
  assert.ok(b.has(64) && !b.has(65));
  assert.equal(b.delete(64), true);
  assert.equal(b.delete(64), false);
  assert.equal(b.count, 2);
  assert.equal(b.recount(), 2);
});

test('fill sets exactly size bits; nextSet scans in order', () => {
  const b = new Bitset(70);
  b.fill();
  assert.equal(b.count, 70);
  assert.equal(b.recount(), 70);
  assert.equal(b.nextSet(69), 69);
  assert.equal(b.nextSet(70), -1);
  const c = new Bitset(200);
  c.add(5); c.add(131); c.add(199);
  assert.equal(c.nextSet(0), 5);
  assert.equal(c.nextSet(6), 131);
  assert.equal(c.nextSet(132), 199);
  assert.equal(c.nextSet(200), -1);
});

test('or counts the newly set bits', () => {
  const a = new Bitset(64), b = new Bitset(64);
  a.add(1); a.add(2); b.add(2); b.add(40);
  assert.equal(a.or(b), 1);
  assert.equal(a.count, 3);
  assert.equal(popcount(0xffffffff), 32);
});

test('prevSet scans backwards; runs counts ranges', () => {
  const b = new Bitset(200);
  b.add(5); b.add(6); b.add(7); b.add(64); b.add(131); b.add(132);
  assert.equal(b.prevSet(199), 132);
  assert.equal(b.prevSet(131), 131);
  assert.equal(b.prevSet(130), 64);
  assert.equal(b.prevSet(63), 7);
  assert.equal(b.prevSet(4), -1);
  assert.equal(b.runs(), 3);
});
