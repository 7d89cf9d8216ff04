/**
 * @module qemu/replies
 * QEMU's own QMP replies (qapi/migration.json, qapi/machine.json) as typed records: the inputs of a
 * prediction for a real VM. Each reply may be given bare (the `return` value) or whole
 * ({"return": ...}). Bad input names the source, the field and what was expected.
 *
 * - `query-memory-size-summary`: {base-memory, plugged-memory?} bytes.
 * - `query-migrate-parameters`: {downtime-limit (ms), max-bandwidth (bytes/s), ...}.
 * - `query-migrate-capabilities`: [{capability, state}].
 * - `query-dirty-rate` (migration/dirtyrate.c): {status, start-time, calc-time (s; or ms with
 *   calc-time-unit "millisecond", QEMU 8.2+), sample-pages, mode (page-sampling | dirty-ring |
 *   dirty-bitmap), dirty-rate (MiB/s, an integer rounded down: "MB" is computed as bytes >> 20),
 *   vcpu-dirty-rate? [{id, dirty-rate}] (dirty-ring mode)}. The rate is DISTINCT pages found dirty
 *   over the period divided by the period, not page writes per second.
 * - `query-migrate`: MigrationInfo {status, total-time, downtime, ram {transferred, normal,
 *   duplicate, dirty-pages-rate, mbps, ...}}.
 */

export class ReplyError extends Error {}

export interface MemorySummary {
  /** Guest RAM, bytes (base-memory + plugged-memory). */
  memory: number;
}

export interface DirtyRateSample {
  /** Sampling period, s. */
  calcTime: number;
  mode: 'page-sampling' | 'dirty-ring' | 'dirty-bitmap';
  /** QEMU's dirty-rate, MiB/s (rounded down by QEMU). */
  dirtyRateMiBps: number;
  samplePages: number;
  vcpus: { id: number; dirtyRateMiBps: number }[];
}

export interface QemuCapabilities {
  [name: string]: boolean;
}

export type QemuParameters = Record<string, number | string | boolean>;

export interface MigrateSample {
  status: string;
  totalTime: number | null;
  /** ram.total / normal / duplicate / transferred as QEMU reports them. */
  ram: Record<string, number>;
}

type Obj = Record<string, unknown>;

/** Unwraps {"return": x} to x. */
export function unwrap(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'return' in (v as Obj)) return (v as Obj).return;
  return v;
}

