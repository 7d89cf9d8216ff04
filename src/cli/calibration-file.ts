/**
 * @module cli/calibration-file
 * A file of calibration constants (`--constants FILE`), as `lmsim calibrate qemu --fit` prints it
 * ({ constants: {...} }) or as a plain object of the constants to override. Shared by
 * `calibrate qemu` and the QEMU predictions, so a machine fitted once is used by both. Bad input
 * exits 2 naming the file and each wrong key.
 */
import { readFileSync } from 'node:fs';
import { CalibrationConstants, qemuLabConstants } from '../calibrate/index.js';
import { ScenarioError } from '../scenario/errors.js';

export function loadConstants(file: string): Partial<CalibrationConstants> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError([`cannot read a JSON object: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`], file);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && 'constants' in data) data = (data as { constants: unknown }).constants;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ScenarioError(['expected a JSON object of constants'], file);
  const issues: string[] = [];
  const out: Partial<CalibrationConstants> = {};
  for (const [k, v] of Object.entries(data)) {
    if (!(k in qemuLabConstants)) issues.push(`${k}: unknown constant (known: ${Object.keys(qemuLabConstants).join(', ')})`);
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) issues.push(`${k}: expected a number >= 0, got ${JSON.stringify(v)}`);
    else out[k as keyof CalibrationConstants] = v;
  }
  if (out.finalCopyRate === 0) issues.push('finalCopyRate: expected a positive rate');
  if (out.rateLimitFactor === 0) issues.push('rateLimitFactor: expected a positive factor');
  if (issues.length) throw new ScenarioError(issues, file);
  return out;
}
