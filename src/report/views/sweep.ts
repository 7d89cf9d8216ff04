/**
 * @module report/views/sweep
 * A sweep from a results store: each metric against each axis, one line per algorithm (the axis
 * that sets `algorithm`, else the last axis), the 95 % confidence band of the mean over seeds
 * shaded around it; the other axes' values split the plot into rows on shared scales.
 */
import * as Plot from '@observablehq/plot';
import type { Summary } from '../confidence.js';
import { Doc, El } from './dom.js';
import { chart, figure, perDatum } from './plot-kit.js';

/** What the views read from a results store (experiments/results.ts summarizeSweep). */
export interface SweepSummary {
  name: string;
  kind: string;
  level: number;
  axes: { name: string; paths: string[]; values: (string | null)[] }[];
  metrics: string[];
  /** One group per grid point, in grid order: its axis values and each metric over its seeds. */
  groups: { coords: Record<string, string | null>; stats: Record<string, Summary> }[];
}

/** The axis whose values draw separate lines. */
export function lineAxis(s: SweepSummary): string | null {
  if (s.axes.length < 2) return null;
  const algo = s.axes.find((a) => a.name === 'algorithm' || a.paths.some((p) => /(^|\.)algorithm$/.test(p)));
  return (algo ?? s.axes[s.axes.length - 1]).name;
}

interface Point {
  x: string;
  line: string;
  row: string;
  mean: number;
  low: number | null;
  high: number | null;
  n: number;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function sweepViews(doc: Doc, s: SweepSummary, id: string): El[] {
  const byLine = lineAxis(s);
  const xAxes = s.axes.filter((a) => a.name !== byLine);
  const views: El[] = [];
  const pct = Math.round(s.level * 100);
  for (const metric of s.metrics) {
    const axes = xAxes.length > 0 ? xAxes : s.axes.slice(0, 1);
    for (const axis of axes) {
      const rest = s.axes.filter((a) => a.name !== axis.name && a.name !== byLine);
      const rowOf = (c: Record<string, string | null>) => rest.map((a) => `${a.name}=${c[a.name]}`).join(', ') || 'all';
      const points: Point[] = s.groups
        .filter((g) => finite(g.stats[metric]?.mean))
        .map((g) => {
          const st = g.stats[metric];
          return {
            x: String(g.coords[axis.name]),
            line: byLine ? String(g.coords[byLine]) : metric,
            row: rowOf(g.coords),
            mean: st.mean,
            low: finite(st.low) ? st.low : null,
            high: finite(st.high) ? st.high : null,
            n: st.n,
          };
        });
      const rows = [...new Set(points.map((p) => p.row))];
      const lines = byLine ? s.axes.find((a) => a.name === byLine)!.values.map(String) : [metric];
      const banded = points.filter((p) => p.low !== null && p.high !== null);
      views.push(
        figure(
          doc,
          `${id}-${metric}-${axis.name}`,
          `${metric} against ${axis.name}${byLine ? `, one line per ${byLine}` : ''}`,
          chart(doc, {
            height: 50 + 150 * rows.length,
            marginRight: rows.length > 1 ? 140 : 24,
            marginLeft: 72,
            x: { label: axis.name, domain: axis.values.map(String), type: 'point', inset: 20 },
            // large magnitudes (bytes) with SI prefixes, so tick labels fit the margin
            y: { label: metric, grid: true, nice: true, ...(Math.max(...points.map((p) => Math.abs(p.high ?? p.mean))) >= 1e5 ? { tickFormat: '~s' } : {}) },
            fy: rows.length > 1 ? { label: null, domain: rows } : undefined,
            color: { legend: lines.length > 1, domain: lines },
            marks: [
              Plot.areaY(banded, { fy: rows.length > 1 ? 'row' : undefined, x: 'x', y1: 'low', y2: 'high', fill: 'line', fillOpacity: 0.18, z: 'line' }),
              Plot.line(points, { fy: rows.length > 1 ? 'row' : undefined, x: 'x', y: 'mean', stroke: 'line', z: 'line', strokeWidth: 1.8 }),
              Plot.dot(points, {
                fy: rows.length > 1 ? 'row' : undefined,
                x: 'x',
                y: 'mean',
                fill: 'line',
                r: 3,
                render: perDatum(points, {
                  x: (p) => p.x,
                  line: (p) => p.line,
                  row: (p) => p.row,
                  mean: (p) => p.mean,
                  low: (p) => p.low ?? '',
                  high: (p) => p.high ?? '',
                  n: (p) => p.n,
                }),
                title: (p: Point) =>
                  `${p.line}, ${axis.name}=${p.x}${p.row !== 'all' ? `, ${p.row}` : ''}: mean ${p.mean.toPrecision(5)}${p.low !== null ? ` [${p.low.toPrecision(5)}, ${p.high!.toPrecision(5)}]` : ''} over ${p.n} seeds`,
              }),
              ...(rows.length > 1 ? [Plot.frame({ stroke: '#ddd' })] : []),
            ],
          }),
          `Mean over the seeds of each grid point; the band is the ${pct} % confidence interval of the mean (Student t).`,
        ),
      );
    }
  }
  return views;
}
