/**
 * The cases lmsim is compared with SimGrid 3.32's live-migration plugin on: the arguments of
 * bench/simgrid/migrate.cpp and the lmsim scenario of the same work. Shared by the reference-row
 * test (test/simgrid-rows.test.ts), the row maker (bench/simgrid-rows.mjs) and the speed comparison
 * (bench/simgrid-compare.mjs).
 *
 * The equivalence: SimGrid's pre-copy (stage 1 the whole RAM, stage-2 rounds of the bytes dirtied
 * meanwhile, stop when they are below bandwidth x 30 ms, each stage one message, a 0-byte
 * acknowledgement back) is lmsim's `simgrid` preset under the matching network model; SimGrid's
 * dirtying (computed flops x migration speed x intensity / host speed, capped at the working set, 90 %
 * of RAM) is a fluid `sweep` workload writing intensity x speed over 90 % of RAM; no page headers,
 * device state or resume latency; the migration speed is maxBandwidth; links 125 MB/s per host and
 * direction (h2's 250 MB/s in the `mixed` layout), each with half the path's latency.
 */

export type SimgridModel = 'CM02' | 'LV08';
export type SimgridLayout = 'one-link' | 'swap' | 'ring' | 'mixed';

export interface SimgridCase {
  model: SimgridModel;
  hosts: number;
  vms: number;
  migrations: number;
  /** MiB */
  ram: number;
  /** dirty-page intensity, percent of the migration speed */
  intensity: number;
  /** one-way latency of a path host -> host, s */
  latency: number;
  layout: SimgridLayout;
  /** migration speed, MiB/s */
  speed: number;
  /** simulated time limit, s: a migration still running then has not converged */
  horizon: number;
  /** migration i starts at i x stagger, s (0: all at t = 0) */
  stagger: number;
}

/** The driver's arguments for a case (SimGrid's own flags last). */
export function simgridArgs(c: SimgridCase): string[] {
  return [
    String(c.hosts),
    String(c.vms),
    String(c.migrations),
    String(c.ram),
    String(c.intensity),
    String(c.latency),
    c.layout,
    String(c.speed),
    String(c.horizon),
    String(c.stagger),
    `--cfg=network/model:${c.model}`,
    '--cfg=contexts/guard-size:0',
    '--log=root.thres:critical',
  ];
}

/** The lmsim scenario of a case (the same placement as migrate.cpp). */
export function simgridScenario(c: SimgridCase, name = 'simgrid case'): Record<string, unknown> {
  const hosts: { name: string; memory: string; nic?: number }[] = Array.from({ length: c.hosts }, (_, i) => ({ name: `h${i}`, memory: '100TiB' }));
  const vms: Record<string, unknown>[] = [];
  const migrations: Record<string, unknown>[] = [];
  const busy = c.intensity > 0 ? { kind: 'sweep', writeRate: `${(c.intensity * c.speed) / 100}MiB/s`, workingSet: `${0.9 * c.ram}MiB` } : { kind: 'idle' };
  const vm = (vmName: string, host: string, count: number, workload: unknown) => ({ name: vmName, host, memory: `${c.ram}MiB`, resident: `${c.ram}MiB`, workload, ...(count > 1 ? { count } : {}) });
  const options = { at: 0, algorithm: 'precopy', preset: 'simgrid', maxBandwidth: `${c.speed}MiB/s`, pageHeader: 0, deviceState: 0, resumeLatency: 0 };
  const idleAfter = c.vms - c.migrations;
  if (c.layout === 'one-link' && c.stagger > 0) {
    // one VM per migration, each with its start time
    for (let i = 0; i < c.migrations; i++) {
      vms.push(vm(`b${i}`, 'h0', 1, busy));
      migrations.push({ vm: `b${i}`, to: 'h1', ...options, at: i * c.stagger });
    }
    if (idleAfter > 0) vms.push(vm('idle', 'h0', idleAfter, { kind: 'idle' }));
  } else if (c.layout === 'one-link') {
    vms.push(vm('b', 'h0', c.migrations, busy));
    migrations.push({ vm: 'b', to: 'h1', ...options });
    if (idleAfter > 0) vms.push(vm('idle', 'h0', idleAfter, { kind: 'idle' }));
  } else if (c.stagger > 0) {
    throw new RangeError('stagger: one-link layout only');
  } else if (c.layout === 'swap') {
    // VM i on h(i % 2), to the other host
    const fromH0 = Math.ceil(c.migrations / 2), fromH1 = Math.floor(c.migrations / 2);
    vms.push(vm('b0', 'h0', fromH0, busy));
    migrations.push({ vm: 'b0', to: 'h1', ...options });
    if (fromH1 > 0) {
      vms.push(vm('b1', 'h1', fromH1, busy));
      migrations.push({ vm: 'b1', to: 'h0', ...options });
    }
  } else if (c.layout === 'mixed') {
    // 3 hosts, h2's NIC 250 MB/s: VM i on h0 (i even) or h2 (i odd), to h1
    if (c.hosts !== 3 || c.vms !== c.migrations) throw new RangeError('mixed: 3 hosts, every VM migrating');
    hosts[2].nic = 2.5e8;
    vms.push(vm('b0', 'h0', Math.ceil(c.migrations / 2), busy));
    migrations.push({ vm: 'b0', to: 'h1', ...options });
    if (c.migrations > 1) {
      vms.push(vm('b2', 'h2', Math.floor(c.migrations / 2), busy));
      migrations.push({ vm: 'b2', to: 'h1', ...options });
    }
  } else {
    // VM i on h(i % hosts), the first `migrations` of them (one per host) to the next host
    if (c.migrations > c.hosts) throw new RangeError('ring: at most one migration per host');
    const perHost = c.vms / c.hosts;
    for (let i = 0; i < c.hosts; i++) {
      const busyHere = i < c.migrations ? 1 : 0;
      if (busyHere) {
        vms.push(vm(`b${i}`, `h${i}`, 1, busy));
        migrations.push({ vm: `b${i}`, to: `h${(i + 1) % c.hosts}`, ...options });
      }
      if (perHost - busyHere > 0) vms.push(vm(`idle${i}`, `h${i}`, perHost - busyHere, { kind: 'idle' }));
    }
  }
  return {
    name,
    fidelity: 'fluid',
    pageSize: 4096,
    horizon: c.horizon,
    network: { bandwidth: 1.25e8, latency: c.latency, model: c.model === 'CM02' ? 'cm02' : 'lv08' },
    hosts,
    vms,
    migrations,
  };
}

