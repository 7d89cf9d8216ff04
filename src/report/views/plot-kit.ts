/**
 * @module report/views/plot-kit
 * What every view shares: Observable Plot with the report's defaults, figures with a title and a
 * caption, and render transforms that write the plotted values (unscaled, as in the result) on
 * the marks as data attributes, so a test or a reader can take the numbers back from the SVG.
 */
import * as Plot from '@observablehq/plot';
import { Doc, El, h } from './dom.js';

export const WIDTH = 640;
export const HEIGHT = 220;
export const MiB = 2 ** 20;

/** Plot.plot on `doc` with the report's size and margins. */
export function chart(doc: Doc, options: Plot.PlotOptions): El {
  return Plot.plot({
    document: doc as never,
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 64,
    marginRight: 24,
    style: { fontSize: '11px' },
    ...options,
  }) as unknown as El;
}

/**
 * Horizontal bars, one per row (a variant) in `rows`' order, scaled by `scale` for the axis in
 * `unit`, each labelled with its value; each bar carries data-row and data-value (unscaled).
 */
export function rowBars<T extends { row: string; value: number }>(
  doc: Doc,
  rows: readonly string[],
  bars: T[],
  unit: string,
  scale: number,
  fill: string | ((b: T) => string),
): El {
  return chart(doc, {
    height: 30 + 26 * rows.length,
    marginLeft: 190,
    marginRight: 56,
    x: { label: unit, grid: true },
    y: { label: null, domain: rows as string[] },
    marks: [
      Plot.barX(bars, {
        y: 'row',
        x: (b: T) => b.value * scale,
        fill,
        render: perDatum(bars, { row: (b) => b.row, value: (b) => b.value }),
        title: (b: T) => `${b.row}: ${(b.value * scale).toFixed(3)} ${unit}`,
      }),
      Plot.text(bars, {
        y: 'row',
        x: (b: T) => b.value * scale,
        text: (b: T) => (b.value * scale).toPrecision(3),
        textAnchor: 'start',
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
}

/** A figure: a heading, the plot, a caption saying what is shown and how to read it. */
export function figure(doc: Doc, id: string, title: string, plot: El, caption?: string): El {
  return h(doc, 'figure', { id, class: 'view' }, h(doc, 'h3', {}, title), plot, caption ? h(doc, 'figcaption', {}, caption) : null);
}

/** A note where a plot has nothing to show (says why). */
export function note(doc: Doc, id: string, title: string, text: string): El {
  return h(doc, 'figure', { id, class: 'view empty' }, h(doc, 'h3', {}, title), h(doc, 'p', { class: 'note' }, text));
}

type Value = number | string;
type Attrs<T> = Record<string, (d: T) => Value>;

/**
 * Render transform for marks drawing one element per datum (dot, rect, bar): each element gets
 * data-NAME = the datum's value, in the mark's index order.
 */
export function perDatum<T>(data: readonly T[], attrs: Attrs<T>): Plot.RenderFunction {
  return function (index, scales, values, dimensions, context, next) {
    const g = next!(index, scales, values, dimensions, context) as unknown as El | null;
    if (!g) return null;
    const els = g.children;
    for (let k = 0; k < els.length && k < index.length; k++) {
      const d = data[index[k]];
      for (const [name, f] of Object.entries(attrs)) els[k].setAttribute(`data-${name}`, String(f(d)));
    }
    return g as never;
  };
}

/**
 * Render transform for a mark drawing one path for all its data (a line, an area): the group gets
 * data-NAME = the values joined with spaces, in the mark's index order.
 */
export function wholeSeries<T>(data: readonly T[], attrs: Attrs<T>): Plot.RenderFunction {
  return function (index, scales, values, dimensions, context, next) {
    const g = next!(index, scales, values, dimensions, context) as unknown as El | null;
    if (!g) return null;
    for (const [name, f] of Object.entries(attrs)) g.setAttribute(`data-${name}`, Array.from(index, (i) => String(f(data[i]))).join(' '));
    return g as never;
  };
}

/** Seconds with a sensible unit for a caption. */
export function seconds(s: number): string {
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}
