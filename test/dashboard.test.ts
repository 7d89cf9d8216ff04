/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (never a browser
 * download), served by `lmsim serve`'s server from dist/web. Loads offline (any request off the
 * loopback fails the test), shows a schema error at the field, runs the default comparison in its
 * Web Worker and plots the same numbers as `lmsim compare --json`, opens a saved report, and
 * reopens a shared link; opens a sweep results store (served with --store, and uploaded by the
 * Open button) and plots the means of its runs; runs a synthetic data center's consolidation in
 * its worker and plots the per-step series of `lmsim consolidate --json`. Screenshots go to a temporary folder. In CI a
 * missing Chromium fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { main } from '../src/cli/main.js';
import { dashboardDir, startServer } from '../src/cli/serve.js';
import { checkStoreSources, type StoreSource } from '../src/cli/serve-api.js';
import { workloadKinds } from '../src/scenario/schema.js';
import { repoRoot, smallGrid } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the dashboard test`);
const built = existsSync(join(dashboardDir(), 'index.html'));
const skip = !haveChromium ? `${CHROMIUM} not found (apt-get install chromium)` : !built ? 'dashboard not built (npm run build)' : false;

async function cliJson(args: string[]): Promise<unknown> {
  let out = '';
  const code = await main(args, { out: (t) => (out += t), err: () => {} });
  assert.equal(code, 0);
  return JSON.parse(out);
}

/** lmsim serve's server (with `stores`) and Chromium on a fresh profile, the dashboard loaded; anything off the loopback server is refused and listed. */
async function openDashboard(stores: StoreSource[] = []) {
  const server = await startServer(dashboardDir(), 0, '127.0.0.1', stores);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = mkdtempSync(join(tmpdir(), 'lmsim-chromium-'));
  const shots = mkdtempSync(join(tmpdir(), 'lmsim-shots-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    viewport: { width: 1400, height: 1000 },
  });
  const offsite: string[] = [];
  const pageErrors: string[] = [];
  const close = async () => {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-state="idle"]');
    return { origin, context, page, shots, offsite, pageErrors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

test(
  'dashboard in Chromium: offline, errors at the field, the default comparison equals the CLI, a saved report opens, a shared link',
  { skip, timeout: 240_000 },
  async () => {
    const { context, page, shots, offsite, pageErrors, close } = await openDashboard();
    try {
      assert.equal(await page.getAttribute('body', 'data-valid'), 'true', 'the default scenario is valid');

      // an invalid value: the message names the field, at the field, and Run is off
      const memory = page.locator('[name="vms[0].memory"]');
      await memory.fill('4 gigs');
      const error = page.locator('.field[data-path="vms[0].memory"] .field-error');
      await error.waitFor();
      assert.match((await error.textContent())!, /^vms\[0\]\.memory: expected a size like 4GiB.*"4 gigs"/);
      assert.equal(await page.isDisabled('#run'), true);
      await page.screenshot({ path: join(shots, 'invalid.png') });
      await memory.fill('4GiB');
      await page.waitForSelector('body[data-valid="true"]');
      assert.equal(await error.count(), 0, 'the error goes with the fix');

      // the default comparison, run in the Web Worker, against `lmsim compare --json`
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"]', { timeout: 180_000 });
      await page.screenshot({ path: join(shots, 'compare.png'), fullPage: false });
      const cli = (await cliJson(['compare', '--json'])) as {
        variants: {
          name: string;
          result: { migrations: { totalTime: number; downtime: number | null; bytesTransferred: number; rounds: { pagesSent: number }[] }[] };
        }[];
      };
      const bars = await page.$$eval('#cmp-total rect[data-row]', (els) => els.map((e) => [e.getAttribute('data-row'), Number(e.getAttribute('data-value'))]));
      assert.deepEqual(
        bars,
        cli.variants.map((v) => [v.name, v.result.migrations[0].totalTime]),
      );
      const sent = await page.$$eval('#cmp-sent rect[data-row]', (els) => els.map((e) => Number(e.getAttribute('data-value'))));
      assert.deepEqual(
        sent,
        cli.variants.map((v) => v.result.migrations[0].bytesTransferred),
      );
      const rounds = await page.$$eval('#v1-1-pages rect[data-y]', (els) => els.map((e) => Number(e.getAttribute('data-y'))));
      assert.deepEqual(
        rounds.slice(0, cli.variants[0].result.migrations[0].rounds.length),
        cli.variants[0].result.migrations[0].rounds.map((r) => r.pagesSent),
      );

      // a saved report opens with its plots
      await page.setInputFiles('#open', join(repoRoot(), 'examples', 'precopy-vs-postcopy.report.html'));
      await page.waitForFunction("document.querySelector('#views header.report h1')?.textContent === 'precopy-vs-postcopy'");
      assert.ok((await page.$$('#views svg')).length > 10, "the report's plots are drawn");
      await page.screenshot({ path: join(shots, 'report.png') });

      // a shared link opens the same scenario
      await page.fill('[name="name"]', 'shared scenario');
      await page.click('#share');
      const link = page.url();
      assert.match(link, /#s=/);
      const other = await context.newPage();
      await other.goto(link);
      await other.waitForSelector('body[data-state="idle"]');
      assert.equal(await other.inputValue('[name="name"]'), 'shared scenario');
      assert.deepEqual(pageErrors, [], 'no script errors');
      assert.deepEqual(offsite, [], 'nothing fetched off the loopback server');
      process.stderr.write(`# dashboard screenshots in ${shots}\n`);
    } finally {
      await close();
    }
  },
);

