/**
 * @module io/planetlab
 * Loads a CloudSim PlanetLab day folder (Node only): one file per VM, taken in sorted file-name
 * order (names may contain spaces), each 288 lines of integer CPU percent. Values become fractions
 * exactly as CloudSim computes them (percent / 100.0).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Samples per PlanetLab file (one every 300 s for 24 h). */
export const PLANETLAB_SAMPLES = 288;
const PERCENT = 100;

/** A loaded folder: file names (sorted) and one trace per file in the compact layout. */
export interface PlanetLabFolder {
  names: string[];
  traces: { samples: number; values: Float64Array };
}

/**
 * Reads every regular file of `dir`, sorted by name (code-unit order).
 * @throws Error naming the file and line of a bad value or a wrong line count.
 */
export function loadPlanetLabFolder(dir: string, samples = PLANETLAB_SAMPLES): PlanetLabFolder {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() || (e.isSymbolicLink() && statSync(join(dir, e.name)).isFile()))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const values = new Float64Array(names.length * samples);
  names.forEach((name, v) => {
    const file = join(dir, name);
    parsePercentLines(readFileSync(file), file, samples, values, v * samples);
  });
  return { names, traces: { samples, values } };
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Parses one file's bytes into `out[at..]` as fractions: `samples` lines of an integer percent
 * (whitespace around the value allowed, blank lines at the end ignored). Works on bytes: a day is
 * 300,000 lines, and splitting strings cost more than reading the files.
 */
function parsePercentLines(bytes: Uint8Array, file: string, samples: number, out: Float64Array, at: number): void {
  let line = 0; // lines seen (as split(/\r?\n/) counts them)
  let lines = 0; // lines up to the last non-blank one
  let bad = ''; // the first bad value's error, reported if the line count is right
  let i = 0;
  const n = bytes.length;
  for (;;) {
    const start = i;
    let pct = 0;
    let digits = 0;
    let other = false; // anything but digits and whitespace around them
    let gap = false; // whitespace after digits
    for (; i < n && bytes[i] !== NEWLINE; i++) {
      const c = bytes[i];
      if (c >= ZERO && c <= NINE) {
        if (gap) other = true; // "1 2"
        pct = pct * 10 + (c - ZERO);
        digits++;
      } else if (isSpace(c)) gap = digits > 0;
      else other = true;
    }
    line++;
    if (digits > 0 || other) lines = line;
    if (line <= samples && bad === '') {
      if (digits === 0 || other) {
        let end = i;
        if (end > start && bytes[end - 1] === CR) end--;
        bad = `${file}:${line}: expected an integer CPU percent, got "${Buffer.from(bytes.subarray(start, end)).toString('utf8')}"`;
      } else if (pct > PERCENT) bad = `${file}:${line}: CPU percent ${pct} is above 100`;
      else out[at + line - 1] = pct / PERCENT;
    }
    if (i >= n) break;
    i++; // past the newline
  }
  if (lines !== samples) throw new Error(`${file}: expected ${samples} lines, got ${lines}`);
  if (bad !== '') throw new Error(bad);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
