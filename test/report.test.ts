/**
 * `lmsim report`: a golden page for one example, the plotted values read back from the SVG (data
 * attributes, and bar heights through the axis' own ticks) against the result JSON the CLI prints,
 * a long consolidation series decimated into a small page, and bad input refused with exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import { main } from '../src/cli/main.js';
import { serverDocument } from '../src/cli/report.js';
import { reportHtml, embeddedInput } from '../src/report/views/report.js';
import type { ConsolidationOutput } from '../src/report/views/consolidation.js';
import { decimate } from '../src/report/views/decimate.js';
import type { MigrationResult } from '../src/migration/result.js';
import type { RunResult } from '../src/scenario/run.js';
import { repoRoot, sharedDir } from './support.js';

const root = repoRoot();

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'lmsim-report-'));
const page = (html: string) => parseHTML(html).document;
const nums = (s: string | null) => (s ?? '').split(' ').map(Number);

test('golden report: examples/precopy-vs-postcopy.yaml drawn the same, byte for byte', async () => {
  const out = join(tmp(), 'r.html');
  const { code, err } = await lmsim(['report', join(root, 'examples', 'precopy-vs-postcopy.yaml'), '-o', out]);
  assert.equal(code, 0, err);
  const html = readFileSync(out, 'utf8');
  const golden = join(root, 'examples', 'precopy-vs-postcopy.report.html');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, html);
  assert.equal(html, readFileSync(golden, 'utf8'));
  assert.doesNotMatch(html, /<script(?! type="application\/json")/, 'no executable script');
  assert.doesNotMatch(html, /\b(src|href)="https?:/, 'nothing fetched at view time');
});

test('plotted values equal the result JSON of lmsim compare (data attributes and bar heights through the axis)', async () => {
  const file = join(root, 'examples', 'precopy-vs-postcopy.yaml');
  const json = JSON.parse((await lmsim(['compare', file, '--json'])).out) as { variants: { name: string; result: RunResult }[] };
  const html = (await lmsim(['report', file, '-o', '-'])).out;
  const doc = page(html);
  assert.deepEqual(embeddedInput(html), json, 'the page carries the result it draws');

  // the headline bars: one per variant
  const total = [...doc.querySelectorAll('#cmp-total rect[data-row]')];
  assert.deepEqual(
    total.map((r) => [r.getAttribute('data-row'), Number(r.getAttribute('data-value'))]),
    json.variants.map((v) => [v.name, v.result.migrations[0].totalTime]),
  );

  json.variants.forEach((v, i) => {
    const m: MigrationResult = v.result.migrations[0];
    const id = `#v${i + 1}-1`;
    // bytes on the wire: at every round's end, the bytes of the rounds so far; the total at the end
    const wire = doc.querySelector(`${id}-wire g[data-x]`)!;
    const xs = nums(wire.getAttribute('data-x'));
    const ys = nums(wire.getAttribute('data-y'));
    let sent = m.bytesByPhase.setup;
    for (const r of m.rounds) {
      sent += r.bytesSent;
      const k = xs.findIndex((x, j) => x === r.start + r.duration && ys[j] === sent);
      assert.ok(k >= 0, `${v.name}: round ${r.index} ends at ${r.start + r.duration} s with ${sent} bytes`);
    }
    assert.equal(ys.at(-1), m.bytesTransferred, `${v.name}: the total`);
    if (m.downtime !== null && m.rounds.some((r) => r.kind === 'stop-and-copy')) {
      const pause = doc.querySelector(`${id}-wire rect[data-start]`)!;
      assert.equal(Number(pause.getAttribute('data-end')) - Number(pause.getAttribute('data-start')), m.downtime);
    }
    if (m.rounds.length === 0) return;
    // pages per round: the data attributes, and each bar's top read back through the y axis' ticks
    const bars = [...doc.querySelectorAll(`${id}-pages rect[data-y]`)];
    const sentBars = bars.slice(0, m.rounds.length);
    assert.deepEqual(
      sentBars.map((b) => Number(b.getAttribute('data-y'))),
      m.rounds.map((r) => r.pagesSent),
    );
    const invert = axisInverse(doc.querySelector(`${id}-pages`)!);
    sentBars.forEach((b, k) => {
      const top = Number(b.getAttribute('y'));
      const value = invert(top);
      assert.ok(
        Math.abs(value - m.rounds[k].pagesSent) <= 0.005 * Math.max(...m.rounds.map((r) => r.pagesSent)),
        `${v.name} round ${k + 1}: bar top ${value} vs ${m.rounds[k].pagesSent}`,
      );
    });
  });
  // post-copy: the fault-latency distribution and the fault timeline
  const pc = json.variants.findIndex((v) => v.name === 'postcopy');
  const p = json.variants[pc].result.migrations[0].postcopy!;
  const dots = [...doc.querySelectorAll(`#v${pc + 1}-1-latency circle[data-latency]`)];
  assert.deepEqual(
    dots.map((d) => Number(d.getAttribute('data-latency'))),
    p.faultLatency.quantiles,
  );
  const faults = doc.querySelector(`#v${pc + 1}-1-faults g[data-y]`)!;
  assert.deepEqual(
    nums(faults.getAttribute('data-y')),
    p.timeline.map((r) => r[1]),
  );
  assert.equal(nums(faults.getAttribute('data-y')).at(-1), p.faults);
});

/** y pixel -> value, from the y axis' tick positions and labels (the plot's own scale). */
function axisInverse(fig: {
  querySelectorAll(s: string): ArrayLike<{ textContent: string | null; getAttribute(n: string): string | null }>;
}): (y: number) => number {
  const labels = [...Array.from(fig.querySelectorAll('g[aria-label="y-axis tick label"] text'))];
  const ticks = labels.map((t) => ({
    value: Number(t.textContent!.replace(/,/g, '')),
    y: Number(/translate\([^,]+,([^)]+)\)/.exec(t.getAttribute('transform')!)![1]),
  }));
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  return (y) => a.value + ((y - a.y) * (b.value - a.value)) / (b.y - a.y);
}

