/**
 * @module datacenter/traces
 * CPU-utilisation traces in one flat typed array, and CloudSim's interpolation
 * (UtilizationModelPlanetLabInMemory): sample k holds the utilisation at k * interval; between two
 * samples the value is linear; the last sample is repeated once so that the end of the day
 * (samples * interval) is defined.
 */

/** Traces as one flat array: VM v's sample k is `values[v * samples + k]` (fraction 0..1). */
export interface CompactTraces {
  /** Samples per VM (PlanetLab: 288). */
  samples: number;
  /** Utilisation fractions, VM-major. */
  values: Float64Array | Float32Array;
}

/** Accepted trace inputs: one Float64Array per VM, or the compact layout. */
export type TraceInput = readonly (Float64Array | readonly number[])[] | CompactTraces;

/** Codes of the percent layout: Math.round(u * PERCENT_CODES) for u in [0, 1]. */
const PERCENT_CODES = 100;
/** VMs copied together into the sample-major layout (each sample's codes then fill a few cache lines). */
const COPY_BLOCK = 64;

/**
 * Internal layout, sample-major so that one update reads two contiguous rows: entry k * vms + v
 * for k = 0..samples (the last sample repeated). Traces whose values are one number per integer
 * percent (PlanetLab's percent / 100, also when stored as float32) are held as one byte per entry,
 * that percent, with the number it stands for in `palette` (the value read is the value given, to
 * the bit); other traces as the numbers themselves (`palette` null). A day at 10,000 hosts then
 * holds 29 MB of traces instead of 231 MB, and an update reads an eighth of the bytes.
 */
export class TraceTable {
  constructor(
    readonly vms: number,
    readonly samples: number,
    /** The entries: percent codes (with a palette) or values (without). */
    readonly data: Uint8Array | Float64Array,
    /** The value of each percent code, or null when `data` holds the values. */
    readonly palette: Float64Array | null,
  ) {}

  /** Entry i (= k * vms + v): VM v's sample k. */
  value(i: number): number {
    const p = this.palette;
    return p === null ? this.data[i] : p[this.data[i]];
  }

  /**
   * A reader of every VM's utilisation at time `t`, with the per-time part of CloudSim's
   * interpolation computed once: u1 + (u2 - u1) / ((k2 - k1) * interval) * (t - k1 * interval).
   */
  sampleAt(t: number, interval: number): (vm: number) => number {
    const d = this.data;
    const p = this.palette;
    const n = this.vms;
    if (t % interval === 0) {
      const row = Math.trunc(Math.trunc(t) / Math.trunc(interval)) * n;
      return p === null ? (v) => d[row + v] : (v) => p[d[row + v]];
    }
    const k1 = Math.floor(t / interval);
    const k2 = Math.ceil(t / interval);
    if (k2 > this.samples) throw new RangeError(`time ${t} s is beyond the traces (${this.samples} samples of ${interval} s)`);
    const den = (k2 - k1) * interval;
    const off = t - k1 * interval;
    const r1 = k1 * n;
    const r2 = k2 * n;
    if (p !== null) {
      return (v) => {
        const u1 = p[d[r1 + v]];
        return u1 + ((p[d[r2 + v]] - u1) / den) * off;
      };
    }
    return (v) => {
      const u1 = d[r1 + v];
      return u1 + ((d[r2 + v] - u1) / den) * off;
    };
  }

  /** The integral of VM `vm`'s utilisation over [t0, t1] (s): trapezoids between the samples. */
  integral(vm: number, t0: number, t1: number, interval: number): number {
    const n = this.vms;
    const at = (k: number, t: number) => {
      const u1 = this.value(k * n + vm);
      return u1 + ((this.value((k + 1) * n + vm) - u1) * (t - k * interval)) / interval;
    };
    let sum = 0;
    for (let a = Math.max(0, t0); a < t1;) {
      const k = Math.min(Math.floor(a / interval), this.samples - 1);
      const b = Math.min(t1, (k + 1) * interval);
      if (!(b > a)) break;
      sum += ((at(k, a) + at(k, b)) / 2) * (b - a);
      a = b;
    }
    return sum;
  }
}

