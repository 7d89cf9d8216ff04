/**
 * @module cli/qemu-live
 * `lmsim qemu --qmp ADDRESS`: gathers a running VM's inputs over QMP, predicts, recommends, and
 * with `--migrate URI` performs the migration and records it in the calibrate CSV format.
 *
 * Gathering: query-memory-size-summary, query-migrate-parameters, query-migrate-capabilities,
 * query-cpus-fast, query-kvm, then `calc-dirty-rate` at each --calc-times period (waiting for
 * query-dirty-rate to say "measured"). Mode: under KVM dirty-bitmap, or dirty-ring when QEMU says
 * the ring is on; under TCG page-sampling only (QEMU 7.2 under TCG crashes on the other two modes:
 * seen here, a SIGSEGV), with the most sample pages QEMU accepts (16384 per GiB), after one
 * unreported 1 s period (see PAGE_SAMPLING_WARMUP_S). Zero pages:
 * lmsim reads --zero-samples evenly spaced guest pages through HMP `xp` (QEMU's own monitor) in
 * the first 2 GiB of guest-physical memory, which is RAM on both x86 machine types, and counts
 * those that are all zero. `--save DIR` writes every reply in the files `predict qemu --from`
 * reads.
 *
 * Migrating: the chosen settings (--apply best|current) on the source (and capabilities on the
 * destination with --dest-qmp, which also gets `migrate-incoming`), capability `events` on, then
 * `migrate`, `query-migrate` every --poll-ms (100 ms), `migrate-start-postcopy` after the planned
 * pass, and `migrate_cancel` at --max-time. The row goes to DIR/runs.csv (appended), the polls
 * to DIR/timeseries/RUN_ID.jsonl.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QmpClient, QmpCommandError, QmpError, QmpEvent, parseQmpAddress } from '../io/qmp-client.js';
import { Prediction } from '../qemu/predict.js';
import { parseCapabilities, parseDirtyRate, parseMemorySummary, parseMigrateSample, parseParameters, parseVersion, DirtyRateSample, ReplyError } from '../qemu/replies.js';
import { csvLine, MeasuredMigration, runColumns, runRow, unrecordable } from '../qemu/run-record.js';
import { changes, QemuSettings } from '../qemu/settings.js';
import { describeVm, QemuInputs, QemuVm } from '../qemu/vm.js';
import { UsageError } from './errors.js';
import { PredictOptions, predictionJson, predictionText, residentOf, runRecommendation, seriesLines, writeSeries } from './qemu-report.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

export interface LiveOptions extends PredictOptions {
  qmp: string;
  calcTimes?: string;
  zeroSamples?: string;
  save?: string;
  migrate?: string;
  destQmp?: string;
  apply?: string;
  record?: string;
  runId?: string;
  pollMs?: string;
}

const PAGE = 4096;
/** QEMU's MAX_SAMPLE_PAGE_COUNT (migration/dirtyrate.h): sampled pages per GiB. */
const MAX_SAMPLE_PAGES = 16384;
/**
 * A page-sampling period run first and discarded. QEMU starts the period's clock before hashing
 * the sampled pages, and the first pass after start faults in guest RAM QEMU never touched, so the
 * first period is shorter than reported and under-counts (seen with the lab guest: 9-11 MiB/s
 * first, 12-13 after; with -mem-prealloc the first is like the rest).
 */
const PAGE_SAMPLING_WARMUP_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function positiveInts(name: string, text: string): number[] {
  const xs = text.split(',').map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 60)) throw new UsageError(`--${name}: expected whole seconds 1..60 separated by commas (QEMU's calc-time range), got "${text}"`);
  return xs;
}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected a whole number >= ${min}, got "${text}"`);
  return n;
}

export async function qemuLiveCommand(opts: LiveOptions, io: Io, setCode: (c: number) => void): Promise<void> {
  try {
    await live(opts, io, setCode);
  } catch (e) {
    // what QEMU refused or the connection lost: QEMU's own message, no stack trace
    if (e instanceof QmpError) {
      io.err(`lmsim: ${e.message}\n`);
      setCode(1);
      return;
    }
    if (e instanceof ReplyError) throw new UsageError(`QEMU's reply: ${e.message}`);
    throw e;
  }
}

