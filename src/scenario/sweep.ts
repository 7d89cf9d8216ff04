/**
 * @module scenario/sweep
 * `sweep:` variants of a scenario: each entry sets values at paths of the raw scenario
 * ("vms[0].count": 5) before it is validated, so a swept value gets the same checks as a written one.
 */
import { ScenarioError } from './load.js';

export interface SweepVariant {
  label: string;
  data: unknown;
}

/** The variants of a raw (parsed, not validated) scenario, or null if it has no sweep. */
export function sweepVariants(raw: Record<string, unknown>, source = 'scenario'): SweepVariant[] | null {
  const sweep = raw.sweep;
  if (sweep === undefined) return null;
  if (!Array.isArray(sweep) || sweep.length === 0) throw new ScenarioError(['sweep: expected a non-empty list of { label, set }'], source);
  return sweep.map((entry, i) => {
    const { sweep: _omit, ...base } = raw;
    const data = structuredClone(base);
    const set = (entry as { set?: unknown })?.set;
    const label = (entry as { label?: unknown })?.label;
    if (typeof label !== 'string' || set === null || typeof set !== 'object') {
      throw new ScenarioError([`sweep[${i}]: expected { label: text, set: { path: value } }`], source);
    }
    for (const [path, value] of Object.entries(set)) {
      try {
        setPath(data, path, value);
      } catch (e) {
        throw new ScenarioError([`sweep[${i}].set["${path}"]: ${(e as Error).message}`], source);
      }
    }
    return { label, data };
  });
}

/** Sets `value` at a path like `vms[0].count` or `network.bandwidth` (the last key may be new). */
export function setPath(target: unknown, path: string, value: unknown): void {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  if (keys.length === 0) throw new Error('empty path');
  let node = target as Record<string | number, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node?.[keys[i]];
    if (next === null || typeof next !== 'object') throw new Error(`no "${keys.slice(0, i + 1).join('.')}" in the scenario`);
    node = next as Record<string | number, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
