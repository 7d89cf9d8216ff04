/**
 * The guest's bulk writes (writePages, writeDrawn) do what PageImage.write() on each page does:
 * every bitset's words and count, the generations, the last-write times, the content ids, the
 * watchers' logs and the write count, with every mechanism on or off, pages written several times
 * in one batch, sparse and dense batches, ranges on and off word boundaries; writeDrawn draws the
 * same numbers as int() per write and leaves the generator where it leaves it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/random.js';
import { writeDrawn, writePages } from './bulk-writes.js';
import { PageImage } from './page-image.js';

/** An image of `pages` pages with a random set of mechanisms on, and an identical twin. */
function twins(pages: number, seed: number): [PageImage, PageImage] {
  const make = () => {
    const rng = new Rng(seed, 'setup');
    const image = new PageImage(pages, rng.int(pages + 1), rng.float() < 0.5 ? 'start' : 'end', rng.float() < 0.5, rng.int(40));
    if (rng.float() < 0.7) image.startTracking();
    if (rng.float() < 0.7) {
      image.current = new PageImage(pages, 0).nonZero; // an empty bitset of the right size
      for (let p = 0; p < pages; p++) if (rng.float() < 0.6) image.current.add(p);
    }
    if (rng.float() < 0.5) image.versions();
    if (rng.float() < 0.4) image.content = Uint32Array.from({ length: pages }, () => rng.int(5));
    for (let k = rng.int(3); k > 0; k--) image.watch();
    image.setTime(rng.float() * 100_000);
    return image;
  };
  return [make(), make()];
}

function assertSame(a: PageImage, b: PageImage, what: string): void {
  const bits = (x: PageImage) => [x.nonZero, x.log, x.current, ...x.watchers].map((s) => s && { words: [...s.words], count: s.count, recount: s.recount() });
  assert.deepEqual(bits(a), bits(b), what);
  for (const s of [a.nonZero, a.log, a.current, ...a.watchers]) if (s) assert.equal(s.count, s.recount(), what);
  assert.deepEqual(a.lastWrite && [...a.lastWrite], b.lastWrite && [...b.lastWrite], what);
  assert.deepEqual(a.generations && [...a.generations], b.generations && [...b.generations], what);
  assert.deepEqual(a.content && [...a.content], b.content && [...b.content], what);
  assert.equal(a.writes, b.writes, what);
}

test('writePages is write() on each page: bitsets, counts, generations, times, content, watchers', () => {
  for (let seed = 1; seed <= 80; seed++) {
    const rng = new Rng(seed, 'writes');
    const pages = 1 + rng.int(3000);
    const [bulk, plain] = twins(pages, seed);
    for (let batch = 0; batch < 5; batch++) {
      const offset = rng.int(pages);
      const size = 1 + rng.int(pages - offset);
      // small ranges repeat pages within a batch; a wide one rarely does
      const count = rng.int(2 * size + 1);
      const at = new Int32Array(count + 3);
      for (let i = 0; i < count; i++) at[i] = rng.int(size);
      at[count] = -1; // past count: must not be read
      writePages(bulk, offset, at, count);
      for (let i = 0; i < count; i++) plain.write(offset + at[i]);
      assertSame(bulk, plain, `seed ${seed} batch ${batch}`);
      if (rng.float() < 0.2) (bulk.versions(), plain.versions()); // generations from now on
    }
  }
});

test('writeDrawn is write(offset + rng.int(size)) n times: the same draws, the same image, sparse and dense', () => {
  let dense = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const rng = new Rng(seed, 'batches');
    const pages = 1 + rng.int(5000);
    const [bulk, plain] = twins(pages, seed);
    const a = new Rng(seed, 'guest'), b = new Rng(seed, 'guest');
    for (let batch = 0; batch < 6; batch++) {
      const offset = rng.int(pages);
      const size = 1 + rng.int(Math.min(pages - offset, rng.float() < 0.5 ? 100 : 5000));
      // up to size - 1 writes (the workload's bulk path); past 2 per word of the range is dense
      const n = rng.int(size);
      const words = ((offset + size - 1) >>> 5) - (offset >>> 5) + 1;
      if (bulk.log !== null && bulk.current !== null && n >= 2 * words) dense++;
      writeDrawn(bulk, offset, size, n, a);
      for (let i = 0; i < n; i++) plain.write(offset + b.int(size));
      assertSame(bulk, plain, `seed ${seed} batch ${batch} (${n} writes over ${size} pages from ${offset})`);
      assert.equal(a.nextUint32(), b.nextUint32(), 'the generators left in the same state');
      if (rng.float() < 0.2) (bulk.versions(), plain.versions());
      if (rng.float() < 0.3) (bulk.log?.clear(), plain.log?.clear()); // a sync
    }
  }
  assert.ok(dense > 50, `dense batches: ${dense}`);
});
