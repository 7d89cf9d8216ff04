/**
 * @module cli/serve-api
 * The dashboard's read-only JSON API over sweep results stores, served by `lmsim serve`. The
 * browser has no DuckDB, so the server reads the stores and hands the page what `lmsim report
 * STORE` draws (the sweep's summary over seeds, experiments/results.ts summarizeSweep):
 *
 *   GET  /api/stores                     the stores named by --store (folders rescanned) and their sweeps
 *   GET  /api/sweep?store=ID[&sweep=N]   a sweep's result document (default: the one run last)
 *   POST /api/open?name=F[&sweep=N]      a store uploaded by the page (application/octet-stream):
 *                                        copied to a private temporary folder, read, then deleted
 *
 * Only the stores given on the command line (or uploaded) are read: an id is looked up in the
 * listing, never taken as a path. Every store is opened read-only, one request at a time. Errors
 * are `{ "error": message }` with a 4xx status, the message naming the store by its id.
 */
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { SweepListing } from '../experiments/results.js';
import type { ResultsStore } from '../experiments/store.js';
import { resultDocument } from '../report/views/report.js';
import { UsageError } from './errors.js';
import { isDuckDb, sweepInput, withStore } from './store-reader.js';

/** A `--store` argument: one store file, or a folder whose *.duckdb files are stores. */
export interface StoreSource {
  /** As given on the command line (ids are built from it). */
  given: string;
  folder: boolean;
}

/** The largest store the page may upload. */
export const UPLOAD_LIMIT = 1024 * 1024 * 1024;

/** A 4xx answer: status and the message the page shows. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks the `--store` arguments before the server starts: each must exist; a file must be an
 * lmsim results store. A store in use by a running sweep is accepted (DuckDB lets one process
 * at a time open it; the page says so until the sweep ends). Returns notes for stderr.
 */
