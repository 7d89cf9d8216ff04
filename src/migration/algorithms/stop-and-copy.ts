/**
 * @module migration/algorithms/stop-and-copy
 * The non-live baseline: pause the VM, send all its memory and device state, resume it at the
 * destination. Downtime is the whole transfer.
 */
import { MigrationActions, MigrationAlgorithm } from './algorithm.js';

export class StopAndCopy implements MigrationAlgorithm {
  readonly live = false;

  start(m: MigrationActions): void {
    m.stopAndCopy('non-live migration');
  }

  /** No live phase: nothing happens at iteration boundaries. */
  iterate(): void {}

  onTimeout(m: MigrationActions): void {
    m.timeOut();
  }
}
