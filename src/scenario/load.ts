/**
 * @module scenario/load
 * Text -> validated scenario. Structural checks come from the schema; the cross-references and
 * sizes that a schema cannot see (a VM on a missing host, a VM larger than its host) are checked
 * here. Every problem is reported with its path, all at once.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parsePageRate, UnitError } from '../core/units.js';
import { parseAlike } from './alike-entries.js';
import { ScenarioError } from './errors.js';
import { MAX_PAGE_FIDELITY_PAGES } from './work.js';
import { memberNames, Scenario, scenarioJsonSchema, ScenarioSpec, WorkloadInput, workloadKinds } from './schema.js';
import { suggestField } from './migration-options.js';

export { ScenarioError };

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseScenarioText(text: string, source = 'scenario'): ScenarioSpec {
  return validateScenario(parseScenarioData(text, source), source);
}

/** Parses YAML or JSON text into a plain mapping, not yet validated. */
export function parseScenarioData(text: string, source = 'scenario', expected = 'a mapping with network, hosts, vms and migrations'): Record<string, unknown> {
  let data: unknown = parseJsonObject(text);
  if (data === undefined) try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ScenarioError([`not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`], source);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([`expected ${expected}`], source);
  }
  return data as Record<string, unknown>;
}

/**
 * A JSON object's text through JSON.parse, which is tens of times faster than the YAML parser on
 * the large generated files of big scenarios; undefined when the text is not a JSON object or has
 * a key twice in one object (which YAML refuses), so the YAML parser then gives the same value or
 * the same error as it always did.
 */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  // JSON.parse keeps the last of repeated keys: every key of the text must be a key of the value
  return keysWritten(text) === keyCount(data) ? (data as Record<string, unknown>) : undefined;
}

/** The keys of valid JSON text: its strings followed by a colon. */
function keysWritten(text: string): number {
  let keys = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    let end = text.indexOf('"', i + 1);
    for (;;) {
      let slashes = 0;
      while (text.charCodeAt(end - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    i = end;
    let next = end + 1;
    for (let c = text.charCodeAt(next); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++next));
    if (text[next] === ':') keys++;
  }
  return keys;
}

function keyCount(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += keyCount(x);
  else for (const k in v) n += 1 + keyCount((v as Record<string, unknown>)[k]);
  return n;
}

export interface ValidateOptions {
  /** Validate each distinct entry of hosts, VMs and migrations once (alike-entries.ts); default true. */
  alike?: boolean;
}

/** Validates a parsed object; throws ScenarioError with every issue. */
export function validateScenario(data: unknown, source = 'scenario', options: ValidateOptions = {}): ScenarioSpec {
  // jitless: zod compiles a parser per object schema (new Function) on its first use, which costs a
  // command more than the one or few documents it validates take to check without it
  const schema = (d: unknown) => Scenario.safeParse(d, { reportInput: true, jitless: true });
  const alike = options.alike === false ? undefined : (parseAlike(data, schema) as ScenarioSpec | undefined);
  const parsed = alike ? { success: true as const, data: alike } : schema(data);
  // names that refer to nothing are reported in the same pass as the schema's issues
  if (!parsed.success) throw new ScenarioError([...parsed.error.issues.map(formatIssue), ...referenceIssues(data)], source);
  const issues = [...crossCheck(parsed.data), ...referenceIssues(parsed.data)];
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return parsed.data;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top level)';
}

