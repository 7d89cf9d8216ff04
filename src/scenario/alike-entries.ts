/**
 * @module scenario/alike-entries
 * Validation of alike entries once. A large scenario file (a data center of thousands of hosts,
 * VMs and migrations, written by a script) repeats the same entry many times under other names.
 * What the schema makes of an entry does not depend on its names: they are plain non-empty strings,
 * copied as they are. So each distinct entry, names aside, is validated once, and its result is
 * copied under the names of the entries like it.
 *
 * The shortcut only ever answers "valid, and this is the result": anything it cannot vouch for (a
 * document or entry that is not a plain mapping, a name that is not a non-empty string, a value
 * that is not plain data, any issue of the schema) gives `undefined`, and the caller runs the plain
 * path on the whole document, so errors are the plain path's, word for word. The off switch is
 * `validateScenario(data, source, { alike: false })`; `alike-entries.test.ts` holds the two equal
 * on random documents, valid and not.
 */

/** Per list of the scenario: the fields that name things (each a `z.string().min(1)` in the schema). */
export const NAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  hosts: ['name'],
  vms: ['name', 'host'],
  migrations: ['vm', 'to', 'id', 'after'],
};

type Parse = (data: unknown) => { success: boolean; data?: unknown };

/**
 * The schema's result for `data` with each distinct entry of the named lists validated once, or
 * `undefined` when the plain path must answer (nothing repeats, or anything is not vouched for).
 */
export function parseAlike(data: unknown, parse: Parse): unknown {
  if (!isPlainObject(data)) return undefined;
  const reduced: Record<string, unknown> = { ...data };
  /** Per list: for each entry, the index of its representative in the reduced list. */
  const repOf = new Map<string, Int32Array>();
  for (const list of Object.keys(NAME_FIELDS)) {
    const entries = data[list];
    if (!Array.isArray(entries)) continue;
    const names = NAME_FIELDS[list];
    const index = new Map<string, number>();
    const reps: unknown[] = [];
    const of = new Int32Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (!isPlainObject(e)) return undefined;
      const key = signature(e, names);
      if (key === undefined) return undefined;
      let r = index.get(key);
      if (r === undefined) {
        r = reps.length;
        index.set(key, r);
        reps.push(e);
      }
      of[i] = r;
    }
    if (reps.length < entries.length) {
      reduced[list] = reps;
      repOf.set(list, of);
    }
  }
  if (repOf.size === 0) return undefined;
  const parsed = parse(reduced);
  if (!parsed.success) return undefined;
  const out = parsed.data as Record<string, unknown[]>;
  for (const [list, of] of repOf) {
    const entries = data[list] as Record<string, unknown>[];
    const results = out[list];
    const expanded: unknown[] = new Array(entries.length);
    const used = new Uint8Array(results.length);
    for (let i = 0; i < entries.length; i++) {
      const r = of[i];
      if (!used[r]) {
        used[r] = 1; // the representative's own result (its names are its own)
        expanded[i] = results[r];
        continue;
      }
      const copy = clone(results[r]) as Record<string, unknown>;
      for (const name of NAME_FIELDS[list]) if (entries[i][name] !== undefined) copy[name] = entries[i][name];
      expanded[i] = copy;
    }
    out[list] = expanded;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * An entry as a string that two entries share exactly when they are the same, their names aside:
 * names stand as a placeholder (so which names an entry gives, and where, still counts); every
 * leaf carries its type (-0, NaN and Infinity stay apart from 0, null and strings). Keys and
 * strings go in with their length first (`3"abc`), which no text inside them can imitate.
 * Undefined when a name is not a non-empty string or a value is not plain data.
 */
/**
 * A string equal for two entries exactly when they are equal but for the strings in their `names`
 * fields (keys and strings with their length first: uniquely decodable), or `undefined` when an
 * entry is not plain data or a name is not a non-empty string.
 */
export function signature(entry: Record<string, unknown>, names: readonly string[]): string | undefined {
  let s = '{';
  for (const k of Object.keys(entry)) {
    const v = entry[k];
    let part: string | undefined;
    if (names.includes(k)) {
      if (v === undefined) part = 'u';
      else if (typeof v === 'string' && v.length > 0) part = '#';
      else return undefined;
    } else part = leaf(v);
    if (part === undefined) return undefined;
    s += `${k.length}"${k}:${part},`;
  }
  return `${s}}`;
}

function leaf(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return `${v.length}"${v}`;
    case 'number':
      return Object.is(v, -0) ? 'n-0' : `n${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'u';
    case 'object': {
      if (v === null) return 'N';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          const part = leaf(v[i]);
          if (part === undefined) return undefined;
          s += `${part},`;
        }
        return `${s}]`;
      }
      return isPlainObject(v) ? signature(v, NO_NAMES) : undefined;
    }
    default:
      return undefined; // functions, symbols, bigints: the plain path says what it makes of them
  }
}

const NO_NAMES: readonly string[] = [];

/** A copy of validated plain data (objects, arrays, numbers, strings, booleans, null), nothing shared. */
function clone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = clone((v as Record<string, unknown>)[k]);
  return out;
}
