/**
 * `lmsim predict qemu` and `lmsim qemu` from the command line: the recorded replies of a real
 * QEMU (test/fixtures/qmp/) give a prediction and a recommendation; bad input exits 2 naming the
 * file and field; a QMP address that is not QEMU fails with what went wrong. The servers here are
 * plain sockets that are not QEMU (for the failures only); the real QEMU is in
 * qemu-integration.test.ts.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { repoRoot } from './support.js';

const fixture = join(repoRoot(), 'test/fixtures/qmp/tcg-256m-ws32-r4096');

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

test('predict qemu --from: the model, its assumptions, the current settings\' prediction, candidates, QMP to paste', async () => {
  const r = await lmsim(['predict', 'qemu', '--from', fixture, '--max-downtime', '500ms', '--max-time', '5min']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /VM: 256\.0 MiB RAM/);
  assert.match(r.out, /assumptions:\n  - /);
  assert.match(r.out, /current settings \(downtime-limit 300 ms, max-bandwidth 32 MiB\/s\):\n  converges; total/);
  assert.match(r.out, /the current settings meet the budget/);
  const j = JSON.parse((await lmsim(['predict', 'qemu', '--from', fixture, '--json'])).out);
  assert.equal(j.current.converges, true);
  assert.ok(j.candidates.length > 10);
  assert.ok(j.current.qemu['total-time'] > 0);
  // same input, same output
  assert.equal((await lmsim(['predict', 'qemu', '--from', fixture, '--json'])).out, JSON.stringify(j, null, 2) + '\n');
});

test('predict qemu --series: the prediction as query-migrate replies every 100 ms, ending with the result\'s qemu block', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-qmp-'));
  try {
    const file = join(dir, 's.jsonl');
    const r = await lmsim(['predict', 'qemu', '--from', fixture, '--series', file, '--json']);
    assert.equal(r.code, 0, r.err);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const j = JSON.parse(r.out);
    assert.equal(lines.length, Math.floor(j.current.totalTime / 0.1 + 1e-9) + 1);
    assert.deepEqual(lines[lines.length - 1].ram.transferred, j.current.qemu.ram.transferred);
    assert.equal(lines[0]['total-time'], 100);
    const bad = await lmsim(['predict', 'qemu', '--from', fixture, '--series', join(dir, 'no/such/dir/s.jsonl')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--series: cannot write .*: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('predict qemu: a tight budget gets a change, printed as migrate-set-parameters / -capabilities JSON', async () => {
  const r = await lmsim(['predict', 'qemu', '--from', fixture, '--max-time', '2s', '--max-downtime', '500ms']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /cheapest within the budget: /);
  const qmp = r.out.split('\n').filter((l) => l.startsWith('  {"execute"')).map((l) => JSON.parse(l));
  assert.ok(qmp.length > 0);
  for (const c of qmp) assert.ok(['migrate-set-parameters', 'migrate-set-capabilities'].includes(c.execute), JSON.stringify(c));
  const j = JSON.parse((await lmsim(['predict', 'qemu', '--from', fixture, '--max-time', '2s', '--max-downtime', '500ms', '--json'])).out);
  assert.equal(j.current.meetsBudget, false);
  assert.ok(j.best.meetsBudget && j.best.totalTime <= 2 && j.best.downtime <= 0.5);
  assert.deepEqual(j.best.qmp, qmp);
});

test('predict qemu: bad input exits 2 and names the file and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-qmp-'));
  try {
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(join(dir, 'query-dirty-rate.json'), JSON.stringify({ status: 'measured', 'calc-time': 1, 'dirty-rate': 'fast' }));
    let r = await lmsim(['predict', 'qemu', '--from', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /query-dirty-rate\.json \[0\]: "dirty-rate": expected a number, got "fast"/);
    assert.doesNotMatch(r.err, /at .*\.js:/);
    rmSync(join(dir, 'query-dirty-rate.json'));
    r = await lmsim(['predict', 'qemu', '--from', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing the reply of query-dirty-rate/);
    r = await lmsim(['predict', 'qemu', '--from', fixture, '--max-time', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--max-time: expected a duration/);
    assert.equal(r.out, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('predict qemu --constants: a machine of one\'s own, as calibrate --fit prints it; bad constants exit 2 naming the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-qmp-'));
  try {
    const predictJson = async (extra: string[]) => {
      const r = await lmsim(['predict', 'qemu', '--from', fixture, '--json', ...extra]);
      assert.equal(r.code, 0, r.err);
      return JSON.parse(r.out);
    };
    const lab = await predictJson([]);
    // a slower machine given two ways: a --fit-shaped file, and --link-bandwidth
    const fitted = join(dir, 'fit.json');
    writeFileSync(fitted, JSON.stringify({ constants: { finalCopyRate: 64 * 2 ** 20, resumeLatency: 0.05 } }));
    const own = await predictJson(['--constants', fitted]);
    assert.equal(own.machine.finalCopyRate, 64 * 2 ** 20);
    assert.equal(own.machine.resumeLatency, 0.05);
    assert.equal(own.machine.kernelReadRate, lab.machine.kernelReadRate, 'constants not in the file stay the lab\'s');
    assert.ok(own.current.downtime > lab.current.downtime, `downtime ${own.current.downtime} vs the lab machine's ${lab.current.downtime}`);
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ resumeLatency: 0.05 }));
    assert.deepEqual(await predictJson(['--constants', plain, '--link-bandwidth', '64MiB/s']), own);
    // --link-bandwidth wins over the file's finalCopyRate
    assert.equal((await predictJson(['--constants', fitted, '--link-bandwidth', '1GiB/s'])).machine.finalCopyRate, 2 ** 30);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ finalCopyRat: 1, resumeLatency: 'slow' }));
    const r = await lmsim(['predict', 'qemu', '--from', fixture, '--constants', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.json/);
    assert.match(r.err, /finalCopyRat: unknown constant/);
    assert.match(r.err, /resumeLatency: expected a number >= 0, got "slow"/);
    assert.equal(r.out, '');
    const missing = await lmsim(['predict', 'qemu', '--from', fixture, '--constants', join(dir, 'none.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /none\.json[\s\S]*ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

test('qemu --qmp: a socket that is missing, or not QMP, is named with what failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-qmp-'));
  const silent = createServer(() => {});
  const chatty = createServer((s) => s.write('hello, I am not QEMU\n'));
  try {
    let r = await lmsim(['qemu', '--qmp', `unix:${join(dir, 'nothing.sock')}`]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot connect to QMP at unix:.*nothing\.sock: socket not found/);
    r = await lmsim(['qemu', '--qmp', 'localhost:4444']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--qmp: expected unix:PATH or tcp:HOST:PORT/);
    await listen(chatty, join(dir, 'chatty.sock'));
    r = await lmsim(['qemu', '--qmp', `unix:${join(dir, 'chatty.sock')}`]);
    assert.equal(r.code, 2);
    assert.match(r.err, /QMP greeting missing: .* first sent hello, I am not QEMU/);
    await listen(silent, join(dir, 'silent.sock'));
    const { QmpClient } = await import('../src/io/qmp-client.js');
    await assert.rejects(QmpClient.connect({ kind: 'unix', path: join(dir, 'silent.sock') }, 300), /QMP greeting missing: .* sent no \{"QMP": \.\.\.\} within 300 ms/);
  } finally {
    silent.close();
    chatty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
