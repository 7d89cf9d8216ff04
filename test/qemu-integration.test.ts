/**
 * `lmsim qemu` against a real QEMU: a tiny guest (256 MiB, the lab's initramfs with dirty.c
 * writing uniformly at random at 4096 pages/s over a 32 MiB working set) under TCG, a destination
 * with -incoming defer, both on 127.0.0.1 with QMP on unix sockets in a temp dir. lmsim gathers
 * the inputs (calc-dirty-rate at 1, 2, 4 s), predicts, migrates with the VM's settings (32 MiB/s,
 * downtime-limit 300 ms), and compares. Checks: the measured dirty curve against the guest's known
 * one, the verdict, total time within 15 %, the recorded row replayed by `calibrate qemu`, and
 * QEMU's own message when it refuses a command. About 30 s. In CI (CI=true) a missing QEMU or tool
 * fails the test; elsewhere it skips with the reason.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { parseQemuRuns } from '../src/calibrate/qemu-runs.js';
import { qemuLabConstants } from '../src/calibrate/constants.js';
import { scoreRun } from '../src/calibrate/calibrate.js';
import { QmpClient, QmpCommandError } from '../src/io/qmp-client.js';
import { uniformCurve } from '../src/qemu/dirty-curve.js';
import { buildLab, guestRates, missingQemuTools, startQemu, waitFor } from './qemu-guest.js';

const MiB = 2 ** 20;
const guest = { allocMiB: 64, wsMiB: 32, rate: 4096, pattern: 'rand' as const };
const wsPages = (guest.wsMiB * MiB) / 4096;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const missing = missingQemuTools();
if (missing && process.env.CI === 'true') {
  test('real QEMU is installed (CI)', () => assert.fail(`the QEMU integration test needs ${missing}: .ci/run installs qemu-system-x86 busybox-static linux-image-amd64 cpio gcc`));
}

test('lmsim qemu against a real QEMU: dirty rate, prediction, migration', { skip: missing && process.env.CI !== 'true' ? `needs ${missing}` : false, timeout: 240_000 }, async () => {
  const lab = buildLab();
  try {
    const src = startQemu(lab, 'src', 256, guest);
    const dst = startQemu(lab, 'dst', 256, guest, true);
    await waitFor(src.serial, 90_000, 'DIRTY_GO');
    await waitFor(dst.qmp, 20_000);

    // the operator's settings, and a command QEMU refuses (its own message comes back)
    const c = await QmpClient.connect({ kind: 'unix', path: src.qmp });
    await c.execute('migrate-set-parameters', { 'max-bandwidth': 32 * MiB, 'downtime-limit': 300 });
    await assert.rejects(c.execute('calc-dirty-rate', { 'calc-time': 0 }), (e: Error) => e instanceof QmpCommandError && /calc-time is out of range/.test(e.message));
    c.close();

    const port = await freePort();
    let out = '';
    let err = '';
    const code = await main(
      ['qemu', '--qmp', `unix:${src.qmp}`, '--calc-times', '1,2,4', '--save', join(lab.dir, 'replies'), '--migrate', `tcp:127.0.0.1:${port}`, '--dest-qmp', `unix:${dst.qmp}`, '--apply', 'current', '--record', join(lab.dir, 'record'), '--run-id', 'ci-1', '--max-time', '60s', '--json'],
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    assert.equal(code, 0, err);
    const r = JSON.parse(out);

    // the guest wrote at its known rate (the median of its own 1 s counters; a loaded host can
    // make one second lag)...
    const rates = guestRates(src.serial).sort((a, b) => a - b);
    assert.ok(rates.length > 3 && Math.abs(rates[rates.length >> 1] - guest.rate) / guest.rate < 0.05, `guest rates ${rates}`);
    // ...and QEMU's dirty rates trace its known distinct-pages curve (page sampling, ~510 hashed
    // pages in the working set, whole-MiB/s rounding, the guest kernel's own writes)
    for (const p of r.vm.workload.points) {
      const known = uniformCurve(wsPages, guest.rate, p.t);
      assert.ok(Math.abs(p.pages - known) / known < 0.25, `calc-time ${p.t} s: ${p.pages} distinct pages measured, ${known} known`);
    }
    assert.ok(Math.abs(r.vm.workload.writeRate - guest.rate) / guest.rate < 0.4, `fitted ${r.vm.workload.writeRate} pages/s vs ${guest.rate}`);

    // the prediction against the migration QEMU performed
    const cmp = r.migration.comparison;
    assert.equal(r.migration.measured.outcome, 'completed');
    assert.ok(cmp.verdictRight, JSON.stringify(cmp));
    assert.ok(Math.abs(cmp.totalTimeError) <= 0.15, `total time: predicted ${cmp.predicted.totalTime} s, measured ${cmp.measured.totalTime} s`);
    process.stderr.write(`# lmsim qemu vs real QEMU: predicted ${cmp.predicted.totalTime.toFixed(3)} s, measured ${cmp.measured.totalTime} s (${(cmp.totalTimeError * 100).toFixed(1)} %), bytes ${(cmp.bytesError * 100).toFixed(1)} %\n`);

    // the migration became a validation point: calibrate replays the recorded row
    const runs = parseQemuRuns(readFileSync(join(lab.dir, 'record/runs.csv'), 'utf8'));
    assert.equal(runs.length, 1);
    const row = scoreRun(runs[0], qemuLabConstants);
    assert.ok(row.verdictAgrees);
    assert.ok(Math.abs(row.errors.totalTime!) <= 0.15);
    const polls = readFileSync(join(lab.dir, 'record/timeseries/ci-1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(polls.length >= 10 && polls.some((p) => p.status === 'active'));
    // lmsim's own series beside them, and both end with the same RAM stream within 15 %
    const predicted = readFileSync(join(lab.dir, 'record/timeseries/ci-1.predicted.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const [pl, ml] = [predicted[predicted.length - 1], polls[polls.length - 1]];
    assert.ok(Math.abs(pl.ram.transferred - ml.ram.transferred) / ml.ram.transferred < 0.15, `${pl.ram.transferred} vs ${ml.ram.transferred}`);
    // the saved replies are what `predict qemu --from` reads, and give the same model
    let out2 = '';
    assert.equal(await main(['predict', 'qemu', '--from', join(lab.dir, 'replies'), '--json', '--max-time', '60s'], { out: (t) => (out2 += t), err: () => {} }), 0);
    assert.deepEqual(JSON.parse(out2).vm, r.vm);
  } finally {
    lab.cleanup();
  }
});
