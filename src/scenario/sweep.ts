/**
 * @module scenario/sweep
 * `sweep:` variants of a scenario: each entry is an overlay (scenario/overlay.ts) of values at
 * paths of the raw scenario ("vms[0].count": 5) applied before it is validated, so a swept value
 * gets the same checks as a written one.
 */
import { ScenarioError } from './errors.js';
import { OverlayError, overlayScenario } from './overlay.js';

export interface SweepVariant {
  label: string;
  data: Record<string, unknown>;
}

/** The variants of a raw (parsed, not validated) scenario, or null if it has no sweep. */
export function sweepVariants(raw: Record<string, unknown>, source = 'scenario'): SweepVariant[] | null {
  const sweep = raw.sweep;
  if (sweep === undefined) return null;
  if (!Array.isArray(sweep) || sweep.length === 0) throw new ScenarioError(['sweep: expected a non-empty list of { label, set }'], source);
  const { sweep: _omit, ...base } = raw;
  const issues: string[] = [];
  const labels = new Set<string>();
  const variants = sweep.map((entry, i) => {
    const set = (entry as { set?: unknown })?.set;
    const label = (entry as { label?: unknown })?.label;
    const extra = entry !== null && typeof entry === 'object' ? Object.keys(entry).filter((k) => k !== 'label' && k !== 'set') : [];
    if (typeof label !== 'string' || label === '' || set === null || typeof set !== 'object' || Array.isArray(set)) {
      issues.push(`sweep[${i}]: expected { label: text, set: { path: value } }, got ${JSON.stringify(entry)}`);
      return { label: '', data: base };
    }
    if (extra.length > 0) issues.push(`sweep[${i}]: unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
    if (labels.has(label)) issues.push(`sweep[${i}].label: duplicate label "${label}"`);
    labels.add(label);
    try {
      return { label, data: overlayScenario(base, set as Record<string, unknown>) };
    } catch (e) {
      if (!(e instanceof OverlayError)) throw e;
      issues.push(`sweep[${i}].set["${e.path}"]: ${e.reason}`);
      return { label, data: base };
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return variants;
}