test(
  'lmsim serve: static files of dist/web only, on loopback; a bad port is exit 2',
  { skip: built ? false : 'dashboard not built (npm run build)' },
  async () => {
    const server = await startServer(dashboardDir(), 0, '127.0.0.1');
    const { address, port } = server.address() as AddressInfo;
    try {
      assert.equal(address, '127.0.0.1');
      const index = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-type')!, /text\/html/);
      const html = await index.text();
      assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'no asset from another origin');
      for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json']) {
        const r = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`);
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' })).status, 405);
    } finally {
      server.close();
    }
    let err = '';
    const code = await main(['serve', '--port', 'eighty'], { out: () => {}, err: (t) => (err += t) });
    assert.equal(code, 2);
    assert.match(err, /--port: expected a port number 0\.\.65535, got "eighty"/);
  },
);

/** Each grid point's mean of each metric, computed here from the store's runs table with DuckDB's own avg. */
async function meansFromRuns(store: string, sweep: string, metrics: string[]): Promise<Map<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(store, { access_mode: 'READ_ONLY' })).connect();
  try {
    const avgs = metrics.map((m) => `avg(${m}) AS ${m}`).join(', ');
    const rows = (await (
      await db.runAndReadAll(`SELECT "migrations[0].downtimeLimit" AS x, algorithm, count(*) AS n, ${avgs} FROM runs WHERE sweep = '${sweep}' GROUP BY ALL`)
    ).getRowObjects()) as Record<string, unknown>[];
    const means = new Map<string, number>();
    for (const r of rows) for (const m of metrics) means.set(`${m} ${r.x} ${r.algorithm} n=${r.n}`, Number(r[m]));
    return means;
  } finally {
    db.closeSync();
  }
}

test(
  'dashboard in Chromium: a sweep results store, served with --store and uploaded by Open, plots the means of its runs; clear errors',
  { skip, timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmsim-stores-'));
    const store = join(dir, 'grid.duckdb');
    // two sweeps in one store: g (3 seeds), then h (2 seeds), which is the one run last
    for (const [name, seeds] of [
      ['g', '1..3'],
      ['h', '4..5'],
    ]) {
      const swept = await main(['sweep', smallGrid(dir, name, seeds), '--store', store, '--workers', '1'], { out: () => {}, err: () => {} });
      assert.equal(swept, 0);
    }
    const { ResultsStore } = await import('../src/experiments/store.js');
    await (await ResultsStore.open(join(dir, 'empty.duckdb'))).close();
    writeFileSync(join(dir, 'notes.duckdb'), 'not a database\n');
    const metrics = ['total_time_s', 'downtime_s', 'bytes_sent'];

    const { sources } = await checkStoreSources([store]);
    const uploadsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('lmsim-serve-')).length;
    const { origin, page, shots, offsite, pageErrors, close } = await openDashboard(sources);
    try {
      await page.waitForSelector('body[data-stores="1"]');

      // each metric's figure: one point per grid point, its mean equal to the runs' avg
      const plotted = async (n: number) => {
        const points = new Map<string, number>();
        for (const m of metrics) {
          const dots = await page.$$eval(`[id="sw-${m}-migrations[0].downtimeLimit"] circle[data-mean]`, (els) =>
            els.map((e) => [e.getAttribute('data-x'), e.getAttribute('data-line'), e.getAttribute('data-n'), Number(e.getAttribute('data-mean'))] as const),
          );
          assert.equal(dots.length, 4, `${m}: one point per grid point`);
          for (const [x, line, count, mean] of dots) points.set(`${m} ${x} ${line} n=${count}`, mean);
        }
        assert.equal(points.size, 4 * metrics.length);
        for (const key of points.keys()) assert.match(key, new RegExp(` n=${n}$`));
        return points;
      };
      const same = (got: Map<string, number>, want: Map<string, number>) => {
        assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
        for (const [k, v] of want) assert.ok(Math.abs(got.get(k)! - v) <= 1e-12 * Math.abs(v), `${k}: plotted ${got.get(k)}, runs' mean ${v}`);
      };
      const title = (text: string) => page.waitForFunction(`document.querySelector('#views header.report h1')?.textContent === ${JSON.stringify(text)}`);

      // served: pick sweep g of the store in the Sweeps list
      await page.selectOption('#stores', JSON.stringify({ store, sweep: 'g' }));
      await title('g');
      same(await plotted(3), await meansFromRuns(store, 'g', metrics));
      await page.screenshot({ path: join(shots, 'sweep.png') });

      // uploaded by Open: the sweep run last (h), then g through the list of the opened file
      await page.setInputFiles('#open', store);
      await title('h');
      same(await plotted(2), await meansFromRuns(store, 'h', metrics));
      await page.selectOption('#stores', JSON.stringify({ upload: true, sweep: 'g' }));
      await title('g');
      same(await plotted(3), await meansFromRuns(store, 'g', metrics));

      // errors the page shows: a file that is no database, a store without a sweep
      const status = async (pattern: RegExp) => {
        await page.waitForSelector('#status.error');
        const text = (await page.textContent('#status'))!;
        assert.match(text, pattern);
        await page.evaluate("document.getElementById('status').className = 'status'");
      };
      await page.setInputFiles('#open', join(dir, 'notes.duckdb'));
      await status(/^notes\.duckdb: not a DuckDB file/);
      await page.setInputFiles('#open', join(dir, 'empty.duckdb'));
      await status(/^empty\.duckdb: the store has no sweep yet/);
      assert.deepEqual(pageErrors, [], 'no script errors');
      assert.deepEqual(offsite, [], 'nothing fetched off the loopback server');
      process.stderr.write(`# dashboard screenshot in ${shots}\n`);
      assert.equal(readdirSync(tmpdir()).filter((f) => f.startsWith('lmsim-serve-')).length, uploadsBefore, 'uploaded stores are deleted');

      // the API's own answers
      const api = async (path: string, init?: RequestInit) => {
        const r = await fetch(`${origin}${path}`, init);
        return [r.status, ((await r.json()) as { error: string }).error] as const;
      };
      assert.deepEqual(await api(`/api/sweep?store=${encodeURIComponent(store)}&sweep=zz`), [404, `${store}: no sweep "zz" (sweeps: h, g)`]);
      assert.deepEqual(await api(`/api/sweep?store=${encodeURIComponent('/etc/passwd')}`), [404, `no store "/etc/passwd" (stores: ${store})`]);
      assert.deepEqual(await api('/api/open?name=x.duckdb', { method: 'POST', body: 'x' }), [
        415,
        'send the store as the body, content-type application/octet-stream',
      ]);
      // a page of another name resolving to 127.0.0.1 (DNS rebinding) does not reach the stores (fetch cannot set Host)
      const rebound = await new Promise<number>((done, fail) =>
        get(`${origin}/api/stores`, { headers: { host: 'attacker.example' } }, (r) => done(r.resume().statusCode!)).on('error', fail),
      );
      assert.equal(rebound, 403);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }

    // --store on the command line: a missing file or one that is no store is exit 2 naming the flag
    for (const [file, pattern] of [
      [join(dir, 'missing.duckdb'), /^lmsim: --store: cannot read .*missing\.duckdb: ENOENT\n$/],
      [join(repoRoot(), 'examples', 'precopy-basic.yaml'), /^lmsim: --store: .*precopy-basic\.yaml is not a DuckDB file/],
    ] as const) {
      let err = '';
      const code = await main(['serve', '--port', '0', '--store', file], { out: () => {}, err: (t) => (err += t) });
      assert.equal(code, 2);
      assert.match(err, pattern);
    }
  },
);

