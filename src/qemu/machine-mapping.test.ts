/**
 * One machine model for `lmsim calibrate qemu` and `lmsim predict qemu`: a real VM described like
 * a lab row gets the scenario's machine part (network, the machine's and the operator's migration
 * options, the layout, the guest kernel's working set) that the calibration validates for that
 * row; and every calibrated machine constant reaches a prediction's scenario, but the kernel's
 * write rate, which the real VM's measured dirty rate already holds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support.js';
import { qemuLabConstants } from '../calibrate/constants.js';
import { Machine } from '../calibrate/machine.js';
import { guestResident, runToScenario } from '../calibrate/mapping.js';
import { parseQemuRuns, QemuRun } from '../calibrate/qemu-runs.js';
import { validateScenario } from '../scenario/load.js';
import { vmScenario } from './predict.js';
import type { QemuVm } from './vm.js';

const { baseFootprintPages: _f, ...lab } = qemuLabConstants;
const MiB = 2 ** 20;

/** The real VM a lab row's guest would be, as `lmsim qemu` describes one. */
function vmOfRow(run: QemuRun): QemuVm {
  const hybrid = run.algo === 'hybrid';
  return {
    memory: run.ram,
    pageSize: run.pageSize,
    resident: guestResident(run, qemuLabConstants),
    residentSource: 'the lab row',
    fit: { model: run.pattern === 'seq' ? 'sweep' : 'uniform', workingSet: run.workingSet / run.pageSize, writeRate: run.rate, identified: true, points: [], rmsRelative: 0, notes: [] },
    vcpuRates: [],
    vcpus: 1,
    qemuVersion: run.qemuVersion,
    settings: {
      parameters: {
        'max-bandwidth': run.maxBandwidth,
        'downtime-limit': Math.round(run.downtimeLimit * 1000),
        ...(hybrid ? { 'max-postcopy-bandwidth': run.maxPostcopyBandwidth ?? 0 } : {}),
      },
      capabilities: hybrid ? { 'postcopy-ram': true } : {},
      postcopyAfterPasses: hybrid ? (run.postcopyAfterPass ?? 1) : null,
    },
    assumptions: [],
  };
}

const kernelPart = (sc: Record<string, unknown>) => {
  const w = (sc.vms as { workload: { kind: string; parts?: Record<string, unknown>[] } }[])[0].workload;
  return w.kind === 'mix' ? w.parts![1] : null;
};

test('predict and calibrate: the same VM and settings get the same machine part of the scenario', () => {
  const runs = parseQemuRuns(readFileSync(join(repoRoot(), '../shared/validation/qemu/runs.csv'), 'utf8')).filter((r) => (r.algo === 'precopy' || r.algo === 'hybrid') && r.workingSet > 0 && r.rate > 0);
  assert.ok(runs.some((r) => r.algo === 'hybrid') && runs.some((r) => r.qemuVersion.startsWith('10')) && runs.some((r) => r.qemuVersion.startsWith('7')), 'rows of both algorithms and QEMU versions');
  // a real VM's measurements know the working set, not the allocation around it: the row's
  // allocation taken as its working set
  for (const run of runs.map((r) => ({ ...r, alloc: r.workingSet }))) {
    const cal = runToScenario(run, qemuLabConstants);
    const pre = vmScenario(vmOfRow(run), vmOfRow(run).settings, lab, run.timeout);
    const [c, p] = [validateScenario(cal, 'calibrate'), validateScenario(pre, 'predict')];
    assert.deepEqual(p.network, c.network, run.runId);
    // every migration option: the machine's and the operator's settings
    assert.deepEqual({ ...p.migrations[0], vm: '' }, { ...c.migrations[0], vm: '' }, run.runId);
    // the layout, and where the workload writes
    const app = (sc: Record<string, unknown>) => ((sc.vms as { workload: { parts: { offset: number }[] } }[])[0].workload.parts[0].offset);
    assert.equal(app(pre), app(cal), run.runId);
    const layout = (sc: Record<string, unknown>) => {
      const { resident, residentAt, residentTop } = (sc.vms as Record<string, unknown>[])[0];
      return { resident, residentAt, residentTop };
    };
    assert.deepEqual(layout(pre), layout(cal), run.runId);
    // the guest kernel's working set and reads; its writes are in the real VM's measured rate
    const [kc, kp] = [kernelPart(cal), kernelPart(pre)];
    assert.ok(kc && kp, run.runId);
    assert.deepEqual({ ...kp, writeRate: kc.writeRate }, kc, run.runId);
    assert.equal(kp.writeRate, 0);
  }
});

test('predict: every calibrated machine constant reaches the scenario (but the kernel\'s write rate)', () => {
  const vm = (qemuVersion: string): QemuVm => ({
    memory: 512 * MiB,
    pageSize: 4096,
    resident: 200 * MiB,
    residentSource: 'given',
    fit: { model: 'uniform', workingSet: 8192, writeRate: 4096, identified: true, points: [], rmsRelative: 0, notes: [] },
    vcpuRates: [],
    vcpus: 1,
    qemuVersion,
    settings: { parameters: { 'max-bandwidth': 32 * MiB, 'downtime-limit': 300 }, capabilities: { 'postcopy-ram': true }, postcopyAfterPasses: 1 },
    assumptions: [],
  });
  const scenarios = (m: Machine) => ['7.2.22', '10.0.2'].map((v) => JSON.stringify(vmScenario(vm(v), vm(v).settings, m, 60))).join('\n');
  const base = scenarios(lab);
  const unused: string[] = [];
  for (const k of Object.keys(lab) as (keyof Machine)[]) {
    const v = lab[k];
    const changed = scenarios({ ...lab, [k]: k === 'structPagesAtTop' ? 1 - v : v === 0 ? 1 : v * 2 });
    if (changed === base) unused.push(k);
  }
  assert.deepEqual(unused, ['kernelWriteRate']);
});
