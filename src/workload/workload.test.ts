import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/random.js';
import { PageImage } from '../memory/page-image.js';
import { createWorkload } from './workload.js';
import { ZipfSampler } from './zipf.js';

function dirtyAfter(spec: Parameters<typeof createWorkload>[0], t: number, pages = 100_000, seed = 1): PageImage {
  const image = new PageImage(pages, 0);
  image.startTracking();
  createWorkload(spec, new Rng(seed, 'w')).advance(0, t, image);
  return image;
}

test('idle writes nothing; untouched pages stay zero pages', () => {
  const image = dirtyAfter({ kind: 'idle' }, 100);
  assert.equal(image.log!.count, 0);
  assert.equal(image.nonZero.count, 0);
});

test('sweep dirties min(n, w t) distinct pages, in order', () => {
  const image = dirtyAfter({ kind: 'sweep', writeRate: 1000, readRate: 0, workingSet: 5000, offset: 10 }, 3);
  assert.equal(image.log!.count, 3000);
  assert.ok(image.log!.has(10) && image.log!.has(3009) && !image.log!.has(3010));
  assert.equal(dirtyAfter({ kind: 'sweep', writeRate: 1000, readRate: 0, workingSet: 5000, offset: 0 }, 30).log!.count, 5000);
});

test('uniform writes dirty n(1 - e^(-wt/n)) distinct pages in expectation (per-write and bulk paths)', () => {
  const n = 20_000;
  for (const wt of [5_000, 20_000, 60_000]) {
    const expected = n * (1 - Math.exp(-wt / n));
    const image = dirtyAfter({ kind: 'uniform', writeRate: wt, readRate: 0, workingSet: n, offset: 0 }, 1, n);
    const rel = Math.abs(image.log!.count - expected) / expected;
    assert.ok(rel < 0.01, `wt=${wt}: ${image.log!.count} vs ${expected.toFixed(0)}`);
  }
});

test('writes arrive in whole pages over many small steps at the exact mean rate', () => {
  const image = new PageImage(1_000_000, 0);
  const w = createWorkload({ kind: 'sweep', writeRate: 333.3, readRate: 0, workingSet: 1_000_000, offset: 0 }, new Rng(1));
  for (let i = 0; i < 1000; i++) w.advance(i * 0.01, (i + 1) * 0.01, image);
  assert.ok(Math.abs(image.writes - 3333) <= 1, `${image.writes}`);
});

test('hot/cold sends hotShare of writes to the hot set', () => {
  const image = new PageImage(100_000, 0);
  image.startTracking();
  const w = createWorkload({ kind: 'hotcold', writeRate: 10_000, readRate: 0, workingSet: 100_000, hotSet: 1000, hotShare: 0.9, offset: 0 }, new Rng(3));
  w.advance(0, 0.05, image); // 500 writes: 450 to 1000 hot pages
  let hot = 0;
  for (let p = 0; p < 1000; p++) if (image.log!.has(p)) hot++;
  const cold = image.log!.count - hot;
  assert.ok(Math.abs(hot - 1000 * (1 - Math.exp(-450 / 1000))) < 40, `hot ${hot}`);
  assert.ok(Math.abs(cold - 50) < 25, `cold ${cold}`);
});

test('zipf: rank frequencies follow k^-s', () => {
  const z = new ZipfSampler(1000, 1.2);
  const rng = new Rng(5);
  const counts = new Array(1001).fill(0);
  const n = 200_000;
  for (let i = 0; i < n; i++) counts[z.sample(rng)]++;
  let h = 0;
  for (let k = 1; k <= 1000; k++) h += k ** -1.2;
  for (const k of [1, 2, 5, 20]) {
    const expected = (n * k ** -1.2) / h;
    // within 4 standard deviations of the binomial count
    assert.ok(Math.abs(counts[k] - expected) < 4 * Math.sqrt(expected), `rank ${k}: ${counts[k]} vs ${expected.toFixed(0)}`);
  }
});

