/**
 * @module report/views/report
 * The report: a title, the headline table, then the views that apply to the input, built on any
 * document (the browser's, or linkedom's in `lmsim report`). reportHtml() wraps them in one
 * self-contained page: inline CSS, SVG plots, no script needed to view it; the input rides along
 * as JSON in a non-executed <script type="application/json"> so the dashboard can reopen it.
 */
import { migrationColumns, MigrationRow } from '../migrations.js';
import { roundTrip, RoundTrip } from '../round-trip.js';
import { compareViews } from './compare.js';
import { consolidationViews, ConsolidationOutput } from './consolidation.js';
import { consolidationCompareViews } from './consolidation-compare.js';
import { Doc, El, h } from './dom.js';
import type { ReportInput } from './input.js';
import { migrationViews } from './migration.js';
import { postcopyViews } from './postcopy.js';
import { hostMemoryView, keptImages, sentBackView } from './reuse.js';
import { htmlTable, keyValueTable } from './table.js';
import { sweepViews, type SweepSummary } from './sweep.js';
import { Column } from '../table.js';
import { seconds } from './plot-kit.js';

export interface Report {
  title: string;
  subtitle: string;
  /** Sections in order, each a heading and its figures. */
  sections: El[];
}

function section(doc: Doc, id: string, title: string, ...children: (El | null)[]): El {
  return h(doc, 'section', { id }, h(doc, 'h2', {}, title), h(doc, 'div', { class: 'views' }, ...children.filter((c): c is El => c !== null)));
}

/** The report's parts for an input. */
export function buildReport(doc: Doc, input: ReportInput): Report {
  switch (input.kind) {
    case 'run': {
      const r = input.result;
      const rows: MigrationRow[] = r.migrations.map((m) => ({ m }));
      const sections = [section(doc, 'summary', 'Migrations', htmlTable(doc, rows, migrationColumns(rows)))];
      r.migrations.forEach((m, i) => {
        const id = `m${i + 1}`;
        sections.push(section(doc, id, `Migration ${i + 1}: ${m.vm} ${m.from}→${m.to}`, ...migrationViews(doc, m, id), ...postcopyViews(doc, m, id)));
      });
      if (keptImages(r)) {
        const trip = roundTrip(r);
        sections.push(section(doc, 'reuse', 'Memory reuse', hostMemoryView(doc, r, 'reuse'), trip ? roundTripTable(doc, [trip]) : null));
      }
      return { title: r.scenario, subtitle: `seed ${r.seed}, ${r.simulatedTime.toFixed(3)} s simulated, lmsim ${r.lmsim}`, sections };
    }
    case 'compare': {
      const rows: MigrationRow[] = input.variants.flatMap((v) => v.result.migrations.map((m) => ({ variant: v.name, m })));
      const sections = [
        section(doc, 'summary', 'Variants', htmlTable(doc, rows, migrationColumns(rows))),
        section(doc, 'compare', 'Side by side', ...compareViews(doc, input.variants, 'cmp')),
      ];
      const sentBack = sentBackView(doc, input.variants, 'reuse');
      const withKept = input.variants.filter((v) => keptImages(v.result));
      if (sentBack || withKept.length > 0) {
        const trips = input.variants.map((v) => roundTrip(v.result, v.name)).filter((t): t is RoundTrip => t !== null);
        sections.push(
          section(
            doc,
            'reuse',
            'Memory reuse',
            sentBack,
            trips.length ? roundTripTable(doc, trips) : null,
            ...withKept.map((v, i) => hostMemoryView(doc, v.result, `reuse-${i + 1}`, `Memory held on each host: ${v.name}`)),
          ),
        );
      }
      input.variants.forEach((v, i) => {
        const id = `v${i + 1}`;
        const views = v.result.migrations.flatMap((m, j) => [...migrationViews(doc, m, `${id}-${j + 1}`), ...postcopyViews(doc, m, `${id}-${j + 1}`)]);
        sections.push(section(doc, id, `Variant ${v.name}`, ...views));
      });
      return { title: input.scenario, subtitle: `${input.variants.length} variants, seed ${input.seed}, lmsim ${input.lmsim}`, sections };
    }
    case 'sweep': {
      const s = input.summary;
      return {
        title: s.name,
        subtitle: `sweep of ${s.kind} runs, ${s.groups.length} grid points, ${s.groups[0] ? (s.groups[0].stats[s.metrics[0]]?.n ?? 0) : 0} seeds each; store ${input.store}${input.lmsim ? `, lmsim ${input.lmsim}` : ''}`,
        sections: [
          section(doc, 'summary', 'Grid points', sweepTable(doc, s)),
          section(doc, 'sweep', 'Each metric against each axis', ...sweepViews(doc, s, 'sw')),
        ],
      };
    }
    case 'consolidation': {
      const r = input.result;
      return {
        title: r.scenario ?? 'consolidation',
        subtitle: `${r.policy}${r.parameter !== null ? ` ${r.parameter}` : ''}, migration ${r.migrationModel}, ${r.hosts} hosts, ${r.vms} VMs, ${(r.simulatedTime / 3600).toFixed(1)} h simulated${r.lmsim ? `, lmsim ${r.lmsim}` : ''}`,
        sections: [section(doc, 'summary', 'Figures', consolidationTable(doc, r)), section(doc, 'day', 'Over the run', ...consolidationViews(doc, r, 'dc'))],
      };
    }
    case 'consolidations': {
      const first = input.variants[0].result;
      return {
        title: first.scenario ?? 'consolidation',
        subtitle: `${input.variants.length} variants, ${first.hosts} hosts, ${first.vms} VMs, ${(first.simulatedTime / 3600).toFixed(1)} h simulated${first.lmsim ? `, lmsim ${first.lmsim}` : ''}`,
        sections: [
          section(doc, 'summary', 'Variants', consolidationsTable(doc, input.variants)),
          section(doc, 'compare', 'Side by side', ...consolidationCompareViews(doc, input.variants, 'cc')),
          ...input.variants.map((v, i) => section(doc, `v${i + 1}`, `Variant ${v.label}`, ...consolidationViews(doc, v.result, `dc${i + 1}`))),
        ],
      };
    }
  }
}

