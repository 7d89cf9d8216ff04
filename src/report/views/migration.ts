/**
 * @module report/views/migration
 * One migration: pages sent and dirtied per round, bytes on the wire over time with the pause
 * marked, bandwidth per round, and the throttle when auto-converge or a dirty limit acted.
 */
import * as Plot from '@observablehq/plot';
import type { MigrationResult, RoundRecord } from '../../migration/result.js';
import { Doc, El } from './dom.js';
import { chart, figure, mib, MiB, note, perDatum, seconds, wholeSeries } from './plot-kit.js';

/** A point of the bytes-on-the-wire curve: simulated time s, bytes sent since the start. */
export interface WirePoint {
  time: number;
  bytes: number;
}

/**
 * Bytes on the wire over time: each round sends its bytes evenly over its duration (its mean
 * bandwidth), the setup's exchange at the start; what is not in a round (post-copy requests) is
 * drawn as reaching the total at the end.
 */
export function wireCurve(m: MigrationResult): WirePoint[] {
  const points: WirePoint[] = [{ time: m.startTime, bytes: 0 }];
  let bytes = m.bytesByPhase.setup;
  if (bytes > 0) points.push({ time: m.startTime, bytes });
  for (const r of m.rounds) {
    points.push({ time: r.start, bytes });
    bytes += r.bytesSent;
    points.push({ time: r.start + r.duration, bytes });
  }
  const end = m.endTime ?? points[points.length - 1].time;
  if (m.bytesTransferred > bytes) points.push({ time: end, bytes: m.bytesTransferred });
  return points;
}

/** The pause: from the stop-and-copy round's start, for the downtime; null if the VM never paused. */
export function pauseOf(m: MigrationResult): { start: number; end: number } | null {
  const stop = m.rounds.find((r) => r.kind === 'stop-and-copy');
  if (!stop || m.downtime === null) return null;
  return { start: stop.start, end: stop.start + m.downtime };
}

const KIND_COLOR: Record<RoundRecord['kind'], string> = { live: '#4e79a7', 'stop-and-copy': '#e15759', postcopy: '#59a14f' };

