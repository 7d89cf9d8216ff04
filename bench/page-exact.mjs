// The page-exact engine beside the cost of the page operations it cannot avoid: one pre-copy
// migration (qemu preset, unlimited bandwidth, 10 Gbit/s) of a VM of 16, 64 and 256 GiB whose guest
// writes a 256 MiB hot set (95 % of writes) and the rest of memory at 100,000 pages/s.
//
// The bound: every page sent and every page written is at least one typed-array operation, so
//   bound = pages sent x (ns per sequential read-modify-write of a Uint8Array of the guest's pages)
//         + pages written x (ns per read-modify-write at a random page, the index drawn by an inline
//           xorshift: the cheapest random draw there is)
// both measured here, in this process, on arrays of the guest's size. The engine's time is
// runScenario (VM set-up included). State per guest page: the bytes of every typed array of the VM's
// image and of its migration's transfer (bitsets, generations, the dirty log) at the last sync,
// divided by the guest's pages; and the growth of Node's ArrayBuffer memory over the run as a check.
// Each size runs in a process of its own (after one untimed warm-up run of 1 GiB). Prints figures;
// asserts nothing. Run after `npm run build`:
//   node bench/page-exact.mjs [GiB ...]          (default 16 64 256)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';

const PAGE = 4096;

function scenario(gib) {
  return {
    name: `page-exact-${gib}g`,
    seed: 1,
    fidelity: 'page',
    network: { bandwidth: '10Gbit/s', latency: '0.1ms' },
    hosts: [{ name: 'A', memory: `${2 * gib}GiB` }, { name: 'B', memory: `${2 * gib}GiB` }],
    vms: [{ name: 'big', host: 'A', memory: `${gib}GiB`, workload: { kind: 'hotcold', writeRate: '100000/s', hotSet: '256MiB', hotShare: 0.95 } }],
    migrations: [{ vm: 'big', to: 'B', algorithm: 'precopy', preset: 'qemu', maxBandwidth: 'unlimited' }],
  };
}

/** ns per element: a sequential pass, and random positions, over a Uint8Array of n elements (best of 3). */
function typedArrayOps(n) {
  const a = new Uint8Array(n);
  let seq = Infinity, rand = Infinity;
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
      const p = (x >>> 0) % n;
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
  let image = null, stateBytes = 0;
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
  runScenario(validateScenario(scenario(1))); // warm-up: the engine's code compiled before timing
  image = null;
  stateBytes = 0;
  const spec = validateScenario(scenario(gib));
  const buffers0 = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const result = runScenario(spec);
  const seconds = (performance.now() - t0) / 1000;
  const buffers = process.memoryUsage().arrayBuffers - buffers0;
  const m = result.migrations[0];
  const pages = (gib * 2 ** 30) / PAGE;
  const ops = typedArrayOps(pages);
  const sent = m.pagesTransferred, written = image.writes;
  const bound = (sent * ops.seq + written * ops.rand) / 1e9;
  return { gib, pages, status: m.status, simulated: m.totalTime, sent, written, nsSeq: ops.seq, nsRand: ops.rand, bound, seconds, ratio: seconds / bound, statePerPage: stateBytes / pages, buffersPerPage: buffers / pages };
}

if (process.argv[2] === '--one') {
  console.log(JSON.stringify(await one(Number(process.argv[3]))));
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [16, 64, 256];
  console.log(`page-exact pre-copy, 256 MiB hot set @ 100k pages/s, 10 Gbit/s (load average ${loadavg()[0].toFixed(2)})`);
  console.log(['GiB', 'status', 'sim s', 'pages sent', 'pages written', 'ns/op seq', 'ns/op rand', 'bound s', 'engine s', 'engine/bound', 'state B/page', 'buffers B/page'].map((h) => h.padStart(13)).join(''));
  for (const gib of sizes) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(gib)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const x = JSON.parse(r.stdout);
    const cells = [x.gib, x.status, x.simulated.toFixed(2), x.sent, x.written, x.nsSeq.toFixed(2), x.nsRand.toFixed(2), x.bound.toFixed(3), x.seconds.toFixed(3), x.ratio.toFixed(2), x.statePerPage.toFixed(3), x.buffersPerPage.toFixed(3)];
    console.log(cells.map((c) => String(c).padStart(13)).join(''));
  }
}