function object(v: unknown, where: string): Obj {
  v = unwrap(v);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ReplyError(`${where}: expected a JSON object (the command's reply), got ${kind(v)}`);
  return v as Obj;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function number(o: Obj, key: string, where: string, opts: { min?: number; optional?: boolean } = {}): number {
  const v = o[key];
  if (v === undefined && opts.optional) return NaN;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ReplyError(`${where}: "${key}": expected a number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  if (opts.min !== undefined && v < opts.min) throw new ReplyError(`${where}: "${key}": expected a number >= ${opts.min}, got ${v}`);
  return v;
}

export function parseMemorySummary(v: unknown, where = 'query-memory-size-summary'): MemorySummary {
  const o = object(v, where);
  const base = number(o, 'base-memory', where, { min: 1 });
  const plugged = o['plugged-memory'] === undefined ? 0 : number(o, 'plugged-memory', where, { min: 0 });
  return { memory: base + plugged };
}

/** QEMU's version as "major.minor.micro", from a query-version reply. */
export function parseVersion(v: unknown, where = 'query-version'): string {
  const q = object(object(v, where).qemu, `${where}: "qemu"`);
  return ['major', 'minor', 'micro'].map((k) => number(q, k, `${where}: "qemu"`, { min: 0 })).join('.');
}

export function parseParameters(v: unknown, where = 'query-migrate-parameters'): QemuParameters {
  const o = object(v, where);
  const out: QemuParameters = {};
  for (const [k, x] of Object.entries(o)) if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') out[k] = x;
  for (const k of ['downtime-limit', 'max-bandwidth']) if (typeof out[k] !== 'number') throw new ReplyError(`${where}: "${k}": expected a number, got ${JSON.stringify(o[k] ?? null)}`);
  return out;
}

export function parseCapabilities(v: unknown, where = 'query-migrate-capabilities'): QemuCapabilities {
  v = unwrap(v);
  if (!Array.isArray(v)) throw new ReplyError(`${where}: expected a JSON array of {capability, state}, got ${kind(v)}`);
  const out: QemuCapabilities = {};
  v.forEach((c, i) => {
    if (!c || typeof c !== 'object' || typeof (c as Obj).capability !== 'string' || typeof (c as Obj).state !== 'boolean') {
      throw new ReplyError(`${where}[${i}]: expected {"capability": NAME, "state": true|false}, got ${JSON.stringify(c)}`);
    }
    out[(c as Obj).capability as string] = (c as Obj).state as boolean;
  });
  return out;
}

const modes = ['page-sampling', 'dirty-ring', 'dirty-bitmap'] as const;

/** One measured `query-dirty-rate` reply; a reply whose status is not "measured" is refused. */
export function parseDirtyRate(v: unknown, where = 'query-dirty-rate'): DirtyRateSample {
  const o = object(v, where);
  if (o.status !== 'measured') throw new ReplyError(`${where}: "status": expected "measured" (run calc-dirty-rate and wait for it), got ${JSON.stringify(o.status ?? null)}`);
  const mode = (o.mode ?? 'page-sampling') as string;
  if (!(modes as readonly string[]).includes(mode)) throw new ReplyError(`${where}: "mode": expected one of ${modes.join(', ')}, got ${JSON.stringify(mode)}`);
  const unit = o['calc-time-unit'] ?? 'second';
  if (unit !== 'second' && unit !== 'millisecond') throw new ReplyError(`${where}: "calc-time-unit": expected "second" or "millisecond", got ${JSON.stringify(unit)}`);
  const calcTime = number(o, 'calc-time', where, { min: 0 }) / (unit === 'millisecond' ? 1000 : 1);
  if (calcTime <= 0) throw new ReplyError(`${where}: "calc-time": expected a positive period, got ${o['calc-time']}`);
  const vcpus: DirtyRateSample['vcpus'] = [];
  if (o['vcpu-dirty-rate'] !== undefined) {
    const list = o['vcpu-dirty-rate'];
    if (!Array.isArray(list)) throw new ReplyError(`${where}: "vcpu-dirty-rate": expected an array of {id, dirty-rate}`);
    list.forEach((c, i) => {
      const w = `${where}: vcpu-dirty-rate[${i}]`;
      const co = object(c, w);
      vcpus.push({ id: number(co, 'id', w, { min: 0 }), dirtyRateMiBps: number(co, 'dirty-rate', w, { min: 0 }) });
    });
  }
  return {
    calcTime,
    mode: mode as DirtyRateSample['mode'],
    dirtyRateMiBps: number(o, 'dirty-rate', where, { min: 0 }),
    samplePages: o['sample-pages'] === undefined ? 0 : number(o, 'sample-pages', where, { min: 0 }),
    vcpus,
  };
}

export function parseMigrateSample(v: unknown, where = 'query-migrate'): MigrateSample {
  const o = object(v, where);
  if (typeof o.status !== 'string') throw new ReplyError(`${where}: "status": expected a string, got ${JSON.stringify(o.status ?? null)}`);
  const ram: Record<string, number> = {};
  if (o.ram !== undefined) {
    const r = object(o.ram, `${where}: ram`);
    for (const [k, x] of Object.entries(r)) if (typeof x === 'number') ram[k] = x;
  }
  return { status: o.status, totalTime: typeof o['total-time'] === 'number' ? o['total-time'] : null, ram };
}