async function live(opts: LiveOptions, io: Io, setCode: (c: number) => void): Promise<void> {
  let address;
  try {
    address = parseQmpAddress(opts.qmp);
  } catch (e) {
    throw new UsageError(`--qmp: ${(e as Error).message}`);
  }
  const calcTimes = positiveInts('calc-times', opts.calcTimes ?? '1,2,4,8');
  const zeroSamples = positiveInt('zero-samples', opts.zeroSamples, 2000, 0);
  const pollMs = positiveInt('poll-ms', opts.pollMs, 100);
  const apply = opts.apply ?? 'best';
  if (apply !== 'best' && apply !== 'current') throw new UsageError(`--apply: expected best or current, got "${apply}"`);
  if (opts.migrate && !/^(tcp|unix|exec|rdma|fd):/.test(opts.migrate)) throw new UsageError(`--migrate: expected a QEMU migration URI such as tcp:HOST:PORT, got "${opts.migrate}"`);
  const destAddress = opts.destQmp ? parseDest(opts.destQmp) : null;
  const resident = residentOf(opts);

  const client = await connectOrFail(address);
  let dest: QmpClient | null = null;
  try {
    io.err(`lmsim: connected to QEMU ${client.version} at ${opts.qmp}\n`);
    const { inputs, replies, accel } = await gather(client, calcTimes, zeroSamples, io);
    if (opts.save) saveReplies(opts.save, replies);
    const vm = describeVm(inputs, { resident });
    const { recommendation, budget, machine } = runRecommendation(vm, opts);
    const report = predictionJson(vm, recommendation, budget, machine);
    if (!opts.migrate) {
      if (opts.series) writeSeries(opts.series, seriesLines(vm, recommendation.best ?? recommendation.current));
      io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : predictionText(vm, recommendation, budget, machine));
      return;
    }
    const chosen = apply === 'current' || !recommendation.best ? recommendation.current : recommendation.best;
    if (apply === 'best' && !recommendation.best) io.err('lmsim: no candidate meets the budget: migrating with the current settings\n');
    if (destAddress) dest = await connectOrFail(destAddress);
    const measured = await migrate(client, dest, vm, chosen.settings, opts.migrate, budget.maxTime, pollMs, accel, opts.runId, io);
    const cmp = comparison(chosen, measured);
    if (opts.series) writeSeries(opts.series, seriesLines(vm, chosen));
    if (opts.record) writeRecord(opts.record, vm, chosen, measured, io);
    const out = { ...report, migration: { settings: chosen.settings, label: chosen.label, measured: { outcome: measured.outcome, final: measured.final, hostDowntimeMs: measured.hostDowntimeMs, passTimes: measured.passTimes }, comparison: cmp } };
    io.out(opts.json ? `${JSON.stringify(out, null, 2)}\n` : `${predictionText(vm, recommendation, budget, machine)}\n${comparisonText(chosen, cmp)}`);
    if (measured.outcome === 'failed') setCode(1);
  } finally {
    client.close();
    dest?.close();
  }
}

function parseDest(text: string) {
  try {
    return parseQmpAddress(text);
  } catch (e) {
    throw new UsageError(`--dest-qmp: ${(e as Error).message}`);
  }
}

async function connectOrFail(address: ReturnType<typeof parseQmpAddress>): Promise<QmpClient> {
  try {
    return await QmpClient.connect(address);
  } catch (e) {
    if (e instanceof QmpError) throw new UsageError(e.message);
    throw e;
  }
}