/** Copies traces into the internal layout, checking lengths and ranges. */
export function toTraceTable(input: TraceInput): TraceTable {
  let rows: readonly ArrayLike<number>[];
  let samples: number;
  if (Array.isArray(input)) {
    rows = input as readonly (Float64Array | readonly number[])[];
    samples = rows.length > 0 ? rows[0].length : 0;
  } else {
    const compact = input as CompactTraces;
    samples = compact.samples;
    const values = compact.values;
    if (!(samples > 0) || values.length % samples !== 0)
      throw new RangeError(`compact traces: ${values.length} values is not a multiple of ${samples} samples`);
    rows = Array.from({ length: values.length / samples }, (_, v) => values.subarray(v * samples, (v + 1) * samples));
  }
  const palette = checkRows(rows, samples);
  const vms = rows.length;
  if (palette === null) {
    const values = new Float64Array(vms * (samples + 1));
    for (let from = 0; from < vms; from += COPY_BLOCK) copyValues(rows, from, Math.min(vms, from + COPY_BLOCK), samples, values);
    return new TraceTable(vms, samples, values, null);
  }
  const codes = new Uint8Array(vms * (samples + 1));
  for (let from = 0; from < vms; from += COPY_BLOCK) copyCodes(rows, from, Math.min(vms, from + COPY_BLOCK), samples, codes);
  return new TraceTable(vms, samples, codes, palette);
}

/**
 * Checks every row's length and values, in row order; returns the palette of the percent layout
 * if every value is the one number seen for its percent code (and not -0), else null.
 */
function checkRows(rows: readonly ArrayLike<number>[], samples: number): Float64Array | null {
  const palette = new Float64Array(PERCENT_CODES + 1).fill(NaN);
  let percent = true;
  for (let v = 0; v < rows.length; v++) {
    const row = rows[v];
    if (row.length !== samples) throw new RangeError(`trace ${v}: expected ${samples} samples, got ${row.length}`);
    for (let k = 0; k < samples; k++) {
      const u = row[k];
      if (!(u >= 0 && u <= 1)) throw new RangeError(`trace ${v}, sample ${k}: expected a utilisation fraction in [0, 1], got ${u}`);
      if (!percent) continue;
      const code = Math.round(u * PERCENT_CODES);
      const known = palette[code];
      if (u === 0 && 1 / u < 0)
        percent = false; // (-0 === 0: the palette would read it as 0)
      else if (known !== known) palette[code] = u;
      else if (known !== u) percent = false;
    }
  }
  return percent ? palette : null;
}

/**
 * Copies rows [from, to) into their columns of the sample-major table (the last sample repeated),
 * sample by sample: each sample's entries of the block are side by side, so the copy touches a
 * page of the table per sample and block rather than per sample and VM.
 */
function copyValues(rows: readonly ArrayLike<number>[], from: number, to: number, samples: number, dst: Float64Array): void {
  const vms = rows.length;
  for (let k = 0; k <= samples; k++) {
    const at = k * vms;
    const src = Math.min(k, samples - 1);
    for (let v = from; v < to; v++) dst[at + v] = rows[v][src];
  }
}

/** copyValues for the percent layout: each value's code. */
function copyCodes(rows: readonly ArrayLike<number>[], from: number, to: number, samples: number, dst: Uint8Array): void {
  const vms = rows.length;
  for (let k = 0; k <= samples; k++) {
    const at = k * vms;
    const src = Math.min(k, samples - 1);
    for (let v = from; v < to; v++) dst[at + v] = Math.round(rows[v][src] * PERCENT_CODES);
  }
}

/**
 * Utilisation of VM `vm` at time `t` (seconds), CloudSim's formula; `t` must be within
 * [0, samples * interval].
 */
export function utilizationAt(table: TraceTable, vm: number, t: number, interval: number): number {
  return table.sampleAt(t, interval)(vm);
}
