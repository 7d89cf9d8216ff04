/**
 * @module scenario/unused-options
 * Options a migration sets that its algorithm never reads (a downtime limit on post-copy, a ramp
 * on plain pre-copy). They are accepted, since `compare` switches algorithms over one file, but
 * named, so that nothing a user wrote is ignored without a word.
 */
import { migrationOptionNames, migrationOptions } from '../migration/option-registry.js';
import type { AlgorithmName } from '../migration/options.js';
import type { ScenarioSpec } from './schema.js';

/** One line per option a migration sets without effect: "migrations[0].downtimeRamp: ...". */
export function unusedOptions(spec: ScenarioSpec): string[] {
  const notes: string[] = [];
  spec.migrations.forEach((m, i) => {
    const set = m as unknown as Record<string, unknown>;
    for (const name of migrationOptionNames) {
      // a preset written on an algorithm without pre-copy rounds is refused; here it is the default
      if (name === 'preset') continue;
      const applies: readonly AlgorithmName[] = migrationOptions[name].algorithms;
      if (set[name] === undefined || applies.includes(m.algorithm)) continue;
      notes.push(`migrations[${i}].${name}: no effect on algorithm ${m.algorithm} (it applies to ${applies.join(', ')})`);
    }
  });
  return notes;
}
