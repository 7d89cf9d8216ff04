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

/** Internal layout: stride = samples + 1 (last sample repeated). */
export interface TraceTable {
  vms: number;
  samples: number;
  stride: number;
  data: Float64Array;
}

/** Copies traces into the internal layout, checking lengths and ranges. */
export function toTraceTable(input: TraceInput): TraceTable {
  if (Array.isArray(input)) {
    const rows = input as readonly (Float64Array | readonly number[])[];
    const vms = rows.length;
    const samples = vms > 0 ? rows[0].length : 0;
    const stride = samples + 1;
    const data = new Float64Array(vms * stride);
    for (let v = 0; v < vms; v++) {
      const row = rows[v];
      if (row.length !== samples) throw new RangeError(`trace ${v}: expected ${samples} samples, got ${row.length}`);
      copyRow(row, 0, samples, data, v * stride, v);
    }
    return { vms, samples, stride, data };
  }
  const { samples, values } = input as CompactTraces;
  if (!(samples > 0) || values.length % samples !== 0) throw new RangeError(`compact traces: ${values.length} values is not a multiple of ${samples} samples`);
  const vms = values.length / samples;
  const stride = samples + 1;
  const data = new Float64Array(vms * stride);
  for (let v = 0; v < vms; v++) copyRow(values, v * samples, samples, data, v * stride, v);
  return { vms, samples, stride, data };
}

function copyRow(src: ArrayLike<number>, from: number, n: number, dst: Float64Array, to: number, vm: number): void {
  for (let k = 0; k < n; k++) {
    const u = src[from + k];
    if (!(u >= 0 && u <= 1)) throw new RangeError(`trace ${vm}, sample ${k}: expected a utilisation fraction in [0, 1], got ${u}`);
    dst[to + k] = u;
  }
  dst[to + n] = dst[to + n - 1];
}

/**
 * Utilisation of VM `vm` at time `t` (seconds), CloudSim's formula; `t` must be within
 * [0, samples * interval].
 */
export function utilizationAt(table: TraceTable, vm: number, t: number, interval: number): number {
  const base = vm * table.stride;
  const d = table.data;
  if (t % interval === 0) return d[base + Math.trunc(Math.trunc(t) / Math.trunc(interval))];
  const k1 = Math.floor(t / interval);
  const k2 = Math.ceil(t / interval);
  if (k2 > table.samples) throw new RangeError(`time ${t} s is beyond the traces (${table.samples} samples of ${interval} s)`);
  const u1 = d[base + k1];
  const u2 = d[base + k2];
  const delta = (u2 - u1) / ((k2 - k1) * interval);
  return u1 + delta * (t - k1 * interval);
}
