/**
 * @module scenario/migration-options
 * The migration options of scenario files, derived from the one registry
 * (migration/option-registry.ts): the zod fields (each with its description, unit, QEMU name and
 * defaults, which `lmsim schema` publishes), QEMU's names accepted beside lmsim's (a plain number
 * under a QEMU name is in QEMU's unit: `downtime-limit: 300` is 300 ms), the checks across options
 * (a preset on an algorithm without pre-copy rounds, two names for one value), the "did you mean"
 * of an unknown field, and the text of defaults.
 */
import { z } from 'zod';
import { parseDuration, parseRate, parseSize, UnitError } from '../core/units.js';
import { migrationOptionNames, migrationOptions, qemuNames, type MigrationOptionName, type NumberKind, type OptionDecl, type OptionKind, type QemuName, type QemuOptionName } from '../migration/option-registry.js';
import { algorithmLabel, algorithmNames, defaultOptions, presetAlgorithms, type AlgorithmName } from '../migration/options.js';
import { precopyPresetNames, type PrecopyPresetName } from '../migration/algorithms/precopy.js';
import { unit } from './fields.js';


const decl = (name: MigrationOptionName): OptionDecl => migrationOptions[name] as OptionDecl;

const UNIT_FORMS: Record<string, { parse: (v: unknown) => number; what: string; example: string }> = {
  duration: { parse: parseDuration, what: 'a duration like 300ms, 10s or 2min (a plain number is seconds)', example: '300ms' },
  size: { parse: parseSize, what: 'a size like 4GiB, 512MiB or 4096 (bytes)', example: '64MiB' },
  rate: { parse: parseRate, what: 'a rate like 1Gbit/s, 100Mbps or 128MiB/s (a plain number is bytes/s)', example: '128MiB/s' },
};

function boundText(k: NumberKind): string {
  const parts: string[] = [];
  if (k.min !== undefined) parts.push(`${k.exclusiveMin ? '>' : '>='} ${k.min}`);
  if (k.max !== undefined) parts.push(`<= ${k.max}`);
  return parts.join(' and ');
}

/** The zod schema of one value of a kind (no default: absent means the preset's). */
export function kindSchema(kind: OptionKind, name: string, qemuAlias?: string): z.ZodType {
  switch (kind.type) {
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(kind.values as [string, ...string[]]);
    case 'object':
      return objectSchema(kind);
    default: {
      const k = kind as NumberKind;
      const form = UNIT_FORMS[k.type];
      let inner: z.ZodType;
      if (form) {
        inner = unit((v) => {
          if (k.type === 'duration' && k.plainMax !== undefined && typeof v === 'number' && v > k.plainMax) {
            throw new Error(
              `a plain number is seconds, and ${v} s is not a likely ${name}; write the unit ("${v}ms", or "${v}s" if you mean seconds)${qemuAlias ? `, or ${qemuAlias}: ${v} for QEMU's milliseconds` : ''}`,
            );
          }
          const x = form.parse(v);
          if ((k.min !== undefined && (k.exclusiveMin ? !(x > k.min) : !(x >= k.min))) || (k.max !== undefined && !(x <= k.max))) {
            throw new UnitError(`${form.what.split(' like ')[0]} ${boundText(k)}`, v);
          }
          return x;
        }, form.what, form.example);
      } else {
        let n = k.type === 'integer' ? z.number().int() : z.number();
        if (k.min !== undefined) n = k.exclusiveMin ? n.gt(k.min) : n.min(k.min);
        if (k.max !== undefined) n = n.max(k.max);
        inner = n;
      }
      return k.unlimited ? z.union([z.enum(['unlimited', 'none']).transform(() => Infinity), inner]) : inner;
    }
  }
}

