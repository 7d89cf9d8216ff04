/**
 * @module core/units
 * One unit system: seconds (float64), bytes, bytes/s, pages as integers.
 * Human units ("4GiB", "1Gbit/s", "300ms", "20000/s") are parsed here, at the edges, and printed here.
 *
 * Units are case-sensitive, as written on a datasheet: a lower-case `b` is a bit and an upper-case
 * `B` a byte (`1Gb/s` = `1Gbit/s` = `1Gbps` = 125,000,000 bytes/s; `1GB/s` = 10^9 bytes/s).
 * Decimal prefixes are powers of 10 (`MB` = 10^6 bytes, `Gbit` = 10^9 bits), binary ones powers
 * of 2 (`MiB` = 2^20 bytes); a bare `K`, `M`, `G`, `T` after a size is binary, as in QEMU's `-m 4G`.
 * A spelling that could mean two things (`gb/s`: gigabits or gigabytes?) is refused with the
 * spellings that are accepted, and so is every value that is not a finite number (`1e309Gbit/s`).
 */

/** A unit-parsing failure; `expected` says what a valid value looks like, `hint` why this one is not. */
export class UnitError extends Error {
  constructor(readonly expected: string, readonly got: unknown, readonly hint = '') {
    super(`expected ${expected}, got ${JSON.stringify(got)}${hint ? ` (${hint})` : ''}`);
  }
}

/** Size units (bytes). `kB` and `KB` are both 10^3: lmsim's decimal units are decimal throughout. */
const SIZE_UNITS: Record<string, number> = {
  B: 1, byte: 1, bytes: 1,
  kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15,
  KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50,
  // QEMU's size suffixes (`-m 4G`, `xbzrle-cache-size=64M`): binary, either case
  K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50,
};

/** Byte-rate units (bytes/s): a byte size per second, or the `Bps` forms. */
const BYTE_RATE_UNITS: Record<string, number> = {
  'B/s': 1, 'byte/s': 1, 'bytes/s': 1, Bps: 1,
  'kB/s': 1e3, 'KB/s': 1e3, 'MB/s': 1e6, 'GB/s': 1e9, 'TB/s': 1e12,
  kBps: 1e3, KBps: 1e3, MBps: 1e6, GBps: 1e9, TBps: 1e12,
  'KiB/s': 2 ** 10, 'MiB/s': 2 ** 20, 'GiB/s': 2 ** 30, 'TiB/s': 2 ** 40,
};

/** Bit-rate units, converted to bytes/s. Spelled-out `bit` and `bps` leave no doubt, whatever the prefix's case. */
const BIT_RATE_UNITS: Record<string, number> = {};
for (const [prefixes, factor] of [
  [[''], 1],
  [['k', 'K'], 1e3],
  [['M', 'm'], 1e6],
  [['G', 'g'], 1e9],
  [['T', 't'], 1e12],
] as const) {
  for (const p of prefixes) {
    BIT_RATE_UNITS[`${p}bit/s`] = factor / 8;
    BIT_RATE_UNITS[`${p}bps`] = factor / 8;
    // `Mb/s` is a bit rate; `mb/s` (lower-case prefix and b) is refused as ambiguous below
    if (p === '' || p === 'k' || p === p.toUpperCase()) BIT_RATE_UNITS[`${p}b/s`] = factor / 8;
  }
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, sec: 1, min: 60, h: 3600, d: 86400,
};

/** The spellings each kind of value accepts, for error messages and the docs. */
export const UNIT_SPELLINGS = {
  size: Object.keys(SIZE_UNITS),
  rate: [...Object.keys(BIT_RATE_UNITS), ...Object.keys(BYTE_RATE_UNITS)],
  duration: Object.keys(DURATION_UNITS),
} as const;

const NUMBER_AND_UNIT = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Zµ/ ]*?)\s*$/;

/** A number as written (finite, >= 0) and its unit exactly as written; undefined if it is neither. */
function split(text: string): [number, string] | undefined {
  const m = NUMBER_AND_UNIT.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), m[2].replace(/\s+/g, '')];
}

/** `n * factor` if it is a finite number, else a UnitError saying so. */
function finite(n: number, factor: number, expected: string, value: unknown): number {
  const v = n * factor;
  if (!Number.isFinite(v)) throw new UnitError(expected, value, 'not a finite number');
  return v;
}

