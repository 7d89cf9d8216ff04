/**
 * @module datacenter/run
 * runConsolidation: a day (or any span) of a data center driven by CPU traces, with CloudSim 5.0's
 * event semantics (PowerDatacenter):
 *  - t = 0: VMs are placed one by one at full capacity (PABFD, or first fit for dvfs/npa);
 *  - every scheduling step (start + k x interval): all hosts are updated (demand, CPU shares, state
 *    histories, energy since the last update), then the policy plans migrations, which all start now;
 *  - at each migration completion: hosts are updated (energy up to now), the VMs move, hosts are
 *    updated again; so utilisation, energy and SLA histories change at completion times too;
 *  - a VM whose demand is exactly 0 at an update is retired (CloudSim's "completed VM" removal);
 *  - events at or after the simulation limit are not processed.
 * Energy per interval is (P(u_prev) + P(u_now)) / 2 x dt, and 0 when u_prev = 0 (host off).
 */
import { Simulation, type EventTarget } from '../core/kernel.js';
import { cloudsimMigrationModel, type MigrationEngine, type MigrationModel, type MigrationOutcome, type MigrationRequest } from './migration-model.js';
import { planConsolidation, type StepPolicies } from './consolidation.js';
import { KeptImages } from './kept-images.js';
import { OutcomeLog } from './outcome-log.js';
import { EveryHost, type HostUpdates } from './host-updates.js';
import { LinearHosts } from './linear-hosts.js';
import { HostHistory, VmHistory } from './metrics.js';
import type { Placement } from './placement/placement.js';
import { DEFAULT_FALLBACK_THRESHOLD, makeDetector, makePlacement, makeSelector, parsePolicy, type ParsedPolicy } from './policy-name.js';
import { maxPower } from './power.js';
import { DataCenterState } from './state.js';
import { histogram, summarize } from './stats.js';
import { StepSeriesRecorder } from './step-series.js';
import { toTraceTable, type TraceInput, type TraceTable } from './traces.js';
import type { ConsolidationConfig, ConsolidationResult } from './types.js';

/** Joules per kWh. */
const JOULES_PER_KWH = 3.6e6;

/**
 * The run's own events and their priorities on the kernel. At one instant: the end of the run
 * first (nothing at the limit is processed), then the migration models' events (priority 0 and
 * around it), then the completions they reported, then the scheduling step, as in CloudSim.
 */
const enum RunEvent {
  Step,
  Completions,
  End,
}
const END_PRIORITY = -100;
const COMPLETIONS_PRIORITY = 10;
const STEP_PRIORITY = 20;

/** A started migration: its position in start order (OutcomeLog); `outcome` is set when it ends. */
interface Started {
  vm: number;
  to: number;
  seq: number;
  outcome?: MigrationOutcome;
}

/** VM i gets type floor(i / ceil(n / types)) (CloudSim's Helper.createVmList). */
/** The VMs do not fit on the hosts at the start: the input's fault (too few or too small hosts), not the run's. */
export class PlacementError extends Error {}

export function quarterVmTypes(n: number, types: number): Int32Array {
  const size = Math.ceil(n / types);
  return Int32Array.from({ length: n }, (_, i) => Math.trunc(i / size));
}

/**
 * Runs the consolidation model.
 * @param config hosts, VM types, policy and timing (see cloudsimPlanetLabConfig for CloudSim's setup).
 * @param traces one CPU-utilisation trace per VM (fractions, one sample every traceInterval s).
 * @param model migration cost model (default: CloudSim's RAM / (bandwidth / 2)).
 * @throws RangeError on an invalid configuration or traces too short for the simulated span;
 *   Error if a VM cannot be placed initially.
 */
export function runConsolidation(
  config: ConsolidationConfig,
  traces: TraceInput,
  model: MigrationModel = cloudsimMigrationModel,
  options: RunOptions = {},
): ConsolidationResult {
  return new Run(config, toTraceTable(traces), model, options).execute();
}

