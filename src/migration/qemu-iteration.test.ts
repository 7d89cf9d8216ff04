/**
 * QEMU's send calls and the destination's first-receive cost against closed forms:
 * - `iterationMaxWait` + `zeroScanRate` (ram_save_iterate returns after MAX_WAIT, 50 ms, even in a
 *   run of zero pages, and the stop rule is checked then): with the data above a long run of zero
 *   pages, QEMU stops inside the zero pages and the final copy carries the whole top; checked only
 *   between windows, or with zero pages scanned for free, the top goes live and the final copy is
 *   empty.
 * - `firstReceiveRate`: a stop-and-copy of data the destination never held takes first / rate +
 *   the rest / link; pages it already holds go at the link's rate.
 * - `receiveBuffer`: the source runs ahead of such a destination by the buffer (QEMU's own
 *   downtime ends earlier), the guest still waits for the destination, and pages still buffered
 *   at the pause delay the resume.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, twoHostScenario } from '../../test/support.js';

const MiB = 2 ** 20;
const page = 4096;
const wire = page + 8;

/** An idle 512 MiB guest with `top` bytes of data at the very top above zero pages, migrated at 128 MiB/s. */
function zerosThenTop(migration: Record<string, unknown>) {
  const top = 8 * MiB;
  const s = twoHostScenario({
    memory: '512MiB',
    resident: top,
    bandwidth: 1.27e9,
    // the threshold stays 128 MiB/s x 300 ms (windows of zero pages send little and would lower a measured one)
    migration: { algorithm: 'precopy', maxBandwidth: '128MiB/s', downtimeLimit: 0.3, availSwitchoverBandwidth: 128 * MiB, ...migration },
  });
  s.vms[0].residentAt = 'end';
  const m = run(s).migrations[0];
  assert.equal(m.status, 'completed');
  const last = m.rounds[m.rounds.length - 1];
  assert.equal(last.kind, 'stop-and-copy');
  return { m, topPages: top / page, finalData: last.pagesSent - last.zeroPages, finalZero: last.zeroPages };
}

test('iterationMaxWait: the stop rule is checked every 50 ms of zero-page scanning, so the final copy holds the whole top', () => {
  const zeroScanRate = 200e6; // 2441 zero pages per 50 ms call, fewer than threshold - top (7782 pages)
  const { m, topPages, finalData, finalZero } = zerosThenTop({ iterationMaxWait: 0.05, zeroScanRate });
  assert.equal(finalData, topPages);
  const threshold = (128 * MiB * 0.3) / page;
  assert.ok(finalZero > 0 && finalZero + topPages < threshold, `${finalZero} zero pages left`);
  // every zero page scanned live took its time (the check, its 9 bytes on the link): calls of
  // whole 64-page steps (the clock is read every 64 pages) until 50 ms are over
  const perPage = page / zeroScanRate + 9 / 1.27e9;
  const perCall = 64 * Math.ceil(0.05 / (64 * perPage));
  const scanned = 512 * 256 - topPages - finalZero;
  assert.equal(scanned % perCall, 0);
  assert.ok(Math.abs(m.rounds[0].duration - scanned * perPage) < 1e-9);
});

test('iterationMaxWait off (checks between windows) or zero pages scanned for free: the top goes live, the final copy is empty', () => {
  for (const options of [{ zeroScanRate: 200e6 }, { iterationMaxWait: 0.05 }]) {
    const { finalData } = zerosThenTop(options);
    assert.equal(finalData, 0, JSON.stringify(options));
  }
});

test('firstReceiveRate: a stop-and-copy takes first-time data pages at that rate, the rest at the link rate', () => {
  const link = 1e9,
    rate = 100e6,
    state = 256 * 1024,
    resume = 0.003;
  const data = 16_384,
    zeros = 65_536 - data;
  const base = { memory: '256MiB', resident: '64MiB', bandwidth: link };
  const plain = run(twoHostScenario({ ...base, migration: { algorithm: 'stop-and-copy', deviceState: state, resumeLatency: resume } })).migrations[0];
  const slow = run(twoHostScenario({ ...base, migration: { algorithm: 'stop-and-copy', deviceState: state, resumeLatency: resume, firstReceiveRate: rate } }))
    .migrations[0];
  const bytes = data * wire + zeros * 9 + state;
  assert.ok(Math.abs(plain.downtime! - (bytes / link + resume)) < 1e-9);
  assert.ok(Math.abs(slow.downtime! - ((data * wire) / rate + (bytes - data * wire) / link + resume)) < 1e-9);
});