function roundTripTable(doc: Doc, trips: RoundTrip[]): El {
  const MB = 1e6;
  const cols: Column<RoundTrip>[] = [
    ...(trips.some((t) => t.label !== undefined) ? [{ header: 'variant', text: (t: RoundTrip) => t.label ?? '', align: 'left' as const }] : []),
    { header: 'VMs back', text: (t) => `${t.vmsBack}/${t.vms}` },
    { header: 'memory buffer MB', text: (t) => (t.memoryBuffer / MB).toFixed(0) },
    { header: 'back without reuse MB', text: (t) => (t.backWithoutReuse / MB).toFixed(0) },
    { header: 'sent back MB', text: (t) => (t.sentBack / MB).toFixed(1) },
    { header: 'time back s', text: (t) => t.timeBack.toFixed(3) },
  ];
  return h(doc, 'figure', { class: 'view' }, h(doc, 'h3', {}, 'Round trips'), htmlTable(doc, trips, cols));
}

function sweepTable(doc: Doc, s: SweepSummary): El {
  type G = SweepSummary['groups'][number];
  const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : '-');
  const cols: Column<G>[] = [
    ...s.axes.map((a) => ({ header: a.name, text: (g: G) => String(g.coords[a.name]), align: 'left' as const })),
    { header: 'n', text: (g) => String(g.stats[s.metrics[0]]?.n ?? 0) },
    ...s.metrics.map((m) => ({
      header: `${m} mean [${Math.round(s.level * 100)} % CI]`,
      text: (g: G) => {
        const st = g.stats[m];
        return st ? `${fmt(st.mean)} [${fmt(st.low)}, ${fmt(st.high)}]` : '-';
      },
    })),
  ];
  return htmlTable(doc, s.groups, cols);
}

