/**
 * @module cli/serve
 * `lmsim serve [--port N] [--host H] [--store FILE|FOLDER]...`: serves the dashboard (dist/web,
 * built by Vite with `npm run build`) over node:http, on the loopback interface unless told
 * otherwise. The simulation runs in the browser's Web Worker; the server adds only a read-only
 * API over sweep results stores (cli/serve-api.ts), which the browser cannot read. Static paths
 * are resolved inside the folder (no "..").
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';
import { checkStoreSources, handleApi, type StoreSource } from './serve-api.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** The built dashboard: dist/web beside dist/src (this file is dist/src/cli/serve.js, or a chunk of dist/src/cli-bundle/). */
export function dashboardDir(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Starts the server; resolves once it listens (port 0: a free one). `stores`: what the API may read. */
export function startServer(root: string, port: number, host: string, stores: StoreSource[] = []): Promise<Server> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      // on loopback, only pages of this machine's own names reach the API (no DNS rebinding)
      const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (LOOPBACK.has(host) && !LOOPBACK.has(hostname)) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`the API answers on ${host} only`);
        return;
      }
      void handleApi(req, res, url, stores);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    const file = resolve(base, '.' + normalize(path.endsWith('/') ? path + 'index.html' : path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('outside the dashboard');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': path.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

/** `lmsim serve`: runs until interrupted. */
export async function serveCommand(opts: { port?: string; host?: string; store?: string[] }, io: Io): Promise<void> {
  const port = opts.port === undefined ? 8377 : Number(opts.port);
  if (!/^\d+$/.test(String(opts.port ?? '0')) || !(port >= 0 && port <= 65535))
    throw new UsageError(`--port: expected a port number 0..65535, got "${opts.port}"`);
  const host = opts.host ?? '127.0.0.1';
  const root = dashboardDir();
  if (!existsSync(join(root, 'index.html'))) throw new UsageError(`the dashboard is not built (no ${join(root, 'index.html')}): run npm run build`);
  const { sources, notes } = await checkStoreSources(opts.store ?? []);
  for (const note of notes) io.err(note + '\n');
  let server: Server;
  try {
    server = await startServer(root, port, host, sources);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--port: cannot listen on ${host}:${port} (${code ?? (e as Error).message})`);
  }
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  io.err(`lmsim: dashboard at http://${host.includes(':') ? `[${host}]` : host}:${actual}/ (Ctrl-C to stop)\n`);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