test('firstReceiveRate: a final copy of pages the destination already holds goes at the link rate', () => {
  const base = {
    memory: '256MiB',
    resident: '64MiB',
    bandwidth: 1e9,
    workload: { kind: 'sweep' as const, writeRate: 2000, workingSet: 8 * MiB },
  };
  const migration = { algorithm: 'precopy', maxBandwidth: '100MB/s', downtimeLimit: 0.3 };
  const plain = run(twoHostScenario({ ...base, migration })).migrations[0];
  // 300 MB/s: a 10 MB window of new pages needs a third of it at the destination, so the live
  // phase is the same; the final copy re-sends pages the destination holds
  const slow = run(twoHostScenario({ ...base, migration: { ...migration, firstReceiveRate: 300e6 } })).migrations[0];
  assert.equal(slow.status, 'completed');
  assert.equal(slow.rounds.length, plain.rounds.length);
  assert.equal(slow.downtime, plain.downtime);
  assert.ok(slow.rounds[slow.rounds.length - 1].pagesSent > 0);
});

test('receiveBuffer: the source runs ahead of a slow destination by the buffer; the resume still waits for the destination', () => {
  const link = 1e9,
    rate = 100e6,
    state = 256 * 1024,
    resume = 0.003,
    buffer = 10e6;
  const data = 16_384,
    zeros = 65_536 - data;
  const base = { memory: '256MiB', resident: '64MiB', bandwidth: link };
  const go = (extra: object) =>
    run(twoHostScenario({ ...base, migration: { algorithm: 'stop-and-copy', deviceState: state, resumeLatency: resume, firstReceiveRate: rate, ...extra } })).migrations[0];
  const waits = go({}), buffered = go({ receiveBuffer: buffer });
  assert.deepEqual(go({ receiveBuffer: 0 }), waits); // 0: the plain path
  const bytes = data * wire + zeros * 9 + state;
  const destination = (data * wire) / rate + (bytes - data * wire) / link;
  // the guest runs when the destination has placed everything, buffer or not
  assert.ok(Math.abs(buffered.downtime! - (destination + resume)) < 1e-9);
  assert.ok(Math.abs(waits.downtime! - buffered.downtime!) < 1e-9);
  // QEMU's downtime ends when the source has written the last byte: the buffer's worth earlier
  assert.equal(waits.qemu!.downtime, Math.round(destination * 1000));
  assert.equal(buffered.qemu!.downtime, Math.round((destination - buffer / rate) * 1000));
});

test('receiveBuffer: pages still buffered at the pause delay the resume (the destination is behind the source)', () => {
  // an idle guest whose data lie at the top: the pass ends with new pages at 128 MiB/s, which a
  // destination taking them at 100 MB/s has not all placed when the source has sent the last
  const migration = { iterationMaxWait: 0.05, firstReceiveRate: 100e6, downtimeLimit: 0.05 };
  const waits = zerosThenTop(migration).m;
  const buffered = zerosThenTop({ ...migration, receiveBuffer: 4 * MiB }).m;
  assert.equal(buffered.bytesTransferred, waits.bytesTransferred);
  // the source stops earlier by up to the buffer's worth; the guest waits for what is buffered
  assert.ok(buffered.downtime! > waits.downtime! + 0.005, `${buffered.downtime} vs ${waits.downtime}`);
  assert.ok(buffered.downtime! <= waits.downtime! + (4 * MiB) / 100e6 + 1e-9, `${buffered.downtime} vs ${waits.downtime}`);
  assert.ok(buffered.totalTime! <= waits.totalTime! + 1e-9);
});
