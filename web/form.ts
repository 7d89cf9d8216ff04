/**
 * A form generated from the scenario's JSON Schema (`scenarioJsonSchema()`, derived from the same
 * definition that validates files): objects become fieldsets, lists of objects become entries
 * with add/remove, enums become selects, numbers and unit strings ("4GiB", "300ms") text fields,
 * and a union (a workload's kinds, a failure's forms) a small YAML box. Every field carries its
 * path in the scenario's own spelling (vms[0].memory) so validation messages land at the field.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
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
    if (s.anyOf || s.oneOf) return this.#yamlBox(s, path, name);
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

  #object(s: Schema, path: Key[], open: boolean): HTMLElement {
    const set = document.createElement(path.length === 0 ? 'div' : 'fieldset');
    set.className = 'object';
    set.dataset.path = pathText(path);
    if (path.length > 0) {
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
      if (key === '$schema') continue;
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
      const fresh = types(item).includes('object') ? {} : '';
      this.#changed([...path, items.length], fresh);
      this.render(this.#value);
    });
    set.append(add);
    return set;
  }
}
