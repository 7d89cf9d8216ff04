/**
 * @module experiments/thread
 * The entry point of a pool thread (piscina): one job in, its output back.
 */
import { executeJob, type RunJob, type RunOutput } from './job.js';

export default function run(job: RunJob): RunOutput {
  return executeJob(job);
}