const day = join(sharedDir(), 'data', 'planetlab', '20110303');

test(
  'consolidation report: per-step values from the JSON, migration bars add up',
  { skip: existsSync(day) ? false : 'shared PlanetLab data not found' },
  async () => {
    const dir = tmp();
    const { out } = await lmsim([
      'consolidate',
      '--trace',
      day,
      '--policy',
      'lr-mmt',
      '--param',
      '1.2',
      '--hosts',
      '40',
      '--vms',
      '60',
      '--duration',
      '6h',
      '--migration',
      'precopy',
      '--json',
    ]);
    const file = join(dir, 'c.json');
    writeFileSync(file, out);
    const r = JSON.parse(out) as ConsolidationOutput;
    const html = (await lmsim(['report', file, '-o', '-'])).out;
    const doc = page(html);
    const active = doc.querySelector('#dc-active g[data-y]')!;
    assert.deepEqual(nums(active.getAttribute('data-x')), r.series.time);
    assert.deepEqual(nums(active.getAttribute('data-y')), r.series.activeHosts);
    const started = [...doc.querySelectorAll('#dc-migrations rect[data-kind="started"]')].reduce((s, b) => s + Number(b.getAttribute('data-count')), 0);
    assert.equal(started, r.migrations);
    const timedOut = [...doc.querySelectorAll('#dc-migrations rect[data-kind="timed out"]')].reduce((s, b) => s + Number(b.getAttribute('data-count')), 0);
    assert.equal(
      timedOut,
      r.series.migrationsTimedOut.reduce((a, b) => a + b, 0),
    );
    const hist = [...doc.querySelectorAll('#dc-total-time rect[data-count]')].reduce((s, b) => s + Number(b.getAttribute('data-count')), 0);
    assert.equal(hist, r.migrations);
  },
);

test('consolidations side by side (compare: variants of a synthetic data center): per-variant lines and bars equal lmsim consolidate --json', async () => {
  const dir = tmp();
  const file = join(dir, 'policies.yaml');
  writeFileSync(
    file,
    'name: two policies\npolicy: lr-mmt\nparam: 1.2\nhosts: { count: 60 }\nvms: { count: 100 }\nduration: 6h\nseed: 3\ncompare:\n  - { label: lr-mmt, policy: lr-mmt }\n  - { label: thr-mmt, policy: thr-mmt, param: 0.8 }\n',
  );
  const { out, code, err } = await lmsim(['consolidate', file, '--json']);
  assert.equal(code, 0, err);
  const runs = JSON.parse(out) as (ConsolidationOutput & { variant: string })[];
  const json = join(dir, 'policies.json');
  writeFileSync(json, out);
  const html = (await lmsim(['report', json, '-o', '-'])).out;
  const doc = page(html);
  assert.deepEqual(embeddedInput(html), runs, 'the page carries the list it draws');
  for (const [slug, key] of [
    ['active', 'activeHosts'],
    ['power', 'power'],
    ['energy', 'energyKWh'],
  ] as const) {
    const lines = [...doc.querySelectorAll(`#cc-${slug} g[data-variant]`)];
    assert.deepEqual(
      lines.map((g) => [g.getAttribute('data-variant')!.split(' ')[0], nums(g.getAttribute('data-x')), nums(g.getAttribute('data-y'))]),
      runs.map((r) => [r.variant.split(' ')[0], r.series.time, r.series[key]]),
      `${slug}: one line per variant, the JSON's series`,
    );
  }
  const bars = (id: string) =>
    [...doc.querySelectorAll(`#cc-${id} rect[data-row]`)].map((b) => [b.getAttribute('data-row'), Number(b.getAttribute('data-value'))]);
  assert.deepEqual(
    bars('energy-total'),
    runs.map((r) => [r.variant, r.energyKWh]),
  );
  assert.deepEqual(
    bars('migrations'),
    runs.map((r) => [r.variant, r.migrations]),
  );
  assert.deepEqual(
    bars('slav'),
    runs.map((r) => [r.variant, r.slav]),
  );
  assert.ok(runs[0].energyKWh !== runs[1].energyKWh, 'the policies differ');
  // each variant's own views follow
  assert.deepEqual(nums(doc.querySelector('#dc2-active g[data-y]')!.getAttribute('data-y')), runs[1].series.activeHosts);
});

