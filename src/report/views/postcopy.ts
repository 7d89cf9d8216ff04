/**
 * @module report/views/postcopy
 * Post-copy and hybrid: faults over time, the fault-latency distribution, guest time blocked.
 */
import * as Plot from '@observablehq/plot';
import type { MigrationResult } from '../../migration/result.js';
import { Doc, El } from './dom.js';
import { chart, figure, note, perDatum, seconds, wholeSeries } from './plot-kit.js';

export function postcopyViews(doc: Doc, m: MigrationResult, id: string): El[] {
  const p = m.postcopy;
  if (!p) return [];
  const label = `${m.vm} ${m.from}→${m.to} (${m.algorithm}, ${m.status})`;
  const views: El[] = [];
  const rows = p.timeline.map(([time, faults, blocked]) => ({ time, faults, blocked }));
  if (rows.length < 2) {
    views.push(note(doc, `${id}-faults`, `Faults over time: ${label}`, 'The guest never faulted after the switch-over.'));
  } else {
    views.push(
      figure(
        doc,
        `${id}-faults`,
        `Faults over time: ${label}`,
        chart(doc, {
          height: 180,
          x: { label: 'simulated time (s)', grid: true },
          y: { label: 'faults so far', grid: true },
          marks: [
            Plot.line(rows, { x: 'time', y: 'faults', stroke: '#59a14f', strokeWidth: 2, render: wholeSeries(rows, { x: (r) => r.time, y: (r) => r.faults }) }),
            Plot.ruleY([0]),
          ],
        }),
        `${Math.round(p.faults)} faults (accesses to pages not yet at the destination), ${Math.round(p.requests)} page requests; the curve flattens as the push brings the memory over.`,
      ),
      figure(
        doc,
        `${id}-blocked`,
        `Guest time blocked on faults: ${label}`,
        chart(doc, {
          height: 180,
          x: { label: 'simulated time (s)', grid: true },
          y: { label: 'blocked so far (s)', grid: true },
          marks: [
            Plot.line(rows, {
              x: 'time',
              y: 'blocked',
              stroke: '#e15759',
              strokeWidth: 2,
              render: wholeSeries(rows, { x: (r) => r.time, y: (r) => r.blocked }),
            }),
            Plot.ruleY([0]),
          ],
        }),
        `The vCPU waited ${seconds(p.blockedTime)} in all: ${(p.degradation * 100).toFixed(1)} % of its time at the destination until the last page arrived.`,
      ),
    );
  }
  const q = p.faultLatency.quantiles;
  if (q) {
    const cdf = q.map((latency, i) => ({ latency, share: i / (q.length - 1) }));
    views.push(
      figure(
        doc,
        `${id}-latency`,
        `Fault latency distribution: ${label}`,
        chart(doc, {
          height: 200,
          x: { label: 'fault latency (ms)', grid: true },
          y: { label: 'share of faults', domain: [0, 1], grid: true, tickFormat: '%' },
          marks: [
            Plot.line(cdf, { x: (d: { latency: number }) => d.latency * 1e3, y: 'share', curve: 'step-after', stroke: '#4e79a7' }),
            Plot.dot(cdf, {
              x: (d: { latency: number }) => d.latency * 1e3,
              y: 'share',
              r: 2.5,
              fill: '#4e79a7',
              render: perDatum(cdf, { latency: (d) => d.latency, share: (d) => d.share }),
            }),
          ],
        }),
        `Share of faults resolved within a latency (5 % steps). Median ${seconds(p.faultLatency.p50)}, p99 ${seconds(p.faultLatency.p99)}, max ${seconds(p.faultLatency.max)}.`,
      ),
    );
  } else {
    views.push(
      note(
        doc,
        `${id}-latency`,
        `Fault latency: ${label}`,
        `Expected latency ${seconds(p.faultLatency.mean)}, at most ${seconds(p.faultLatency.max)} (the fluid model knows expectations, not a distribution; use fidelity: page for one).`,
      ),
    );
  }
  return views;
}