function consolidationsTable(doc: Doc, runs: { label: string; result: ConsolidationOutput }[]): El {
  type R = { label: string; result: ConsolidationOutput };
  const pct = (x: number, d: number) => (x * 100).toFixed(d);
  const cols: Column<R>[] = [
    { header: 'variant', text: (v) => v.label, align: 'left' },
    { header: 'policy', text: (v) => `${v.result.policy}${v.result.parameter !== null ? ` ${v.result.parameter}` : ''}`, align: 'left' },
    { header: 'migration', text: (v) => v.result.migrationModel, align: 'left' },
    { header: 'energy kWh', text: (v) => v.result.energyKWh.toFixed(2) },
    { header: 'migrations', text: (v) => String(v.result.migrations) },
    { header: 'not completed', text: (v) => String(v.result.migration.notCompleted) },
    { header: 'SLATAH %', text: (v) => pct(v.result.slatah, 3) },
    { header: 'PDM %', text: (v) => pct(v.result.pdm, 3) },
    { header: 'SLAV %', text: (v) => pct(v.result.slav, 5) },
    { header: 'ESV x 1e-3', text: (v) => (v.result.esv * 1000).toFixed(5) },
  ];
  return htmlTable(doc, runs, cols);
}

function consolidationTable(doc: Doc, r: ConsolidationOutput): El {
  const pct = (x: number, d: number) => `${(x * 100).toFixed(d)} %`;
  return keyValueTable(doc, [
    ['energy', `${r.energyKWh.toFixed(2)} kWh`],
    ['migrations', `${r.migrations} (${r.migration.notCompleted} did not complete)`],
    ['SLATAH', pct(r.slatah, 3)],
    ['PDM', pct(r.pdm, 3)],
    ['SLAV', pct(r.slav, 5)],
    ['ESV', `${(r.esv * 1000).toFixed(5)} x 1e-3`],
    ['peak active hosts', String(Math.max(0, ...r.series.activeHosts))],
    ['largest migration time', seconds(r.migration.totalTimeHistogram.edges.at(-1) ?? 0)],
  ]);
}

/** The report's stylesheet (inline in the page; the dashboard uses it too). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --bg: #fff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header.report { padding: 20px 28px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.report h1 { margin: 0 0 4px; font-size: 22px; }
header.report p { margin: 0; color: var(--muted); }
main.report { padding: 8px 28px 40px; }
section { margin-top: 18px; }
section h2 { font-size: 17px; margin: 12px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.views { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px 22px; align-items: start; }
figure.view { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figure.view h3 { margin: 0 0 6px; font-size: 14px; }
figure.view svg { max-width: 100%; height: auto; }
figcaption, p.note { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
table.figures { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
table.figures th, table.figures td { padding: 3px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.figures th { background: var(--panel); font-weight: 600; }
.left { text-align: left; } .right { text-align: right; }
section#summary .views { grid-template-columns: 1fr; justify-items: start; overflow-x: auto; }
`;

/** The whole page as HTML text. */
export function reportHtml(doc: Doc, input: ReportInput): string {
  const r = buildReport(doc, input);
  const header = h(doc, 'header', { class: 'report' }, h(doc, 'h1', {}, r.title), h(doc, 'p', {}, r.subtitle));
  const main = h(doc, 'main', { class: 'report' }, ...r.sections);
  const data = JSON.stringify(resultDocument(input)).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="lmsim report">`,
    `<title>${escapeText(r.title)}: lmsim report</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    header.outerHTML,
    main.outerHTML,
    `<script type="application/json" id="lmsim-data">${data}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The result document an input was read from (what `lmsim run/compare/consolidate --json` print). */
export function resultDocument(input: ReportInput): unknown {
  if (input.kind === 'compare') return { lmsim: input.lmsim, scenario: input.scenario, seed: input.seed, variants: input.variants };
  if (input.kind === 'sweep') return { lmsim: input.lmsim, store: input.store, sweepSummary: input.summary };
  if (input.kind === 'consolidations') return input.variants.map((v) => v.result);
  return input.result;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The result document embedded in a report page, or null if the text is not an lmsim report. */
export function embeddedInput(html: string): unknown | null {
  const m = /<script type="application\/json" id="lmsim-data">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]) : null;
}
