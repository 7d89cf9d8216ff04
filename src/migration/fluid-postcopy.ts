/**
 * @module migration/fluid-postcopy
 * Post-copy on fluid memory: the same push transfers and flows as the page-exact phase, with the
 * guest's faults in expectation. Between two arrivals the pages missing at the destination do not
 * change, so with access rates a_i per region and missing shares m_i the running guest faults at
 * F = sum a_i m_i per second; each fault blocks it for the expected fault latency l (two one-way
 * latencies, the page's transfer, and, on a shared channel, half a push transfer), so over dt it
 * runs dt / (1 + F l) and faults F dt / (1 + F l) times. Requested pages leave the to-send set and
 * go first on the channel. Pre-paging `forward` (and `bubble`, the same at region granularity)
 * moves the push to the region that faults most.
 */
import { EventTarget, Simulation } from '../core/kernel.js';
import { ThinnedSeries } from '../core/thinned-series.js';
import { FluidTransfer } from '../memory/fluid.js';
import { Flow, FlowOwner, Link, Network } from '../network/network.js';
import { PostcopyOptions } from './algorithms/postcopy.js';
import { QemuPageEncoder } from './optimizations/encoder.js';
import { LatencySummary, PostcopyMechanism, PostcopyOwner, PostcopyStats } from './postcopy-phase.js';
import { Vm } from './world.js';

const EPSILON = 1e-6;
/**
 * Fluid pushes move this many push chunks per transfer: presence is per region anyway, so the
 * transfers need not be as fine as the queue a request waits behind (which stays `pushChunk`).
 */
const FLUID_PUSH_CHUNKS = 32;

export class FluidPostcopyPhase implements EventTarget, FlowOwner, PostcopyMechanism {
  readonly stats: PostcopyStats = { faults: 0, requests: 0, pagesPushed: 0, pagesRequested: 0, blockedTime: 0, faultLatencies: [], timeline: new ThinnedSeries() };
  readonly #inFlight: Float64Array;
  readonly #batches: Float64Array[] = [];
  readonly #flows = new Map<Flow, Float64Array>();
  #mainFlow: Flow | null = null;
  #focus = 0;
  /** Expected requested pages waiting for the channel, per region. */
  readonly #requested: Float64Array;
  #guestRunning = false;
  #guestTime = 0;
  #latencyWeighted = 0;
  #latencyMax = 0;
  #finished = false;
  stopped = false;

  constructor(
    readonly sim: Simulation,
    readonly network: Network,
    readonly path: readonly Link[],
    readonly latency: number,
    readonly vm: Vm,
    readonly transfer: FluidTransfer,
    readonly encoder: QemuPageEncoder,
    readonly options: PostcopyOptions,
    readonly owner: PostcopyOwner,
  ) {
    this.#inFlight = new Float64Array(transfer.toSend.length);
    this.#requested = new Float64Array(transfer.toSend.length);
  }

  get guestTime(): number {
    return this.#guestTime;
  }

  startPush(): void {
    this.#pump();
    this.#checkDone();
  }

  startGuest(): void {
    this.#guestRunning = true;
    this.#guestTime = this.sim.now;
    this.stats.timeline.add([this.sim.now, this.stats.faults, this.stats.blockedTime]);
  }