/** Options of a run that do not change its decisions. */
export interface RunOptions {
  /**
   * The plain host-update strategy (EveryHost): every host in full at every instant, as CloudSim
   * does, instead of carrying hosts whose state is linear between their updates (LinearHosts):
   * the same decisions and figures up to floating-point rounding, slower. For validation.
   */
  updateEveryHost?: boolean;
  /**
   * Place VMs with PABFD's plain scan of every host, as CloudSim does (placement/pabfd.ts),
   * instead of the indexed PABFD (placement index, lazy overload check, groups, LR's screen): the
   * same choices, slower. For validation.
   */
  plainPlacement?: boolean;
  /** false: the indexed PABFD without groups (the same choices). */
  groupedPlacement?: boolean;
  /**
   * false: the grouped PABFD visits every group that can hold the winner host by host, without the
   * tie buckets that find the first host with the least increase in id order (the same choices).
   */
  tieBuckets?: boolean;
  /** false: the indexed PABFD without LR's screen (the same choices). */
  placementScreen?: boolean;
  /**
   * false: the indexed PABFD evaluates hosts with its JavaScript loops instead of the same loops
   * compiled to WebAssembly (placement/wasm-scan.ts; the same choices).
   */
  wasmScan?: boolean;
  /**
   * false: every host is updated at every instant, as CloudSim does, including dormant ones (no VM,
   * utilisation 0 at its last two updates, history entry already "inactive"), which the run
   * otherwise leaves out of the updates until a VM is listed on them (the same figures, to the bit).
   */
  dormantHosts?: boolean;
  /**
   * false: at a completion instant every host is updated before and after the completions, as
   * CloudSim does, instead of once for a host no completion touches (the same figures, to the bit).
   */
  updateUntouchedOnce?: boolean;
  /**
   * false: the updates (and linear spans' starts and ends) read each VM's figures as they use them,
   * instead of first reading a host's VMs in one loop that waits for nothing (VmHistory.prefetch),
   * which lets the cache misses overlap (the same figures, to the bit).
   */
  prefetch?: boolean;
  /**
   * false: a host's history sum (the detectors' input) and largest VM RAM are computed from its VMs
   * at every use instead of cached until its list changes (the same figures, to the bit).
   */
  cachedHistories?: boolean;
  /**
   * false: the live-migration engine builds each migration's fluid layout whole instead of on its
   * VM size's shared geometry (regions, resident pages), computing only the rates (the same
   * outcomes, to the bit).
   */
  sharedLayouts?: boolean;
  /**
   * Called after every scheduling step with the simulated time and the simulation limit (for a
   * progress bar); also with (limit, limit) when the run ends.
   */
  onProgress?: (simulated: number, limit: number) => void;
}

class Run implements EventTarget {
  private readonly sim = new Simulation();
  private readonly engine: MigrationEngine;
  private readonly dc: DataCenterState;
  private readonly policy: ParsedPolicy;
  private readonly placement: Placement;
  private readonly step?: StepPolicies;
  private readonly hostHist: HostHistory;
  private readonly vmHist: VmHistory;
  /** The outcomes of the migrations started, in start order. */
  private readonly outcomes = new OutcomeLog();
  /** Migrations that ended at the current instant, in the order they ended. */
  private due: Started[] = [];
  /** Migrations that did not complete, by status ("timeout", "aborted", ...), with one reason each. */
  private readonly failures = new Map<string, { count: number; example: string }>();
  /** Whether every placed VM has had a demand (see DataCenterState.requestsSampled). */
  private demandsSampled = false;
  /** Scratch of the updates: the VM allocations (MIPS, by list position) of the host being updated. */
  private alloc = new Float64Array(16);
  /**
   * Hosts the updates visit, in id order (sums keep CloudSim's order): all but the dormant ones
   * (see unchanged), which leave the list and come back when a VM is listed on them.
   */
  private active: number[];
  private readonly isActive: Uint8Array;
  /** Hosts the completions at the current instant touch. */
  private readonly moved: Uint8Array;
  /** Hosts updated in full before the completions at an instant (marked with that instant's stamp). */
  private readonly recorded: Uint32Array;
  private recordStamp = 0;
  /** Images of VMs that left their hosts (memory reuse), if the migration model reuses memory. */
  private readonly kept?: KeptImages;
  /** How hosts are updated between steps: every host in full, or linear hosts carried between full updates. */
  private readonly updates: HostUpdates;
  /** Whether dormant hosts leave the updates (RunOptions.dormantHosts). */
  private readonly dormantHosts: boolean;
  /** Whether a host no completion touches gets one update at a completion instant (RunOptions.updateUntouchedOnce). */
  private readonly untouchedOnce: boolean;
  /** Whether updates read their VMs' records ahead (RunOptions.prefetch). */
  private readonly prefetch: boolean;
  private energyJ = 0;
  private lastProcess = 0;
  private migrations = 0;
  private failed = 0;
  private retired = 0;
  private readonly interval: number;
  private readonly checkAlways: boolean;
  /** The per-step time series (plots, CSV). */
  private readonly stepSeries = new StepSeriesRecorder();