/** What one case gives, on either side: over its migrations. */
export interface CaseOutcome {
  /** Migrations completed by the horizon (the others never converged). */
  completed: number;
  /** Sum and largest of the completed migrations' total times, s. */
  sumTime: number;
  maxTime: number;
  /** Sum of the completed migrations' downtimes, s. */
  sumDowntime: number;
  /** Fewest and most stage-2 rounds (live rounds after the first) over all migrations. */
  minRounds: number;
  maxRounds: number;
}

/** One migration as either side reports it. */
export interface MigrationOutcome {
  completed: boolean;
  time: number;
  downtime: number;
  rounds: number;
}

export function summarize(ms: readonly MigrationOutcome[]): CaseOutcome {
  const done = ms.filter((m) => m.completed);
  return {
    completed: done.length,
    sumTime: done.reduce((s, m) => s + m.time, 0),
    maxTime: done.reduce((s, m) => Math.max(s, m.time), 0),
    sumDowntime: done.reduce((s, m) => s + m.downtime, 0),
    minRounds: Math.min(...ms.map((m) => m.rounds)),
    maxRounds: Math.max(...ms.map((m) => m.rounds)),
  };
}

/** An lmsim migration result as a MigrationOutcome (stage-2 rounds: live rounds after the first). */
export function lmsimOutcome(m: { status: string; totalTime: number | null; downtime: number | null; rounds: { kind: string }[] }): MigrationOutcome {
  const live = m.rounds.filter((r) => r.kind === 'live').length;
  return { completed: m.status === 'completed', time: m.totalTime ?? NaN, downtime: m.downtime ?? NaN, rounds: Math.max(0, live - 1) };
}

/** The CSV columns of test/data/simgrid-rows.csv: the case, then SimGrid's outcome. */
export const rowColumns = ['model', 'hosts', 'vms', 'migrations', 'ram', 'intensity', 'latency', 'layout', 'speed', 'horizon', 'stagger', 'completed', 'sumTime', 'maxTime', 'sumDowntime', 'minRounds', 'maxRounds'] as const;

export function rowLine(c: SimgridCase, o: CaseOutcome): string {
  const r: Record<string, unknown> = { ...c, ...o };
  return rowColumns.map((k) => (typeof r[k] === 'number' && !Number.isInteger(r[k]) ? (r[k] as number).toFixed(9) : String(r[k]))).join(',');
}

export function parseRows(text: string): { case: SimgridCase; simgrid: CaseOutcome }[] {
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const head = lines[0].split(',');
  if (head.join(',') !== rowColumns.join(',')) throw new Error(`simgrid rows: expected columns ${rowColumns.join(',')}, got ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const v = (k: (typeof rowColumns)[number]) => cells[head.indexOf(k)];
    const n = (k: (typeof rowColumns)[number]) => Number(v(k));
    return {
      case: { model: v('model') as SimgridModel, hosts: n('hosts'), vms: n('vms'), migrations: n('migrations'), ram: n('ram'), intensity: n('intensity'), latency: n('latency'), layout: v('layout') as SimgridLayout, speed: n('speed'), horizon: n('horizon'), stagger: n('stagger') },
      simgrid: { completed: n('completed'), sumTime: n('sumTime'), maxTime: n('maxTime'), sumDowntime: n('sumDowntime'), minRounds: n('minRounds'), maxRounds: n('maxRounds') },
    };
  });
}
