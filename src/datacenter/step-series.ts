/**
 * @module datacenter/step-series
 * The day as it went: one row per scheduling step, for plots and CSV. The run calls the recorder
 * at each step (after the step's update, with the migrations it starts) and at each migration's
 * end; it reads the run's own counters, so a row costs a pass over the active hosts and nothing
 * else. Columns are arrays of equal length (compact JSON, one CSV row per step).
 */

/** Per-step time series of a consolidation run. */
export interface StepSeries {
  /** Scheduling step times, s. */
  time: number[];
  /** Hosts with load after the step's update, before its migrations start. */
  activeHosts: number[];
  /** Hosts the overload detector found overloaded at the step. */
  overloadedHosts: number[];
  /** Mean power from the previous step (or 0 s) to this one, W: that interval's energy over its length. */
  power: number[];
  /** Energy from 0 s to the step, kWh. */
  energyKWh: number[];
  /** Migrations the step started. */
  migrationsStarted: number[];
  /** Migrations that ended after the step, up to and including the next one: completed... */
  migrationsCompleted: number[];
  /** ...given up at their timeout (the VM stayed on its source)... */
  migrationsTimedOut: number[];
  /** ...or not completed for another reason (aborted, failed). */
  migrationsFailed: number[];
  /** Host-seconds with less MIPS allocated than requested (SLATAH's numerator) in the host histories committed by the step. */
  slaViolationTime: number[];
}

const JOULES_PER_KWH = 3.6e6;

/** Builds a StepSeries row by row. */
export class StepSeriesRecorder {
  readonly series: StepSeries = {
    time: [],
    activeHosts: [],
    overloadedHosts: [],
    power: [],
    energyKWh: [],
    migrationsStarted: [],
    migrationsCompleted: [],
    migrationsTimedOut: [],
    migrationsFailed: [],
    slaViolationTime: [],
  };
  #lastTime = 0;
  #lastEnergyJ = 0;

  /**
   * A scheduling step at t: `utilization(h)` of the hosts in `hosts` counts the active ones;
   * `energyJ` is the run's energy up to t; `violationTime` its committed SLA violation time.
   */
  step(
    t: number,
    hosts: readonly number[],
    utilization: (h: number) => number,
    overloaded: number,
    started: number,
    energyJ: number,
    violationTime: number,
  ): void {
    const s = this.series;
    let active = 0;
    for (const h of hosts) if (utilization(h) > 0) active++;
    const dt = t - this.#lastTime;
    s.time.push(t);
    s.activeHosts.push(active);
    s.overloadedHosts.push(overloaded);
    s.power.push(dt > 0 ? (energyJ - this.#lastEnergyJ) / dt : 0);
    s.energyKWh.push(energyJ / JOULES_PER_KWH);
    s.migrationsStarted.push(started);
    s.migrationsCompleted.push(0);
    s.migrationsTimedOut.push(0);
    s.migrationsFailed.push(0);
    s.slaViolationTime.push(violationTime);
    this.#lastTime = t;
    this.#lastEnergyJ = energyJ;
  }

  /** A migration ended: completed, or given up with `status` ("timeout", "aborted", ...). */
  ended(completed: boolean, status: string): void {
    const s = this.series;
    const last = s.time.length - 1;
    if (last < 0) return; // migrations start at steps: none ends before the first
    if (completed) s.migrationsCompleted[last]++;
    else if (status === 'timeout') s.migrationsTimedOut[last]++;
    else s.migrationsFailed[last]++;
  }
}

/** The series as CSV: a header, then one line per step (seconds, watts, kWh, counts). */
export function stepSeriesCsv(s: StepSeries): string {
  const columns: [string, number[]][] = [
    ['time_s', s.time],
    ['active_hosts', s.activeHosts],
    ['overloaded_hosts', s.overloadedHosts],
    ['power_w', s.power],
    ['energy_kwh', s.energyKWh],
    ['migrations_started', s.migrationsStarted],
    ['migrations_completed', s.migrationsCompleted],
    ['migrations_timed_out', s.migrationsTimedOut],
    ['migrations_failed', s.migrationsFailed],
    ['sla_violation_time_s', s.slaViolationTime],
  ];
  const lines = [columns.map(([name]) => name).join(',')];
  for (let i = 0; i < s.time.length; i++) lines.push(columns.map(([, values]) => String(values[i])).join(','));
  return lines.join('\n') + '\n';
}
