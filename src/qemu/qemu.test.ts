/**
 * The QEMU input path: QMP reply parsing, the dirty-rate curve fit (against its closed form and
 * against a real QEMU's replies of a guest with a known rate), and the recommendation.
 * Fixtures: test/fixtures/qmp/tcg-256m-ws32-r4096/ were written by `lmsim qemu --save` against a
 * real QEMU 7.2 (TCG, 256 MiB) whose guest ran the lab's dirty.c: 64 MiB touched, uniform random
 * writes at 4096 pages/s over a 32 MiB working set (8192 pages); the migration that followed
 * (32 MiB/s, downtime-limit 300 ms) is the row of tcg-256m-ws32-r4096-run.csv.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readQemuInputs } from '../io/qemu-files.js';
import { parseQemuRuns } from '../calibrate/qemu-runs.js';
import { qemuLabConstants } from '../calibrate/constants.js';
import { repoRoot } from '../../test/support.js';
import { distinctPages, fitDirtyCurve, sweepCurve, uniformCurve } from './dirty-curve.js';
import { cheaperFirst, Machine, predict, recommend } from './predict.js';
import { parseCapabilities, parseDirtyRate, parseMemorySummary, parseParameters, ReplyError } from './replies.js';
import { qmpCommands } from './settings.js';
import { qemuSeries } from '../migration/qemu-series.js';
import { describeVm } from './vm.js';

const fixture = join(repoRoot(), 'test/fixtures/qmp/tcg-256m-ws32-r4096');
const { baseFootprintPages: _f, ...lab } = qemuLabConstants;
const machine: Machine = lab;
const MiB = 2 ** 20;

test('replies: bare or wrapped, with the fields lmsim needs', () => {
  assert.equal(parseMemorySummary({ return: { 'base-memory': 268435456, 'plugged-memory': 1048576 } }).memory, 268435456 + 1048576);
  const p = parseParameters(JSON.parse(readFileSync(join(fixture, 'query-migrate-parameters.json'), 'utf8')));
  assert.equal(p['downtime-limit'], 300);
  assert.equal(p['max-bandwidth'], 32 * MiB);
  const c = parseCapabilities(JSON.parse(readFileSync(join(fixture, 'query-migrate-capabilities.json'), 'utf8')));
  assert.equal(c.xbzrle, false);
  const d = parseDirtyRate({ status: 'measured', 'dirty-rate': 12, 'calc-time': 500, 'calc-time-unit': 'millisecond', mode: 'dirty-ring', 'sample-pages': 0, 'vcpu-dirty-rate': [{ id: 0, 'dirty-rate': 7 }, { id: 1, 'dirty-rate': 5 }] });
  assert.equal(d.calcTime, 0.5);
  assert.deepEqual(d.vcpus.map((v) => v.dirtyRateMiBps), [7, 5]);
});

test('replies: bad input names the field and what was expected', () => {
  assert.throws(() => parseMemorySummary({ 'base-memory': 'big' }), /"base-memory": expected a number, got "big"/);
  assert.throws(() => parseDirtyRate({ status: 'measuring', 'calc-time': 1 }), /"status": expected "measured"/);
  assert.throws(() => parseDirtyRate({ status: 'measured', 'calc-time': 1, 'dirty-rate': 3, mode: 'guess' }), /"mode": expected one of/);
  assert.throws(() => parseCapabilities({ xbzrle: true }), /expected a JSON array of \{capability, state\}/);
  assert.throws(() => parseParameters({ 'downtime-limit': 300 }), /"max-bandwidth": expected a number/);
  assert.throws(() => readQemuInputs([join(fixture, 'query-kvm.json')]), (e: Error) => e instanceof ReplyError && /missing the reply of query-memory-size-summary/.test(e.message));
});

test('dirty curve: the fit recovers n and w from exact uniform and sweep curves', () => {
  for (const [n, w] of [
    [8192, 4096],
    [20000, 50000],
    [100000, 30000],
  ]) {
    const pts = [1, 2, 4, 8].map((t) => ({ t, pages: uniformCurve(n, w, t) }));
    const f = fitDirtyCurve(pts, 200000);
    assert.equal(f.model, 'uniform');
    assert.ok(Math.abs(f.workingSet - n) / n < 0.02, `n ${f.workingSet} vs ${n}`);
    assert.ok(Math.abs(f.writeRate - w) / w < 0.02, `w ${f.writeRate} vs ${w}`);
    assert.ok(f.identified);
  }
  const sweep = fitDirtyCurve([1, 2, 4, 8].map((t) => ({ t, pages: sweepCurve(10000, 4000, t) })), 200000);
  assert.equal(sweep.model, 'sweep');
  assert.ok(Math.abs(sweep.workingSet - 10000) / 10000 < 0.02 && Math.abs(sweep.writeRate - 4000) / 4000 < 0.02);
});

test('dirty curve: one calc-time cannot separate n and w: all data pages assumed, and said', () => {
  const f = fitDirtyCurve([{ t: 2, pages: 5000 }], 30000);
  assert.equal(f.identified, false);
  assert.equal(f.workingSet, 30000);
  assert.ok(Math.abs(uniformCurve(30000, f.writeRate, 2) - 5000) < 1e-6, 'the assumed curve goes through the point');
  assert.match(f.notes.join(' '), /one calc-time \(2 s\) cannot separate/);
  // a curve that has not bent yet: n not identified either
  const straight = fitDirtyCurve([1, 2, 4].map((t) => ({ t, pages: 1000 * t })), 50000);
  assert.equal(straight.identified, false);
  assert.equal(straight.workingSet, 50000);
  assert.match(straight.notes.join(' '), /did not bend/);
});

test('dirty rate: QEMU rounds MiB/s down; the count is taken at the middle of the step', () => {
  assert.equal(distinctPages(11, 1, 4096), 11.5 * 256);
  assert.equal(distinctPages(4, 8, 4096), 4.5 * 256 * 8);
});

test('real QEMU replies: the fitted workload is the guest\'s known one (uniform 4096 pages/s over 8192 pages), within page sampling\'s noise', () => {
  const vm = describeVm(readQemuInputs([fixture]));
  assert.equal(vm.memory, 256 * MiB);
  assert.equal(vm.fit.model, 'uniform');
  // page sampling hashes ~2500 pages of 65536: ~310 in the working set, a few % noise per count
  // plus QEMU's whole-MiB/s rounding; the guest kernel's own writes add to the known curve
  for (const p of vm.fit.points) {
    const known = uniformCurve(8192, 4096, p.t);
    assert.ok(Math.abs(p.pages - known) / known < 0.2, `t=${p.t}: ${p.pages} measured vs ${known} known`);
  }
  assert.ok(Math.abs(vm.fit.writeRate - 4096) / 4096 < 0.35, `w ${vm.fit.writeRate}`);
  assert.ok(Math.abs(vm.fit.workingSet - 8192) / 8192 < 0.35, `n ${vm.fit.workingSet}`);
  // data pages from the xp sample vs the migration's: RAM less the zero pages it sent (ram.duplicate)
  const run = parseQemuRuns(readFileSync(`${fixture}-run.csv`, 'utf8'))[0];
  const dataSent = vm.memory - run.measured.duplicatePages * 4096;
  assert.ok(Math.abs(vm.resident - dataSent) / dataSent < 0.05, `resident ${vm.resident / MiB} MiB vs ${dataSent / MiB} MiB`);
  assert.ok(vm.assumptions.some((a) => /page sampling/.test(a)));
});

test('real QEMU replies: the prediction matches the migration QEMU then performed', () => {
  const vm = describeVm(readQemuInputs([fixture]));
  const p = predict(vm, vm.settings, machine, { maxDowntime: 0.3, maxTime: 60 });
  const run = parseQemuRuns(readFileSync(`${fixture}-run.csv`, 'utf8'))[0];
  assert.equal(p.converges, run.measured.converged);
  assert.ok(Math.abs(p.totalTime! - run.measured.totalTime) / run.measured.totalTime < 0.15, `${p.totalTime} vs ${run.measured.totalTime}`);
  assert.ok(Math.abs(p.bytes - run.measured.ramTransferred) / run.measured.ramTransferred < 0.1);
});

test('recommendation: a VM that does not converge gets the cheapest settings that meet the budget, as QMP commands', () => {
  const vm = describeVm(readQemuInputs([fixture]));
  // the same VM writing 8x faster over a 4x larger set: pre-copy at 32 MiB/s cannot keep up
  const heavy = { ...vm, fit: { ...vm.fit, writeRate: 32768, workingSet: 32768 } };
  const budget = { maxDowntime: 0.5, maxTime: 30 };
  const r = recommend(heavy, machine, budget);
  assert.equal(r.current.converges, false);
  assert.ok(r.best, 'some candidate meets the budget');
  assert.ok(r.best!.meetsBudget && r.best!.downtime! <= 0.5 && r.best!.totalTime! <= 30);
  // nothing cheaper within the budget
  for (const p of r.candidates.filter((x) => x.meetsBudget)) assert.ok(cheaperFirst(r.best!, p) <= 0, `${p.label} is cheaper than ${r.best!.label}`);
  const cmds = qmpCommands(r.best!.settings, vm.settings).map((l) => JSON.parse(l));
  assert.ok(cmds.length > 0);
  for (const c of cmds) assert.ok(['migrate-set-parameters', 'migrate-set-capabilities'].includes(c.execute));
  // applying the commands to the current settings gives the recommended ones
  const applied = structuredClone(vm.settings) as typeof vm.settings & { parameters: Record<string, unknown> };
  for (const c of cmds) {
    if (c.execute === 'migrate-set-parameters') Object.assign(applied.parameters, c.arguments);
    else for (const x of c.arguments.capabilities) (applied.capabilities as Record<string, boolean>)[x.capability] = x.state;
  }
  assert.deepEqual(applied.parameters, r.best!.settings.parameters);
  // the light VM as it is meets a 300 ms budget with its current settings: nothing to change
  const light = recommend(vm, machine, { maxDowntime: 0.3, maxTime: 60 });
  assert.equal(light.best, light.current);
});

test('QEMU-shaped output: the qemu block has query-migrate\'s fields, its byte counts add up, and the series follows the real polls', () => {
  const vm = describeVm(readQemuInputs([fixture]));
  const p = predict(vm, vm.settings, machine, { maxDowntime: 0.3, maxTime: 60 });
  const q = p.result.qemu!;
  for (const k of ['mbps', 'dirty-pages-rate', 'pages-per-second', 'precopy-bytes', 'downtime-bytes', 'postcopy-bytes', 'multifd-bytes'] as const) assert.equal(typeof q.ram[k], 'number', k);
  assert.equal(q.ram['precopy-bytes'] + q.ram['downtime-bytes'] + q.ram['postcopy-bytes'], q.ram.transferred);
  assert.equal(q.ram['multifd-bytes'], 0);
  assert.equal(q.ram['dirty-pages-rate'], 0, 'QEMU drops it once completed');
  assert.equal(q['expected-downtime'], null);
  // the real migration's final reply (the last poll) against the prediction's block
  const polls = readFileSync(`${fixture}-polls.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const last = polls[polls.length - 1];
  assert.ok(Math.abs(q.ram['precopy-bytes'] - last.ram['precopy-bytes']) / last.ram['precopy-bytes'] < 0.05);
  assert.ok(Math.abs(q.ram['pages-per-second'] - last.ram['pages-per-second']) / last.ram['pages-per-second'] < 0.1, `${q.ram['pages-per-second']} vs ${last.ram['pages-per-second']}`);
  assert.ok(Math.abs(q.ram.mbps - last.ram.mbps) / last.ram.mbps < 0.1, `${q.ram.mbps} vs ${last.ram.mbps}`);

  const series = qemuSeries(p.result, vm.pageSize, vm.memory);
  assert.equal(series.length, Math.floor(p.totalTime! / 0.1 + 1e-9) + 1);
  assert.deepEqual(series.map((s) => s.t).slice(0, 3), [0.1, 0.2, 0.3]);
  for (let i = 1; i < series.length; i++) assert.ok(series[i].ram.transferred >= series[i - 1].ram.transferred, 'transferred never falls');
  assert.equal(series[series.length - 1].ram.transferred, q.ram.transferred);
  assert.equal(series[series.length - 1].status, 'completed');
  // at every poll of the real migration, bytes sent so far within 5 % of the RAM stream
  for (const poll of polls.filter((x) => x.status === 'active')) {
    const s = series[Math.min(series.length - 1, Math.round(poll['total-time'] / 100) - 1)];
    assert.ok(Math.abs(s.ram.transferred - poll.ram.transferred) < 0.05 * last.ram.transferred, `t=${poll['total-time']} ms: ${s.ram.transferred} vs ${poll.ram.transferred}`);
  }
  // the same twice
  assert.deepEqual(qemuSeries(predict(vm, vm.settings, machine, { maxDowntime: 0.3, maxTime: 60 }).result, vm.pageSize, vm.memory), series);
});
