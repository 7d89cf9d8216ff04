/**
 * @module scenario/overlay
 * Overlays: values set at paths of a raw (parsed, not yet validated) scenario. Every way of
 * varying a scenario goes through here: `compare:` entries and `--algorithms` (set on every
 * migration), `sweep:` entries, `--set PATH=VALUE` and the sweep grid's axes. The result is then
 * validated exactly like a file, so a value set by an overlay gets the same checks and the same
 * path-naming errors as a written one, and nothing outside the paths set is touched.
 *
 * Path syntax (docs/options.md):
 * - keys separated by dots: `network.bandwidth`, `vms[0].workload.writeRate`;
 * - `[i]` indexes a list (it must exist), `[*]` every element of a list: `migrations[*].timeout`;
 * - a key may be quoted to hold dots or brackets: `hosts[0]["my.key"]`.
 * Missing mappings on the way are created (`vms[0].free.size` when the VM has no `free`); a path
 * through a value that is not a mapping or a list is refused. In overlayScenario, setting a
 * migration option under one of its names (`downtimeLimit`, QEMU's `downtime-limit`) removes the
 * value written under the other.
 */

import { parse as parseYaml } from 'yaml';
import { synonymsOf } from '../migration/option-registry.js';

/** One step of a path: a mapping key, a list index, or `*` (every element of a list). */
export type PathKey = string | number | { every: true };

/** A path that cannot be parsed or applied; `path` is the path as written. */
export class OverlayError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}

const EVERY = { every: true } as const;

/** "migrations[*].timeout" -> ["migrations", {every}, "timeout"]. */
export function parsePath(path: string): PathKey[] {
  const keys: PathKey[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new OverlayError(path, `${why} (expected a path like migrations[0].timeout, vms[*].count or network.bandwidth)`);
  };
  if (path.trim() === '') fail('empty path');
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) fail('unclosed "["');
      const inner = path.slice(i + 1, end).trim();
      if (inner === '*') keys.push(EVERY);
      else if (/^\d+$/.test(inner)) keys.push(Number(inner));
      else if (/^(".*"|'.*')$/.test(inner)) keys.push(inner.slice(1, -1));
      else fail(`"[${inner}]" is not an index, [*] or a quoted key`);
      i = end + 1;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') fail(`unexpected "${path[i]}" after "]"`);
      if (path[i] === '.') {
        i++;
        if (i >= path.length) fail('path ends with "."');
      }
    } else if (c === '.') {
      fail('empty key');
    } else {
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      keys.push(path.slice(i, end).trim());
      i = end;
      if (path[i] === '.') {
        i++;
        if (i >= path.length) fail('path ends with "."');
      }
    }
  }
  return keys;
}

/** A path back as text, the inverse of parsePath (`[*]` for every element). */
export function formatPathKeys(keys: readonly PathKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'object') out += '[*]';
    else if (/[.[\]"']/.test(k)) out += `["${k}"]`;
    else out += out === '' ? k : `.${k}`;
  }
  return out;
}

type Node = Record<string, unknown> | unknown[];

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Sets `value` at `path` inside `target` (mutated). `[*]` sets it in every element; a value is
 * copied into each place so the places never share an object.
 * @throws OverlayError naming the path when it runs through something that is not there.
 */
export function setPath(target: unknown, path: string | readonly PathKey[], value: unknown): void {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  const text = typeof path === 'string' ? path : formatPathKeys(path);
  if (keys.length === 0) throw new OverlayError(text, 'empty path');
  walk(target, 0);

  function walk(node: unknown, depth: number): void {
    const key = keys[depth];
    const last = depth === keys.length - 1;
    const here = formatPathKeys(keys.slice(0, depth)) || '(top level)';
    if (typeof key === 'object') {
      if (!Array.isArray(node)) throw new OverlayError(text, `${here} is not a list, so [*] matches nothing`);
      if (node.length === 0) throw new OverlayError(text, `${here} is an empty list, so [*] matches nothing`);
      for (let i = 0; i < node.length; i++) step(node, i, last, depth);
      return;
    }
    if (typeof key === 'number') {
      if (!Array.isArray(node)) throw new OverlayError(text, `${here} is not a list`);
      if (key >= node.length) throw new OverlayError(text, `${here} has ${node.length} element${node.length === 1 ? '' : 's'}, no [${key}]`);
      step(node, key, last, depth);
      return;
    }
    if (!isMapping(node)) throw new OverlayError(text, `${here} is not a mapping`);
    step(node, key, last, depth);
  }

  function step(node: Node, key: string | number, last: boolean, depth: number): void {
    const n = node as Record<string | number, unknown>;
    if (last) {
      n[key] = structuredClone(value);
      return;
    }
    // a missing mapping on the way is created, so `vms[0].free.size` works on a VM without `free`
    if (n[key] === undefined && typeof keys[depth + 1] === 'string') n[key] = {};
    walk(n[key], depth + 1);
  }
}

