/**
 * A seeded fuzz test of bad input through the CLI's main(), in-process: the shipped scenario
 * examples, mutated (values replaced by wrong types, wrong units, non-finite and huge numbers,
 * keys deleted or misspelt, list entries duplicated or emptied), go through `validate`, and the
 * ones validate accepts and that are small enough to run quickly through `run`. What must hold:
 *   - no stack trace, and never exit 1 (bad input is exit 2; a valid scenario runs);
 *   - every exit 2 names where the problem is (a path such as vms[0].memory, or a flag);
 *   - a scenario validate accepts, run accepts (or refuses as too much work, with the estimate);
 *   - no run goes past the work bound: past it, run refuses at once; under it, a run ends.
 * FUZZ_SEED and FUZZ_CASES change the seed and the number of cases (default 2,000).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { main } from '../src/cli/main.js';
import { validateScenario } from '../src/scenario/load.js';
import { estimateWork, WORK_BOUND } from '../src/scenario/work.js';
import { repoRoot } from './support.js';

const root = repoRoot();
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
/** Runs at most this much estimated work (page operations): enough for small scenarios, fast. */
const RUN_BELOW = 4e6;
/** And at most this many runs, to keep the test near a minute on a busy machine. */
const MAX_RUNS = 120;

/** mulberry32: a small seeded generator, so a failure can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NASTY: Json[] = [
  -1, 0, 0.5, 1, 3, 1e9, 2 ** 53, 1e308, -0.001, '1e309', '1e309Gbit/s', '1e309/s', '1e309s', '1e400GiB', '', ' ', 'abc', '4 gigs', '1gb/s', '1Gb/s',
  '10S', '5m', '-5s', '0s', '0', '0/s', '1e9', '1e9/s', '1000000/s', '16GiB', '1TiB', '64PiB', '1ms', 'unlimited', 'none', 'NaN', 'Infinity', null, true,
  false, [], {}, [1, 2], { x: 1 }, 'precopy', 'postcopy', 'hybrid', 'stop-and-copy', 'qemu', 'xen', 'fluid', 'page', 'A', 'B', 'A-B', 'db', '__proto__',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Every path to a value in the tree (the root excluded). */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...at, i]), paths(x, [...at, i], out)));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push([...at, k]), paths(v[k], [...at, k], out);
  return out;
}

function parentOf(root: Json, path: (string | number)[]): { parent: Json; key: string | number } {
  let v = root;
  for (const k of path.slice(0, -1)) v = (v as Record<string | number, Json>)[k];
  return { parent: v, key: path[path.length - 1] };
}

/** One to three mutations of a copy of `base`. */
function mutate(base: Json, r: () => number): Json {
  const data = structuredClone(base);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const all = paths(data);
    if (all.length === 0) break;
    const path = pick(r, all);
    const { parent, key } = parentOf(data, path);
    const p = parent as Record<string | number, Json>;
    const old = p[key];
    const what = r();
    if (what < 0.55) p[key] = pick(r, NASTY);
    else if (what < 0.65) {
      if (Array.isArray(p)) (p as Json[]).splice(key as number, 1);
      else delete p[key];
    } else if (what < 0.72 && !Array.isArray(p)) p[`${String(key)}x`] = old; // a misspelt key
    else if (what < 0.8 && Array.isArray(p)) (p as Json[]).push(structuredClone(old)); // a duplicate entry
    else if (what < 0.88 && typeof old === 'number') p[key] = old * pick(r, [-1, 0, 1e3, 1e6, 1e12, 0.001]);
    else if (what < 0.95 && typeof old === 'string') p[key] = old.replace(/(GiB|MiB|Gbit\/s|ms|\/s|s)$/, pick(r, ['gb', 'Mb', 'GIB', 'S', 'min', '', 'b/s', 'B', 'TiB']));
    else if (Array.isArray(old)) p[key] = [];
  }
  return data;
}