test('a 10,000-host consolidation over a week of 30 s steps: the page stays small, peaks survive the decimation', () => {
  const steps = 7 * 24 * 120;
  const wave = (i: number) => Math.round(6000 + 3000 * Math.sin(i / 400) + ((i * 7919) % 997));
  const series = {
    time: Array.from({ length: steps }, (_, i) => 30.1 + 30 * i),
    activeHosts: Array.from({ length: steps }, (_, i) => wave(i)),
    overloadedHosts: Array.from({ length: steps }, (_, i) => i % 13),
    power: Array.from({ length: steps }, (_, i) => 90 * wave(i)),
    energyKWh: Array.from({ length: steps }, (_, i) => i * 7.5),
    migrationsStarted: Array.from({ length: steps }, (_, i) => (i * 31) % 50),
    migrationsCompleted: Array.from({ length: steps }, (_, i) => (i * 31) % 50),
    migrationsTimedOut: Array.from({ length: steps }, () => 0),
    migrationsFailed: Array.from({ length: steps }, () => 0),
    slaViolationTime: Array.from({ length: steps }, (_, i) => i * 100),
  };
  series.activeHosts[12345] = 9999; // a one-step peak
  const hist = { edges: Array.from({ length: 41 }, (_, i) => i), counts: Array.from({ length: 40 }, () => 10) };
  const r: ConsolidationOutput = {
    scenario: 'week',
    policy: 'lr-mmt',
    parameter: 1.2,
    migrationModel: 'precopy (fluid)',
    hosts: 10000,
    vms: 15000,
    simulatedTime: steps * 30,
    energyKWh: 1e5,
    migrations: series.migrationsStarted.reduce((a, b) => a + b, 0),
    slatah: 0.05,
    pdm: 0.001,
    slav: 5e-5,
    esv: 5,
    migration: { totalTimeHistogram: hist, downtimeHistogram: hist, notCompleted: 0 },
    series,
  };
  const html = reportHtml(serverDocument(), { kind: 'consolidation', result: r });
  const plots = html.length - /id="lmsim-data">([\s\S]*?)<\/script>/.exec(html)![1].length;
  assert.ok(plots < 400_000, `the plots take ${plots} bytes`);
  const doc = page(html);
  const active = nums(doc.querySelector('#dc-active g[data-y]')!.getAttribute('data-y'));
  assert.ok(active.length <= 1201, `${active.length} points drawn`);
  assert.equal(Math.max(...active), 9999, 'the one-step peak is drawn');
  assert.equal(Math.min(...active), Math.min(...series.activeHosts), 'so is the lowest point');
  const started = [...doc.querySelectorAll('#dc-migrations rect[data-kind="started"]')];
  assert.ok(started.length <= 300);
  assert.equal(
    started.reduce((s, b) => s + Number(b.getAttribute('data-count')), 0),
    r.migrations,
    'binned counts keep the total',
  );
  // decimation keeps first, lowest and highest of each bucket, in order
  const idx = decimate(series.activeHosts);
  assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]) && idx[0] === 0 && idx.at(-1) === steps - 1);
});