/** Removes the value at `path` (with `[*]`: in every element) where it is there. */
export function deletePath(target: unknown, path: string | readonly PathKey[]): void {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string | number, unknown>;
    const key = keys[depth];
    const places = typeof key === 'object' ? (Array.isArray(node) ? node.map((_, i) => i) : []) : [key];
    for (const k of places) {
      // list elements are never spliced out: indexes in later paths would shift
      if (depth === keys.length - 1) {
        if (!Array.isArray(node)) delete n[k];
      } else visit(n[k], depth + 1);
    }
  };
  visit(target, 0);
}

/** The value at `path` (undefined if absent; with `[*]`, the list of the elements' values). */
export function getPath(target: unknown, path: string | readonly PathKey[]): unknown {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  const visit = (node: unknown, depth: number): unknown => {
    if (depth === keys.length) return node;
    if (node === null || typeof node !== 'object') return undefined;
    const key = keys[depth];
    if (typeof key === 'object') return Array.isArray(node) ? node.map((e) => visit(e, depth + 1)) : undefined;
    return visit((node as Record<string | number, unknown>)[key], depth + 1);
  };
  return visit(target, 0);
}

/** Overlay entries: a mapping of path -> value, or a list of [path, value] applied in order. */
export type Overlay = Record<string, unknown> | readonly (readonly [string, unknown])[];

/**
 * A copy of `raw` with every entry of `overlay` set, in order. The input is not changed.
 * @throws OverlayError naming the first path that cannot be applied.
 */
export function applyOverlay<T>(raw: T, overlay: Overlay): T {
  const out = structuredClone(raw);
  const entries = Array.isArray(overlay) ? overlay : Object.entries(overlay);
  for (const [path, value] of entries) setPath(out, path, value);
  return out;
}

/**
 * A copy of a raw scenario (migration or consolidation) with the overlay set, in the scenario
 * vocabulary: in a migration scenario (a `migrations:` list), `migration.X` is short for
 * `migrations[*].X`; in a consolidation scenario, a `migration:` given as a model name
 * (`precopy`) becomes `{ model: precopy }` before a field is set inside it.
 */
export function overlayScenario<T extends Record<string, unknown>>(raw: T, overlay: Overlay): T {
  const out = structuredClone(raw) as Record<string, unknown>;
  const entries = Array.isArray(overlay) ? overlay : Object.entries(overlay);
  for (const [path, value] of entries) {
    const keys = parsePath(path);
    if (keys[0] === 'migration' && keys.length > 1) {
      if (!('migration' in out) && Array.isArray(out.migrations)) keys.splice(0, 1, 'migrations', EVERY);
      else if (typeof out.migration === 'string') out.migration = { model: out.migration };
    }
    try {
      setPath(out, keys, value);
      // a value set under one name replaces what another name of it said (downtimeLimit / downtime-limit)
      const last = keys[keys.length - 1];
      if (typeof last === 'string') for (const other of synonymsOf(last)) deletePath(out, [...keys.slice(0, -1), other]);
    } catch (e) {
      // name the path as the user wrote it
      if (e instanceof OverlayError) throw new OverlayError(path, e.reason);
      throw e;
    }
  }
  return out as T;
}

/**
 * One `--set PATH=VALUE` argument: the value is read as YAML, so `300ms`, `true`, `12`,
 * `unlimited` and `{ policy: keep-all }` mean what they mean in a file.
 */
export function parseSetArgument(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverlayError(text, 'expected PATH=VALUE, e.g. migration.downtimeLimit=30ms or vms[0].count=5');
  const path = text.slice(0, eq).trim();
  const source = text.slice(eq + 1);
  parsePath(path);
  if (source.trim() === '') throw new OverlayError(path, 'no value after "=" (expected PATH=VALUE)');
  let value: unknown;
  try {
    value = parseYaml(source);
  } catch {
    value = source; // not YAML (e.g. an unbalanced bracket): the text itself, which validation then judges
  }
  return [path, value];
}
