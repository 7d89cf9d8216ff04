/**
 * @module memory/bulk-writes
 * The guest's writes in bulk: what PageImage.write() on each page does, with fewer operations per
 * write. A write's effects do not depend on the order of the writes (bits set or cleared, a
 * generation bumped, the same time stamped), so a batch may be applied in any order and grouped.
 * - writePages: a list of pages; while a migration tracks the VM one loop updates the content,
 *   dirty-log and current-at-destination bitsets with their words and counts in locals;
 * - writeDrawn: n uniform draws (the workload's), drawn a block at a time by Rng.ints (the same
 *   numbers and generator state as one int() per write); when the batch is dense (several writes
 *   per bitmap word of the range, a hot set) the pages are first marked in a scratch bitmap and
 *   the bitsets then updated a word at a time, a page written several times counted once.
 * PageImage.pageByPage is the off switch (the workload then calls write() per page);
 * memory/bulk-writes.test.ts and scenario/page-by-page.test.ts hold both paths equal.
 */
import type { Rng } from '../core/random.js';
import { popcount } from './bitset.js';
import { PageImage } from './page-image.js';

/** Pages drawn a block at a time (small enough to stay in the first-level cache). */
const BLOCK = 1024;
const drawn = new Int32Array(BLOCK);
/** The scratch bitmap of a dense batch, shared (grown to the largest range marked, left all zero). */
let marks = new Uint32Array(0);

/** Pages below this bound use int32 arithmetic in the loops below. */
export const BULK_PAGE_LIMIT = 2 ** 31;

/** The guest writes pages offset + at[i], i < count. */
export function writePages(image: PageImage, offset: number, at: Int32Array, count: number): void {
  const log = image.log, current = image.current;
  if (log !== null && current !== null) {
    const data = image.nonZero.words, logged = log.words, fresh = current.words;
    const base = offset | 0;
    let added = 0, dirtied = 0, staled = 0;
    for (let i = 0; i < count; i++) {
      const p = (base + at[i]) | 0, w = p >>> 5, m = 1 << (p & 31);
      const d = data[w], l = logged[w], f = fresh[w];
      if ((d & m) === 0) {
        data[w] = d | m;
        added++;
      }
      if ((l & m) === 0) {
        logged[w] = l | m;
        dirtied++;
      }
      if ((f & m) !== 0) {
        fresh[w] = f & ~m;
        staled++;
      }
    }
    image.nonZero.count += added;
    log.count += dirtied;
    current.count -= staled;
  } else {
    for (let i = 0; i < count; i++) {
      const p = offset + at[i];
      image.nonZero.add(p);
      log?.add(p);
      current?.delete(p);
    }
  }
  perPageState(image, offset, at, count);
  image.writes += count;
}

/**
 * The guest writes n pages offset + rng.int(size), drawn in order: what n calls of
 * image.write(offset + rng.int(size)) do. Needs offset + size <= BULK_PAGE_LIMIT.
 */
export function writeDrawn(image: PageImage, offset: number, size: number, n: number, rng: Rng): void {
  const first = offset >>> 5, words = ((offset + size - 1) >>> 5) - first + 1;
  // marking costs a few operations per write and the word pass a few per word of the range
  const dense = image.log !== null && image.current !== null && n >= 2 * words;
  if (dense && marks.length < words) marks = new Uint32Array(words);
  const at = drawn, bits = marks, base = offset | 0;
  for (let done = 0; done < n; done += BLOCK) {
    const count = Math.min(BLOCK, n - done);
    rng.ints(size, count, at);
    if (!dense) {
      writePages(image, offset, at, count);
      continue;
    }
    for (let i = 0; i < count; i++) {
      const p = (base + at[i]) | 0;
      bits[(p >>> 5) - first] |= 1 << (p & 31);
    }
    perPageState(image, offset, at, count);
  }
  if (dense) {
    writeMarked(image, first, words);
    image.writes += n;
  }
}

/** The pages marked in `marks` (word k is the image's word first + k) are written; clears the marks. */
function writeMarked(image: PageImage, first: number, words: number): void {
  const data = image.nonZero.words, logged = image.log!.words, fresh = image.current!.words, bits = marks;
  let added = 0, dirtied = 0, staled = 0;
  for (let k = 0; k < words; k++) {
    const m = bits[k];
    if (m === 0) continue;
    bits[k] = 0;
    const w = first + k;
    const d = data[w], l = logged[w], f = fresh[w];
    const newData = m & ~d, newLogged = m & ~l, newStale = m & f;
    if (newData !== 0) {
      data[w] = d | m;
      added += popcount(newData);
    }
    if (newLogged !== 0) {
      logged[w] = l | m;
      dirtied += popcount(newLogged);
    }
    if (newStale !== 0) {
      fresh[w] = f & ~m;
      staled += popcount(newStale);
    }
  }
  image.nonZero.count += added;
  image.log!.count += dirtied;
  image.current!.count -= staled;
}

/** What a write does to the per-page state only some mechanisms keep, each in a pass of its own. */
function perPageState(image: PageImage, offset: number, at: Int32Array, count: number): void {
  const version = image.generations, lastWrite = image.lastWrite, content = image.content;
  if (version !== null) for (let i = 0; i < count; i++) version[offset + at[i]]++;
  if (lastWrite !== null) {
    const stamp = (image.epoch + 1) & 0xffff;
    for (let i = 0; i < count; i++) lastWrite[offset + at[i]] = stamp;
  }
  if (content !== null) for (let i = 0; i < count; i++) content[offset + at[i]] = 0;
  for (const watcher of image.watchers) for (let i = 0; i < count; i++) watcher.add(offset + at[i]);
}
