/**
 * @module report/views/consolidation-compare
 * Consolidation runs side by side (a consolidation scenario's `compare:` variants, as
 * `lmsim consolidate FILE --json` prints them): active hosts, power and cumulative energy over the
 * run with one line per variant on shared scales, and the headline figures as bars, one per variant.
 */
import * as Plot from '@observablehq/plot';
import { decimate } from './decimate.js';
import type { ConsolidationOutput } from './consolidation.js';
import { Doc, El } from './dom.js';
import { chart, figure, rowBars, wholeSeries } from './plot-kit.js';

export interface NamedConsolidation {
  label: string;
  result: ConsolidationOutput;
}

const hours = (s: number) => s / 3600;

export function consolidationCompareViews(doc: Doc, runs: readonly NamedConsolidation[], id: string): El[] {
  const labels = runs.map((r) => r.label);
  const views: El[] = [];
  const lines: { key: 'activeHosts' | 'power' | 'energyKWh'; slug: string; title: string; y: string; scale: number }[] = [
    { key: 'activeHosts', slug: 'active', title: 'Active hosts', y: 'active hosts', scale: 1 },
    { key: 'power', slug: 'power', title: 'Power', y: 'power (kW)', scale: 1e-3 },
    { key: 'energyKWh', slug: 'energy', title: 'Cumulative energy', y: 'energy (kWh)', scale: 1 },
  ];
  for (const line of lines) {
    let thinned = false;
    const marks = runs.map((r) => {
      const s = r.result.series;
      const values = s[line.key];
      const keep = decimate(values);
      thinned ||= keep.length < values.length;
      const pts = keep.map((i) => ({ variant: r.label, t: s.time[i], v: values[i] }));
      return Plot.line(pts, {
        x: (p: { t: number }) => hours(p.t),
        y: (p: { v: number }) => p.v * line.scale,
        stroke: () => r.label,
        strokeWidth: 1.5,
        render: wholeSeries(pts, { variant: (p) => p.variant, x: (p) => p.t, y: (p) => p.v }),
      });
    });
    views.push(
      figure(
        doc,
        `${id}-${line.slug}`,
        `${line.title}, one line per variant`,
        chart(doc, {
          height: 220,
          x: { label: 'simulated time (h)', grid: true },
          y: { label: line.y, grid: true },
          color: { domain: labels, legend: true },
          marks: [...marks, Plot.ruleY([0])],
        }),
        `All variants on the same scales.${thinned ? " Long series are drawn from each bucket's first, lowest and highest step." : ''}`,
      ),
    );
  }
  const metrics: { key: string; title: string; unit: string; value: (r: ConsolidationOutput) => number; scale: number }[] = [
    { key: 'energy-total', title: 'Energy', unit: 'kWh', value: (r) => r.energyKWh, scale: 1 },
    { key: 'migrations', title: 'Migrations', unit: 'migrations', value: (r) => r.migrations, scale: 1 },
    { key: 'slav', title: 'SLA violation (SLAV)', unit: '%', value: (r) => r.slav, scale: 100 },
    { key: 'esv', title: 'Energy x SLA violation (ESV)', unit: 'x 1e-3', value: (r) => r.esv, scale: 1e3 },
  ];
  for (const metric of metrics) {
    const bars = runs.map((r) => ({ row: r.label, value: metric.value(r.result) }));
    views.push(figure(doc, `${id}-${metric.key}`, `${metric.title} (${metric.unit})`, rowBars(doc, labels, bars, metric.unit, metric.scale, '#4e79a7')));
  }
  return views;
}
