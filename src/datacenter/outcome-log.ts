/**
 * @module datacenter/outcome-log
 * The outcomes of a run's migrations in start order, held in typed arrays: a day at 10,000 hosts
 * starts some 800,000 migrations, and an object per migration kept to the end of the run would be
 * traced again by every major garbage collection.
 */
import { grown } from '../core/typed-arrays.js';
import type { MigrationOutcome } from './migration-model.js';

export class OutcomeLog {
  /** Migrations started. */
  started = 0;
  private ended: Uint8Array = new Uint8Array(1024);
  private duration: Float64Array = new Float64Array(1024);
  private downtime: Float64Array = new Float64Array(1024);
  private bytes: Float64Array = new Float64Array(1024);

  /** A migration starts: returns its position in start order. */
  start(): number {
    if (this.started === this.ended.length) this.grow();
    return this.started++;
  }

  /** Migration `seq` (its position in start order) ended with `outcome`. */
  end(seq: number, outcome: MigrationOutcome): void {
    this.ended[seq] = 1;
    this.duration[seq] = outcome.duration;
    this.downtime[seq] = outcome.downtime;
    this.bytes[seq] = outcome.bytesTransferred;
  }

  /** The durations and downtimes of the migrations that ended, in start order, and their bytes summed in that order. */
  endedInStartOrder(): { durations: number[]; downtimes: number[]; bytes: number } {
    const durations: number[] = [];
    const downtimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < this.started; i++) {
      if (this.ended[i] === 0) continue;
      durations.push(this.duration[i]);
      downtimes.push(this.downtime[i]);
      bytes += this.bytes[i];
    }
    return { durations, downtimes, bytes };
  }

  private grow(): void {
    const n = 2 * this.ended.length;
    this.ended = grown(this.ended, n);
    this.duration = grown(this.duration, n);
    this.downtime = grown(this.downtime, n);
    this.bytes = grown(this.bytes, n);
  }
}
