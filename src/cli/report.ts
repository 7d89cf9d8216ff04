/**
 * @module cli/report
 * `lmsim report INPUT [-o FILE]`: one self-contained HTML page with the plots of a result. INPUT
 * is a result JSON (run, compare, consolidate --json), a report made earlier (its embedded result
 * is drawn again), a scenario file, which is run first, or a sweep's results store (DuckDB),
 * summarized over seeds. The plots are drawn by the shared views
 * (report/views) on linkedom's server-side document; the page is written to a temporary file and
 * renamed, so a failure leaves nothing half-written.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseHTML } from 'linkedom';
import { embeddedInput, reportHtml } from '../report/views/report.js';
import { ReportInput, reportInputOf, ReportInputError } from '../report/views/input.js';
import type { Doc } from '../report/views/dom.js';
import { UsageError } from './errors.js';
import { isDuckDb, sweepInput, withStore } from './store-reader.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ReportOptions {
  output?: string;
  seed?: number;
  /** Run a scenario even when its estimated work is beyond the bound. */
  force?: boolean;
  /** The sweep of a results store to draw (default: the one run last). */
  sweep?: string;
}

/** A fresh server-side document for the views. */
export function serverDocument(): Doc {
  return parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Doc;
}

/** The report page of a file (result JSON, report HTML or scenario). */
export async function reportPage(file: string, seed?: number, force = false, sweep?: string): Promise<string> {
  return reportHtml(serverDocument(), await reportInputOfFile(file, seed, force, sweep));
}

/** A results store's sweep, summarized over seeds. */
async function storeInput(file: string, sweep?: string): Promise<ReportInput> {
  const { StoreError } = await import('../experiments/store.js');
  try {
    return await withStore(file, (store) => sweepInput(store, basename(file), sweep));
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  }
}

export async function reportInputOfFile(file: string, seed?: number, force = false, sweep?: string): Promise<ReportInput> {
  if (isDuckDb(file)) return storeInput(file, sweep);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    if (/^\s*<(!doctype|html)/i.test(text)) {
      const embedded = embeddedInput(text);
      if (embedded === null) throw new UsageError(`${file}: an HTML file without an lmsim report's data`);
      return reportInputOf(embedded, file);
    }
    const json = parseJson(text);
    // a result has one of these at its top; anything else is read as a scenario
    if (Array.isArray(json)) return reportInputOf(json, file); // consolidations side by side
    if (
      json !== undefined &&
      typeof json === 'object' &&
      json !== null &&
      ('migrations' in json || 'variants' in json || 'energyKWh' in json) &&
      !('hosts' in json && 'vms' in json && 'network' in json)
    ) {
      return reportInputOf(json, file);
    }
  } catch (e) {
    if (e instanceof ReportInputError) throw new UsageError(e.message);
    throw e;
  }
  const { scenarioReportInput } = await import('./scenario-commands.js');
  return scenarioReportInput(file, seed, force);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `lmsim report`. */
export async function reportCommand(file: string, opts: ReportOptions, io: Io): Promise<void> {
  const html = await reportPage(file, opts.seed, opts.force, opts.sweep);
  const out = opts.output ?? 'report.html';
  if (out === '-') {
    io.out(html);
    return;
  }
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, html);
    renameSync(tmp, out);
  } catch (e) {
    throw new UsageError(`-o: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  io.err(`lmsim: wrote ${out} (${Math.ceil(html.length / 1024)} KiB)\n`);
}
