/**
 * @module report/views/compare
 * Variants side by side: one row per variant on shared scales (bytes on the wire over time, the
 * pause marked), and the headline figures as bars, one bar per variant.
 */
import * as Plot from '@observablehq/plot';
import type { MigrationResult } from '../../migration/result.js';
import type { RunResult } from '../../scenario/run.js';
import { Doc, El } from './dom.js';
import { chart, figure, MiB, rowBars, wholeSeries } from './plot-kit.js';
import { pauseOf, wireCurve } from './migration.js';

export interface NamedRun {
  name: string;
  result: RunResult;
}

interface Row {
  row: string;
  m: MigrationResult;
}

/** One row per variant (and migration, when a variant has several: named by VM and route, numbered if that repeats). */
function rowsOf(runs: readonly NamedRun[]): Row[] {
  return runs.flatMap((r) => {
    const many = r.result.migrations.length > 1;
    const seen = new Map<string, number>();
    return r.result.migrations.map((m) => {
      const base = many ? `${r.name} ${m.vm} ${m.from}→${m.to}` : r.name;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      return { row: k > 1 ? `${base} #${k}` : base, m };
    });
  });
}

export function compareViews(doc: Doc, runs: readonly NamedRun[], id: string): El[] {
  const rows = rowsOf(runs);
  const order = rows.map((r) => r.row);
  const wire = rows.flatMap((r) => wireCurve(r.m).map((p) => ({ row: r.row, time: p.time, bytes: p.bytes })));
  const pauses = rows.flatMap((r) => {
    const p = pauseOf(r.m);
    return p ? [{ row: r.row, ...p }] : [];
  });
  const views: El[] = [];
  views.push(
    figure(
      doc,
      `${id}-wire`,
      'Bytes on the wire over time, one row per variant',
      chart(doc, {
        height: 40 + 70 * order.length,
        marginRight: 120,
        x: { label: 'simulated time (s)', grid: true },
        y: { label: 'sent (MiB)', grid: true, ticks: 3 },
        fy: { label: null, domain: order },
        marks: [
          Plot.rect(pauses, { fy: 'row', x1: 'start', x2: 'end', y1: 0, y2: Math.max(...wire.map((w) => w.bytes)) / MiB, fill: '#e15759', fillOpacity: 0.3 }),
          Plot.line(wire, {
            fy: 'row',
            x: 'time',
            y: (w: { bytes: number }) => w.bytes / MiB,
            stroke: '#4e79a7',
            strokeWidth: 2,
            render: wholeSeries(wire, { row: (w) => w.row, x: (w) => w.time, y: (w) => w.bytes }),
          }),
          Plot.ruleY([0]),
          Plot.frame({ stroke: '#ddd' }),
        ],
      }),
      'All rows share both scales; red bands are the pauses (downtime).',
    ),
  );
  const metrics: { key: string; title: string; unit: string; value: (m: MigrationResult) => number | null; scale: number }[] = [
    { key: 'total', title: 'Total migration time', unit: 's', value: (m) => m.totalTime, scale: 1 },
    { key: 'downtime', title: 'Downtime', unit: 'ms', value: (m) => m.downtime, scale: 1e3 },
    { key: 'sent', title: 'Bytes on the wire', unit: 'MiB', value: (m) => m.bytesTransferred, scale: 1 / MiB },
    { key: 'degradation', title: 'Guest degradation', unit: '%', value: (m) => m.degradation, scale: 100 },
  ];
  for (const metric of metrics) {
    const bars = rows.map((r) => ({ row: r.row, value: metric.value(r.m), status: r.m.status }));
    const shown = bars.filter((b) => b.value !== null) as { row: string; value: number; status: string }[];
    if (metric.key === 'degradation' && shown.every((b) => b.value === 0)) continue; // nothing to compare
    views.push(
      figure(
        doc,
        `${id}-${metric.key}`,
        `${metric.title} (${metric.unit})`,
        rowBars(doc, order, shown, metric.unit, metric.scale, (b) => (b.status === 'completed' ? '#4e79a7' : '#bab0ac')),
        bars.length > shown.length
          ? `No value for ${bars
              .filter((b) => b.value === null)
              .map((b) => `${b.row} (${b.status})`)
              .join(', ')}. Grey: not completed.`
          : undefined,
      ),
    );
  }
  return views;
}
