/**
 * @module experiments/run-key
 * A run's identity in a results store: the SHA-256 of the canonical JSON of its kind, its validated
 * scenario (units resolved, defaults filled, so `300ms` and `0.3s` are the same run) and the lmsim
 * version. The seed is part of the scenario. Two machines that validate the same raw scenario get
 * the same key; a worker checks that before it runs.
 */
import { createHash } from 'node:crypto';

/** JSON with sorted keys, non-finite numbers spelled out (JSON would turn Infinity into null), undefined left out. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify({ $number: String(value) });
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}

/** The key of a run: hex SHA-256 of { kind, lmsim, scenario }. */
export function runKey(kind: string, spec: unknown, version: string): string {
  return createHash('sha256').update(canonicalJson({ kind, lmsim: version, scenario: spec })).digest('hex');
}
