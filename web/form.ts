/**
 * A form generated from the scenario's JSON Schema (`scenarioJsonSchema()`, derived from the same
 * definition that validates files): objects become fieldsets, lists of objects become entries
 * with add/remove, enums become selects, numbers and unit strings ("4GiB", "300ms") text fields.
 * A union becomes a selector of its forms that shows the chosen form's fields: a workload's kinds
 * (told apart by a constant `kind`), a failure's forms (by the fields each requires), a named
 * value or an object of settings (`reuse: keep-all` or `{ policy, hotWindow }`); a union of
 * scalars (`unlimited` or a rate) a text field; anything else a small YAML box. Every field
 * carries its path in the scenario's own spelling (vms[0].memory) so validation messages land
 * at the field.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  $defs?: Record<string, Schema>;
  description?: string;
  default?: unknown;
}

type Key = string | number;
type Json = Record<string, unknown>;

/** vms[0].memory, as the validator's messages spell paths. */
export function pathText(path: readonly Key[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

function getAt(root: unknown, path: readonly Key[]): unknown {
  let v = root as Record<Key, unknown> | undefined;
  for (const k of path) v = v == null ? undefined : (v[k] as Record<Key, unknown> | undefined);
  return v;
}

/** Sets (or, for undefined, removes) the value at a path, creating the objects and lists on the way. */
function setAt(root: Json, path: readonly Key[], value: unknown): void {
  let v = root as Record<Key, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    if (v[k] == null || typeof v[k] !== 'object') v[k] = typeof path[i + 1] === 'number' ? [] : {};
    v = v[k] as Record<Key, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(v) && typeof last === 'number') v.splice(last, 1);
    else delete v[last];
  } else v[last] = value;
}

const types = (s: Schema) => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
const isObject = (s: Schema) => types(s).includes('object') && s.properties !== undefined;
const isScalar = (s: Schema) => !s.anyOf && !s.oneOf && !s.properties && !types(s).some((t) => t === 'object' || t === 'array');

/** One form of a union: a value to pick as it is, or an object branch (told apart by `key`'s constant, if the branches have one). */
interface Choice {
  label: string;
  value?: unknown;
  branch?: Schema;
  key?: string;
}

/** The forms of a union a selector can offer, or null when a branch is neither a named value nor an object. */
function unionChoices(branches: Schema[]): Choice[] | null {
  const objects = branches.filter(isObject);
  const key = objects.length > 1 ? Object.keys(objects[0].properties!).find((k) => objects.every((o) => o.properties![k]?.const !== undefined)) : undefined;
  const out: Choice[] = [];
  for (const b of branches) {
    if (b.const !== undefined) out.push({ label: String(b.const), value: b.const });
    else if (b.enum) out.push(...b.enum.map((v) => ({ label: String(v), value: v })));
    else if (types(b).length === 1 && types(b)[0] === 'boolean') out.push({ label: 'true', value: true }, { label: 'false', value: false });
    else if (isObject(b)) {
      // a constant discriminator names the branch; else the fields only it requires; else its first fields
      const own = (b.required ?? []).filter((k) => objects.every((o) => o === b || !(o.required ?? []).includes(k)));
      const label = key
        ? String(b.properties![key].const)
        : objects.length > 1 && own.length > 0
          ? own.join(', ')
          : `{ ${Object.keys(b.properties!).slice(0, 2).join(', ')}, … }`;
      out.push({ label, branch: b, key });
    } else return null;
  }
  return out;
}

/** The choice a value is in: equal to a named value, or the object branch it fits best; -1 if none. */
function currentChoice(choices: Choice[], v: unknown): number {
  const named = choices.findIndex((c) => !c.branch && c.value === v);
  if (named >= 0 || v === undefined) return named;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return -1;
  const o = v as Json;
  const fits = (c: Choice) =>
    c.branch !== undefined && (c.key ? o[c.key] === c.branch.properties![c.key].const : (c.branch.required ?? []).every((k) => o[k] !== undefined));
  const i = choices.findIndex(fits);
  return i >= 0 ? i : choices.findIndex((c) => c.branch !== undefined && !c.key);
}

/** A new value of a choice, keeping the fields of `old` its branch also has. */
function valueOf(c: Choice, old: unknown): unknown {
  if (!c.branch) return c.value;
  const fresh: Json = c.key ? { [c.key]: c.branch.properties![c.key].const } : {};
  if (old && typeof old === 'object' && !Array.isArray(old))
    for (const [k, v] of Object.entries(old)) if (k !== c.key && k in c.branch.properties!) fresh[k] = v;
  return fresh;
}