/** The examples `lmsim run` or `compare` take, parsed. */
function bases(): { name: string; command: string; data: Json }[] {
  const dir = join(root, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }))
    .map(({ f, text }) => ({ name: f, command: /^# command: lmsim (\w+)/.exec(text)?.[1] ?? '', data: parse(text) as Json }))
    .filter((b) => b.command === 'run' || b.command === 'compare');
}

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  let out = '', err = '';
  const t0 = performance.now();
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err, ms: performance.now() - t0 };
}

/** The message of an exit 2 says where: a path in the file, or a flag. */
const NAMES_A_PATH = /(^|\n)\s*(lmsim: )?([A-Za-z$][\w$]*(\[\d+\])?(\.[\w$]+(\[\d+\])?)*|\(top level\)|compare\[\d+\][^:]*|--[a-z-]+)(:| )|vms\[\d+\]|migrations\[\d+\]/;

test(`fuzz: ${CASES} mutated examples through validate and run (seed ${SEED})`, { timeout: 600_000 }, async () => {
  const r = rng(SEED);
  const examples = bases();
  assert.ok(examples.length >= 5);
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-fuzz-'));
  const tally = { valid: 0, invalid: 0, ran: 0, refusedAsTooMuch: 0, notRun: 0 };
  const problems: string[] = [];
  const fail = (what: string, i: number, data: Json, res: { code: number; err: string }) =>
    problems.push(`case ${i} (seed ${SEED}): ${what}; exit ${res.code}\n  ${res.err.split('\n').slice(0, 4).join('\n  ')}\n  input: ${JSON.stringify(data).slice(0, 400)}`);
  for (let i = 0; i < CASES && problems.length < 5; i++) {
    const base = examples[i % examples.length];
    const data = mutate(base.data, r);
    const file = join(dir, `case-${i}.json`);
    writeFileSync(file, JSON.stringify(data));
    const v = await lmsim(['validate', file]);
    if (/\n\s+at /.test(v.err)) fail('stack trace from validate', i, data, v);
    if (v.code === 1) fail('exit 1 from validate', i, data, v);
    if (v.code === 2) {
      tally.invalid++;
      if (v.out !== '') fail('output on stdout with exit 2', i, data, v);
      if (!NAMES_A_PATH.test(v.err)) fail('exit 2 without a path', i, data, v);
      continue;
    }
    if (v.code !== 0) continue;
    tally.valid++;
    // validate accepted: run must accept, refuse only as too much work, and never run past the bound
    let work: number;
    try {
      work = estimateWork(validateScenario(data)).pageOps;
    } catch {
      work = 0; // a compare: or sweep: variant the base check does not see; run decides
    }
    const command = base.command === 'compare' ? ['compare', file] : ['run', file];
    if (work > WORK_BOUND) {
      const res = await lmsim(command);
      if (res.code !== 2 || !/estimated at .* --force/s.test(res.err)) fail(`work ${work} over the bound, not refused`, i, data, res);
      tally.refusedAsTooMuch++;
      continue;
    }
    if (work > RUN_BELOW || tally.ran >= MAX_RUNS) {
      tally.notRun++;
      continue;
    }
    const res = await lmsim(command);
    tally.ran++;
    if (/\n\s+at /.test(res.err)) fail(`stack trace from ${command[0]}`, i, data, res);
    if (res.code === 2 && /estimated at/.test(res.err)) tally.refusedAsTooMuch++;
    // compare needs migrations and variants, which a valid file may not have: refused naming the field
    else if (res.code === 2 && command[0] === 'compare' && /: (migrations|compare): nothing to compare/.test(res.err)) continue;
    else if (res.code !== 0) fail(`validate accepted, ${command[0]} refused`, i, data, res);
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n\n')}\n(tally so far: ${JSON.stringify(tally)})`);
  assert.ok(tally.valid > 0.1 * CASES && tally.invalid > 0.1 * CASES, `the mutations reach both sides: ${JSON.stringify(tally)}`);
  assert.ok(tally.ran >= Math.min(MAX_RUNS, 40), `runs: ${JSON.stringify(tally)}`);
});

test('fuzz: command-line flags (seed, table, algorithms, set) never give a stack trace or exit 1', async () => {
  const r = rng(SEED + 1);
  const file = join(root, 'examples', 'precopy-vs-postcopy.yaml');
  const values = ['', '-1', '1e3', '0x1', 'abc', '9007199254740992', '1', 'precopy:xen', 'postcopy:qemu', 'precopy,precopy', ',', 'round-trips', 'migrations', 'x=1', 'horizon=-1', 'vms[0].memory=1e309GiB', 'migration.downtimeLimit=300'];
  const flags = ['--seed', '--table', '--algorithms', '--set'];
  for (let i = 0; i < 200; i++) {
    const flag = pick(r, flags);
    const args = [pick(r, ['run', 'compare', 'validate']), file, flag, pick(r, values)];
    const res = await lmsim(args);
    assert.doesNotMatch(res.err, /\n\s+at /, `${args.join(' ')}: stack trace`);
    assert.notEqual(res.code, 1, `${args.join(' ')}: exit 1\n${res.err}`);
    if (res.code === 2) assert.match(res.err, /--[a-z]+|\w+(\[\d+\])?(\.\w+)*: |error: /, `${args.join(' ')}: ${res.err}`);
  }
});

const day = join(root, '..', 'shared', 'data', 'planetlab', '20110303');

test('fuzz: mutated consolidation files through validate and a small consolidate', { skip: existsSync(day) ? false : 'shared PlanetLab data not found' }, async () => {
  const r = rng(SEED + 2);
  const base = parse(readFileSync(join(root, 'examples', 'consolidation-planetlab.yaml'), 'utf8')) as { [k: string]: Json };
  base.trace = day; // the files are written elsewhere: the trace folder by its full path
  base.migration = { model: 'precopy', fidelity: 'fluid' }; // live migrations: more fields to get wrong
  // a small data center, a few hours, so that every run is quick (unless a mutation makes it large)
  (base.hosts as { [k: string]: Json }).count = 12;
  (base.vms as { [k: string]: Json }).count = 24;
  base.duration = '2h';
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-fuzz-'));
  let ran = 0;
  let valid = 0;
  for (let i = 0; i < 300; i++) {
    const data = mutate(base, r);
    const file = join(dir, `c-${i}.json`);
    writeFileSync(file, JSON.stringify(data));
    const v = await lmsim(['validate', file]);
    const where = `case ${i} (seed ${SEED + 2}): ${JSON.stringify(data).slice(0, 300)}`;
    assert.doesNotMatch(v.err, /\n\s+at /, `${where}: stack trace`);
    assert.notEqual(v.code, 1, `${where}: exit 1\n${v.err}`);
    if (v.code === 2) {
      assert.match(v.err, NAMES_A_PATH, `${where}: exit 2 without a path\n${v.err}`);
      continue;
    }
    valid++;
    if (ran >= 40) continue;
    ran++;
    const c = await lmsim(['consolidate', file, '--json']);
    assert.doesNotMatch(c.err, /\n\s+at /, `${where}: stack trace`);
    // validate accepted: consolidate runs it, or refuses it as too much work, or finds at the
    // initial placement that the hosts are too few for the VMs (a run-time finding: the hosts fill up)
    const refusedAtRun = c.code === 2 && /estimated at|fits on no host at the initial placement; give more or larger hosts/.test(c.err);
    assert.ok(c.code === 0 || refusedAtRun, `${where}: validate accepted, consolidate exit ${c.code}\n${c.err}`);
  }
  assert.ok(valid > 20 && ran > 10, `valid ${valid}, ran ${ran}`);
});