export function migrationViews(doc: Doc, m: MigrationResult, id: string): El[] {
  const views: El[] = [];
  const rounds = m.rounds;
  const label = `${m.vm} ${m.from}→${m.to} (${m.preset ? `${m.algorithm}:${m.preset}` : m.algorithm}, ${m.status})`;
  if (rounds.length === 0) {
    views.push(note(doc, `${id}-rounds`, `Rounds: ${label}`, `No round was sent: ${m.reason}`));
    return views;
  }
  const W = 0.38;
  views.push(
    figure(
      doc,
      `${id}-pages`,
      `Pages sent and dirtied per round: ${label}`,
      chart(doc, {
        x: { label: 'round', ticks: rounds.map((r) => r.index), tickFormat: 'd' },
        y: { label: 'pages', grid: true },
        color: { legend: true, domain: ['sent', 'dirtied during the round'], range: ['#4e79a7', '#f28e2b'] },
        marks: [
          Plot.rectY(rounds, {
            x1: (r: RoundRecord) => r.index - W,
            x2: (r: RoundRecord) => r.index,
            y: 'pagesSent',
            fill: () => 'sent',
            render: perDatum(rounds, { round: (r) => r.index, y: (r) => r.pagesSent }),
            title: (r: RoundRecord) => `round ${r.index} (${r.kind}): ${r.pagesSent} pages sent`,
          }),
          Plot.rectY(rounds, {
            x1: (r: RoundRecord) => r.index,
            x2: (r: RoundRecord) => r.index + W,
            y: 'pagesDirtied',
            fill: () => 'dirtied during the round',
            render: perDatum(rounds, { round: (r) => r.index, y: (r) => r.pagesDirtied }),
            title: (r: RoundRecord) => `round ${r.index}: ${r.pagesDirtied} pages dirtied`,
          }),
          Plot.ruleY([0]),
        ],
      }),
      'Round 1 is the bulk pass; a round that dirties about as many pages as it sends does not converge.',
    ),
  );

  const wire = wireCurve(m);
  const pause = pauseOf(m);
  const top = Math.max(...wire.map((p) => p.bytes)) / MiB;
  views.push(
    figure(
      doc,
      `${id}-wire`,
      `Bytes on the wire over time: ${label}`,
      chart(doc, {
        x: { label: 'simulated time (s)', grid: true },
        y: { label: 'sent (MiB)', grid: true, domain: [0, top * 1.05] },
        marks: [
          ...(pause
            ? [
                Plot.rect([pause], {
                  x1: 'start',
                  x2: 'end',
                  y1: 0,
                  y2: top * 1.05,
                  fill: '#e15759',
                  fillOpacity: 0.25,
                  render: perDatum([pause], { start: (p) => p.start, end: (p) => p.end }),
                }),
                Plot.text([pause], {
                  x: 'end',
                  y: top * 1.05,
                  text: () => `pause ${seconds(m.downtime!)}`,
                  textAnchor: 'end',
                  dy: 10,
                  dx: -4,
                  fill: '#b0303a',
                }),
              ]
            : []),
          Plot.line(wire, {
            x: 'time',
            y: (p: WirePoint) => p.bytes / MiB,
            stroke: '#4e79a7',
            strokeWidth: 2,
            render: wholeSeries(wire, { x: (p) => p.time, y: (p) => p.bytes }),
          }),
          Plot.ruleY([0]),
        ],
      }),
      `${mib(m.bytesTransferred)} in all${pause ? `; the shaded band is the pause (downtime ${seconds(m.downtime!)})` : ''}.`,
    ),
  );

  const rates = rounds.filter((r) => r.duration > 0);
  views.push(
    figure(
      doc,
      `${id}-bandwidth`,
      `Bandwidth per round: ${label}`,
      chart(doc, {
        height: 180,
        x: { label: 'round', ticks: rounds.map((r) => r.index), tickFormat: 'd' },
        y: { label: 'MiB/s', grid: true },
        marks: [
          Plot.rectY(rates, {
            x1: (r: RoundRecord) => r.index - W,
            x2: (r: RoundRecord) => r.index + W,
            y: (r: RoundRecord) => r.bandwidth / MiB,
            fill: (r: RoundRecord) => KIND_COLOR[r.kind],
            render: perDatum(rates, { round: (r) => r.index, y: (r) => r.bandwidth }),
            title: (r: RoundRecord) => `round ${r.index} (${r.kind}): ${(r.bandwidth / MiB).toFixed(1)} MiB/s`,
          }),
          Plot.ruleY([0]),
        ],
      }),
      'Bytes sent in the round over its duration; red: the stop-and-copy.',
    ),
  );

  if (m.throttle) {
    const steps = [
      { time: m.startTime, percent: 0 },
      ...m.throttle.steps,
      { time: m.endTime ?? m.throttle.steps[m.throttle.steps.length - 1].time, percent: m.throttle.steps[m.throttle.steps.length - 1]?.percent ?? 0 },
    ];
    views.push(
      figure(
        doc,
        `${id}-throttle`,
        `Guest CPU throttle over time: ${label}`,
        chart(doc, {
          height: 180,
          x: { label: 'simulated time (s)', grid: true },
          y: { label: 'throttle (%)', domain: [0, 100], grid: true },
          marks: [
            Plot.line(steps, {
              x: 'time',
              y: 'percent',
              curve: 'step-after',
              stroke: '#e15759',
              strokeWidth: 2,
              render: wholeSeries(steps, { x: (s) => s.time, y: (s) => s.percent }),
            }),
            Plot.ruleY([0]),
          ],
        }),
        `Auto-converge throttled the guest up to ${m.throttle.maxPercent} %, costing it ${seconds(m.throttle.lostTime)} of CPU time.`,
      ),
    );
  }
  return views;
}
