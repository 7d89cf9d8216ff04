/**
 * @module report/views/consolidation
 * A consolidation run over the day: active hosts, power and cumulative energy, migrations started,
 * completed and timed out per step, SLA violation time, and the distributions of migration time
 * and downtime. Long series are decimated (report/views/decimate.ts); counts per step are summed
 * into wider bins instead, so totals stay exact.
 */
import * as Plot from '@observablehq/plot';
import type { Histogram } from '../../datacenter/stats.js';
import type { StepSeries } from '../../datacenter/step-series.js';
import { Doc, El } from './dom.js';
import { decimate } from './decimate.js';
import { chart, figure, note, perDatum, seconds, wholeSeries } from './plot-kit.js';

/** What the views read from `lmsim consolidate --json`. */
export interface ConsolidationOutput {
  scenario: string | null;
  policy: string;
  parameter: number | null;
  migrationModel: string;
  hosts: number;
  vms: number;
  simulatedTime: number;
  energyKWh: number;
  migrations: number;
  slatah: number;
  pdm: number;
  slav: number;
  esv: number;
  migration: { totalTimeHistogram: Histogram; downtimeHistogram: Histogram; notCompleted: number };
  series: StepSeries;
}

/** Most bars drawn for per-step counts; more steps are summed into wider bins. */
const MAX_BARS = 300;

const hours = (s: number) => s / 3600;

export function consolidationViews(doc: Doc, r: ConsolidationOutput, id: string): El[] {
  const s = r.series;
  const n = s.time.length;
  const views: El[] = [];
  const line = (values: number[], y: string, color: string, title: string, key: string, caption: string, scale = 1) => {
    const keep = decimate(values);
    const pts = keep.map((i) => ({ t: s.time[i], v: values[i] }));
    return figure(
      doc,
      `${id}-${key}`,
      title,
      chart(doc, {
        height: 180,
        x: { label: 'simulated time (h)', grid: true },
        y: { label: y, grid: true },
        marks: [
          Plot.line(pts, {
            x: (p: { t: number }) => hours(p.t),
            y: (p: { v: number }) => p.v * scale,
            stroke: color,
            strokeWidth: 1.5,
            render: wholeSeries(pts, { x: (p) => p.t, y: (p) => p.v }),
          }),
          Plot.ruleY([0]),
        ],
      }),
      caption + (keep.length < n ? ` Drawn from ${keep.length} of ${n} steps (each bucket's first, lowest and highest).` : ''),
    );
  };
  views.push(line(s.activeHosts, 'active hosts', '#4e79a7', 'Active hosts', 'active', `Hosts with load after each step's update, of ${r.hosts}.`));
  views.push(line(s.power, 'power (kW)', '#f28e2b', 'Power', 'power', "Mean power between consecutive steps (that interval's energy over its length).", 1e-3));
  views.push(
    line(s.energyKWh, 'energy (kWh)', '#59a14f', 'Cumulative energy', 'energy', `${r.energyKWh.toFixed(2)} kWh over ${(r.simulatedTime / 3600).toFixed(1)} h.`),
  );

  // migrations per step, as bars (summed into bins when there are many steps)
  const width = Math.max(1, Math.ceil(n / MAX_BARS));
  const kinds: [keyof StepSeries, string, string][] = [
    ['migrationsStarted', 'started', '#4e79a7'],
    ['migrationsCompleted', 'completed', '#59a14f'],
    ['migrationsTimedOut', 'timed out', '#e15759'],
  ];
  const bars: { t0: number; t1: number; kind: string; count: number }[] = [];
  for (let b = 0; b * width < n; b++) {
    const from = b * width;
    const to = Math.min(n, from + width);
    const t0 = from === 0 ? 0 : s.time[from - 1];
    const t1 = s.time[to - 1];
    for (const [key, kind] of kinds) {
      let count = 0;
      for (let i = from; i < to; i++) count += s[key][i];
      bars.push({ t0, t1, kind, count });
    }
  }
  const stepLabel = width === 1 ? 'per step' : `per ${width} steps`;
  views.push(
    figure(
      doc,
      `${id}-migrations`,
      `Migrations ${stepLabel}`,
      chart(doc, {
        height: 60 + 3 * 90,
        marginRight: 80,
        x: { label: 'simulated time (h)', grid: true },
        y: { label: 'migrations', grid: true, ticks: 3 },
        fy: { label: null, domain: kinds.map((k) => k[1]) },
        color: { domain: kinds.map((k) => k[1]), range: kinds.map((k) => k[2]) },
        marks: [
          Plot.rectY(bars, {
            fy: 'kind',
            x1: (b: { t0: number }) => hours(b.t0),
            x2: (b: { t1: number }) => hours(b.t1),
            y: 'count',
            fill: 'kind',
            render: perDatum(bars, { kind: (b) => b.kind, t: (b) => b.t1, count: (b) => b.count }),
          }),
          Plot.ruleY([0]),
          Plot.frame({ stroke: '#ddd' }),
        ],
      }),
      `${r.migrations} started; ${r.migration.notCompleted} did not complete. Completed and timed out count the migrations that ended after a step, up to the next.`,
    ),
  );

  const violation = s.slaViolationTime.map((v, i) => (i === 0 ? v : v - s.slaViolationTime[i - 1]));
  views.push(
    line(
      violation,
      'host-seconds',
      '#b07aa1',
      'SLA violation time per step',
      'sla',
      `Host time with less CPU allocated than requested, committed at each step (SLATAH ${(r.slatah * 100).toFixed(2)} %, PDM ${(r.pdm * 100).toFixed(3)} %, SLAV ${(r.slav * 100).toFixed(5)} %).`,
    ),
  );

  const hist = (hg: Histogram, key: string, title: string, unit: number, unitLabel: string) => {
    const bins = hg.counts.map((count, i) => ({ x0: hg.edges[i], x1: hg.edges[i + 1], count }));
    return figure(
      doc,
      `${id}-${key}`,
      title,
      chart(doc, {
        height: 180,
        x: { label: unitLabel, grid: true },
        y: { label: 'migrations', grid: true },
        marks: [
          Plot.rectY(bins, {
            x1: (b: { x0: number }) => b.x0 * unit,
            x2: (b: { x1: number }) => b.x1 * unit,
            y: 'count',
            fill: '#76b7b2',
            inset: 0.5,
            render: perDatum(bins, { x0: (b) => b.x0, x1: (b) => b.x1, count: (b) => b.count }),
          }),
          Plot.ruleY([0]),
        ],
      }),
      `${hg.counts.reduce((a, b) => a + b, 0)} migrations in ${hg.counts.length} bins; the largest ${seconds(hg.edges[hg.edges.length - 1])}.`,
    );
  };
  if (r.migrations > 0) {
    views.push(hist(r.migration.totalTimeHistogram, 'total-time', 'Migration time distribution', 1, 'migration time (s)'));
    const d = r.migration.downtimeHistogram;
    if (d.edges[d.edges.length - 1] > 0) views.push(hist(d, 'downtime', 'Downtime distribution', 1e3, 'downtime (ms)'));
    else
      views.push(note(doc, `${id}-downtime`, 'Downtime distribution', `No migration paused its VM: the ${r.migrationModel} migration model has no downtime.`));
  }
  return views;
}