  constructor(
    private readonly cfg: ConsolidationConfig,
    private readonly traces: TraceTable,
    private readonly model: MigrationModel,
    private readonly options: RunOptions = {},
  ) {
    validate(cfg, traces);
    const vmTypeOf = cfg.vmTypeOf ?? quarterVmTypes(traces.vms, cfg.vmTypes.length);
    if (vmTypeOf.length !== traces.vms) throw new RangeError(`vmTypeOf has ${vmTypeOf.length} entries for ${traces.vms} traces`);
    this.dc = new DataCenterState(cfg, vmTypeOf, { cachedHistories: options.cachedHistories });
    this.dormantHosts = options.dormantHosts ?? true;
    this.untouchedOnce = options.updateUntouchedOnce ?? true;
    this.prefetch = options.prefetch ?? true;
    this.policy = parsePolicy(cfg.policy);
    this.interval = cfg.schedulingInterval;
    this.checkAlways = cfg.reservationCheck === 'always';
    const speed = {
      plain: options.plainPlacement,
      grouped: options.groupedPlacement,
      ties: options.tieBuckets,
      screen: options.placementScreen,
      wasm: options.wasmScan,
    };
    if (this.policy.kind === 'migration') {
      const parameter = cfg.parameter;
      if (parameter === undefined) throw new RangeError(`policy ${cfg.policy} needs a parameter`);
      const detector = makeDetector(this.policy.detector, parameter, this.interval, cfg.fallbackThreshold ?? DEFAULT_FALLBACK_THRESHOLD);
      this.placement = makePlacement(this.policy, detector, speed);
      this.step = { detector, selector: makeSelector(this.policy.selector, cfg.seed ?? 0), placement: this.placement, checkReservations: this.checkAlways };
    } else this.placement = makePlacement(this.policy, undefined, speed);
    this.hostHist = new HostHistory(this.dc.hostCount);
    this.vmHist = new VmHistory(this.dc.vmCount);
    this.moved = new Uint8Array(this.dc.hostCount);
    this.recorded = new Uint32Array(this.dc.hostCount);
    this.active = Array.from({ length: this.dc.hostCount }, (_, h) => h);
    this.isActive = new Uint8Array(this.dc.hostCount).fill(1);
    this.updates =
      this.step && !options.updateEveryHost ? new LinearHosts(this.dc, traces, cfg.traceInterval, this.prefetch) : new EveryHost(this.dc.hostCount);
    this.engine = model.open(this.sim, { sharedLayouts: options.sharedLayouts });
    if (model.reuse) this.kept = new KeptImages(this.dc, traces, cfg.traceInterval, model.reuse);
  }

  execute(): ConsolidationResult {
    this.placeInitially();
    const limit = this.cfg.simulationLimit;
    this.sim.scheduleAt(limit, this, RunEvent.End, END_PRIORITY);
    const first = this.cfg.startTime + this.interval;
    if (first < limit) this.sim.scheduleAt(first, this, RunEvent.Step, STEP_PRIORITY);
    this.sim.run();
    this.closeLinearSpans();
    this.options.onProgress?.(limit, limit);
    return this.result(limit);
  }