/** Reads everything a prediction needs from the running VM. */
async function gather(c: QmpClient, calcTimes: number[], zeroSamples: number, io: Io): Promise<{ inputs: QemuInputs; replies: Record<string, unknown>; accel: string }> {
  const replies: Record<string, unknown> = {};
  const q = async (cmd: string) => (replies[cmd] = await c.execute(cmd));
  const memory = parseMemorySummary(await q('query-memory-size-summary')).memory;
  const parameters = parseParameters(await q('query-migrate-parameters'));
  const capabilities = parseCapabilities(await q('query-migrate-capabilities'));
  const cpus = (await q('query-cpus-fast')) as unknown[];
  const kvm = (await q('query-kvm')) as { enabled?: boolean };
  const accel = kvm.enabled ? 'kvm' : 'tcg';
  const qemuVersion = parseVersion(await q('query-version'));
  const previous = (await c.execute('query-migrate')) as Record<string, unknown>;
  const migrateSamples = typeof previous.status === 'string' ? [parseMigrateSample(previous)] : [];
  if (migrateSamples.length) replies['query-migrate'] = previous;

  const modes: ('dirty-bitmap' | 'dirty-ring' | 'page-sampling')[] = kvm.enabled ? ['dirty-bitmap', 'dirty-ring'] : ['page-sampling'];
  let mode = modes[0];
  const dirtyRates: DirtyRateSample[] = [];
  const rawRates: unknown[] = [];
  // one period: starts calc-dirty-rate (falling back to the next mode when QEMU refuses one) and
  // waits for its reply
  const measure = async (t: number): Promise<Record<string, unknown>> => {
    for (;;) {
      try {
        await c.execute('calc-dirty-rate', { 'calc-time': t, mode, ...(mode === 'page-sampling' ? { 'sample-pages': MAX_SAMPLE_PAGES } : {}) });
        break;
      } catch (e) {
        // KVM with the dirty ring on refuses dirty-bitmap mode (and the reverse): take the other
        const next = modes[modes.indexOf(mode) + 1];
        if (e instanceof QmpCommandError && next) {
          mode = next;
          continue;
        }
        throw e;
      }
    }
    const deadline = Date.now() + (t + 15) * 1000;
    for (;;) {
      await sleep(Math.min(250, t * 100));
      const reply = (await c.execute('query-dirty-rate')) as Record<string, unknown>;
      if (reply.status === 'measured') return reply;
      if (Date.now() > deadline) throw new QmpError(`query-dirty-rate still "${String(reply.status)}" ${t + 15} s after calc-dirty-rate`);
    }
  };
  if (mode === 'page-sampling') {
    io.err(`lmsim: calc-dirty-rate calc-time ${PAGE_SAMPLING_WARMUP_S} s (page-sampling, warm-up, not used)\n`);
    await measure(PAGE_SAMPLING_WARMUP_S);
  }
  for (const t of calcTimes) {
    io.err(`lmsim: calc-dirty-rate calc-time ${t} s (${mode})\n`);
    const reply = await measure(t);
    rawRates.push(reply);
    dirtyRates.push(parseDirtyRate(reply));
  }
  replies['query-dirty-rate'] = rawRates;

  let zeroPages: QemuInputs['zeroPages'] = null;
  if (zeroSamples > 0) {
    const span = Math.min(memory, 2 ** 31) / PAGE;
    let zero = 0;
    let sampled = 0;
    for (let i = 0; i < zeroSamples; i++) {
      const page = Math.floor(((i + 0.5) * span) / zeroSamples);
      const text = (await c.execute('human-monitor-command', { 'command-line': `xp /${PAGE / 8}xg 0x${(page * PAGE).toString(16)}` })) as string;
      if (!/^[0-9a-f]+:/m.test(text)) continue; // not readable (a hole): not counted
      sampled++;
      if (!/0x0*[1-9a-f]/.test(text.replace(/^[0-9a-f]+:/gm, ''))) zero++;
    }
    if (sampled > 0) zeroPages = { sampled, zero };
    replies['zero-pages'] = zeroPages;
  }
  const vcpus = Array.isArray(cpus) ? cpus.length : 1;
  return { inputs: { memory, parameters, capabilities, dirtyRates, migrateSamples, zeroPages, pageSize: PAGE, vcpus, qemuVersion }, replies, accel };
}

function saveReplies(dir: string, replies: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  for (const [cmd, reply] of Object.entries(replies)) {
    if (reply === null) continue;
    writeFileSync(join(dir, `${cmd}.json`), `${JSON.stringify(reply, null, 1)}\n`);
  }
}