test('report: bad input exits 2 with a message naming the file or field, nothing written', async () => {
  const dir = tmp();
  const notResult = join(dir, 'x.json');
  writeFileSync(notResult, JSON.stringify({ variants: [{ name: 'a', result: { oops: 1 } }] }));
  const out = join(dir, 'r.html');
  let r = await lmsim(['report', notResult, '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.err, /x\.json: variants\[0\]: expected \{ name, result \}/);
  const badScenario = join(dir, 's.yaml');
  writeFileSync(badScenario, 'network: { bandwidth: fast }\nhosts: []\nvms: []\nmigrations: []\n');
  r = await lmsim(['report', badScenario, '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.err, /network\.bandwidth: expected a rate/);
  r = await lmsim(['report', join(dir, 'missing.json'), '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read .*missing\.json: ENOENT/);
  r = await lmsim(['report', join(root, 'examples', 'precopy-basic.yaml'), '-o', join(dir, 'no', 'such', 'dir.html')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /-o: cannot write/);
  assert.ok(!existsSync(out), 'nothing written');
  for (const e of [r.err]) assert.doesNotMatch(e, /\n\s+at /);
});

test('a saved report is drawn again from its embedded result', async () => {
  const dir = tmp();
  const first = join(dir, 'a.html');
  await lmsim(['report', join(root, 'examples', 'precopy-basic.yaml'), '-o', first]);
  const again = await lmsim(['report', first, '-o', '-']);
  assert.equal(again.code, 0, again.err);
  assert.equal(again.out, readFileSync(first, 'utf8'));
});

test("sweep report from a results store: each grid point's mean and 95 % band equal the runs' own (DuckDB avg, stddev_samp, t quantile)", async () => {
  const dir = tmp();
  const grid = join(dir, 'grid.yaml');
  writeFileSync(
    grid,
    `name: small-grid
scenario:
  name: small
  network: { bandwidth: 1Gbit/s, latency: 0.2ms }
  hosts: [ { name: A, memory: 1GiB }, { name: B, memory: 1GiB } ]
  vms: [ { name: db, host: A, memory: 64MiB, workload: { kind: hotcold, writeRate: 8000/s, hotSet: 8MiB, hotShare: 0.9 } } ]
  migrations: [ { vm: db, to: B, at: 1s, algorithm: precopy, preset: qemu, maxBandwidth: unlimited, timeout: 1min } ]
seeds: 1..4
axes:
  downtime: { path: "migrations[0].downtimeLimit", values: [30ms, 300ms] }
  algorithm: { path: "migrations[0].algorithm", values: [precopy, hybrid] }
metrics: [total_time_s, bytes_sent]
`,
  );
  const store = join(dir, 'grid.duckdb');
  const swept = await lmsim(['sweep', grid, '--store', store, '--workers', '1']);
  assert.equal(swept.code, 0, swept.err);
  const html = (await lmsim(['report', store, '-o', '-'])).out;
  const doc = page(html);
  const dots = [...doc.querySelectorAll('#sw-total_time_s-downtime circle[data-mean]')];
  assert.equal(dots.length, 4, 'one point per grid point');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(store, { access_mode: 'READ_ONLY' })).connect();
  const rows = (await (
    await db.runAndReadAll('SELECT downtime, algorithm, count(*) AS n, avg(total_time_s) AS mean, stddev_samp(total_time_s) AS sd FROM runs GROUP BY ALL')
  ).getRowObjects()) as { downtime: string; algorithm: string; n: bigint; mean: number; sd: number }[];
  db.closeSync();
  const T_975_3 = 3.182446305284263; // Student t, 97.5 % quantile, 3 degrees of freedom
  for (const r of rows) {
    const dot = dots.find((d) => d.getAttribute('data-x') === String(r.downtime) && d.getAttribute('data-line') === String(r.algorithm));
    assert.ok(dot, `a point for ${r.downtime} ${r.algorithm}`);
    assert.equal(Number(dot.getAttribute('data-n')), Number(r.n));
    const mean = Number(dot.getAttribute('data-mean'));
    assert.ok(Math.abs(mean - r.mean) <= 1e-12 * r.mean, `mean ${mean} vs ${r.mean}`);
    const half = (T_975_3 * r.sd) / Math.sqrt(Number(r.n));
    if (half > 0) assert.ok(Math.abs(Number(dot.getAttribute('data-high')) - mean - half) <= 1e-6 * half + 1e-15, 'the band is the 95 % CI');
  }
});

test('a variant with several migrations (out and back): one row per migration, named by route, each with its own values', async () => {
  const file = join(root, 'examples', 'migrate-back.yaml');
  const json = JSON.parse((await lmsim(['compare', file, '--json'])).out) as { variants: { name: string; result: RunResult }[] };
  const doc = page((await lmsim(['report', file, '-o', '-'])).out);
  const bars = [...doc.querySelectorAll('#cmp-sent rect[data-row]')].map((b) => [b.getAttribute('data-row'), Number(b.getAttribute('data-value'))]);
  const expected = json.variants.flatMap((v) => v.result.migrations.map((m) => [`${v.name} ${m.vm} ${m.from}→${m.to}`, m.bytesTransferred]));
  assert.deepEqual(bars, expected);
  const sentBack = [...doc.querySelectorAll('#reuse-sent-back rect[data-row]')].map((b) => Number(b.getAttribute('data-value')));
  assert.deepEqual(
    sentBack,
    json.variants.map((v) => v.result.migrations[1].bytesTransferred),
    'bytes sent back per caching policy',
  );
});
