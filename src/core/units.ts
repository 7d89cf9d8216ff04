/**
 * @module core/units
 * One unit system: seconds (float64), bytes, bytes/s, pages as integers.
 * Human units ("4GiB", "1Gbit/s", "300ms", "20000/s") are parsed here, at the edges, and printed here.
 * Gbit means 10^9 bits; GiB means 2^30 bytes; MB means 10^6 bytes.
 */

/** A unit-parsing failure; `expected` says what a valid value looks like. */
export class UnitError extends Error {
  constructor(readonly expected: string, readonly got: unknown) {
    super(`expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, byte: 1, bytes: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40,
};

/** Bits per second units, converted to bytes/s. */
const BIT_RATE_UNITS: Record<string, number> = {
  'bit/s': 1 / 8, bps: 1 / 8,
  'kbit/s': 1e3 / 8, kbps: 1e3 / 8,
  'mbit/s': 1e6 / 8, mbps: 1e6 / 8,
  'gbit/s': 1e9 / 8, gbps: 1e9 / 8,
  'tbit/s': 1e12 / 8, tbps: 1e12 / 8,
};

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, sec: 1, min: 60, h: 3600, d: 86400,
};

const NUMBER_AND_UNIT = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Zµ/]*)\s*$/;

function split(text: string): [number, string] | undefined {
  const m = NUMBER_AND_UNIT.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), m[2].toLowerCase()];
}

/** "4GiB", "512 MB", "4096" (bytes) or a number of bytes -> bytes. */
export function parseSize(value: unknown): number {
  const expected = 'a size like 4GiB, 512MiB or 4096 (bytes)';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  if (factor === undefined) throw new UnitError(expected, value);
  return n * factor;
}

/** "1Gbit/s", "100Mbps", "128MiB/s", "1GB/s" or a number of bytes/s -> bytes/s. */
export function parseRate(value: unknown): number {
  const expected = 'a rate like 1Gbit/s, 100Mbps or 128MiB/s (a plain number is bytes/s)';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  if (unit === '') return n;
  const bits = BIT_RATE_UNITS[unit];
  if (bits !== undefined) return n * bits;
  if (unit.endsWith('/s')) {
    const size = SIZE_UNITS[unit.slice(0, -2)];
    if (size !== undefined) return n * size;
  }
  throw new UnitError(expected, value);
}

/** "300ms", "10s", "2min", "1h" or a number of seconds -> seconds. */
export function parseDuration(value: unknown): number {
  const expected = 'a duration like 300ms, 10s or 2min (a plain number is seconds)';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  if (factor === undefined) throw new UnitError(expected, value);
  return n * factor;
}

/**
 * A page write (or access) rate: "20000/s" or a number is pages/s; a byte rate ("64MiB/s") is
 * converted with the page size.
 */
export function parsePageRate(value: unknown, pageSize: number): number {
  const expected = 'a page rate like 20000/s, or a byte rate like 64MiB/s';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*\/\s*s\s*$/.exec(value);
  if (m) return Number(m[1]);
  try {
    return parseRate(value) / pageSize;
  } catch {
    throw new UnitError(expected, value);
  }
}

// ---- printing -------------------------------------------------------------------------------

/** Bytes with a binary unit, e.g. 1536 -> "1.50 KiB". */
export function formatBytes(bytes: number, digits = 2): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(digits)} ${units[i]}`;
}

/** Seconds as "12.345 s" or "42.0 ms" below one second. */
export function formatDuration(seconds: number, digits = 3): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (Math.abs(seconds) < 1 && seconds !== 0) return `${(seconds * 1000).toFixed(Math.max(1, digits - 2))} ms`;
  return `${seconds.toFixed(digits)} s`;
}

/** Bytes/s as MiB/s. */
export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;
}

/** Convenience constructors for code and tests (bytes and bytes/s). */
export const KiB = (n: number): number => n * 2 ** 10;
export const MiB = (n: number): number => n * 2 ** 20;
export const GiB = (n: number): number => n * 2 ** 30;
export const Mbps = (n: number): number => (n * 1e6) / 8;
export const Gbps = (n: number): number => (n * 1e9) / 8;