/** One schema issue as "path: what was expected", the words shared by every scenario format. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const hints = issue.keys.map((k) => suggestField(k, scenarioFieldNames())).filter(Boolean);
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${hints.length ? `: ${hints.join('; ')}` : ''}`;
    }
    case 'invalid_union': {
      if (issue.input === undefined) return `${where}: required`;
      // a unit field: show the unit error rather than "invalid input"
      const inner = issue.errors.flat().find((i) => i.code === 'custom');
      if (inner) return `${where}: ${inner.message}`;
      // a mapping where a shorthand or a mapping is accepted: what the mapping lacks, at its path
      if (typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)) {
        const branch = issue.errors.find((errs) => errs.length > 0 && errs.every((i) => i.path.length > 0));
        if (branch) return branch.map((i) => formatIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue)).join('\n');
      }
      if (issue.path.at(-1) === 'kind') {
        return `${where}: expected one of ${workloadKinds.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify((issue.input as { kind?: unknown })?.kind)}`;
      }
      return `${where}: ${issue.message}`;
    }
    case 'invalid_type':
      return issue.input === undefined ? `${where}: required (${issue.expected})` : `${where}: expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
    case 'invalid_value':
      return `${where}: ${issue.input === undefined ? 'required, ' : ''}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function crossCheck(s: ScenarioSpec): string[] {
  const issues: string[] = [];
  const hostMemory = new Map<string, number>();
  s.hosts.forEach((h, i) => {
    if (hostMemory.has(h.name)) issues.push(`hosts[${i}].name: duplicate host "${h.name}"`);
    hostMemory.set(h.name, h.memory);
    if (h.memory <= 0) issues.push(`hosts[${i}].memory: expected a size > 0`);
  });
  if (!(s.pageSize >= 512)) issues.push(`pageSize: expected a size of at least 512 bytes, got ${s.pageSize}`);
  if (!(s.network.bandwidth > 0)) issues.push('network.bandwidth: expected a rate > 0');
  s.hosts.forEach((h, i) => {
    if (h.nic !== undefined && !(h.nic > 0)) issues.push(`hosts[${i}].nic: expected a rate > 0`);
  });
  const placed = new Map<string, number>();
  s.vms.forEach((vm, i) => {
    const at = `vms[${i}]`;
    if (!(vm.memory >= s.pageSize)) issues.push(`${at}.memory: expected at least one page (${s.pageSize} bytes), got ${vm.memory}`);
    const pages = Math.ceil(vm.memory / s.pageSize);
    if (s.fidelity === 'page' && pages > MAX_PAGE_FIDELITY_PAGES) {
      issues.push(`${at}.memory: ${pages} pages is more than fidelity: page holds per VM (${MAX_PAGE_FIDELITY_PAGES}, 1 TiB of 4 KiB pages); use fidelity: fluid (memory as regions) or a larger pageSize`);
    }
    if (vm.resident !== undefined && vm.resident > vm.memory) issues.push(`${at}.resident: ${vm.resident} bytes is more than the VM's memory (${vm.memory})`);
    const capacity = hostMemory.get(vm.host);
    if (capacity !== undefined) {
      const used = (placed.get(vm.host) ?? 0) + vm.memory * (vm.count ?? 1);
      placed.set(vm.host, used);
      if (vm.memory > capacity) issues.push(`${at}.memory: VM "${vm.name}" needs ${vm.memory} bytes but host "${vm.host}" has ${capacity}`);
      else if (used > capacity) issues.push(`${at}.host: host "${vm.host}" has ${capacity} bytes, not enough for its VMs (${used} bytes with "${vm.name}"${vm.count ? ` x ${vm.count}` : ''})`);
    }
    checkWorkload(vm.workload, vm.memory, s.pageSize, `${at}.workload`, issues);
    if (vm.residentAt === 'end' && (vm.free || vm.duplicates)) issues.push(`${at}.residentAt: free memory and duplicates are laid out from the start of memory; use residentAt: start with them`);
    if (vm.residentTop !== undefined) {
      if (vm.residentAt === 'end') issues.push(`${at}.residentTop: the top of memory is where residentAt: end puts the data already; use residentAt: start with it`);
      else if ((vm.resident ?? vm.memory) + vm.residentTop > vm.memory) issues.push(`${at}.residentTop: resident + residentTop (${(vm.resident ?? vm.memory) + vm.residentTop} bytes) exceed the VM's memory (${vm.memory})`);
    }
    if (vm.free) {
      const resident = vm.resident ?? vm.memory;
      if (vm.free.size >= resident) issues.push(`${at}.free.size: ${vm.free.size} bytes of free memory is not less than the VM's resident memory (${resident} bytes), which holds it; give less`);
      if (vm.free.churn !== undefined) {
        try {
          parsePageRate(vm.free.churn, s.pageSize);
        } catch (e) {
          issues.push(`${at}.free.churn: ${e instanceof UnitError ? e.message : String(e)}`);
        }
      }
    }
  });
  s.failures.forEach((f, i) => {
    if (f.at > s.horizon) issues.push(`failures[${i}].at: ${f.at} s is after the horizon (${s.horizon} s): it would never happen; give an earlier time or a longer horizon`);
  });
  if (s.fidelity === 'fluid') {
    s.vms.forEach((vm, i) => {
      if (!fluidInput(vm.workload)) issues.push(`vms[${i}].workload: fidelity fluid supports idle, uniform, hotcold and sweep workloads (contiguous), mixes and one level of phases of them; use fidelity: page for zipf and scattered working sets`);
    });
    s.migrations.forEach((m, i) => {
      if (m.reuse && m.reuse.policy !== 'none') issues.push(`migrations[${i}].reuse: memory reuse needs fidelity: page (kept images are per page)`);
      if (m.xbzrle) issues.push(`migrations[${i}].xbzrle: XBZRLE needs fidelity: page (its cache is per page)`);
      for (const field of ['deferHot', 'freePageHinting', 'dedup'] as const) {
        if (m[field]) issues.push(`migrations[${i}].${field}: needs fidelity: page (it decides page by page)`);
      }
      // QEMU's timed send calls and the first-receive cost count pages one by one
      if (m.iterationMaxWait) issues.push(`migrations[${i}].iterationMaxWait: needs fidelity: page (a send call is timed page by page)`);
      for (const field of ['zeroScanRate', 'firstReceiveRate'] as const) {
        const v = m[field];
        if (v !== undefined && Number.isFinite(v)) issues.push(`migrations[${i}].${field}: needs fidelity: page (it is counted page by page)`);
      }
      if (m.receiveBuffer) issues.push(`migrations[${i}].receiveBuffer: needs fidelity: page (it holds first-time pages, counted page by page)`);
    });
  }
  s.migrations.forEach((m, i) => {
    if (m.after === undefined && m.at > s.horizon) {
      issues.push(`migrations[${i}].at: ${m.at} s is after the horizon (${s.horizon} s): the migration would never start; give an earlier time or a longer horizon`);
    }
  });
  return issues;
}

/** Text fields of a loosely known mapping (a raw scenario the schema refused, or a validated one). */
function loose(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(loose) : [];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Names that refer to nothing (hosts, VMs, migration ids) and duplicate names. Reads the scenario
 * loosely, so it also runs on input the schema refused: both kinds of problem come in one pass.
 */
function referenceIssues(data: unknown): string[] {
  const issues: string[] = [];
  const s = loose(data);
  const hosts = new Set(list(s.hosts).map((h) => text(h.name)).filter((n): n is string => n !== undefined));
  const vmNames = new VmNames();
  list(s.vms).forEach((vm, i) => {
    const name = text(vm.name);
    const count = typeof vm.count === 'number' && Number.isSafeInteger(vm.count) && vm.count > 0 ? vm.count : undefined;
    if (name !== undefined) {
      const clash = vmNames.add(name, count);
      if (clash !== undefined) issues.push(`vms[${i}].name: duplicate VM "${clash}"`);
    }
    const host = text(vm.host);
    if (host !== undefined && !hosts.has(host)) issues.push(`vms[${i}].host: no host named "${host}" (hosts: ${[...hosts].join(', ')})`);
  });
  list(s.failures).forEach((f, i) => {
    const link = text(f.link);
    const named = link !== undefined ? link.split('-') : [text(f.host)];
    for (const h of named) if (h !== undefined && h !== '' && !hosts.has(h)) issues.push(`failures[${i}].${link !== undefined ? 'link' : 'host'}: no host named "${h}"`);
  });
  const ids = new Map<string, string | undefined>();
  list(s.migrations).forEach((m, i) => {
    const vm = text(m.vm);
    const to = text(m.to);
    const after = text(m.after);
    const id = text(m.id);
    if (vm !== undefined && !vmNames.has(vm)) issues.push(`migrations[${i}].vm: no VM named "${vm}"`);
    if (to !== undefined && !hosts.has(to)) issues.push(`migrations[${i}].to: no host named "${to}"`);
    if (after !== undefined) {
      if (!ids.has(after)) issues.push(`migrations[${i}].after: no earlier migration with id "${after}"`);
      else if (ids.get(after) !== vm) issues.push(`migrations[${i}].after: migration "${after}" moves "${ids.get(after)}", not "${vm}"`);
    }
    if (id !== undefined) {
      if (ids.has(id)) issues.push(`migrations[${i}].id: duplicate id "${id}"`);
      ids.set(id, vm);
    }
  });
  return issues;
}

/**
 * The VM names of a scenario, groups kept as (name, count) rather than expanded: a group of 1e9
 * VMs is checked (and refused as too much work) without listing its members.
 */
class VmNames {
  readonly #singles = new Set<string>();
  readonly #groups = new Map<string, number>();
  /** Singles shaped like a member name NAME-k, by NAME, in the order they were added. */
  readonly #memberLike = new Map<string, { name: string; k: number }[]>();

  /** Whether `name` is a VM, a group, or a member NAME-k of a group. */
  has(name: string): boolean {
    if (this.#singles.has(name) || this.#groups.has(name)) return true;
    const m = memberShape(name);
    return m !== null && (this.#groups.get(m[1]) ?? 0) >= Number(m[2]);
  }

  /** Adds a VM or a group (its name refers to all its members); returns the first name already taken, if any. */
  add(name: string, count: number | undefined): string | undefined {
    let clash: string | undefined;
    if (count === undefined) {
      if (this.has(name)) clash = name;
      const m = this.#singles.has(name) ? null : memberShape(name);
      if (m !== null) {
        const list = this.#memberLike.get(m[1]) ?? [];
        if (list.length === 0) this.#memberLike.set(m[1], list);
        list.push({ name, k: Number(m[2]) });
      }
      this.#singles.add(name);
      return clash;
    }
    if (this.#groups.has(name) || this.#singles.has(name)) clash = name;
    // a member NAME-k can only equal a VM of that name: NAME is the group's, k a plain number
    clash ??= this.#memberLike.get(name)?.find((s) => s.k <= count)?.name;
    this.#groups.set(name, Math.max(count, this.#groups.get(name) ?? 0));
    return clash;
  }
}

function memberShape(name: string): RegExpExecArray | null {
  return name.includes('-') ? /^(.*)-([1-9][0-9]*)$/.exec(name) : null;
}

function checkWorkload(w: WorkloadInput, memory: number, pageSize: number, at: string, issues: string[]): void {
  if (w.kind === 'idle') return;
  if (w.kind === 'phases') {
    w.phases.forEach((p, i) => checkWorkload(p.workload, memory, pageSize, `${at}.phases[${i}].workload`, issues));
    return;
  }
  if (w.kind === 'mix') {
    w.parts.forEach((p, i) => checkWorkload(p, memory, pageSize, `${at}.parts[${i}]`, issues));
    return;
  }
  for (const field of ['writeRate', 'readRate'] as const) {
    if (w[field] === undefined) continue;
    try {
      parsePageRate(w[field], pageSize);
    } catch (e) {
      issues.push(`${at}.${field}: ${e instanceof UnitError ? e.message : String(e)}`);
    }
  }
  const offset = w.offset ?? 0;
  const ws = w.workingSet ?? memory - offset;
  if (offset + ws > memory) issues.push(`${at}.workingSet: offset + working set (${offset + ws} bytes) exceed the VM's memory (${memory})`);
  if (ws < pageSize) issues.push(`${at}.workingSet: expected at least one page (${pageSize} bytes)`);
  if (w.scatteredOver !== undefined) {
    if (w.scatteredOver < ws) issues.push(`${at}.scatteredOver: expected at least the working set (${ws} bytes), got ${w.scatteredOver}`);
    else if (offset + w.scatteredOver > memory) issues.push(`${at}.scatteredOver: offset + span (${offset + w.scatteredOver} bytes) exceed the VM's memory (${memory})`);
  }
  if (w.kind === 'hotcold' && w.hotSet > ws) issues.push(`${at}.hotSet: hot set (${w.hotSet} bytes) is larger than the working set (${ws})`);
  if (w.kind === 'hotcold' && w.hotShare > 0 && w.hotSet < pageSize) {
    issues.push(`${at}.hotSet: ${w.hotSet} bytes is less than one page (${pageSize} bytes), so the hotShare (${w.hotShare}) of writes would go nowhere; give at least one page, or hotShare: 0`);
  }
  if (w.writeSize !== undefined && !(w.writeSize >= 1 && w.writeSize <= pageSize)) {
    issues.push(`${at}.writeSize: expected 1 byte to one page (${pageSize} bytes), got ${w.writeSize}`);
  }
}

/** Workloads fluid memory can express (the input form of workload/fluid-layout's check). */
function fluidInput(w: WorkloadInput, nested = false): boolean {
  if (w.kind === 'zipf') return false;
  if (w.kind === 'phases') return !nested && w.phases.every((p) => fluidInput(p.workload, true));
  if (w.kind === 'mix') return w.parts.every((p) => fluidInput(p, true));
  return w.kind === 'idle' || w.scatteredOver === undefined;
}

let fieldNames: Set<string> | undefined;

/** Every field name of the scenario format (from its JSON Schema), for "did you mean". */
function scenarioFieldNames(): Set<string> {
  if (fieldNames) return fieldNames;
  fieldNames = new Set();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) fieldNames!.add(k);
    for (const v of Object.values(node)) visit(v);
  };
  visit(scenarioJsonSchema());
  return fieldNames;
}