  onEvent(kind: number, sim: Simulation): void {
    const t = sim.now;
    if (kind === RunEvent.Completions) {
      this.completeMigrations(t);
    } else if (kind === RunEvent.Step) {
      const next = t + this.interval;
      this.schedulingStep(t);
      this.startLinearSpans(t, next);
      this.options.onProgress?.(t, this.cfg.simulationLimit);
      if (next < this.cfg.simulationLimit) sim.scheduleAt(next, this, RunEvent.Step, STEP_PRIORITY);
    } else {
      sim.stop();
    }
  }

  /** The migration model reports migration `s` ended now: its completion joins this instant's. */
  private ended(s: Started, outcome: MigrationOutcome): void {
    s.outcome = outcome;
    this.outcomes.end(s.seq, outcome);
    if (this.due.length === 0) this.sim.schedule(0, this, RunEvent.Completions, COMPLETIONS_PRIORITY);
    this.due.push(s);
  }

  /** t = 0: each VM in id order, at full capacity, to the placement's host (PABFD, or the first fit). */
  private placeInitially(): void {
    const dc = this.dc;
    const placement = this.placement;
    placement.begin(dc, { initial: true, checkReservations: true });
    const none = placement.newExcluded();
    for (let v = 0; v < dc.vmCount; v++) {
      const full = dc.vmMips[v] * dc.vmPes[v];
      dc.req[v] = full;
      dc.allocReq[v] = full;
      const h = placement.findHost(dc, v, none);
      if (h < 0) throw new PlacementError(`VM ${v} (${full} MIPS, ${dc.vmRam[v]} bytes) fits on no host at the initial placement`);
      dc.create(v, h);
      placement.changed(h);
      dc.home[v] = h;
      dc.req[v] = 0; // no workload before the first update: a placed VM requests nothing yet
    }
  }

  private schedulingStep(t: number): void {
    this.endLinearSpans(t, this.updates.lastInstant);
    this.fullUpdate(t);
    this.kept?.step(t);
    const counts = { overloaded: 0 };
    const plan = this.step ? planConsolidation(this.dc, this.step, counts) : [];
    this.stepSeries.step(t, this.active, (h) => this.dc.utilization(h), counts.overloaded, plan.length, this.energyJ, this.hostHist.violationTime);
    if (!this.step || plan.length === 0) return;
    const dc = this.dc;
    const requests: MigrationRequest[] = plan.map(({ vm, to }) => {
      const from = dc.home[vm];
      const mips = dc.vmMips[vm] * dc.vmPes[vm];
      return {
        vm,
        from,
        to,
        ramBytes: dc.vmRam[vm],
        cpuUtilization: dc.req[vm] / mips,
        vmMips: mips,
        fromBandwidth: from >= 0 ? dc.hostBw[from] : dc.hostBw[to],
        toBandwidth: dc.hostBw[to],
      };
    });
    const batch: Started[] = plan.map(({ vm, to }) => ({ vm, to, seq: this.outcomes.start() }));
    const touched = new Set<number>();
    for (let i = 0; i < plan.length; i++) {
      const { vm, to } = plan[i];
      this.migrations++;
      dc.inMigration[vm] = 1;
      if (!dc.isMigratingIn(vm, to)) {
        dc.addIncoming(vm, to);
        dc.lists[to].push(vm);
        dc.listChanged(to);
        dc.ramUsed[to] += dc.vmRam[vm];
        dc.bwUsed[to] += dc.vmBw[vm];
      }
      if (this.kept) requests[i].keptPages = this.kept.arrive(vm, to, t);
      touched.add(to);
      if (dc.home[vm] >= 0) touched.add(dc.home[vm]);
    }
    for (const h of touched) this.updateHost(h, t);
    this.engine.start(requests, (i, outcome) => this.ended(batch[i], outcome));
  }

