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
  const names = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const values = new Float64Array(names.length * samples);
  names.forEach((name, v) => {
    const file = join(dir, name);
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    if (lines.length !== samples) throw new Error(`${file}: expected ${samples} lines, got ${lines.length}`);
    for (let k = 0; k < samples; k++) {
      const text = lines[k].trim();
      if (!/^\d+$/.test(text)) throw new Error(`${file}:${k + 1}: expected an integer CPU percent, got "${lines[k]}"`);
      const pct = Number(text);
      if (pct > PERCENT) throw new Error(`${file}:${k + 1}: CPU percent ${pct} is above 100`);
      values[v * samples + k] = pct / PERCENT;
    }
  });
  return { names, traces: { samples, values } };
}
