// The page-exact engine beside the cost of the page operations it cannot avoid: one pre-copy
// migration (qemu preset, unlimited bandwidth, 10 Gbit/s) of a VM of 16, 64 and 256 GiB whose guest
// writes a 256 MiB hot set (95 % of writes) and the rest of memory at 100,000 pages/s.
//
// The bound: every page sent and every page written is at least one typed-array operation, so
//   bound = pages sent x (ns per sequential read-modify-write of a Uint8Array of the guest's pages)
//         + pages written x (ns per read-modify-write at a random page drawn as the guest draws
//           them, 95 % in the hot set, by an inline xorshift: the cheapest random draw there is)
// both measured here, in this process, on arrays of the guest's size (best of 3). The engine's
// time is runScenario (VM set-up included), best of RUNS like the operations (the median beside
// it). State per guest page: the bytes of every typed array of the VM's image and of its
// migration's transfer (bitsets, generations, the dirty log) at the last sync, divided by the
// guest's pages; and the growth of Node's ArrayBuffer memory over the first run (its result still
// held) as a check. Each size runs in a process of its own: one untimed run (the engine's code
// compiled), then RUNS runs of the same scenario (the same pages each time). Prints figures;
// asserts nothing. Run after `npm run build`:
//   node bench/page-exact.mjs [GiB ...]          (default 16 64 256)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';

const PAGE = 4096;
/** Timed runs per size (best and median reported), after one untimed run of the same size. */
const RUNS = 5;

function scenario(gib) {
  return {
    name: `page-exact-${gib}g`,
    seed: 1,
    fidelity: 'page',
    network: { bandwidth: '10Gbit/s', latency: '0.1ms' },
    hosts: [
      { name: 'A', memory: `${2 * gib}GiB` },
      { name: 'B', memory: `${2 * gib}GiB` },
    ],
    vms: [{ name: 'big', host: 'A', memory: `${gib}GiB`, workload: { kind: 'hotcold', writeRate: '100000/s', hotSet: '256MiB', hotShare: 0.95 } }],
    migrations: [{ vm: 'big', to: 'B', algorithm: 'precopy', preset: 'qemu', maxBandwidth: 'unlimited' }],
  };
}

/**
 * ns per operation on a Uint8Array of n elements (best of 3): a sequential pass, and random
 * positions drawn as the guest writes (95 % in the first `hot` elements, the rest anywhere else).
 */
function typedArrayOps(n, hot) {
  const a = new Uint8Array(n);
  let seq = Infinity,
    rand = Infinity;
  for (let k = 0; k < 3; k++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) a[i] = (a[i] + 1) & 0xff;
    seq = Math.min(seq, ((performance.now() - t) * 1e6) / n);
    let x = 0x9e3779b9 + k;
    t = performance.now();
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const u = (x >>> 8) / 16777216; // the page from a uniform draw as the engine maps it (no modulo)
      const p = (x & 0xff) < 243 ? Math.floor(u * hot) : hot + Math.floor(u * (n - hot));
      a[p] = (a[p] + 1) & 0xff;
    }
    rand = Math.min(rand, ((performance.now() - t) * 1e6) / n);
  }
  return { seq, rand, sink: a[0] };
}

async function one(gib) {
  const dist = new URL('../dist/src/', import.meta.url);
  const { validateScenario } = await import(new URL('scenario/load.js', dist));
  const { runScenario } = await import(new URL('scenario/run.js', dist));
  const { Vm } = await import(new URL('migration/world.js', dist));
  const { PageImage } = await import(new URL('memory/page-image.js', dist));
  // what the engine holds: the image (counted writes) and the transfer, seen at each sync
  let image = null,
    stateBytes = 0;
  const createTransfer = Vm.prototype.createTransfer;
  Vm.prototype.createTransfer = function () {
    const t = createTransfer.call(this);
    image = this.image;
    const sync = t.sync;
    t.sync = () => {
      stateBytes = Math.max(stateBytes, image.stateBytes + t.stateBytes);
      return sync.call(t);
    };
    return t;
  };
  void PageImage;
  const spec = validateScenario(scenario(gib));
  const buffers0 = process.memoryUsage().arrayBuffers;
  const warm = runScenario(spec); // warm-up: the engine's code compiled before timing
  const buffers = process.memoryUsage().arrayBuffers - buffers0;
  const written = image.writes;
  void warm;
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = runScenario(spec);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const seconds = times[0],
    median = times[RUNS >> 1];
  const m = result.migrations[0];
  const pages = (gib * 2 ** 30) / PAGE;
  const ops = typedArrayOps(pages, (256 * 2 ** 20) / PAGE);
  const sent = m.pagesTransferred;
  const bound = (sent * ops.seq + written * ops.rand) / 1e9;
  return {
    gib,
    pages,
    status: m.status,
    simulated: m.totalTime,
    sent,
    written,
    nsSeq: ops.seq,
    nsRand: ops.rand,
    bound,
    seconds,
    median,
    ratio: seconds / bound,
    medianRatio: median / bound,
    statePerPage: stateBytes / pages,
    buffersPerPage: buffers / pages,
  };
}

if (process.argv[2] === '--one') {
  console.log(JSON.stringify(await one(Number(process.argv[3]))));
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [16, 64, 256];
  console.log(`page-exact pre-copy, 256 MiB hot set @ 100k pages/s, 10 Gbit/s (load average ${loadavg()[0].toFixed(2)})`);
  console.log(
    [
      'GiB',
      'status',
      'sim s',
      'pages sent',
      'pages written',
      'ns/op seq',
      'ns/op rand',
      'bound s',
      'engine s',
      'engine/bound',
      'median s',
      'median/bound',
      'state B/page',
      'buffers B/page',
    ]
      .map((h) => h.padStart(15))
      .join(''),
  );
  for (const gib of sizes) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(gib)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const x = JSON.parse(r.stdout);
    const cells = [
      x.gib,
      x.status,
      x.simulated.toFixed(2),
      x.sent,
      x.written,
      x.nsSeq.toFixed(2),
      x.nsRand.toFixed(2),
      x.bound.toFixed(3),
      x.seconds.toFixed(3),
      x.ratio.toFixed(2),
      x.median.toFixed(3),
      x.medianRatio.toFixed(2),
      x.statePerPage.toFixed(3),
      x.buffersPerPage.toFixed(3),
    ];
    console.log(cells.map((c) => String(c).padStart(15)).join(''));
  }
}