  private completeMigrations(t: number): void {
    const dc = this.dc;
    const done = this.due;
    this.due = [];
    const moved = this.moved;
    const touched: number[] = [];
    const touch = (h: number) => {
      if (h < 0 || moved[h] === 1) return;
      moved[h] = 1;
      touched.push(h);
    };
    for (const { vm, to } of done) {
      touch(to);
      touch(dc.home[vm]);
    }
    const updates = this.updates;
    // the hosts the completions touch are updated in full from this instant on; every host is,
    // on a trace sample, and at a scheduling step not yet updated (the update before these
    // completions is the step's own, where every VM's history grows); so is a host whose span
    // holds only until before t
    const instant = updates.addInstant(t);
    if (updates.onSample(t) || (this.atStep(t) && t > this.lastProcess)) this.endLinearSpans(t, instant - 1);
    else updates.endExpired(t, instant - 1, this.vmHist);
    for (const h of touched) if (updates.from[h] >= 0) updates.end(h, t, instant - 1, this.vmHist);
    const recorded = t > this.lastProcess ? this.updateBeforeCompletions(t) : undefined;
    for (const { vm, to, outcome } of done) {
      if (!outcome) throw new Error(`migration of VM ${vm} reported without an outcome`);
      const src = dc.home[vm];
      if (outcome.completed && src >= 0) dc.destroy(vm, src);
      // the target drops its migrating-in reservation
      dc.dropIncoming(vm, to);
      dc.destroy(vm, to);
      dc.inMigration[vm] = 0;
      this.stepSeries.ended(outcome.completed, statusOf(outcome.reason));
      if (outcome.completed) {
        dc.create(vm, to);
        dc.home[vm] = to;
        if (src >= 0) this.kept?.left(vm, src, t);
      } else {
        // the live migration did not complete (timeout, abort ...): the VM keeps running on its
        // source, which gets its full share back; the step after next may pick it again
        this.failed++;
        const reason = outcome.reason ?? 'not completed';
        const status = statusOf(reason);
        const f = this.failures.get(status);
        if (f) f.count++;
        else this.failures.set(status, { count: 1, example: reason });
        if (src >= 0) dc.reallocate(src);
      }
    }
    this.recordUpdate(t, recorded);
    if (this.kept) for (const h of touched) if (dc.lists[h].length === 0) this.kept.poweredOff(h, t);
    for (const h of touched) {
      updates.start(h);
      moved[h] = 0;
    }
  }

  /** Ends every linear span: their instants up to `last` were skipped, the next full update is at t. */
  private endLinearSpans(t: number, last: number): void {
    const updates = this.updates;
    for (const h of [...updates.openHosts]) updates.end(h, t, last, this.vmHist);
  }

  /** After the step at t: the hosts whose state is linear until the next step leave the instant updates. */
  private startLinearSpans(t: number, next: number): void {
    if (!this.step) return; // (no migrations: every host is updated in full)
    this.updates.beginStep(t, next);
    // hosts the step switched on for its migrations too (updated at t with their incoming VMs):
    // else they would join the active list at the next instant and be updated in full all step
    this.wakeHosts();
    for (const h of this.active) this.updates.start(h);
  }

  /**
   * At the end of the run, a host in a linear span gets its last skipped instant's update in full
   * (the histories end there, as when every host is updated).
   */
  private closeLinearSpans(): void {
    const linear = this.updates;
    if (linear.openHosts.length === 0) return;
    const last = linear.lastInstant;
    const t = linear.timeOf(last);
    const sample = this.traces.sampleAt(t, this.cfg.traceInterval);
    for (const h of [...linear.openHosts]) {
      const skipped = linear.from[h] < last;
      linear.end(h, t, last - 1, this.vmHist);
      if (!skipped) continue;
      for (const v of this.dc.lists[h]) this.setDemand(v, sample(v));
      this.updateHost(h, t);
    }
  }

  /** Updates every host at time t (CloudSim updateCloudetProcessingWithoutSchedulingFutureEventsForce). */
  private fullUpdate(t: number): void {
    this.sampleAndShift(t);
    this.recordUpdate(t);
  }