/** deferHot / reuse: a mapping of sub-options, or the shorthand (true/false, or the first field's value). */
function objectSchema(kind: Extract<OptionKind, { type: 'object' }>): z.ZodType {
  const entries = Object.entries(kind.fields);
  const shape = (firstRequired: boolean) =>
    Object.fromEntries(
      entries.map(([key, f], i) => {
        const s = kindSchema(f.kind, key).meta({ description: f.description });
        return [key, firstRequired && i === 0 ? s : s.optional()];
      }),
    );
  if (kind.shorthand === 'boolean') {
    return z.union([z.boolean().transform((on) => (on ? {} : null)), z.strictObject(shape(false))]);
  }
  const [firstKey, first] = entries[0];
  return z.union([kindSchema(first.kind, firstKey).transform((v) => ({ [firstKey]: v })), z.strictObject(shape(true))]);
}

/** A value as people write it: 300ms, 128MiB/s, 64MiB, unlimited, true, forward. */
export function formatOptionValue(kind: OptionKind, value: unknown): string {
  if (value === null) return 'off';
  if (typeof value !== 'number') return typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (value === Infinity) return 'unlimited';
  const trim = (x: number) => String(Number(x.toPrecision(6)));
  switch (kind.type) {
    case 'duration':
      if (value === 0) return '0';
      return value < 1 ? `${trim(value * 1000)}ms` : value >= 60 && value % 60 === 0 ? `${value / 60}min` : `${trim(value)}s`;
    case 'size':
    case 'rate': {
      const suffix = kind.type === 'rate' ? '/s' : '';
      if (value === 0) return '0';
      for (const [u, f] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) if (value >= f && value % (f / 4) === 0) return `${trim(value / f)}${u}${suffix}`;
      return `${trim(value)}${kind.type === 'rate' ? ' bytes/s' : ' bytes'}`;
    }
    default:
      return trim(value);
  }
}

/**
 * The defaults of an option over the algorithms and presets it applies to, e.g.
 * "300ms (qemu), 0 (xen, xen-legacy), 30ms (simgrid)" or "128MiB/s (qemu), unlimited (...)".
 */
export function defaultsText(name: MigrationOptionName): string {
  const d = decl(name);
  if (name === 'algorithm') return 'precopy';
  if (name === 'preset') return 'qemu';
  const groups = new Map<string, string[]>();
  const add = (label: string, value: unknown) => {
    const text = valueText(d.kind, value);
    groups.set(text, [...(groups.get(text) ?? []), label]);
  };
  // the first algorithm with pre-copy rounds names its presets' values; the others only where they differ
  const lead = d.algorithms.find((a) => presetAlgorithms.includes(a));
  if (lead) for (const p of precopyPresetNames) add(lead === 'precopy' ? p : algorithmLabel(lead, p), defaultOptions(lead, p)[name]);
  for (const a of d.algorithms) {
    if (a === lead) continue;
    const presets: PrecopyPresetName[] = presetAlgorithms.includes(a) ? [...precopyPresetNames] : ['qemu'];
    for (const p of presets) {
      const v = defaultOptions(a, p)[name];
      if (lead && valueText(d.kind, v) === valueText(d.kind, defaultOptions(lead, p)[name])) continue;
      add(algorithmLabel(a, p), v);
    }
  }
  if (groups.size === 1) return [...groups.keys()][0];
  return [...groups].map(([v, labels]) => `${v} (${labels.join(', ')})`).join(', ');
}

/** A default as text; a mapping of sub-options field by field (`{ policy: none, reportInterval: 1s }`). */
function valueText(kind: OptionKind, value: unknown): string {
  if (kind.type === 'object' && value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${kind.fields[k] ? formatOptionValue(kind.fields[k].kind, v) : String(v)}`)
      .join(', ')} }`;
  }
  return formatOptionValue(kind, value);
}

function qemuText(q: QemuName): string {
  return q.type === 'parameter' ? `QEMU parameter ${q.name}, in ${q.unit}` : `QEMU capability ${q.name}`;
}

/** The one-line description `lmsim schema` shows: what it does, QEMU's name and unit, defaults. */
export function optionDescription(name: MigrationOptionName): string {
  const d = decl(name);
  const qemu = d.qemu?.length ? `; ${d.qemu.map(qemuText).join('; ')}` : '';
  return `${d.description} (${d.algorithms.join(', ')}${qemu}; default ${defaultsText(name)})`;
}