  stop(): void {
    this.stopped = true;
    for (const flow of this.#flows.keys()) this.network.abort(flow);
    this.#flows.clear();
  }

  latencySummary(): LatencySummary {
    const mean = this.stats.faults > 0 ? this.#latencyWeighted / this.stats.faults : 0;
    // in expectation every fault waits about the mean; the spread is a page-exact figure
    return { mean, p50: mean, p99: this.#latencyMax, max: this.#latencyMax, quantiles: null };
  }

  onEvent(_kind: number, sim: Simulation): void {
    if (this.stopped) return;
    this.#runGuest(sim.now);
    const batch = this.#batches.shift()!;
    for (let i = 0; i < batch.length; i++) this.#inFlight[i] = Math.max(0, this.#inFlight[i] - batch[i]);
    this.#checkDone();
  }

  onFlowDone(flow: Flow, sim: Simulation): void {
    if (this.stopped) return;
    this.#runGuest(sim.now);
    const batch = this.#flows.get(flow)!;
    this.#flows.delete(flow);
    this.#batches.push(batch);
    sim.schedule(this.latency, this);
    if (flow === this.#mainFlow) {
      this.#mainFlow = null;
      this.#pump();
    }
  }

  /** Next transfer on the channel: requested pages first, then the push from the focus region on. */
  #pump(): void {
    if (this.#mainFlow) return;
    const t = this.transfer, n = t.toSend.length;
    const batch = new Float64Array(n);
    let bytes = 0, pages = 0, zero = 0;
    const take = (i: number, count: number) => {
      const img = t.image;
      const zeroShare = img.zero[i] / img.size[i];
      batch[i] += count;
      this.#inFlight[i] += count;
      pages += count;
      zero += count * zeroShare;
      bytes += count * (zeroShare * this.encoder.zeroPage + (1 - zeroShare) * this.encoder.dataPage);
    };
    for (let i = 0; i < n; i++) {
      if (this.#requested[i] > 0) {
        take(i, this.#requested[i]);
        this.#requested[i] = 0;
      }
    }
    const transfer = this.options.pushChunk * FLUID_PUSH_CHUNKS;
    for (let k = 0; k < n && bytes < transfer; k++) {
      const i = (this.#focus + k) % n;
      const left = t.toSend[i];
      if (left <= EPSILON) continue;
      const img = t.image;
      const zeroShare = img.zero[i] / img.size[i];
      const perPage = zeroShare * this.encoder.zeroPage + (1 - zeroShare) * this.encoder.dataPage;
      const count = Math.min(left, (transfer - bytes) / perPage);
      t.toSend[i] -= count;
      this.stats.pagesPushed += count;
      take(i, count);
      if (t.toSend[i] <= EPSILON) {
        t.toSend[i] = 0;
        this.#focus = (i + 1) % n; // the push moves on in address order
      }
    }
    if (pages <= EPSILON) return;
    this.encoder.addNormal(pages - zero);
    this.owner.postcopySent(bytes, pages, zero);
    const flow = this.network.start(this.path, bytes, this.options.maxPostcopyBandwidth, this);
    this.#flows.set(flow, batch);
    this.#mainFlow = flow;
  }

  /**
   * Running time and faults of a guest faulting at F per running second, each fault blocking it
   * for l, over dt: dt / (1 + F l) and F times that. With rate-limit windows (postcopyWindow) a
   * window's budget goes out in a burst of b = window x cap / link, during which faults are served
   * in l; the first fault after the burst waits for the next window. Per window the guest runs
   * b / (1 + F l) in the burst and 1 / F after it, and faults F b / (1 + F l) + 1 times (when it
   * faults before the window ends at all; else the windows do not show). (The push itself stays a
   * smooth cap here: presence is per region anyway.)
   */
  #runs(dt: number, f: number, l: number): [number, number] {
    const w = this.options.postcopyWindow, cap = this.options.maxPostcopyBandwidth;
    const plain = dt / (1 + f * l);
    if (!this.#windowed()) return [plain, f * plain];
    const link = Math.min(...this.path.map((x) => x.capacity));
    const b = w * Math.min(1, cap / link);
    const inBurst = b / (1 + f * l);
    const perWindow = inBurst + 1 / f;
    if (perWindow >= w) return [plain, f * plain];
    const windows = dt / w;
    return [windows * perWindow, windows * (f * inBurst + 1)];
  }

  /** Whether the rate cap is kept in windows that page requests wait for (postcopyWindow). */
  #windowed(): boolean {
    return this.options.postcopyWindow > 0 && Number.isFinite(this.options.maxPostcopyBandwidth) && !this.options.preempt;
  }

  /** The guest from its last time up to `now`, in expectation. */
  #runGuest(now: number): void {
    if (!this.#guestRunning || this.#finished || now <= this.#guestTime) return;
    const t = this.transfer, img = t.image, vm = this.vm;
    const phase = img.phaseAt(this.#guestTime);
    const writes = img.layout.writeRates[phase], reads = img.layout.readRates[phase];
    const rate = this.#mainFlow && this.#mainFlow.rate > 0 ? this.#mainFlow.rate : Math.min(...this.path.map((l) => l.capacity));
    const pushPages = rate / this.encoder.dataPage;
    let faultRate = 0, worst = 0, worstRegion = -1;
    const missing = new Float64Array(t.toSend.length);
    for (let i = 0; i < t.toSend.length; i++) {
      missing[i] = (t.toSend[i] + this.#inFlight[i] + this.#requested[i]) / img.size[i];
      const access = (writes[i] + reads[i]) * vm.speed;
      // a sweep the push runs ahead of (it follows the first fault, and is faster) finds its pages there
      if (img.layout.sweep[i] && i === this.#focus && access <= pushPages) missing[i] = 0;
      const f = access * missing[i];
      faultRate += f;
      if (f > worst) [worst, worstRegion] = [f, i];
    }
    const dt = now - this.#guestTime;
    this.#guestTime = now;
    if (faultRate <= 0) return;
    // a request waits behind the push transfer in flight; a guest that just resumed meets a fresh
    // one, so with frequent faults it waits nearly all of it: C (1 - (1 - e^-FC) / FC)
    // (in rate-limit windows the transfers of a burst go at the link's rate)
    const chunkTime = this.options.pushChunk / (this.#windowed() ? Math.min(...this.path.map((x) => x.capacity)) : rate);
    const fc = faultRate * chunkTime;
    const wait = this.options.preempt ? 0 : chunkTime * (1 - (fc > 1e-9 ? -Math.expm1(-fc) / fc : 1));
    const l = 2 * this.latency + this.options.faultService + wait + this.encoder.dataPage / rate;
    const [running, faults] = this.#runs(dt, faultRate, l);
    const blocked = dt - running;
    this.stats.faults += faults;
    this.stats.requests += faults;
    this.stats.blockedTime += blocked;
    this.#latencyWeighted += blocked;
    this.#latencyMax = Math.max(this.#latencyMax, faults > 0 ? blocked / faults : 0);
    this.stats.timeline.add([now, this.stats.faults, this.stats.blockedTime]);
    // requested pages that were still at the source leave the to-send set for the channel
    for (let i = 0; i < t.toSend.length; i++) {
      const f = (writes[i] + reads[i]) * vm.speed * missing[i] * running;
      const atSource = t.toSend[i] + this.#requested[i] + this.#inFlight[i] > 0 ? t.toSend[i] / (t.toSend[i] + this.#requested[i] + this.#inFlight[i]) : 0;
      const pulled = Math.min(t.toSend[i], f * atSource);
      t.toSend[i] -= pulled;
      this.#requested[i] += pulled;
      this.stats.pagesRequested += pulled;
    }
    if (this.options.prepaging !== 'none' && worstRegion >= 0) this.#focus = worstRegion;
    if (!this.#mainFlow) this.#pump();
  }

  #checkDone(): void {
    if (this.#finished) return;
    let left = 0;
    for (let i = 0; i < this.#inFlight.length; i++) left += this.transfer.toSend[i] + this.#inFlight[i] + this.#requested[i];
    if (left > EPSILON || this.#batches.length > 0 || this.#flows.size > 0) return;
    this.#runGuest(this.sim.now);
    this.#finished = true;
    this.owner.postcopyDone(this.sim);
  }
}
