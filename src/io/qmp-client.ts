/**
 * @module io/qmp-client
 * A client of QEMU's machine protocol (QMP) over a unix or TCP socket (Node only): JSON objects,
 * one per line, both ways. On connect QEMU sends a greeting ({"QMP": {version, capabilities}}); the
 * client answers `qmp_capabilities`, after which commands are accepted. Every command carries an
 * `id` that QEMU echoes in its `return` or `error` reply; asynchronous events ({"event", "data",
 * "timestamp"}) arrive between replies and are kept in order for `waitEvent`.
 *
 * Errors say what failed: the socket (not found, refused), the greeting (missing, or not QMP), a
 * command QEMU refused (with QEMU's own class and description), or QEMU closing the connection.
 */
import { connect, Socket } from 'node:net';

/** Where QEMU's QMP listens: `unix:PATH` or `tcp:HOST:PORT`. */
export type QmpAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export class QmpError extends Error {}

/** A command QEMU answered with an error: QEMU's class and description are kept. */
export class QmpCommandError extends QmpError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly description: string,
  ) {
    super(`QEMU refused ${command}: ${description} (${errorClass})`);
  }
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** Parses `unix:PATH` or `tcp:HOST:PORT`; throws QmpError naming what was expected. */
export function parseQmpAddress(text: string): QmpAddress {
  if (text.startsWith('unix:') && text.length > 5) return { kind: 'unix', path: text.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(text);
  if (m) {
    const port = Number(m[2]);
    if (port >= 1 && port <= 65535) return { kind: 'tcp', host: m[1], port };
  }
  throw new QmpError(`expected unix:PATH or tcp:HOST:PORT, got ${JSON.stringify(text)}`);
}

export function formatQmpAddress(a: QmpAddress): string {
  return a.kind === 'unix' ? `unix:${a.path}` : `tcp:${a.host}:${a.port}`;
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class QmpClient {
  /** QEMU's greeting: its version and the capabilities it offers. */
  greeting: { version?: { qemu?: { major: number; minor: number; micro: number }; package?: string }; capabilities?: string[] } = {};
  readonly events: QmpEvent[] = [];
  #socket: Socket;
  #buffer = '';
  #nextId = 1;
  #pending = new Map<string, Pending>();
  #eventWaiters: { match: (e: QmpEvent) => boolean; resolve: (e: QmpEvent) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  #closed: Error | null = null;
  #onGreeting: { resolve: (g: Record<string, unknown>) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    readonly address: QmpAddress,
    socket: Socket,
  ) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#data(chunk));
    socket.on('close', () => this.#fail(new QmpError(`QEMU closed the QMP connection at ${formatQmpAddress(address)}`)));
    socket.on('error', (e) => this.#fail(new QmpError(`QMP connection to ${formatQmpAddress(address)}: ${e.message}`)));
  }

  /** Connects, reads the greeting and negotiates capabilities; `timeout` (ms) bounds each step. */
  static async connect(address: QmpAddress, timeout = 5000): Promise<QmpClient> {
    const where = formatQmpAddress(address);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = address.kind === 'unix' ? connect(address.path) : connect(address.port, address.host);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new QmpError(`no connection to ${where} within ${timeout} ms`));
      }, timeout);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          e.code === 'ENOENT'
            ? 'socket not found'
            : e.code === 'ECONNREFUSED'
              ? 'connection refused (is QEMU running with -qmp on this address?)'
              : e.code === 'EACCES'
                ? 'permission denied'
                : e.message;
        reject(new QmpError(`cannot connect to QMP at ${where}: ${why}`));
      });
    });
    const client = new QmpClient(address, socket);
    const greeting = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpError(`QMP greeting missing: ${where} sent no {"QMP": ...} within ${timeout} ms (is this a QMP socket?)`)), timeout);
      client.#onGreeting = {
        resolve: (g) => {
          clearTimeout(timer);
          resolve(g);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    }).catch((e) => {
      socket.destroy();
      throw e;
    });
    client.greeting = greeting as QmpClient['greeting'];
    await client.execute('qmp_capabilities');
    return client;
  }

  /** QEMU's version as "major.minor.micro" (from the greeting). */
  get version(): string {
    const q = this.greeting.version?.qemu;
    return q ? `${q.major}.${q.minor}.${q.micro}` : 'unknown';
  }

  /** Runs one command; resolves with its `return`, rejects with QmpCommandError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeout = 30000): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = `lmsim-${this.#nextId++}`;
    const msg: Record<string, unknown> = { execute: command, id };
    if (args && Object.keys(args).length > 0) msg.arguments = args;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new QmpError(`QEMU did not answer ${command} within ${timeout} ms`));
      }, timeout);
      this.#pending.set(id, {
        command,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** The first event (already received or coming) that matches, within `timeout` ms. */
  waitEvent(match: (e: QmpEvent) => boolean, timeout: number, what: string): Promise<QmpEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#eventWaiters = this.#eventWaiters.filter((w) => w !== waiter);
          reject(new QmpError(`no ${what} event from QEMU within ${timeout} ms`));
        }, timeout),
      };
      this.#eventWaiters.push(waiter);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #data(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl).trim();
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line !== '') this.#message(line);
    }
  }

  #message(line: string): void {
    let msg: Record<string, unknown> | null = null;
    try {
      msg = JSON.parse(line);
    } catch {
      /* reported below */
    }
    if (this.#onGreeting) {
      const g = this.#onGreeting;
      this.#onGreeting = null;
      if (msg && msg.QMP && typeof msg.QMP === 'object') g.resolve(msg.QMP as Record<string, unknown>);
      else g.reject(new QmpError(`QMP greeting missing: ${formatQmpAddress(this.address)} first sent ${line.slice(0, 80)}`));
      return;
    }
    if (!msg || typeof msg !== 'object') {
      this.#fail(new QmpError(`${formatQmpAddress(this.address)} sent a line that is not a JSON object: ${line.slice(0, 80)}`));
      return;
    }
    if (typeof msg.event === 'string') {
      const e = msg as unknown as QmpEvent;
      this.events.push(e);
      for (const w of [...this.#eventWaiters]) {
        if (w.match(e)) {
          clearTimeout(w.timer);
          this.#eventWaiters = this.#eventWaiters.filter((x) => x !== w);
          w.resolve(e);
        }
      }
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : null;
    const pending = id ? this.#pending.get(id) : undefined;
    if (!pending || id === null) return; // a reply to nobody (no id): QMP sends these only for malformed input
    this.#pending.delete(id);
    if ('error' in msg) {
      const err = (msg.error ?? {}) as { class?: string; desc?: string };
      pending.reject(new QmpCommandError(pending.command, err.class ?? 'GenericError', err.desc ?? 'no description'));
    } else {
      pending.resolve(msg.return);
    }
  }

  #fail(e: Error): void {
    if (this.#closed) return;
    this.#closed = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
    for (const w of this.#eventWaiters) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.#eventWaiters = [];
    const g = this.#onGreeting;
    this.#onGreeting = null;
    g?.reject(new QmpError(`QMP greeting missing: ${e.message}`));
  }
}