/** The schema of a QEMU name: a capability is on/off; a parameter's plain number is in QEMU's unit. */
function aliasSchema(option: MigrationOptionName, q: QemuName): z.ZodType {
  const d = decl(option);
  const description = `${qemuText(q)}: the same as ${option}${q.type === 'parameter' && q.factor !== 1 ? ` (a plain number is in ${q.unit})` : ''}`;
  if (q.type === 'capability') return z.boolean().meta({ description });
  if (q.factor === 1 || !UNIT_FORMS[d.kind.type]) return kindSchema(d.kind, option).meta({ description });
  const k = d.kind as NumberKind;
  const inQemuUnit = z.number().nonnegative().transform((n) => n * q.factor);
  // written with a unit ("300ms"), it is read like the lmsim name
  const withUnit = kindSchema({ ...k, plainMax: undefined }, option);
  return z.union([inQemuUnit, z.string().pipe(withUnit as z.ZodType<number, string>)]).meta({ description });
}

/** The fields of every option and QEMU name (values typed loosely: the schema checks them). */
export type OptionFields = { [K in MigrationOptionName | QemuOptionName]: z.ZodOptional<z.ZodType<unknown, unknown>> };

/** Every option as an optional zod field, described; then QEMU's names for them. */
export function optionFields(exclude: readonly string[] = []): OptionFields {
  const fields: Record<string, z.ZodType> = {};
  for (const f of fieldKeys()) if (!exclude.includes(f.option)) fields[f.key] = fieldSchema(f);
  return fields as OptionFields;
}

interface FieldKey {
  key: string;
  option: MigrationOptionName;
  /** the QEMU name the key is, when it is not lmsim's */
  qemu?: QemuName;
}

let keyList: FieldKey[] | undefined;

/** The keys of optionFields in order: every option by lmsim's name, then QEMU's names that differ. */
function fieldKeys(): FieldKey[] {
  keyList ??= [
    ...migrationOptionNames.map((name) => ({ key: name, option: name })),
    ...qemuNames.filter(({ option, qemu }) => qemu.name !== option).map(({ option, qemu }) => ({ key: qemu.name, option, qemu })),
  ];
  return keyList;
}

const fieldSchemas = new Map<string, z.ZodType>();

/** The field of one key, built once: a migration, a `compare:` entry and a consolidation file share it. */
function fieldSchema({ key, option, qemu }: FieldKey): z.ZodType {
  let schema = fieldSchemas.get(key);
  if (schema) return schema;
  if (qemu) schema = aliasSchema(option, qemu).optional();
  else {
    const alias = decl(option).qemu?.find((q) => q.type === 'parameter')?.name;
    // the description (defaults over every algorithm and preset) is worked out when read: only
    // `lmsim schema` and the docs read it, not a run
    schema = kindSchema(decl(option).kind, option, alias)
      .optional()
      .meta({
        get description() {
          return optionDescription(option);
        },
      });
  }
  fieldSchemas.set(key, schema);
  return schema;
}

/**
 * The schema `build(optionFields())` with its option fields built only for the keys a mapping
 * has: it checks a mapping with `build` given the fields of the options the mapping names. The
 * result and the issues are those of the whole schema, since an absent option (optional, without
 * a default) adds neither; but a scenario names a few of the options, and building a field costs
 * more than checking one. `lmsim schema` publishes the whole schema; migration-options.test.ts
 * holds the two equal.
 */
export function withNamedOptions<T>(build: (fields: Partial<OptionFields>) => z.ZodType<T>): z.ZodType<T> {
  const schemas = new Map<string, z.ZodType<T>>();
  return z.unknown().transform((input, ctx) => {
    const named = input !== null && typeof input === 'object' ? fieldKeys().filter((f) => f.key in input) : [];
    const id = named.map((f) => f.key).join(',');
    let schema = schemas.get(id);
    if (!schema) schemas.set(id, (schema = build(Object.fromEntries(named.map((f) => [f.key, fieldSchema(f)])) as Partial<OptionFields>)));
    // the issues of this parse become the caller's: paths from here, input kept (the caller's parse drops it when not asked for)
    const parsed = schema.safeParse(input, { reportInput: true, jitless: true });
    if (parsed.success) return parsed.data;
    ctx.issues.push(...(parsed.error.issues as typeof ctx.issues));
    return z.NEVER;
  }) as unknown as z.ZodType<T>;
}

