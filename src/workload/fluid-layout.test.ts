/**
 * A layout built on a shared geometry (withRates on fluidGeometry) is the layout built whole
 * (fluidLayout), for workloads that differ only in their rates: what the data center's live
 * migrations rely on when the VMs of one size share a geometry (RunOptions.sharedLayouts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fluidGeometry, fluidLayout, withRates } from './fluid-layout.js';
import type { WorkloadSpec } from './workload.js';

/** Workloads of one shape at write rate w and read rate r. */
const shapes: ((w: number, r: number) => WorkloadSpec)[] = [
  (w, r) => ({ kind: 'hotcold', writeRate: w, readRate: r, workingSet: 1000, hotSet: 100, hotShare: 0.9, offset: 0 }),
  (w, r) => ({ kind: 'hotcold', writeRate: w, readRate: r, workingSet: 700, hotSet: 900, hotShare: 0.8, offset: 200 }),
  (w, r) => ({ kind: 'uniform', writeRate: w, readRate: r, workingSet: 300, offset: 50 }),
  (w, r) => ({
    kind: 'phases',
    repeat: true,
    phases: [
      { duration: 5, workload: { kind: 'sweep', writeRate: w, readRate: 0, workingSet: 400, offset: 100 } },
      {
        duration: 3,
        workload: {
          kind: 'mix',
          parts: [
            { kind: 'uniform', writeRate: w / 3, readRate: r, workingSet: 250, offset: 0 },
            { kind: 'hotcold', writeRate: 2 * w, readRate: r / 7, workingSet: 600, hotSet: 60, hotShare: 0.95, offset: 400 },
          ],
        },
      },
    ],
  }),
];

test('withRates on a shared fluid geometry gives fluidLayout, to the bit, for workloads that differ in their rates', () => {
  const rates = [0, 1, 0.3 * 5000, 5000 * 0.37000000000000005, 1234.5678, 1e-9, 5000];
  for (const shape of shapes) {
    for (const [pages, resident, at, top] of [
      [1000, 1000, 'start', 0],
      [1024, 600, 'end', 10],
      [1200, 1100, 'start', 40],
    ] as const) {
      const geometry = fluidGeometry(shape(5000, 0), pages, resident, at, top);
      for (const w of rates) {
        const spec = shape(w, w / 2);
        const layout = withRates(geometry, spec);
        assert.deepEqual(layout, fluidLayout(spec, pages, resident, at, top));
        assert.ok(layout.writeRates.every((row) => row.length === layout.sizes.length));
      }
    }
  }
});