  /**
   * CloudSim updates every host before and after the completions at t: energy up to t with the VMs
   * where they were, then entries with the VMs moved. A host no completion touches is the same at
   * both, so it gets its whole update here (energy from the state before, entries as after; the
   * second update would repeat them, and does with RunOptions.updateUntouchedOnce false); a touched
   * host gets energy only, then its update after the moves. Returns the stamp marking the hosts
   * updated here.
   */
  private updateBeforeCompletions(t: number): number {
    const dc = this.dc;
    const linear = this.updates;
    const dt = t - this.lastProcess;
    const stamp = ++this.recordStamp;
    const sample = this.sampleAndShift(t);
    let e = 0;
    for (const h of this.active) {
      if (linear.from[h] >= 0) {
        // (with its host entry if it keeps exact sums; the update after the moves repeats it)
        if (linear.exact[h] === 1) this.linearEntry(h, t, sample);
        else dc.setUtilization(h, linear.utilization(h, t));
        e += this.energyTerm(h, dt);
        dc.repeatUtilization(h);
        if (this.untouchedOnce) this.recorded[h] = stamp;
        continue;
      }
      if (this.unchanged(h)) continue; // 0 W since before the interval
      if (this.moved[h] === 0) {
        const idle = this.updateHost(h, t);
        e += this.energyTerm(h, dt);
        dc.repeatUtilization(h); // the update after the moves: the same utilisation
        if (this.untouchedOnce) this.recorded[h] = stamp; // (else it is updated again after them, as in CloudSim)
        if (idle) this.retireIdleVms(h);
        continue;
      }
      const list = dc.lists[h];
      const alloc = this.allocationsOf(h);
      dc.reallocate(h, alloc);
      let util = 0;
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        let a = alloc[i];
        if (dc.inMigration[v] === 1 && !dc.isMigratingIn(v, h)) a /= dc.srcKeep;
        util += a;
      }
      dc.setUtilization(h, util);
      e += this.energyTerm(h, dt);
    }
    this.energyJ += e;
    this.lastProcess = t;
    return stamp;
  }

  /**
   * Updates every host at t with the demand already sampled: histories, energy, retirement; hosts
   * marked with `recorded` were updated before the completions at t already.
   */
  private recordUpdate(t: number, recorded?: number): void {
    const dc = this.dc;
    // visit the active hosts, dropping those that became dormant
    this.wakeHosts();
    const active = this.active;
    const linear = this.updates;
    let kept = 0;
    let sample: ((v: number) => number) | undefined;
    for (let i = 0; i < active.length; i++) {
      const h = active[i];
      if (recorded !== undefined && this.recorded[h] === recorded) {
        active[kept++] = h;
        continue;
      }
      if (linear.from[h] >= 0) {
        active[kept++] = h;
        if (linear.exact[h] === 1) this.linearEntry(h, t, (sample ??= this.traces.sampleAt(t, this.cfg.traceInterval)));
        // no VM entries: the span's first ones cover them (see LinearHosts)
        else dc.setUtilization(h, linear.utilization(h, t));
        continue;
      }
      if (this.unchanged(h)) {
        this.isActive[h] = 0;
        continue;
      }
      active[kept++] = h;
      // retiring touches only this host's list and allocation, so it may follow its update
      if (this.updateHost(h, t)) this.retireIdleVms(h);
    }
    active.length = kept;
    const dt = t - this.lastProcess;
    if (dt > 0) this.energyJ += this.intervalEnergy(dt);
    this.lastProcess = t;
  }

  /** Every placed VM's demand (and, at scheduling steps, its utilisation history) at time t. */
  private sampleDemand(t: number): (v: number) => number {
    const dc = this.dc;
    const recordHistory = this.atStep(t);
    const sample = this.traces.sampleAt(t, this.cfg.traceInterval);
    // the placed VMs are those listed on active hosts; a migrating VM, on two lists, is sampled at
    // both: the same demand, and its history grows once (histTime)
    this.wakeHosts();
    const from = this.updates.from;
    for (const h of this.active) {
      if (from[h] >= 0) continue; // its demands come from its linear model
      const list = dc.lists[h];
      if (this.prefetch) {
        dc.prefetch(list);
        if (recordHistory) dc.prefetchHistory(list);
      }
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        const u = sample(v);
        this.setDemand(v, u);
        if (recordHistory && t > dc.histTime[v]) {
          if (t !== 0 || u !== 0) dc.pushHistory(v, u);
          dc.histTime[v] = t;
        }
      }
    }
    // (the first sampling reaches every placed VM: no host is dormant or in a linear span yet)
    if (!this.demandsSampled) {
      this.demandsSampled = true;
      dc.requestsSampled();
    }
    return sample;
  }

  /**
   * sampleDemand, then at a scheduling step the shift of the hosts' cached history sums. The shift
   * is kept out of sampleDemand, which runs at every instant, so that its optimized code does not
   * meet it without type feedback at each step and get thrown away.
   */
  private sampleAndShift(t: number): (v: number) => number {
    const sample = this.sampleDemand(t);
    if (this.atStep(t)) this.dc.shiftHistories();
    return sample;
  }

  /** Whether t is a scheduling step, where the VMs' utilisation histories grow. */
  private atStep(t: number): boolean {
    return (t - this.cfg.startTime) % this.interval === 0;
  }

  /** VM v's requested MIPS (all PEs) at utilisation u, in CloudSim's order of operations. */
  private setDemand(v: number, u: number): void {
    const dc = this.dc;
    const type = dc.vmType[v];
    const pes = dc.typePes[type];
    const perPe = (u * (dc.typeMips[type] * pes)) / pes;
    let r = 0;
    for (let k = 0; k < pes; k++) r += perPe;
    dc.setRequest(v, r);
  }

  /** Puts hosts that got a VM since the last update back in the active list, in id order. */
  private wakeHosts(): void {
    let added = false;
    for (const h of this.dc.takeOccupied()) {
      if (this.isActive[h] === 1) continue;
      this.isActive[h] = 1;
      this.active.push(h);
      added = true;
    }
    if (added) this.active.sort((a, b) => a - b);
  }

  /**
   * A dormant host whose last history entry is already "inactive": updating it would change
   * nothing, so the updates skip it (most hosts are off after consolidation).
   */
  private unchanged(h: number): boolean {
    return this.dormantHosts && this.dc.isDormant(h) && this.hostHist.settledInactive(h);
  }

  /**
   * CloudSim HostDynamicWorkload.updateVmsProcessing for one host.
   * Returns true if a listed VM is due for retirement (demand 0, not migrating).
   */
  private updateHost(h: number, t: number): boolean {
    const dc = this.dc;
    const list = dc.lists[h];
    if (this.prefetch) {
      this.vmHist.prefetch(list);
      dc.prefetch(list);
    }
    const alloc = this.allocationsOf(h);
    dc.reallocate(h, alloc);
    let util = 0;
    let requested = 0;
    let idle = false;
    const anyIncoming = dc.hasIncoming(h);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      const r = dc.req[v];
      if (r === 0 && dc.inMigration[v] === 0) idle = true;
      let a = alloc[i];
      if (!anyIncoming || !dc.isMigratingIn(v, h)) {
        const migrating = dc.inMigration[v] === 1;
        this.vmHist.add(v, t, a, r, migrating);
        if (migrating) a /= dc.srcKeep; // the source still carries the VM's full demand
      }
      util += a;
      requested += r;
    }
    dc.setUtilization(h, util);
    this.hostHist.add(h, t, util, requested, util > 0);
    return idle;
  }

  /** A host in a linear span with exact sums: its utilisation and host entry at t (no VM entries). */
  private linearEntry(h: number, t: number, sample: (v: number) => number): void {
    const util = this.updates.exactSums(h, sample);
    this.dc.setUtilization(h, util);
    this.hostHist.add(h, t, util, this.updates.requested, util > 0);
  }

  /** The allocation scratch, grown to host h's list length (one buffer for every host: an update reads it at once). */
  private allocationsOf(h: number): Float64Array {
    const n = this.dc.lists[h].length;
    if (this.alloc.length < n) this.alloc = new Float64Array(2 * n);
    return this.alloc;
  }

  private intervalEnergy(dt: number): number {
    const dc = this.dc;
    let e = 0;
    if (this.policy.kind === 'npa') {
      for (let h = 0; h < dc.hostCount; h++) e += maxPower(dc.hostPower[h]) * dt;
      return e;
    }
    // a host off the active list has been at 0 since before the interval: it adds nothing
    for (const h of this.active) e += this.energyTerm(h, dt);
    return e;
  }

  /** Host h's energy over the last dt s: the mean of the powers at its last two utilisations, 0 W if idle before. */
  private energyTerm(h: number, dt: number): number {
    const dc = this.dc;
    if (dc.previousUtilization(h) === 0) return 0; // an idle host is off
    // the powers at the last two utilisations, as setUtilization computed them
    const p0 = dc.prevPower[h];
    const p1 = dc.curPower[h];
    return (p0 + (p1 - p0) / 2) * dt;
  }

  /** CloudSim retires a VM whose demand is 0 at an update, unless it is migrating (host h's, in list order). */
  private retireIdleVms(h: number): void {
    const dc = this.dc;
    const idle = dc.lists[h].filter((v) => dc.inMigration[v] === 0 && dc.req[v] === 0);
    for (const v of idle) {
      const home = dc.home[v];
      if (home < 0) continue;
      dc.destroy(v, home);
      dc.home[v] = -1;
      this.retired++;
      this.kept?.retired(v, this.sim.now);
    }
    if (this.kept && dc.lists[h].length === 0) this.kept.poweredOff(h, this.sim.now);
  }

  private result(simulatedTime: number): ConsolidationResult {
    this.hostHist.finish();
    const totals = this.vmHist.finish();
    const energyKWh = this.energyJ / JOULES_PER_KWH;
    const slatah = this.hostHist.activeTime > 0 ? this.hostHist.violationTime / this.hostHist.activeTime : 0;
    const pdm = totals.requested > 0 ? totals.underMigration / totals.requested : 0;
    const slav = slatah * pdm;
    const vh = this.vmHist;
    // migrations that ended before the limit, in start order (the sums' order)
    const { durations, downtimes, bytes } = this.outcomes.endedInStartOrder();
    return {
      policy: this.cfg.policy,
      parameter: this.cfg.parameter ?? null,
      hosts: this.dc.hostCount,
      vms: this.dc.vmCount,
      simulatedTime,
      energyKWh,
      migrations: this.migrations,
      slatah,
      pdm,
      slav,
      overallSlaViolation: totals.requested > 0 ? (totals.requested - totals.allocated) / totals.requested : 0,
      averageSlaViolation: vh.shortfallCount > 0 ? vh.shortfallSum / vh.shortfallCount : 0,
      esv: energyKWh * slav,
      hostShutdowns: this.hostHist.shutdowns.n,
      meanTimeBeforeHostShutdown: this.hostHist.shutdowns.mean,
      sdTimeBeforeHostShutdown: this.hostHist.shutdowns.sd,
      meanTimeBeforeMigration: vh.migrationTimes.mean,
      sdTimeBeforeMigration: vh.migrationTimes.sd,
      migration: {
        model: this.model.name,
        totalTime: summarize(durations),
        downtime: summarize(downtimes),
        totalTimeHistogram: histogram(durations),
        downtimeHistogram: histogram(downtimes),
        bytes,
        inFlight: this.outcomes.started - durations.length,
        failed: this.failed,
        failures: Object.fromEntries([...this.failures].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))),
      },
      retiredVms: this.retired,
      ...(this.kept ? { reuse: this.kept.summary(simulatedTime) } : {}),
      series: this.stepSeries.series,
    };
  }
}

/** A failure's status: the word before the colon of its reason ("timeout: ..."), or the reason. */
function statusOf(reason: string | undefined): string {
  if (reason === undefined) return 'not completed';
  return /^[a-z-]+(?=:)/.exec(reason)?.[0] ?? reason;
}

function validate(cfg: ConsolidationConfig, traces: TraceTable): void {
  const positive: [string, number][] = [
    ['schedulingInterval', cfg.schedulingInterval],
    ['traceInterval', cfg.traceInterval],
    ['simulationLimit', cfg.simulationLimit],
  ];
  for (const [k, v] of positive) if (!(v > 0)) throw new RangeError(`${k}: expected seconds > 0, got ${v}`);
  if (!(cfg.startTime >= 0)) throw new RangeError(`startTime: expected seconds >= 0, got ${cfg.startTime}`);
  if (cfg.hosts.length === 0) throw new RangeError('hosts: expected at least one host');
  const span = traces.samples * cfg.traceInterval;
  if (traces.vms > 0 && span < cfg.simulationLimit) {
    throw new RangeError(`traces cover ${span} s (${traces.samples} samples x ${cfg.traceInterval} s), less than simulationLimit ${cfg.simulationLimit} s`);
  }
}