/**
 * The options of one migration with QEMU's names folded into lmsim's (in declaration order), and
 * the checks across options; issues go to `ctx` with their paths.
 * @param algorithmKey the field naming the algorithm (`algorithm`, or `model` in consolidation files)
 */
export function normalizeOptions(input: Record<string, unknown>, ctx: z.RefinementCtx, algorithmKey = 'algorithm'): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const { name, d, qemu, names } of qemuAliases()) {
    const given = names.filter((k) => out[k] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]], message: `the same value as ${given[0]}: give one of ${given.map((g) => `"${g}"`).join(', ')}` });
    if (given.length > 0 && given[0] !== name) out[name] = out[given[0]];
    for (const q of qemu) {
      const on = out[q.name];
      if (q.type === 'capability' && d.kind.type !== 'boolean' && on !== undefined) {
        const key = name === 'algorithm' ? algorithmKey : name;
        const current = out[key];
        const isOn = (v: unknown) => (q.onValues ? q.onValues.includes(v) : v !== q.off);
        if (current === undefined) out[key] = on ? q.on : q.off;
        else if (isOn(current) !== on) ctx.addIssue({ code: 'custom', path: [q.name], message: `${q.name}: ${on} contradicts ${key}: ${JSON.stringify(current)}` });
      }
      delete out[q.name];
    }
  }
  const algorithm = out[algorithmKey] as AlgorithmName | undefined;
  if (out.preset !== undefined && (algorithmNames as readonly string[]).includes(algorithm as string) && !presetAlgorithms.includes(algorithm as AlgorithmName)) {
    ctx.addIssue({ code: 'custom', path: ['preset'], message: `a pre-copy preset does not apply to ${algorithm} (it has no pre-copy rounds); remove it, or use ${presetAlgorithms.join(' or ')}` });
  }
  return out;
}

let aliases: { name: MigrationOptionName; d: OptionDecl; qemu: QemuName[]; names: string[] }[] | undefined;

/** The options QEMU names otherwise, with those names (the names of one value first: lmsim's, then QEMU's), listed once. */
function qemuAliases(): NonNullable<typeof aliases> {
  if (aliases) return aliases;
  aliases = [];
  for (const name of migrationOptionNames) {
    const d = decl(name);
    const qemu = d.qemu?.filter((q) => q.name !== name); // QEMU's xbzrle is lmsim's xbzrle
    if (!qemu?.length) continue;
    aliases.push({ name, d, qemu, names: [name, ...qemu.filter((q) => q.type === 'parameter' || d.kind.type === 'boolean').map((q) => q.name)] });
  }
  return aliases;
}

/** Lower case without separators: downtime_limit, downtime-limit and DowntimeLimit meet. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * "did you mean downtimeLimit (QEMU: downtime-limit)?" for an unknown field, or '' when nothing
 * is close. `others` are further field names known where the field was found.
 */
export function suggestField(key: string, others: Iterable<string> = []): string {
  const names = new Map<string, string>();
  for (const name of migrationOptionNames) {
    const q = decl(name).qemu?.map((x) => x.name);
    const label = `${name}${q?.length ? ` (QEMU: ${q.join(', ')})` : ''}`;
    names.set(name, label);
    for (const n of q ?? []) names.set(n, label);
  }
  for (const o of others) if (!names.has(o)) names.set(o, o);
  const k = squash(key);
  let best: [number, string] | undefined;
  for (const [name, label] of names) {
    const d = squash(name) === k ? 0 : distance(k, squash(name));
    if (d <= (k.length >= 6 ? 2 : 1) && (!best || d < best[0])) best = [d, label];
  }
  return best ? `did you mean ${best[1]}?` : '';
}
