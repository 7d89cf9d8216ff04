/**
 * @module migration/failures
 * What a link or host failure does to a migration, by where the migration is. Before the VM runs
 * at the destination it keeps (or resumes) running at the source: the migration is aborted. After,
 * its memory is split between the hosts: the guest is lost.
 */
import type { PhaseNames } from './algorithms/algorithm.js';

export type Phase = 'pending' | 'queued' | 'setup' | 'live' | 'stop-and-copy' | 'switchover' | 'postcopy' | 'resuming' | 'done';

/** What a failure took away, as seen by one migration. */
export interface FailureImpact {
  what: string;
  sourceLost: boolean;
  destinationLost: boolean;
}

export type FailureOutcome =
  /** not started yet, or over: nothing to do */
  | 'none'
  /** the source crashed before the VM ran at the destination: the VM is lost with it */
  | 'source-lost'
  /** the VM ran (or was about to run) at the destination while the source still held pages: lost */
  | 'split'
  /** every byte is at the destination: the switch-over completes */
  | 'completes'
  /** before the switch-over: the VM keeps running at the source */
  | 'aborted';

/** @param afterSwitch post-copy has begun at the destination (the VM runs there, or is about to) */
export function failureOutcome(phase: Phase, afterSwitch: boolean, impact: FailureImpact): FailureOutcome {
  if (phase === 'pending' || phase === 'queued' || phase === 'done') return 'none';
  if (impact.sourceLost && !afterSwitch) return 'source-lost';
  if (afterSwitch || (phase === 'resuming' && impact.destinationLost)) return 'split';
  if (phase === 'resuming') return 'completes';
  return 'aborted';
}

/** The phase in words, for reasons ("during pre-copy round 3"). */
export function phaseName(phase: Phase, round: number, names?: PhaseNames): string {
  switch (phase) {
    case 'live':
      return names?.live ?? `pre-copy round ${round}`;
    case 'stop-and-copy':
    case 'resuming':
      return 'the stop-and-copy';
    case 'switchover':
      return 'the switch-over to post-copy';
    default:
      return names?.postcopy ?? 'post-copy';
  }
}
