/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (never a browser
 * download), served by `lmsim serve`'s server from dist/web. Loads offline (any request off the
 * loopback fails the test), shows a schema error at the field, runs the default comparison in its
 * Web Worker and plots the same numbers as `lmsim compare --json`, opens a saved report, and
 * reopens a shared link. Screenshots go to a temporary folder. In CI a missing Chromium fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { main } from '../src/cli/main.js';
import { dashboardDir, startServer } from '../src/cli/serve.js';
import { repoRoot } from './support.js';

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

test(
  'dashboard in Chromium: offline, errors at the field, the default comparison equals the CLI, a saved report opens, a shared link',
  { skip, timeout: 240_000 },
  async () => {
    const server = await startServer(dashboardDir(), 0, '127.0.0.1');
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
    try {
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
        offsite.push(url);
        return route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${origin}/`);
      await page.waitForSelector('body[data-state="idle"]');
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
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
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