function plainNumber(value: unknown, expected: string): number | undefined {
  if (typeof value !== 'number') return undefined;
  if (!Number.isFinite(value)) throw new UnitError(expected, value, 'not a finite number');
  if (value < 0) throw new UnitError(expected, value, 'negative');
  return value;
}

/** Why a unit was refused: the spellings that are close, else the whole list. */
function unknownUnit(unit: string, kind: keyof typeof UNIT_SPELLINGS): string {
  const lower = unit.toLowerCase();
  const near = UNIT_SPELLINGS[kind].filter((u) => u.toLowerCase() === lower);
  if (near.length > 0) {
    const meaning = near.map((u) => `${u} (${describe(u, kind)})`).join(' or ');
    return `"${unit}" is not a unit lmsim reads${near.length > 1 ? ' (ambiguous)' : ''}: write ${meaning}; lower-case b is bit, B is byte`;
  }
  return `unknown unit "${unit}"; accepted: ${UNIT_SPELLINGS[kind].join(', ')}`;
}

function describe(unit: string, kind: keyof typeof UNIT_SPELLINGS): string {
  if (kind === 'size') return `${SIZE_UNITS[unit]} bytes`;
  if (kind === 'duration') return `${DURATION_UNITS[unit]} s`;
  return BIT_RATE_UNITS[unit] !== undefined ? `${BIT_RATE_UNITS[unit] * 8} bits/s` : `${BYTE_RATE_UNITS[unit]} bytes/s`;
}

/** "4GiB", "512 MB", "4G", "4096" (bytes) or a number of bytes -> bytes. */
export function parseSize(value: unknown): number {
  const expected = 'a size like 4GiB, 512MiB, 120MB or 4096 (bytes)';
  const plain = plainNumber(value, expected);
  if (plain !== undefined) return plain;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  if (factor === undefined) throw new UnitError(expected, value, unknownUnit(unit, 'size'));
  return finite(n, factor, expected, value);
}

/** "1Gbit/s", "1Gb/s", "100Mbps", "128MiB/s", "1GB/s" or a number of bytes/s -> bytes/s. */
export function parseRate(value: unknown): number {
  const expected = 'a rate like 1Gbit/s, 100Mbps, 128MiB/s or 1GB/s (a plain number is bytes/s)';
  const plain = plainNumber(value, expected);
  if (plain !== undefined) return plain;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  if (unit === '') return finite(n, 1, expected, value);
  const factor = BIT_RATE_UNITS[unit] ?? BYTE_RATE_UNITS[unit];
  if (factor === undefined) throw new UnitError(expected, value, unknownUnit(unit, 'rate'));
  return finite(n, factor, expected, value);
}

/** "300ms", "10s", "2min", "1h" or a number of seconds -> seconds. */
export function parseDuration(value: unknown): number {
  const expected = 'a duration like 300ms, 10s or 2min (a plain number is seconds)';
  const plain = plainNumber(value, expected);
  if (plain !== undefined) return plain;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const parts = split(value);
  if (!parts) throw new UnitError(expected, value);
  const [n, unit] = parts;
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  if (factor === undefined) throw new UnitError(expected, value, unknownUnit(unit, 'duration'));
  return finite(n, factor, expected, value);
}

/**
 * A page write (or access) rate: "20000/s", "20000 pages/s" or a number is pages/s; a byte rate
 * ("64MiB/s") is converted with the page size. QEMU's `query-dirty-rate` prints its dirty rate
 * as "MB/s" but computes it in MiB/s: paste it as `NMiB/s`.
 */
export function parsePageRate(value: unknown, pageSize: number): number {
  const expected = 'a page rate like 20000/s, or a byte rate like 64MiB/s';
  const plain = plainNumber(value, expected);
  if (plain !== undefined) return plain;
  if (typeof value !== 'string') throw new UnitError(expected, value);
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(?:pages?\s*)?\/\s*s\s*$/.exec(value);
  if (m) return finite(Number(m[1]), 1, expected, value);
  try {
    return parseRate(value) / pageSize;
  } catch (e) {
    throw new UnitError(expected, value, e instanceof UnitError ? e.hint : '');
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