/** A typed value from a text field: a number where the schema allows one and the text is one. */
function fromText(s: Schema, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const numeric = types(s).some((x) => x === 'number' || x === 'integer');
  if (numeric && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  return t;
}

export class ScenarioForm {
  #value: Json = {};
  /** The form picked for a union at a path, for values that fit several (a new failure's {}). */
  #picked = new Map<string, number>();

  constructor(
    private readonly root: HTMLElement,
    private readonly schema: Schema,
    /** Called with the whole scenario after every edit. */
    private readonly onChange: (value: Json) => void,
  ) {}

  /** Draws the form for a scenario (after it was replaced, e.g. from the YAML tab). */
  render(value: Json): void {
    this.#value = value;
    this.root.replaceChildren(this.#object(this.schema, [], true));
  }

  /** Shows each issue ("path: message") at its field, or the nearest enclosing one; returns those placed. */
  showIssues(issues: readonly string[]): number {
    for (const el of this.root.querySelectorAll('.field-error')) el.remove();
    for (const el of this.root.querySelectorAll('.invalid')) el.classList.remove('invalid');
    let placed = 0;
    for (const issue of issues) {
      const m = /^(.*?): (.*)$/s.exec(issue);
      if (!m) continue;
      let path = m[1];
      for (;;) {
        const field = this.root.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
        if (field) {
          field.classList.add('invalid');
          const err = document.createElement('div');
          err.className = 'field-error';
          err.textContent = issue;
          field.append(err);
          placed++;
          break;
        }
        const up = path.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
        if (up === path) break;
        path = up;
      }
    }
    return placed;
  }

  #resolve(s: Schema): Schema {
    if (s.$ref?.startsWith('#/$defs/')) return this.schema.$defs?.[s.$ref.slice('#/$defs/'.length)] ?? s;
    return s;
  }

  #changed(path: readonly Key[], value: unknown): void {
    setAt(this.#value, path, value);
    this.onChange(this.#value);
  }

  #node(s0: Schema, path: Key[], name: string, required: boolean): HTMLElement {
    const s = this.#resolve(s0);
    if (s.anyOf || s.oneOf) {
      const branches = (s.anyOf ?? s.oneOf)!.map((b) => this.#resolve(b));
      const choices = unionChoices(branches);
      if (branches.every(isScalar) && branches.some((b) => !b.enum && b.const === undefined && types(b).some((t) => t !== 'boolean')))
        return this.#scalar(this.#scalarUnion(s, branches), path, name, required);
      const value = getAt(this.#value, path);
      // a value none of the forms takes stays visible, as YAML, until it is fixed
      if (choices && (value === undefined || currentChoice(choices, value) >= 0)) return this.#union(s, choices, path, name, required);
      return this.#yamlBox(s, path, name);
    }
    if (types(s).includes('object') && s.properties) return this.#object(s, path, false);
    if (types(s).includes('array') && s.items) return this.#list(s, path, name);
    return this.#scalar(s, path, name, required);
  }

  #field(path: readonly Key[], name: string, s: Schema, required: boolean): HTMLElement {
    const div = document.createElement('div');
    div.className = 'field';
    div.dataset.path = pathText(path);
    const label = document.createElement('label');
    label.textContent = name + (required ? ' *' : '');
    if (s.description) label.title = s.description;
    div.append(label);
    return div;
  }

  #scalar(s: Schema, path: Key[], name: string, required: boolean): HTMLElement {
    const div = this.#field(path, name, s, required);
    const current = getAt(this.#value, path);
    const id = `f-${pathText(path).replace(/[^a-zA-Z0-9]/g, '-')}`;
    div.querySelector('label')!.htmlFor = id;
    let input: HTMLInputElement | HTMLSelectElement;
    if (s.enum) {
      const select = document.createElement('select');
      select.append(new Option(s.default !== undefined ? `(default: ${String(s.default)})` : '', ''));
      for (const v of s.enum) select.append(new Option(String(v), String(v)));
      select.value = current === undefined ? '' : String(current);
      select.addEventListener('change', () => this.#changed(path, select.value === '' ? undefined : select.value));
      input = select;
    } else if (types(s).length === 1 && types(s)[0] === 'boolean') {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = current === true;
      box.addEventListener('change', () => this.#changed(path, box.checked ? true : undefined));
      input = box;
    } else {
      const text = document.createElement('input');
      text.type = 'text';
      text.value = current === undefined || current === null ? '' : typeof current === 'object' ? JSON.stringify(current) : String(current);
      if (s.default !== undefined) text.placeholder = `default: ${String(s.default)}`;
      else if (s.description) text.placeholder = s.description.length > 48 ? `${s.description.slice(0, 45)}…` : s.description;
      text.addEventListener('input', () => this.#changed(path, fromText(s, text.value)));
      input = text;
    }
    input.id = id;
    input.name = pathText(path);
    div.append(input);
    return div;
  }

  /** A union of scalars (a named value such as "unlimited", or a number or unit string): one text field. */
  #scalarUnion(s: Schema, branches: Schema[]): Schema {
    const named = branches.flatMap((b) => (b.enum ? b.enum : b.const !== undefined ? [b.const] : []));
    const hint = named.length > 0 ? `${named.join(', ')} or a value` : undefined;
    return { type: [...new Set(branches.flatMap(types))], description: s.description ?? hint, default: s.default };
  }

  /** A union: a selector of its forms, then the chosen object form's own fields. */
  #union(s: Schema, choices: Choice[], path: Key[], name: string, required: boolean): HTMLElement {
    const div = this.#field(path, name, s, required);
    div.classList.add('union');
    const current = getAt(this.#value, path);
    const picked = this.#picked.get(pathText(path));
    const pickedFits =
      picked !== undefined &&
      choices[picked]?.branch !== undefined &&
      typeof current === 'object' &&
      current !== null &&
      Object.keys(current).every((k) => k in choices[picked].branch!.properties!);
    const at = pickedFits ? picked : currentChoice(choices, current);
    const select = document.createElement('select');
    const key = choices.find((c) => c.key)?.key;
    select.name = key ? pathText([...path, key]) : pathText(path);
    select.id = `f-${select.name.replace(/[^a-zA-Z0-9]/g, '-')}`;
    div.querySelector('label')!.htmlFor = select.id;
    select.append(new Option(s.default !== undefined ? `(default: ${typeof s.default === 'object' ? JSON.stringify(s.default) : String(s.default)})` : '', ''));
    choices.forEach((c, i) => select.append(new Option(c.label, String(i))));
    select.value = at >= 0 ? String(at) : '';
    select.addEventListener('change', () => {
      const c = select.value === '' ? undefined : choices[Number(select.value)];
      if (c) this.#picked.set(pathText(path), Number(select.value));
      this.#changed(path, c ? valueOf(c, getAt(this.#value, path)) : undefined);
      if (c?.branch || (at >= 0 && choices[at].branch)) this.render(this.#value);
    });
    div.append(select);
    const chosen = at >= 0 ? choices[at] : undefined;
    if (chosen?.branch) div.append(this.#object(chosen.branch, path, false, { skip: chosen.key }));
    return div;
  }

  #yamlBox(s: Schema, path: Key[], name: string): HTMLElement {
    const div = this.#field(path, name, s, false);
    div.classList.add('yaml');
    const box = document.createElement('textarea');
    box.name = pathText(path);
    box.rows = 3;
    const current = getAt(this.#value, path);
    box.value = current === undefined ? '' : stringifyYaml(current, { flow: true } as never).trim();
    box.placeholder = s.description ?? 'YAML';
    box.addEventListener('input', () => {
      try {
        this.#changed(path, box.value.trim() === '' ? undefined : parseYaml(box.value));
        box.setCustomValidity('');
      } catch (e) {
        box.setCustomValidity((e as Error).message);
      }
    });
    div.append(box);
    return div;
  }

  /** An object's fields; `union`: the fields of a union's chosen form, under its selector (`skip`: the discriminator the selector sets). */
  #object(s: Schema, path: Key[], open: boolean, union?: { skip?: string }): HTMLElement {
    const set = document.createElement(path.length === 0 || union ? 'div' : 'fieldset');
    set.className = 'object';
    if (!union) set.dataset.path = pathText(path);
    if (path.length > 0 && !union) {
      const legend = document.createElement('legend');
      legend.textContent = String(path[path.length - 1]);
      set.append(legend);
    }
    const required = new Set(s.required ?? []);
    const current = (getAt(this.#value, path) ?? {}) as Json;
    const more = document.createElement('details');
    more.className = 'more';
    const summary = document.createElement('summary');
    more.append(summary);
    let hidden = 0;
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (key === '$schema' || key === union?.skip) continue;
      const node = this.#node(sub, [...path, key], key, required.has(key));
      // required fields, fields in use and the top level's sections in view; other options folded
      if (required.has(key) || current[key] !== undefined || path.length === 0 || open) set.append(node);
      else {
        more.append(node);
        hidden++;
      }
    }
    if (hidden > 0) {
      summary.textContent = `more options (${hidden})`;
      set.append(more);
    }
    return set;
  }

  #list(s: Schema, path: Key[], name: string): HTMLElement {
    const set = document.createElement('fieldset');
    set.className = 'list';
    set.dataset.path = pathText(path);
    const legend = document.createElement('legend');
    legend.textContent = name;
    if (s.description) legend.title = s.description;
    set.append(legend);
    const items = (getAt(this.#value, path) ?? []) as unknown[];
    const item = this.#resolve(s.items!);
    items.forEach((_, i) => {
      const node = this.#node(item, [...path, i], `${name}[${i}]`, true);
      node.classList.add('entry');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove';
      remove.textContent = '×';
      remove.title = `remove ${name}[${i}]`;
      remove.addEventListener('click', () => {
        this.#changed([...path, i], undefined);
        this.render(this.#value);
      });
      node.prepend(remove);
      set.append(node);
    });
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'add';
    add.textContent = `+ ${name.replace(/s$/, '')}`;
    add.addEventListener('click', () => {
      const forms = item.anyOf || item.oneOf ? unionChoices((item.anyOf ?? item.oneOf)!.map((b) => this.#resolve(b))) : null;
      const fresh = forms ? valueOf(forms[0], undefined) : types(item).includes('object') ? {} : '';
      this.#changed([...path, items.length], fresh);
      this.render(this.#value);
    });
    set.append(add);
    return set;
  }
}
