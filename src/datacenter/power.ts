/**
 * @module datacenter/power
 * Host power models: an 11-point SPECpower table (0 %, 10 %, ..., 100 % CPU) interpolated linearly,
 * as CloudSim's PowerModelSpecPower does. The arithmetic follows CloudSim's formula step by step so
 * that equal inputs give bit-identical watts (placement ties are broken on exact equality).
 */

/** Watts at 0 %, 10 %, ..., 100 % CPU utilisation (11 values). */
export type PowerTable = ArrayLike<number>;

/** Number of points in a SPECpower table. */
export const POWER_TABLE_POINTS = 11;
/** Table steps per unit of utilisation (10 % steps). */
export const POWER_TABLE_STEPS = POWER_TABLE_POINTS - 1;
const STEPS = POWER_TABLE_STEPS;

/** HP ProLiant ML110 G4 (Intel Xeon 3040, 2 x 1860 MIPS), SPECpower_ssj2008, watts. */
export const HP_PROLIANT_ML110_G4: PowerTable = Object.freeze([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]);
/** HP ProLiant ML110 G5 (Intel Xeon 3075, 2 x 2660 MIPS), SPECpower_ssj2008, watts. */
export const HP_PROLIANT_ML110_G5: PowerTable = Object.freeze([93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135]);

/** Checks that a table has 11 finite watt values >= 0 (a table may dip: SPECpower tables do not, but nothing relies on it). */
export function validatePowerTable(table: PowerTable, name = 'power table'): void {
  if (table.length !== POWER_TABLE_POINTS) throw new RangeError(`${name}: expected ${POWER_TABLE_POINTS} values, got ${table.length}`);
  for (let i = 0; i < table.length; i++) {
    if (!Number.isFinite(table[i]) || table[i] < 0) throw new RangeError(`${name}[${i}]: expected watts >= 0, got ${table[i]}`);
  }
}

/**
 * Power (watts) at CPU utilisation `u` (fraction 0..1), linear between the 10 % points.
 * Values outside [0, 1] are clamped (CloudSim throws; its callers never pass them).
 */
export function powerAt(table: PowerTable, u: number): number {
  // numbers written out (10 = STEPS, 11 = POWER_TABLE_POINTS; CloudSim multiplies the offset by
  // 100): in the placement's hot loop, optimized code re-checks a module constant's
  // initialisation at every use
  if (!(u > 0)) return table[0];
  if (u >= 1) return table[10];
  const x = u * 10;
  const lo = Math.floor(x);
  // CloudSim returns the table value when u % 0.1 == 0; the only such doubles in (0, 1) are
  // 0.1, 0.2, 0.4 and 0.8, where u x 10 is a whole number, so this test gives the same watts
  // without fmod
  if (lo === x) return table[lo];
  const p1 = table[lo];
  // a table with its step deltas appended (withDeltas) saves the division, to the same bits
  const delta = table.length > 11 ? table[11 + lo] : (table[lo + 1] - p1) / 10;
  // lo / 10 is CloudSim's lower table point (the same division as its lo / 10.0)
  return p1 + delta * (u - lo / 10) * 100;
}

/**
 * The table followed by its 10 step deltas ((p[i + 1] - p[i]) / 10, CloudSim's expression), for
 * powerAt in hot loops: the same watts without a division.
 */
export function withDeltas(table: PowerTable): Float64Array {
  const out = new Float64Array(POWER_TABLE_POINTS + STEPS);
  for (let i = 0; i < POWER_TABLE_POINTS; i++) out[i] = table[i];
  for (let i = 0; i < STEPS; i++) out[POWER_TABLE_POINTS + i] = (table[i + 1] - table[i]) / STEPS;
  return out;
}

/** Maximum power of a table (watts at 100 %). */
export function maxPower(table: PowerTable): number {
  return table[STEPS];
}
