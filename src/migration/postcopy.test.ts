/**
 * Post-copy and hybrid against their oracles: each page crosses once, an untouched guest's closed
 * form, pre-paging's effect on faults (Hines & Gopalan, VEE 2009), hybrid between the two, and
 * the failure semantics.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relErr, run, twoHostScenario } from '../../test/support.js';

const MiB = 2 ** 20;
const R = 125e6; // 1 Gbit/s
const w = 4096 + 8;

test('pure post-copy: every page crosses exactly once; bytes = data pages x (page + header) + zero pages x 9 + state', () => {
  const state = 256 * 1024;
  const r = run(
    twoHostScenario({
      memory: '256MiB',
      resident: '192MiB',
      workload: { kind: 'hotcold', writeRate: 30_000, readRate: 30_000, workingSet: 192 * MiB, hotSet: 32 * MiB, hotShare: 0.9 },
      migration: { algorithm: 'postcopy', deviceState: state },
    }),
  );
  const m = r.migrations[0];
  assert.equal(m.status, 'completed');
  const pages = 65_536, resident = 49_152;
  assert.equal(m.pagesTransferred, pages);
  assert.equal(m.zeroPages, pages - resident);
  assert.equal(m.postcopy!.pagesPushed + m.postcopy!.pagesRequested, pages);
  // the guest writes zero pages at the destination only after fetching them: sent as zero pages
  assert.equal(m.bytesTransferred, resident * w + (pages - resident) * 9 + state);
  assert.equal(m.stalePagesAtResume, 0);
  assert.ok(m.postcopy!.faults > 0);
  assert.equal(r.vms[0].host, 'B');
});

test('a guest that touches nothing during post-copy: 0 faults, totalTime = state + memory / rate + latency', () => {
  const latency = 0.0002, state = 512 * 1024;
  const m = run(
    twoHostScenario({ memory: '512MiB', latency, migration: { algorithm: 'postcopy', deviceState: state, resumeLatency: 0.003 } }),
  ).migrations[0];
  assert.equal(m.postcopy!.faults, 0);
  assert.equal(m.postcopy!.blockedTime, 0);
  const expected = state / R + (131_072 * w) / R + latency;
  assert.ok(relErr(m.totalTime!, expected) < 1e-9, `${m.totalTime} vs ${expected}`);
  assert.ok(relErr(m.downtime!, state / R + latency + 0.003) < 1e-9);
});

test('postcopySetup: the destination resumes that much later, the push goes on meanwhile (0 = as before)', () => {
  const latency = 0.0002, state = 512 * 1024, setup = 0.02;
  // a sequential reader starting at page 0: what the push delivered during the setup is not a fault
  const workload = { kind: 'sweep', writeRate: 0, readRate: 200_000, workingSet: 64 * MiB, offset: 0 };
  const go = (extra: object) =>
    run(twoHostScenario({ memory: '512MiB', latency, workload: workload as never, migration: { algorithm: 'postcopy', deviceState: state, resumeLatency: 0.003, prepaging: 'none', ...extra } })).migrations[0];
  const plain = go({}), zero = go({ postcopySetup: 0 }), set = go({ postcopySetup: setup });
  assert.deepEqual(zero, plain);
  assert.ok(relErr(set.downtime!, state / R + latency + 0.003 + setup) < 1e-9, `${set.downtime}`);
  // the push is not delayed: same bytes, same end (the last page's arrival)
  assert.equal(set.bytesTransferred, plain.bytesTransferred);
  assert.ok(relErr(set.totalTime!, plain.totalTime!) < 1e-9, `${set.totalTime} vs ${plain.totalTime}`);
  // 20 ms more of push at 1 Gbit/s (about 600 pages) before the guest reads: fewer faults
  assert.ok(set.postcopy!.faults < plain.postcopy!.faults, `${set.postcopy!.faults} vs ${plain.postcopy!.faults}`);
  // QEMU's downtime does not count the destination's resume or setup
  assert.equal(set.qemu!.downtime, plain.qemu!.downtime);
});

function faults(workload: object, prepaging: string, extra: object = {}) {
  return run(
    twoHostScenario({ memory: '1GiB', latency: '0.1ms', workload: workload as never, migration: { algorithm: 'postcopy', prepaging, ...extra } }),
  ).migrations[0].postcopy!;
}

test('pre-paging: a sequential guest faults far less when the push restarts at the fault', () => {
  const sweep = { kind: 'sweep', writeRate: 0, readRate: 20_000, workingSet: 64 * MiB, offset: 512 * MiB };
  const none = faults(sweep, 'none');
  const forward = faults(sweep, 'forward');
  // measured: none 513 faults, forward 2 (the push runs ahead of the sweep after the first fault)
  assert.ok(none.faults > 100, `none ${none.faults}`);
  assert.ok(forward.faults * 10 < none.faults, `forward ${forward.faults} vs none ${none.faults}`);
  assert.ok(forward.blockedTime < none.blockedTime);
});

test('pre-paging: a localized random-access guest faults on a small share of its working set (Hines & Gopalan report 17-21%)', () => {
  // 64 MiB working set (16,384 pages) read uniformly at 20,000 pages/s, requests on their own
  // channel (as Hines & Gopalan serve faults ahead of the push). Measured with seed 1:
  // demand paging (no pre-paging) faults on 79.7% of the working set, forward 6.4%, bubble 6.1%.
  // lmsim's push re-centres at every fault and streams at the full link rate, so it reaches
  // further below the paper's 17-21%; the trend, an order of magnitude fewer faults, is the same.
  const wsPages = 16_384;
  const random = { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: 64 * MiB, offset: 512 * MiB };
  const share = (p: string) => faults(random, p, { preempt: true }).faults / wsPages;
  const demand = share('none'), forward = share('forward'), bubble = share('bubble');
  assert.ok(demand > 0.7, `demand paging ${demand}`);
  assert.ok(forward < 0.25 && bubble < 0.25, `forward ${forward}, bubble ${bubble}`);
  assert.ok(forward < demand / 5 && bubble < demand / 5);
});

test('pre-paging helps less the more the working set is scattered (Hines & Gopalan: 17-21 % of the working set faults with pre-paging)', () => {
  // the same 64 MiB working set (16,384 pages) read uniformly at 20,000 pages/s, laid out
  // contiguously, scattered over 3x its size, and scattered over all of memory (1 GiB). Pre-paging
  // pushes the pages after a fault: all of them the guest's when the set is contiguous, a third
  // of them over 3x, a sixteenth over the whole memory. Measured with seed 1: none 79.5 / 73.5 /
  // 70.9 %, forward 6.1 / 22.0 / 71.2 %, bubble 5.9 / 21.4 / 70.9 %. The scattered set lands in the
  // paper's 17-21 %; its workloads' working sets are not one contiguous run either.
  const ws = 64 * MiB, wsPages = 16_384;
  const layouts = {
    contiguous: { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: ws, offset: 512 * MiB },
    scattered3x: { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: ws, offset: 384 * MiB, scatteredOver: 3 * ws },
    scatteredAll: { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: ws, offset: 0, scatteredOver: 1024 * MiB },
  };
  const share = (w: object, p: string) => faults(w, p, { preempt: true }).faults / wsPages;
  const at = Object.fromEntries(Object.entries(layouts).map(([k, w]) => [k, { none: share(w, 'none'), forward: share(w, 'forward'), bubble: share(w, 'bubble') }]));
  const { contiguous: c, scattered3x: s3, scatteredAll: all } = at;
  for (const x of [c, s3, all]) assert.ok(x.none > 0.6, `demand paging ${x.none}`); // no pre-paging: most of the set faults
  assert.ok(c.forward < c.none / 5 && c.bubble < c.none / 5, JSON.stringify(c)); // an order of magnitude fewer
  for (const p of ['forward', 'bubble'] as const) {
    assert.ok(s3[p] > 0.12 && s3[p] < 0.3, `${p} over 3x: ${s3[p]}`); // the paper's range, give or take
    assert.ok(c[p] < s3[p] && s3[p] < all[p], `${p}: ${c[p]} < ${s3[p]} < ${all[p]}`);
    assert.ok(all[p] > 0.8 * all.none, `${p} over all memory: ${all[p]} vs ${all.none}`); // next to no help
  }
});

test('preempt: a request does not wait behind the push, so faults block for about a round trip', () => {
  const random = { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: 64 * MiB, offset: 512 * MiB };
  const shared = faults(random, 'forward');
  const preempt = faults(random, 'forward', { preempt: true });
  // a shared channel makes a request wait for up to one 1 MiB push transfer (8.4 ms at 1 Gbit/s)
  assert.ok(shared.faultLatency.mean > 0.002, `shared ${shared.faultLatency.mean}`);
  assert.ok(preempt.faultLatency.mean < 0.001, `preempt ${preempt.faultLatency.mean}`);
  assert.ok(preempt.faultLatency.p99 <= preempt.faultLatency.max && preempt.faultLatency.p50 <= preempt.faultLatency.p99);
});

test("rate-limit windows (QEMU's 100 ms): a capped push goes in bursts, and a fault after a window's budget waits for the next", () => {
  // a sweep at 256 MiB/s over 64 MiB outruns a 32 MiB/s push: it finds the pages of each burst,
  // then faults at the burst's end; its request waits for the next window, which sends it first
  // and the next 3.2 MiB after it (forward pre-paging) in 1 MiB transfers at 10 Gbit/s. The guest
  // faults once more on the first of them, still in flight: two faults per window, 20 windows.
  const cap = 32 * MiB, window = 0.1, link = 10e9 / 8;
  const sweep = { kind: 'sweep', writeRate: 0, readRate: 65_536, workingSet: 64 * MiB, offset: 0 };
  const at = (postcopyWindow: number) =>
    run(twoHostScenario({ memory: '256MiB', bandwidth: '10Gbit/s', workload: sweep as never, migration: { algorithm: 'postcopy', maxPostcopyBandwidth: cap, postcopyWindow } })).migrations[0];
  const windows = at(window), smooth = at(0);
  const pc = windows.postcopy!;
  const bursts = (64 * MiB) / (cap * window);
  assert.ok(pc.faults >= bursts && pc.faults <= 2 * bursts + 4, `${pc.faults} faults, ${bursts} windows`);
  // a fault waits at most a window and the 1 MiB transfer ahead of its page; about half wait for a window
  assert.ok(pc.faultLatency.max <= window + MiB / link + 1e-9, `max ${pc.faultLatency.max}`);
  assert.ok(pc.faultLatency.p50 <= MiB / link + 1e-9 && pc.faultLatency.p99 > window / 2, JSON.stringify(pc.faultLatency));
  // the smooth cap: a request waits behind one 1 MiB transfer at the cap, 31 ms at most
  assert.ok(smooth.postcopy!.faultLatency.max <= MiB / cap + 1e-9, `smooth max ${smooth.postcopy!.faultLatency.max}`);
  assert.ok(smooth.postcopy!.faults > pc.faults, `smooth ${smooth.postcopy!.faults} faults`);
  // the same bytes either way; bursts at the link rate end the last window early
  assert.equal(windows.bytesTransferred, smooth.bytesTransferred);
  assert.ok(windows.totalTime! <= smooth.totalTime! + 1e-9 && windows.totalTime! > smooth.totalTime! - window, `${windows.totalTime} vs ${smooth.totalTime}`);
});

test('faultService: each fault reaches the source that much later', () => {
  const random = { kind: 'uniform', writeRate: 0, readRate: 20_000, workingSet: 64 * MiB, offset: 512 * MiB };
  const plain = faults(random, 'forward', { preempt: true });
  const slow = faults(random, 'forward', { preempt: true, faultService: '2ms' });
  assert.ok(slow.faultLatency.p50 >= plain.faultLatency.p50 + 0.002 - 1e-9, `${slow.faultLatency.p50} vs ${plain.faultLatency.p50}`);
});

test('hybrid: bytes between post-copy and pre-copy for a write-heavy guest; downtime close to post-copy', () => {
  const heavy = { kind: 'hotcold' as const, writeRate: 15_000, workingSet: 512 * MiB, hotSet: 128 * MiB, hotShare: 0.9 };
  const runOne = (migration: object) =>
    run(twoHostScenario({ memory: '1GiB', resident: '768MiB', workload: heavy, latency: '0.2ms', migration: { timeout: '5min', ...migration } })).migrations[0];
  const pre = runOne({ algorithm: 'precopy', preset: 'qemu', maxBandwidth: 'unlimited' });
  const post = runOne({ algorithm: 'postcopy' });
  const hybrid = runOne({ algorithm: 'hybrid', maxBandwidth: 'unlimited' });
  for (const m of [pre, post, hybrid]) assert.equal(m.status, 'completed');
  assert.ok(post.bytesTransferred < hybrid.bytesTransferred && hybrid.bytesTransferred < pre.bytesTransferred, `${post.bytesTransferred} < ${hybrid.bytesTransferred} < ${pre.bytesTransferred}`);
  assert.ok(Math.abs(hybrid.downtime! - post.downtime!) < 0.005, `hybrid ${hybrid.downtime} post ${post.downtime}`);
  assert.ok(pre.downtime! > 5 * hybrid.downtime!);
  assert.match(hybrid.reason, /switched to post-copy after 1 pre-copy round/);
});

test('hybrid switches when pre-copy stalls, or at the timeout instead of cancelling', () => {
  const heavy = { kind: 'uniform' as const, writeRate: '64MiB/s', workingSet: 256 * MiB };
  const base = { memory: '1GiB', resident: '512MiB', bandwidth: '100Mbit/s', workload: heavy };
  const stalled = run(twoHostScenario({ ...base, migration: { algorithm: 'hybrid', postcopyAfterRounds: 'unlimited', stallRounds: 2 } })).migrations[0];
  assert.equal(stalled.status, 'completed');
  assert.match(stalled.reason, /no progress for 2 rounds/);
  const timed = run(twoHostScenario({ ...base, migration: { algorithm: 'hybrid', postcopyAfterRounds: 'unlimited', stallRounds: 0, timeout: '90s' } })).migrations[0];
  assert.equal(timed.status, 'completed');
  assert.match(timed.reason, /at the 90 s timeout/);
  const switchAt = timed.rounds.find((r) => r.kind === 'stop-and-copy')!.start;
  assert.ok(switchAt >= 90 && switchAt < 90.2, `${switchAt}`);
});

test('failures: pre-copy aborts and keeps the VM at the source; post-copy after switch-over loses it', () => {
  const busy = { kind: 'uniform' as const, writeRate: 10_000, readRate: 10_000, workingSet: 256 * MiB };
  const at = (algorithm: string, failure: { at: string; link?: string; host?: string }) =>
    run({ ...twoHostScenario({ memory: '512MiB', workload: busy, migration: { algorithm } }), failures: [failure as never] });

  const pre = at('precopy', { at: '2s', link: 'A-B' });
  assert.equal(pre.migrations[0].status, 'aborted');
  assert.match(pre.migrations[0].reason, /link A-B failed at 2\.000 s during pre-copy round 1; the VM keeps running on A/);
  assert.deepEqual(pre.vms[0], { name: 'vm', host: 'A', state: 'running' });
  assert.equal(pre.migrations[0].downtime, null);
  assert.equal(pre.migrations[0].stalePagesAtResume, null);

  const post = at('postcopy', { at: '2s', link: 'A-B' });
  assert.equal(post.migrations[0].status, 'failed');
  assert.match(post.migrations[0].reason, /link A-B failed at 2\.000 s during post-copy: .* the guest is lost/);
  assert.equal(post.vms[0].state, 'lost');
  assert.equal(post.migrations[0].downtime, null);
  assert.deepEqual(post.hosts.map((h) => h.used), [0, 0]);

  const hybridPre = at('hybrid', { at: '2s', host: 'B' });
  assert.equal(hybridPre.migrations[0].status, 'aborted');
  assert.match(hybridPre.migrations[0].reason, /during the pre-copy phase of a hybrid migration/);
  const hybridPost = at('hybrid', { at: '4.5s', link: 'A-B' });
  assert.equal(hybridPost.migrations[0].status, 'failed');
  assert.match(hybridPost.migrations[0].reason, /during the post-copy phase of a hybrid migration/);

  const sourceCrash = at('precopy', { at: '2s', host: 'A' });
  assert.equal(sourceCrash.migrations[0].status, 'failed');
  assert.equal(sourceCrash.vms[0].state, 'lost');

  // after a failure, a new migration between the same hosts is refused with the reason
  const later = run({
    ...twoHostScenario({ memory: '512MiB', migration: { algorithm: 'precopy', at: '10s' } }),
    failures: [{ at: '1s', link: 'A-B' }],
  });
  assert.equal(later.migrations[0].status, 'rejected');
  assert.match(later.migrations[0].reason, /cannot reach each other/);
});
