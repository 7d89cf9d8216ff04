/**
 * @module cli/seed
 * `--seed N` on every command: a whole number in 0..2^53-1 written in decimal digits, so that what
 * the user typed is exactly the seed the run uses ("1e3", "0x10", "1.0", "-1" and 2^53 are refused).
 */
import { UsageError } from './errors.js';

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--seed: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER} in digits, got "${value}"`);
  }
  return n;
}