/** Applies `s`, migrates, polls, returns what was measured. */
async function migrate(
  c: QmpClient,
  dest: QmpClient | null,
  vm: QemuVm,
  s: QemuSettings,
  uri: string,
  maxTime: number,
  pollMs: number,
  accel: string,
  runId: string | undefined,
  io: Io,
): Promise<MeasuredMigration> {
  const d = changes(s, vm.settings);
  const caps = [{ capability: 'events', state: true }, ...Object.entries(d.capabilities).map(([capability, state]) => ({ capability, state }))];
  if (s.capabilities['postcopy-ram']) caps.push({ capability: 'postcopy-ram', state: true });
  await c.execute('migrate-set-capabilities', { capabilities: caps });
  if (Object.keys(d.parameters).length) await c.execute('migrate-set-parameters', d.parameters);
  if (dest) {
    await dest.execute('migrate-set-capabilities', { capabilities: caps });
    await dest.execute('migrate-incoming', { uri });
  }
  const effectiveParams = (await c.execute('query-migrate-parameters')) as Record<string, unknown>;
  const effectiveCaps = Object.fromEntries(((await c.execute('query-migrate-capabilities')) as { capability: string; state: boolean }[]).filter((x) => x.state).map((x) => [x.capability, x.state]));
  const startedUtc = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const id = runId ?? `lmsim-${startedUtc.replace(/[-:]/g, '')}`;
  const eventsBefore = c.events.length;
  io.err(`lmsim: migrate ${uri} (${JSON.stringify(d)})\n`);
  const t0 = Date.now();
  await c.execute('migrate', { uri });
  const migrateEvent = Date.now() / 1000;
  const polls: Record<string, unknown>[] = [];
  let final: Record<string, unknown> = {};
  let outcome = 'active';
  let error = '';
  let postcopyStarted = false;
  for (;;) {
    await sleep(pollMs);
    const r = (await c.execute('query-migrate')) as Record<string, unknown>;
    polls.push({ t: (Date.now() - t0) / 1000, ...r });
    final = r;
    const status = String(r.status ?? '');
    if (status === 'completed') {
      // QEMU 7.2 may say completed before it has filled in total-time (README caveat 6): ask again
      if (!r['total-time']) {
        await sleep(50);
        final = (await c.execute('query-migrate')) as Record<string, unknown>;
        polls.push({ t: (Date.now() - t0) / 1000, ...final });
      }
      outcome = 'completed';
      break;
    }
    if (status === 'failed' || status === 'cancelled') {
      outcome = 'failed';
      error = String(r['error-desc'] ?? status);
      break;
    }
    const passes = c.events.slice(eventsBefore).filter((e) => e.event === 'MIGRATION_PASS').length;
    if (s.capabilities['postcopy-ram'] && s.postcopyAfterPasses !== null && !postcopyStarted && passes >= s.postcopyAfterPasses + 1) {
      await c.execute('migrate-start-postcopy');
      postcopyStarted = true;
    }
    if ((Date.now() - t0) / 1000 >= maxTime && status !== 'postcopy-active') {
      outcome = 'timeout';
      await c.execute('migrate_cancel');
      break;
    }
  }
  const events = c.events.slice(eventsBefore);
  const ts = (e: QmpEvent) => (e.timestamp ? e.timestamp.seconds + e.timestamp.microseconds / 1e6 : NaN);
  const migrateAt = events.find((e) => e.event === 'MIGRATION' && e.data?.status === 'setup');
  const base = migrateAt ? ts(migrateAt) : migrateEvent;
  const passTimes = events.filter((e) => e.event === 'MIGRATION_PASS').map((e) => ({ pass: Number(e.data?.pass), t: ts(e) - base }));
  const stop = events.find((e) => e.event === 'STOP');
  const active = events.find((e) => e.event === 'MIGRATION' && e.data?.status === 'postcopy-active');
  let hostDowntimeMs: number | null = null;
  if (dest && stop && outcome === 'completed') {
    try {
      const resume = await dest.waitEvent((e) => e.event === 'RESUME', 10000, 'destination RESUME');
      hostDowntimeMs = (ts(resume) - ts(stop)) * 1000;
    } catch {
      hostDowntimeMs = null;
    }
  }
  return {
    runId: id,
    startedUtc,
    accel,
    qemuVersion: c.version,
    uri,
    outcome,
    error,
    final,
    passTimes,
    hostDowntimeMs,
    precopyPhase: stop ? ts(stop) - base : null,
    postcopyActive: active ? ts(active) - base : null,
    polls,
    effectiveParams,
    effectiveCaps,
    timeout: maxTime,
    pollMs,
  };
}