test(
  'dashboard in Chromium: a synthetic data center consolidated in the Web Worker plots the per-step series of lmsim consolidate --json',
  { skip, timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmsim-dc-'));
    const file = join(dir, 'day.yaml');
    writeFileSync(file, 'name: browser day\npolicy: lr-mmt\nparam: 1.2\nmigration: precopy\nhosts: { count: 60 }\nvms: { count: 100 }\nseed: 11\n');
    const cli = (await cliJson(['consolidate', file, '--json'])) as {
      hosts: number;
      migrations: number;
      series: Record<
        'time' | 'activeHosts' | 'power' | 'energyKWh' | 'slaViolationTime' | 'migrationsStarted' | 'migrationsCompleted' | 'migrationsTimedOut',
        number[]
      >;
    };
    assert.ok(cli.migrations > 0 && cli.series.time.length > 200, 'a day with migrations');
    const { context, page, shots, offsite, pageErrors, close } = await openDashboard();
    try {
      // the scenario file opens as a consolidation; a bad value is shown at its field
      await page.setInputFiles('#open', file);
      await page.waitForSelector('body[data-kind="consolidation"][data-valid="true"]');
      assert.equal(await page.inputValue('[name="name"]'), 'browser day');
      await page.fill('[name="param"]', '-1');
      const error = page.locator('.field[data-path="param"] .field-error');
      await error.waitFor();
      assert.match((await error.textContent())!, /^param: /);
      assert.equal(await page.isDisabled('#run'), true);
      await page.fill('[name="param"]', '1.2');
      await page.waitForSelector('body[data-valid="true"]');

      await page.click('#run');
      await page.waitForSelector('body[data-state="done"]', { timeout: 120_000 });
      await page.screenshot({ path: join(shots, 'consolidation.png') });

      const line = async (key: string) => {
        const [x, y] = await page.$eval(`#dc-${key} g[data-y]`, (g) => [g.getAttribute('data-x')!, g.getAttribute('data-y')!]);
        return { x: x.split(' ').map(Number), y: y.split(' ').map(Number) };
      };
      const s = cli.series;
      for (const [key, values] of [
        ['active', s.activeHosts],
        ['power', s.power],
        ['energy', s.energyKWh],
        ['sla', s.slaViolationTime.map((v, i) => (i === 0 ? v : v - s.slaViolationTime[i - 1]))],
      ] as const) {
        const got = await line(key);
        assert.deepEqual(got.x, s.time, `${key}: one point per step`);
        assert.deepEqual(got.y, values, `${key}: the values of lmsim consolidate --json`);
      }
      for (const [kind, values] of [
        ['started', s.migrationsStarted],
        ['completed', s.migrationsCompleted],
        ['timed out', s.migrationsTimedOut],
      ] as const) {
        const bars = await page.$$eval(`#dc-migrations rect[data-kind="${kind}"]`, (els) =>
          els.map((e) => [Number(e.getAttribute('data-t')), Number(e.getAttribute('data-count'))]),
        );
        assert.deepEqual(
          bars,
          s.time.map((t, i) => [t, values[i]]),
          `migrations ${kind} per step`,
        );
      }

      // compare: variants, typed in the YAML tab, run one after the other and drawn side by side
      const policies =
        'name: two policies\npolicy: lr-mmt\nparam: 1.2\nhosts: { count: 60 }\nvms: { count: 100 }\nduration: 6h\nseed: 3\ncompare:\n  - { label: lr-mmt, policy: lr-mmt }\n  - { label: thr-mmt, policy: thr-mmt, param: 0.8 }\n';
      writeFileSync(join(dir, 'policies.yaml'), policies);
      const variants = (await cliJson(['consolidate', join(dir, 'policies.yaml'), '--json'])) as {
        variant: string;
        energyKWh: number;
        series: { activeHosts: number[] };
      }[];
      await page.click('.tabs button[data-tab="text"]');
      await page.fill('#text', policies);
      await page.waitForSelector('body[data-valid="true"]');
      await page.click('#run');
      await page.waitForFunction("document.querySelector('#views header.report h1')?.textContent === 'two policies'", undefined, { timeout: 120_000 });
      const energy = await page.$$eval('#cc-energy-total rect[data-row]', (els) =>
        els.map((e) => [e.getAttribute('data-row'), Number(e.getAttribute('data-value'))]),
      );
      assert.deepEqual(
        energy,
        variants.map((v) => [v.variant, v.energyKWh]),
      );
      const active = await page.$eval('#dc2-active g[data-y]', (g) => g.getAttribute('data-y')!.split(' ').map(Number));
      assert.deepEqual(active, variants[1].series.activeHosts);
      await page.click('.tabs button[data-tab="form"]');

      // a shared link reopens the consolidation
      await page.click('#share');
      assert.match(page.url(), /#c=/);
      const other = await context.newPage();
      await other.goto(page.url());
      await other.waitForSelector('body[data-kind="consolidation"][data-valid="true"]');
      assert.equal(await other.inputValue('[name="name"]'), 'two policies');
      assert.deepEqual(pageErrors, [], 'no script errors');
      assert.deepEqual(offsite, [], 'nothing fetched off the loopback server');
      process.stderr.write(`# dashboard screenshot in ${shots}\n`);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "dashboard in Chromium: unions as sub-forms (a workload's kind, a failure's form), each kind's fields from the schema, errors at the field",
  { skip, timeout: 120_000 },
  async () => {
    const { page, shots, offsite, pageErrors, close } = await openDashboard();
    try {
      const errorAt = async (path: string, pattern: RegExp) => {
        const error = page.locator(`.field[data-path="${path}"] .field-error`);
        await error.waitFor();
        assert.match((await error.textContent())!, pattern);
        assert.equal(await page.isDisabled('#run'), true);
      };
      const yaml = () => page.inputValue('#text');

      // the workload: its kinds in a selector; picking zipf shows zipf's fields, keeps the shared ones
      const kind = page.locator('select[name="vms[0].workload.kind"]');
      const kinds = await kind.locator('option').allTextContents();
      assert.deepEqual(kinds.slice(1), [...workloadKinds], "the schema's kinds");
      assert.equal(await kind.locator('option:checked').textContent(), 'hotcold');
      await kind.selectOption({ label: 'zipf' });
      await page.waitForSelector('[name="vms[0].workload.exponent"]', { state: 'attached' });
      assert.equal(await page.locator('[name="vms[0].workload.hotSet"]').count(), 0, "hotcold's own fields go");
      assert.equal(await page.inputValue('[name="vms[0].workload.writeRate"]'), '20000/s', 'the fields both kinds have stay');
      assert.match(await yaml(), /kind: zipf/);
      await page.fill('[name="vms[0].workload.writeRate"]', 'fast');
      await errorAt('vms[0].workload.writeRate', /^vms\[0\]\.workload\.writeRate: expected a page rate like 20000\/s.*"fast"/);
      await page.fill('[name="vms[0].workload.writeRate"]', '20000/s');
      await page.click('.field[data-path="vms[0].workload"] details.more > summary'); // zipf's optional fields
      await page.fill('[name="vms[0].workload.exponent"]', '-1');
      await errorAt('vms[0].workload.exponent', /^vms\[0\]\.workload\.exponent: /);
      await page.fill('[name="vms[0].workload.exponent"]', '1.1');
      await page.waitForSelector('body[data-valid="true"]');

      // a failure: its forms told apart by the field each requires
      await page.click('.list[data-path="failures"] > button.add');
      const form = page.locator('select[name="failures[0]"]');
      assert.deepEqual((await form.locator('option').allTextContents()).slice(1), ['link', 'host']);
      await form.selectOption({ label: 'host' });
      await page.fill('[name="failures[0].at"]', '20s');
      await page.fill('[name="failures[0].host"]', 'Z');
      await errorAt('failures[0].host', /^failures\[0\]\.host: no host named "Z"/);
      await page.fill('[name="failures[0].host"]', 'B');
      await page.waitForSelector('body[data-valid="true"]');
      assert.match(await yaml(), /failures:\n {2}- at: 20s\n {4}host: B/);

      // a union of a named value and settings: the reuse policy, then its settings' fields
      await page.click('fieldset[data-path="migrations[0]"] > details.more > summary');
      const reuse = page.locator('select[name="migrations[0].reuse"]');
      await reuse.selectOption({ label: 'keep-all' });
      assert.match(await yaml(), /reuse: keep-all/);
      // a union of scalars ("unlimited" or a rate) is one text field
      assert.equal(await page.locator('input[name="migrations[0].maxBandwidth"]').count(), 1);
      await page.locator('.field[data-path="vms[0].workload"]').screenshot({ path: join(shots, 'workload.png') });
      await page.locator('.list[data-path="failures"]').screenshot({ path: join(shots, 'failures.png') });
      assert.deepEqual(pageErrors, [], 'no script errors');
      assert.deepEqual(offsite, [], 'nothing fetched off the loopback server');
      process.stderr.write(`# dashboard screenshot in ${shots}\n`);
    } finally {
      await close();
    }
  },
);
