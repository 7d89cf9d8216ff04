/**
 * @module scenario/options-doc
 * docs/options.md, generated from the option registry (`lmsim options` prints it; a test fails
 * when the committed file differs): how options and paths are written, then one table row per
 * option with its QEMU name and unit, value kind, algorithms, defaults and meaning.
 */
import { migrationOptionNames, migrationOptions, type OptionDecl, type OptionKind } from '../migration/option-registry.js';
import { networkModelFields, networkModelNames, networkModels } from '../network/network-models.js';
import { defaultsText } from './migration-options.js';

function kindText(kind: OptionKind): string {
  switch (kind.type) {
    case 'boolean':
      return 'true / false';
    case 'enum':
      return kind.values.map((v) => `\`${v}\``).join(', ');
    case 'object':
      return kind.shorthand === 'boolean'
        ? `true / false, or { ${Object.keys(kind.fields).join(', ')} }`
        : `a ${Object.keys(kind.fields)[0]}, or { ${Object.keys(kind.fields).join(', ')} }`;
    default: {
      const base = { duration: 'duration', size: 'size', rate: 'rate', integer: 'integer', number: 'number', percent: 'percent' }[kind.type];
      const bounds = [kind.min !== undefined ? `${kind.exclusiveMin ? '>' : '>='} ${kind.min}` : '', kind.max !== undefined ? `<= ${kind.max}` : ''].filter(Boolean).join(', ');
      const plain = kind.plainMax !== undefined ? `; a plain number at most ${kind.plainMax} (s)` : '';
      return `${base}${bounds ? ` ${bounds}` : ''}${kind.unlimited ? ', or `unlimited`' : ''}${plain}`;
    }
  }
}