/** DIR/runs.csv (appended), DIR/timeseries/RUN_ID.jsonl (the polls) and RUN_ID.predicted.jsonl (lmsim's). */
function writeRecord(dir: string, vm: QemuVm, p: Prediction, m: MeasuredMigration, io: Io): void {
  const s = p.settings;
  mkdirSync(join(dir, 'timeseries'), { recursive: true });
  const base = join(dir, 'timeseries', m.runId.replace(/[^A-Za-z0-9._-]/g, '_'));
  writeFileSync(`${base}.jsonl`, m.polls.map((x) => JSON.stringify({ type: 'poll', side: 'src', ...x })).join('\n') + '\n');
  writeFileSync(`${base}.predicted.jsonl`, seriesLines(vm, p));
  const why = unrecordable(s);
  if (why) {
    io.err(`lmsim: the CSV row was not written: the calibrate format has no column for ${why}; the polls are in ${dir}/timeseries\n`);
    return;
  }
  const csv = join(dir, 'runs.csv');
  const row = runRow(vm, s, m);
  const text = (existsSync(csv) ? '' : `${csvLine(runColumns)}\n`) + `${csvLine(runColumns.map((c) => row[c]))}\n`;
  appendFileSync(csv, text);
}

interface Comparison {
  predicted: { converges: boolean; totalTime: number | null; downtime: number | null; bytes: number };
  measured: { converges: boolean; totalTime: number | null; downtime: number | null; bytes: number | null };
  verdictRight: boolean;
  totalTimeError: number | null;
  bytesError: number | null;
}

function comparison(p: Prediction, m: MeasuredMigration): Comparison {
  const ram = (m.final.ram ?? {}) as Record<string, number>;
  const measuredTime = typeof m.final['total-time'] === 'number' ? (m.final['total-time'] as number) / 1000 : null;
  const converged = m.outcome === 'completed';
  const rel = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : (a - b) / b);
  return {
    predicted: { converges: p.converges, totalTime: p.totalTime, downtime: p.downtime, bytes: p.bytes },
    measured: { converges: converged, totalTime: measuredTime, downtime: m.hostDowntimeMs === null ? null : m.hostDowntimeMs / 1000, bytes: ram.transferred ?? null },
    verdictRight: p.converges === converged,
    totalTimeError: converged && p.converges ? rel(p.totalTime, measuredTime) : null,
    bytesError: converged && p.converges ? rel(p.bytes, ram.transferred ?? null) : null,
  };
}

function comparisonText(p: Prediction, c: Comparison): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)} %`);
  const s = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)} s`);
  return [
    `migration with ${p.label}:`,
    `  measured:  ${c.measured.converges ? 'completed' : 'did not complete'}; total ${s(c.measured.totalTime)}, downtime ${c.measured.downtime === null ? '-' : `${(c.measured.downtime * 1000).toFixed(1)} ms`}, ${c.measured.bytes === null ? '-' : `${(c.measured.bytes / 2 ** 20).toFixed(1)} MiB`}`,
    `  predicted: ${c.predicted.converges ? 'converges' : 'does not converge'}; total ${s(c.predicted.totalTime)}, downtime ${c.predicted.downtime === null ? '-' : `${(c.predicted.downtime * 1000).toFixed(1)} ms`}, ${(c.predicted.bytes / 2 ** 20).toFixed(1)} MiB`,
    `  verdict ${c.verdictRight ? 'right' : 'WRONG'}; total time error ${pct(c.totalTimeError)}, bytes error ${pct(c.bytesError)}`,
    '',
  ].join('\n');
}