export async function checkStoreSources(paths: string[]): Promise<{ sources: StoreSource[]; notes: string[] }> {
  const sources: StoreSource[] = [];
  const notes: string[] = [];
  for (const given of paths) {
    let folder: boolean;
    try {
      folder = statSync(given).isDirectory();
    } catch (e) {
      throw new UsageError(`--store: cannot read ${given}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (folder) {
      if (storeFiles(given).length === 0)
        notes.push(`lmsim: note: --store ${given}: no *.duckdb store in the folder yet (it is looked at again on each request)`);
    } else {
      if (!isDuckDb(given)) throw new UsageError(`--store: ${given} is not a DuckDB file (expected a results store written by lmsim sweep --store)`);
      try {
        const sweeps = await withStore(given, listSweepsOf);
        if (sweeps.length === 0) notes.push(`lmsim: note: --store ${given}: the store has no sweep yet`);
      } catch (e) {
        const message = (e as Error).message;
        if (/in use by another process/.test(message))
          notes.push(`lmsim: note: --store ${given}: in use by another process (a sweep still running?); shown once it is free`);
        else throw new UsageError(`--store: ${message}`);
      }
    }
    if (!sources.some((s) => s.given === given)) sources.push({ given, folder });
  }
  return { sources, notes };
}

function storeFiles(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((f) => f.endsWith('.duckdb'))
      .sort()
      .map((f) => join(folder, f));
  } catch {
    return [];
  }
}

/** The stores now: each file source, and each *.duckdb of each folder source; id = its path as given. */
export function storeIds(sources: StoreSource[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const s of sources) {
    if (!s.folder) ids.set(s.given, s.given);
    else for (const f of storeFiles(s.given)) ids.set(f, f);
  }
  return ids;
}

async function listSweepsOf(store: ResultsStore): Promise<SweepListing[]> {
  const { listSweeps } = await import('../experiments/results.js');
  return listSweeps(store);
}

/**
 * Reads a store under a label: its sweeps, and with `sweep` given the document of that sweep
 * (null: the one run last). Errors as ApiError, naming the store by its label.
 */
async function readStore(file: string, label: string, sweep: string | null | undefined): Promise<{ sweeps: SweepListing[]; document?: unknown }> {
  const { StoreError } = await import('../experiments/store.js');
  const named = (m: string) => m.replaceAll(file, label);
  if (!isDuckDb(file)) throw new ApiError(415, `${label}: not a DuckDB file (expected a results store written by lmsim sweep --store)`);
  try {
    return await withStore(file, async (store) => {
      const sweeps = await listSweepsOf(store);
      if (sweep === undefined) return { sweeps };
      if (sweeps.length === 0) throw new ApiError(422, `${label}: the store has no sweep yet (lmsim sweep GRID --store ${label} writes one)`);
      if (sweep !== null && !sweeps.some((s) => s.name === sweep))
        throw new ApiError(404, `${label}: no sweep "${sweep}" (sweeps: ${sweeps.map((s) => s.name).join(', ')})`);
      const input = await sweepInput(store, label, sweep ?? undefined);
      return { sweeps, document: resultDocument(input) };
    });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof StoreError) throw new ApiError(/in use by another process/.test(e.message) ? 409 : 422, named(e.message));
    throw e;
  }
}

/** One DuckDB request at a time. */
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => {});
  return next;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

/** Copies the request body to `file`; refuses more than UPLOAD_LIMIT bytes. */
function receive(req: IncomingMessage, file: string): Promise<number> {
  return new Promise((done, fail) => {
    let size = 0;
    const out = createWriteStream(file);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > UPLOAD_LIMIT) {
        req.unpipe(out);
        out.destroy();
        req.resume();
        fail(new ApiError(413, `the store is larger than the upload limit of ${UPLOAD_LIMIT / 2 ** 30} GiB: start lmsim serve --store FILE instead`));
      }
    });
    req.on('error', fail);
    out.on('error', fail);
    out.on('finish', () => done(size));
    req.pipe(out);
  });
}

/** Answers a request under /api/. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, sources: StoreSource[]): Promise<void> {
  try {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/stores') {
      const stores = await serially(async () => {
        const out: ({ id: string; sweeps: SweepListing[] } | { id: string; error: string })[] = [];
        for (const [id, file] of storeIds(sources)) {
          try {
            out.push({ id, sweeps: (await readStore(file, id, undefined)).sweeps });
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            out.push({ id, error: e.message });
          }
        }
        return out;
      });
      send(res, 200, { stores });
    } else if (route === 'GET /api/sweep') {
      const id = url.searchParams.get('store');
      const ids = storeIds(sources);
      if (id === null) throw new ApiError(400, 'store: expected ?store=ID (one of GET /api/stores)');
      const file = ids.get(id);
      if (file === undefined) throw new ApiError(404, `no store "${id}" (stores: ${[...ids.keys()].join(', ') || 'none: start lmsim serve --store FILE'})`);
      send(res, 200, (await serially(() => readStore(file, id, url.searchParams.get('sweep')))).document);
    } else if (route === 'POST /api/open') {
      // a form on another site cannot send this type without the browser asking first (CORS)
      if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/octet-stream')
        throw new ApiError(415, 'send the store as the body, content-type application/octet-stream');
      const name = basename(url.searchParams.get('name') ?? 'upload.duckdb').slice(0, 200) || 'upload.duckdb';
      const dir = mkdtempSync(join(tmpdir(), 'lmsim-serve-'));
      try {
        const file = join(dir, 'store.duckdb');
        const size = await receive(req, file);
        if (size === 0) throw new ApiError(400, `${name}: the file is empty`);
        send(res, 200, await serially(() => readStore(file, name, url.searchParams.get('sweep'))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else if (['/api/stores', '/api/sweep', '/api/open'].includes(url.pathname)) {
      throw new ApiError(405, `${url.pathname}: method ${req.method} not allowed`);
    } else throw new ApiError(404, `no API ${url.pathname} (GET /api/stores, GET /api/sweep, POST /api/open)`);
  } catch (e) {
    if (!(e instanceof ApiError)) {
      send(res, 500, { error: `internal error: ${(e as Error).message.split('\n')[0]}` });
      return;
    }
    if (!res.headersSent) {
      if (e.status === 413) res.setHeader('connection', 'close');
      send(res, e.status, { error: e.message });
    }
  }
}
