/**
 * The guest's bulk writes (PageImage.writeAll) do what write() on each page does: every bitset's
 * words and count, the generations, the last-write times, the content ids, the watchers' logs and
 * the write count, with every mechanism on or off and pages written several times in one batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/random.js';
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
  assert.deepEqual(a.content && [...a.content], b.content && [...b.content], what);
  assert.equal(a.writes, b.writes, what);
}

test('writeAll is write() on each page: bitsets, counts, generations, times, content, watchers', () => {
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
      bulk.writeAll(offset, at, count);
      for (let i = 0; i < count; i++) plain.write(offset + at[i]);
      assertSame(bulk, plain, `seed ${seed} batch ${batch}`);
      if (rng.float() < 0.5) assert.deepEqual([...bulk.versions()], [...plain.versions()], `generations, seed ${seed}`);
    }
  }
});
