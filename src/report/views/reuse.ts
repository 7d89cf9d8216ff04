/**
 * @module report/views/reuse
 * Memory reuse: memory held on each host over time (VMs' reservations and the images kept for a
 * return), and the bytes that went back per caching policy.
 */
import * as Plot from '@observablehq/plot';
import type { RunResult } from '../../scenario/run.js';
import { roundTrip } from '../round-trip.js';
import { Doc, El } from './dom.js';
import type { NamedRun } from './compare.js';
import { decimate } from './decimate.js';
import { chart, figure, MiB, perDatum, wholeSeries } from './plot-kit.js';

/** Whether a run kept images for reuse (the memory view has something to show). */
export function keptImages(result: RunResult): boolean {
  return result.hosts.some((h) => h.memoryStats.peakKept > 0);
}

export function hostMemoryView(doc: Doc, result: RunResult, id: string, title = 'Memory held on each host'): El {
  const hosts = result.hosts.filter((h) => h.memoryStats.series.length > 0);
  const rows = hosts.flatMap((h) => {
    const s = h.memoryStats.series;
    const end = result.simulatedTime;
    const points = [...s, ...(s.length && s[s.length - 1][0] < end ? [[end, s[s.length - 1][1], s[s.length - 1][2]] as [number, number, number]] : [])];
    const keep = decimate(points.map((p) => p[1] + p[2]));
    return keep.flatMap((i) => [
      { host: h.name, what: 'VMs', time: points[i][0], bytes: points[i][1] },
      { host: h.name, what: 'kept images', time: points[i][0], bytes: points[i][2] },
    ]);
  });
  const names = hosts.map((h) => h.name);
  return figure(
    doc,
    `${id}-memory`,
    title,
    chart(doc, {
      height: 40 + 80 * names.length,
      marginRight: 90,
      x: { label: 'simulated time (s)', grid: true },
      y: { label: 'MiB', grid: true, ticks: 3 },
      fy: { label: null, domain: names },
      color: { legend: true, domain: ['VMs', 'kept images'], range: ['#4e79a7', '#f28e2b'] },
      marks: [
        Plot.areaY(rows, { fy: 'host', x: 'time', y: (r: { bytes: number }) => r.bytes / MiB, fill: 'what', curve: 'step-after', fillOpacity: 0.8 }),
        Plot.line(
          rows.filter((r) => r.what === 'kept images'),
          {
            fy: 'host',
            x: 'time',
            y: (r: { bytes: number }) => r.bytes / MiB,
            stroke: 'none',
            render: wholeSeries(
              rows.filter((r) => r.what === 'kept images'),
              { host: (r) => r.host, x: (r) => r.time, y: (r) => r.bytes },
            ),
          },
        ),
        Plot.frame({ stroke: '#ddd' }),
      ],
    }),
    'Stacked: memory reserved by VMs (running or arriving) and held by images kept for a return, which reuse can spare from the wire.',
  );
}

/** Bytes sent back per caching policy (variant), against what a return without reuse sends. */
export function sentBackView(doc: Doc, runs: readonly NamedRun[], id: string): El | null {
  const trips = runs.map((r) => roundTrip(r.result, r.name)).filter((t) => t !== null);
  if (trips.length === 0) return null;
  const order = trips.map((t) => t!.label!);
  const bars = trips.map((t) => ({ row: t!.label!, sent: t!.sentBack, without: t!.backWithoutReuse }));
  return figure(
    doc,
    `${id}-sent-back`,
    'Bytes sent back per caching policy',
    chart(doc, {
      height: 30 + 26 * order.length,
      marginLeft: 150,
      marginRight: 56,
      x: { label: 'MiB sent on the way back', grid: true },
      y: { label: null, domain: order },
      marks: [
        Plot.barX(bars, { y: 'row', x: (b: { without: number }) => b.without / MiB, fill: '#e0e0e0' }),
        Plot.barX(bars, {
          y: 'row',
          x: (b: { sent: number }) => b.sent / MiB,
          fill: '#59a14f',
          render: perDatum(bars, { row: (b) => b.row, value: (b) => b.sent }),
          title: (b: { row: string; sent: number }) => `${b.row}: ${(b.sent / MiB).toFixed(1)} MiB`,
        }),
        Plot.text(bars, {
          y: 'row',
          x: (b: { sent: number }) => b.sent / MiB,
          text: (b: { sent: number }) => (b.sent / MiB).toFixed(1),
          textAnchor: 'start',
          dx: 4,
        }),
        Plot.ruleX([0]),
      ],
    }),
    'Green: bytes that went back; grey: the memory of the VMs that came back, what a return without reuse would send.',
  );
}
