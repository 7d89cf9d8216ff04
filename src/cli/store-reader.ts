/**
 * @module cli/store-reader
 * Reading a sweep's results store (the DuckDB file `lmsim sweep --store` writes) for the views,
 * always read-only: what `lmsim report STORE` draws and what `lmsim serve --store` hands the
 * dashboard. DuckDB is loaded only when a store is read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ResultsStore } from '../experiments/store.js';
import type { ReportInput } from '../report/views/input.js';
import { VERSION } from '../version.js';

/** Whether a file is a DuckDB database (its header says "DUCK" at byte 8). */
export function isDuckDb(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(12);
      return readSync(fd, head, 0, 12, 0) === 12 && head.toString('latin1', 8, 12) === 'DUCK';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Opens a store read-only, hands it to `use`, closes it (errors: experiments/store.ts StoreError). */
export async function withStore<T>(file: string, use: (store: ResultsStore) => Promise<T>): Promise<T> {
  const { ResultsStore } = await import('../experiments/store.js');
  const store = await ResultsStore.open(file, { readOnly: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** A sweep summarized over seeds (experiments/results.ts summarizeSweep), as the views take it; `label` names the store on the page. */
export async function sweepInput(store: ResultsStore, label: string, sweep?: string): Promise<Extract<ReportInput, { kind: 'sweep' }>> {
  const { summarizeSweep } = await import('../experiments/results.js');
  const s = await summarizeSweep(store, { sweep });
  const summary = { name: s.info.name, kind: s.info.kind, level: s.level, axes: s.info.axes, metrics: s.metrics, groups: s.groups };
  return { kind: 'sweep', lmsim: VERSION, store: label, summary };
}
