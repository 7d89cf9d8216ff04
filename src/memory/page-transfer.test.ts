/**
 * The page-exact transfer: taking pages a bitmap word at a time (an encoder whose pages all cost the
 * same) is the same as taking them one by one, chunk by chunk (pages, bytes, scan position, wraps,
 * what the destination holds); the destination's copy is current until the guest writes the page;
 * and a plain migration's state stays under one byte per guest page.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/random.js';
import { PageImage } from './page-image.js';
import { Chunk, newChunk, PageEncoder, PageTransfer } from './page-transfer.js';

function encoder(uniform: boolean): PageEncoder & { normal: number } {
  return {
    dataPage: 4104,
    zeroPage: 9,
    uniform,
    normal: 0,
    encode(_p: number, zero: boolean) {
      if (zero) return 9;
      this.normal++;
      return 4104;
    },
    addNormal(pages: number) {
      this.normal += pages;
    },
  };
}

/** A transfer of `pages` pages after some writes (sparse and dense runs), and a fresh one like it. */
function setup(pages: number, seed: number): PageTransfer {
  const rng = new Rng(seed, 'setup');
  const image = new PageImage(pages, Math.floor(pages * rng.float()), rng.float() < 0.5 ? 'start' : 'end');
  image.startTracking();
  const t = new PageTransfer(image);
  if (rng.float() < 0.5) t.markAll();
  for (let i = 0, n = rng.int(pages); i < n; i++) image.write(rng.int(pages));
  const run = rng.int(pages);
  for (let p = run; p < Math.min(pages, run + rng.int(200)); p++) image.write(p);
  t.sync();
  t.scanPos = rng.int(pages);
  return t;
}

test('a word at a time takes the same pages as one by one: chunks, scan position, wraps, destination', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const pages = 1 + new Rng(seed, 'size').int(3000);
    const word = setup(pages, seed),
      page = setup(pages, seed);
    const ew = encoder(true),
      ep = encoder(false);
    const rng = new Rng(seed, 'budgets');
    for (let k = 0; k < 40 && page.remainingPages > 0; k++) {
      const budget = rng.float() < 0.2 ? 1 : rng.int(200_000);
      const a: Chunk = word.takeChunk(budget, ew, false, newChunk());
      const b: Chunk = page.takeChunk(budget, ep, false, newChunk());
      assert.deepEqual(a, b, `seed ${seed} chunk ${k}`);
      if (rng.float() < 0.3) for (let i = 0; i < 20; i++) (page.image.write((i * 7) % pages), word.image.write((i * 7) % pages));
      if (rng.float() < 0.3) (word.sync(), page.sync());
      assert.equal(word.scanPos, page.scanPos);
      assert.equal(word.wraps, page.wraps);
      assert.equal(ew.normal, ep.normal);
      assert.deepEqual([...word.toSend.words], [...page.toSend.words]);
      assert.deepEqual([...word.dstHas.words], [...page.dstHas.words]);
      assert.deepEqual([...word.dstCurrent.words], [...page.dstCurrent.words]);
      assert.equal(word.toSend.count, word.toSend.recount());
      assert.equal(word.dstHas.count, word.dstHas.recount());
      assert.equal(word.dstCurrent.count, word.dstCurrent.recount());
      assert.equal(word.stalePages(), page.stalePages());
    }
  }
});

test('a page is current at the destination from its delivery until the guest writes it', () => {
  const image = new PageImage(100, 100);
  const t = new PageTransfer(image);
  assert.equal(t.stalePages(), 100);
  t.markAll();
  while (t.remainingPages > 0) t.takeChunk(1e9, encoder(true));
  assert.equal(t.stalePages(), 0);
  image.write(42);
  image.write(99);
  assert.equal(t.stalePages(), 2);
  t.deliver(42);
  assert.equal(t.stalePages(), 1);
});

test('a plain migration holds under one byte of state per guest page', () => {
  const pages = 1 << 20;
  const image = new PageImage(pages, pages);
  image.startTracking();
  const t = new PageTransfer(image);
  assert.ok((image.stateBytes + t.stateBytes) / pages <= 1, `${(image.stateBytes + t.stateBytes) / pages} bytes per page`);
});