test('phases switch workloads at their boundaries and can repeat', () => {
  const spec = {
    kind: 'phases' as const,
    repeat: true,
    phases: [
      { duration: 1, workload: { kind: 'sweep' as const, writeRate: 100, readRate: 0, workingSet: 10_000, offset: 0 } },
      { duration: 1, workload: { kind: 'idle' as const } },
    ],
  };
  const image = dirtyAfter(spec, 3.5, 10_000);
  assert.equal(image.writes, 100 + 0 + 100 + 0); // [0,1) sweep, [1,2) idle, [2,3) sweep, [3,3.5) idle
  const w = createWorkload(spec, new Rng(1));
  assert.equal(w.writeRateAt(0.5), 100);
  assert.equal(w.writeRateAt(1.5), 0);
  assert.equal(w.writeRateAt(2.5), 100);
});

test('nextAccess mixes reads and writes by their rates; sweep reads have their own cursor', () => {
  const w = createWorkload({ kind: 'sweep', writeRate: 100, readRate: 300, workingSet: 1000, offset: 0 }, new Rng(2));
  let writes = 0;
  const readPages: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const p = w.nextAccess(0);
    if (w.lastAccessWasWrite) writes++;
    else if (readPages.length < 5) readPages.push(p);
  }
  assert.ok(Math.abs(writes - 1000) < 100, `writes ${writes}`);
  assert.deepEqual(readPages, [0, 1, 2, 3, 4]);
  assert.equal(w.accessRateAt(0), 400);
});

test('scattered working set: the pages are drawn once, distinct, inside the span, in address order; writes and accesses land only there', () => {
  const spec = { kind: 'sweep' as const, writeRate: 1000, readRate: 0, workingSet: 500, offset: 1000, scatteredOver: 50_000 };
  const image = dirtyAfter(spec, 1);
  const written = [...Array(100_000).keys()].filter((p) => image.log!.has(p));
  assert.equal(written.length, 500); // one sweep pass: every page of the set once
  assert.ok(written[0] >= 1000 && written[499] < 51_000);
  assert.ok(written[499] - written[0] > 40_000, 'spread over the span, not contiguous');
  const again = [...Array(100_000).keys()].filter((p) => dirtyAfter(spec, 1).log!.has(p));
  assert.deepEqual(again, written); // the same seed draws the same set
  const other = [...Array(100_000).keys()].filter((p) => dirtyAfter(spec, 1, 100_000, 2).log!.has(p));
  assert.notDeepEqual(other, written);
  // the sweep visits the set in address order
  const w = createWorkload(spec, new Rng(1, 'w'));
  const seq = Array.from({ length: 500 }, () => w.nextAccess(0));
  assert.deepEqual(seq, written);
});

test('mix: writes of the parts add up, and each access comes from a part in proportion to its rate', () => {
  const a = { kind: 'uniform' as const, writeRate: 3000, readRate: 0, workingSet: 1000, offset: 0 };
  const b = { kind: 'uniform' as const, writeRate: 0, readRate: 1000, workingSet: 1000, offset: 5000 };
  const w = createWorkload({ kind: 'mix', parts: [a, b] }, new Rng(1, 'w'));
  assert.equal(w.writeRateAt(0), 3000);
  assert.equal(w.accessRateAt(0), 4000);
  let inA = 0, writes = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const p = w.nextAccess(0);
    if (p < 1000) inA++;
    else assert.ok(p >= 5000 && p < 6000 && !w.lastAccessWasWrite);
    if (w.lastAccessWasWrite) writes++;
  }
  assert.ok(Math.abs(inA / n - 0.75) < 0.02, `${inA / n}`);
  assert.equal(writes, inA);
  // only the writing part dirties pages
  const image = dirtyAfter({ kind: 'mix', parts: [a, b] }, 1, 10_000);
  assert.ok(image.log!.count > 0);
  for (let p = 5000; p < 6000; p++) assert.ok(!image.log!.has(p));
});