function qemuCell(d: OptionDecl): string {
  if (!d.qemu?.length) return '';
  return d.qemu
    .map((q) => (q.type === 'parameter' ? `\`${q.name}\` (${q.unit})` : `capability \`${q.name}\`${q.on !== undefined ? ` (on: ${JSON.stringify(q.on)})` : ''}`))
    .join('<br>');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

const HEAD = `# Migration options

This file is generated from the option registry (\`src/migration/option-registry.ts\`) by
\`lmsim options > docs/options.md\`; a test fails when it is stale. \`lmsim schema\` carries the same
descriptions for editors.

## Where options are written

- On each entry of a scenario's \`migrations:\` list, by lmsim's name or QEMU's:
  \`{ vm: db, to: B, downtimeLimit: 300ms }\` or \`{ vm: db, to: B, downtime-limit: 300 }\`.
- In a \`compare:\` entry (and \`--algorithms precopy:xen,postcopy\`): the options it names are set on
  every migration; everything else each migration says is kept. A switch to an algorithm without
  pre-copy rounds (\`postcopy\`, \`stop-and-copy\`) that names no preset drops the migrations' preset.
  An option a migration's algorithm never reads (the "applies to" column) is accepted, since one
  file serves every variant, and \`run\` and \`validate\` name it on stderr (\`lmsim: note: ...\`).
- In a consolidation scenario's \`migration:\` block (\`{ model: precopy, downtimeLimit: 50ms, ... }\`):
  every option below but \`algorithm\` (\`model\` names it).
- On the command line: \`--set PATH=VALUE\` on \`run\`, \`compare\`, \`validate\`, \`consolidate\`, and
  \`sweep:\` entries' \`set:\`. The value is read as YAML (\`300ms\`, \`true\`, \`unlimited\`, \`{ policy: keep-all }\`).

Paths: keys joined by dots, \`[i]\` for a list element, \`[*]\` for every element, a quoted key for
names with dots: \`vms[0].count\`, \`network.bandwidth\`, \`migrations[*].timeout\`,
\`hosts[0]["my.host"]\`. In a migration scenario \`migration.X\` is short for \`migrations[*].X\`; in a
consolidation scenario it is the \`migration:\` block (a model name there becomes \`{ model: ... }\`).
Setting an option under one of its names replaces what the other name said. The result is
validated exactly like a file; an error names the path and what was expected.

## Units and QEMU's names

A duration is \`300ms\`, \`10s\`, \`2min\` or a plain number of seconds; a size \`4GiB\`, \`512MiB\` or
bytes; a rate \`1Gbit/s\`, \`1Gb/s\`, \`128MiB/s\` or bytes/s (lower-case \`b\` is a bit, \`B\` a byte).
Under a QEMU name, a plain number is in QEMU's unit (the column below): \`downtime-limit: 300\` is
300 ms, \`max-bandwidth: 134217728\` is 128 MiB/s, \`vcpu-dirty-limit: 1\` is 1 MB/s as QEMU means it
(MiB/s); a value with a unit (\`downtime-limit: 1s\`) is read as written. A capability (\`auto-converge\`,
\`xbzrle\`, \`postcopy-preempt\`, \`multifd\`, \`postcopy-ram\`) is \`true\` or \`false\`; \`multifd: true\`
means QEMU's default of 2 channels unless \`multifdChannels\` says otherwise, \`postcopy-ram: true\`
means \`algorithm: hybrid\` (QEMU switches after the first pass) unless the algorithm is already
\`postcopy\` or \`hybrid\`. Giving one value under two names is refused.

**Unitless durations.** A plain number is seconds, which is rarely what \`downtimeLimit: 300\`
means (QEMU's \`downtime-limit\` is in milliseconds). For the sub-second durations (\`downtimeLimit\`,
\`resumeLatency\`, \`iterationWindow\`, \`syncTime\`) a plain number above 10 is refused with a hint:
write the unit (\`300ms\`, or \`300s\` if seconds are meant), or use the QEMU name for milliseconds.

An unknown field is refused with the nearest name: \`downtime_limit\` -> "did you mean downtimeLimit
(QEMU: downtime-limit)?".
`;

/** The whole of docs/options.md. */
export function optionsMarkdown(): string {
  const groups = new Map<string, string[]>();
  for (const name of migrationOptionNames) {
    const d = migrationOptions[name] as OptionDecl;
    const row = `| \`${name}\` | ${cell(qemuCell(d))} | ${cell(kindText(d.kind))} | ${d.algorithms.join(', ')} | ${cell(defaultsText(name))} | ${cell(d.description)} |`;
    groups.set(d.group, [...(groups.get(d.group) ?? []), row]);
  }
  let out = HEAD;
  for (const [group, rows] of groups) {
    out += `\n## ${group[0].toUpperCase()}${group.slice(1)}\n\n| option | QEMU name (unit) | value | applies to | default | what it does |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`;
  }
  return out + networkSection();
}

/** The network model's fields (a scenario's `network:` section, not a migration's) and its presets. */
function networkSection(): string {
  const kinds: Record<keyof typeof networkModelFields, string> = {
    model: networkModelNames.map((n) => `\`${n}\``).join(', '),
    tcpWindow: 'size, or `none`',
    bandwidthFactor: 'number > 0, <= 1',
    latencyFactor: 'number >= 0',
    crossTraffic: 'number >= 0, <= 1',
    weightS: 'number >= 0',
  };
  const fields = (Object.keys(networkModelFields) as (keyof typeof networkModelFields)[]).map((k) => `| \`network.${k}\` | ${cell(kinds[k])} | ${cell(networkModelFields[k])} |`);
  const size = (b: number) => (Number.isFinite(b) ? `${b / 2 ** 20} MiB` : 'none');
  const presets = networkModelNames.map((n) => {
    const m = networkModels[n];
    return `| \`${n}\` | ${m.perTransfer ? 'every transfer and the acknowledgement' : 'once, after the final copy'} | ${size(m.tcpWindow)} | ${m.bandwidthFactor} | ${m.latencyFactor} | ${m.crossTraffic} | ${m.weightS} |`;
  });
  return `
## Network model

Set in a migration scenario's \`network:\` section (\`--set network.model=lv08\`), for every
migration of the run; docs/model.md says what each model means and where its constants come from.

| field | value | what it does |
|---|---|---|
${fields.join('\n')}

| model | latency paid | TCP window | bandwidth factor | latency factor | cross-traffic | weight-S |
|---|---|---|---|---|---|---|
${presets.join('\n')}
`;
}
