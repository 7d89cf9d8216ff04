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

/**
 * Internal layout, sample-major so that one update reads two contiguous rows:
 * `data[k * vms + v]` for k = 0..samples (the last sample repeated).
 */
export class TraceTable {
  constructor(
    readonly vms: number,
    readonly samples: number,
    readonly data: Float64Array,
  ) {}

  /**
   * A reader of every VM's utilisation at time `t`, with the per-time part of CloudSim's
   * interpolation computed once: u1 + (u2 - u1) / ((k2 - k1) * interval) * (t - k1 * interval).
   */
  sampleAt(t: number, interval: number): (vm: number) => number {
    const d = this.data;
    const n = this.vms;
    if (t % interval === 0) {
      const row = Math.trunc(Math.trunc(t) / Math.trunc(interval)) * n;
      return (v) => d[row + v];
    }
    const k1 = Math.floor(t / interval);
    const k2 = Math.ceil(t / interval);
    if (k2 > this.samples) throw new RangeError(`time ${t} s is beyond the traces (${this.samples} samples of ${interval} s)`);
    const den = (k2 - k1) * interval;
    const off = t - k1 * interval;
    const r1 = k1 * n;
    const r2 = k2 * n;
    return (v) => {
      const u1 = d[r1 + v];
      return u1 + ((d[r2 + v] - u1) / den) * off;
    };
  }

  /** The integral of VM `vm`'s utilisation over [t0, t1] (s): trapezoids between the samples. */
  integral(vm: number, t0: number, t1: number, interval: number): number {
    const d = this.data, n = this.vms;
    const at = (k: number, t: number) => {
      const u1 = d[k * n + vm];
      return u1 + ((d[(k + 1) * n + vm] - u1) * (t - k * interval)) / interval;
    };
    let sum = 0;
    for (let a = Math.max(0, t0); a < t1; ) {
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
  if (Array.isArray(input)) {
    const rows = input as readonly (Float64Array | readonly number[])[];
    const vms = rows.length;
    const samples = vms > 0 ? rows[0].length : 0;
    const data = new Float64Array(vms * (samples + 1));
    for (let v = 0; v < vms; v++) {
      const row = rows[v];
      if (row.length !== samples) throw new RangeError(`trace ${v}: expected ${samples} samples, got ${row.length}`);
      copyRow(row, 0, samples, data, v, vms);
    }
    return new TraceTable(vms, samples, data);
  }
  const { samples, values } = input as CompactTraces;
  if (!(samples > 0) || values.length % samples !== 0) throw new RangeError(`compact traces: ${values.length} values is not a multiple of ${samples} samples`);
  const vms = values.length / samples;
  const data = new Float64Array(vms * (samples + 1));
  for (let v = 0; v < vms; v++) copyRow(values, v * samples, samples, data, v, vms);
  return new TraceTable(vms, samples, data);
}

/** Copies VM `vm`'s n samples into column `vm` of the sample-major table (vms columns). */
function copyRow(src: ArrayLike<number>, from: number, n: number, dst: Float64Array, vm: number, vms: number): void {
  for (let k = 0; k < n; k++) {
    const u = src[from + k];
    if (!(u >= 0 && u <= 1)) throw new RangeError(`trace ${vm}, sample ${k}: expected a utilisation fraction in [0, 1], got ${u}`);
    dst[k * vms + vm] = u;
  }
  dst[n * vms + vm] = dst[(n - 1) * vms + vm];
}

/**
 * Utilisation of VM `vm` at time `t` (seconds), CloudSim's formula; `t` must be within
 * [0, samples * interval].
 */
export function utilizationAt(table: TraceTable, vm: number, t: number, interval: number): number {
  return table.sampleAt(t, interval)(vm);
}
