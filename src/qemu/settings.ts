/**
 * @module qemu/settings
 * A VM's migration settings in QEMU's names and units (`migrate-set-parameters`,
 * `migrate-set-capabilities`) and their lmsim migration options. QEMU's names and units are the
 * option registry's (migration/option-registry.ts); this module adds what a real VM's settings
 * mean beyond a unit:
 *
 * | QEMU (unit) | lmsim option (unit) |
 * |---|---|
 * | downtime-limit (ms) | downtimeLimit (s) |
 * | max-bandwidth (bytes/s) | maxBandwidth (bytes/s) x the machine's rate-limit factor |
 * | max-postcopy-bandwidth (bytes/s, 0 = unlimited) | maxPostcopyBandwidth |
 * | capability xbzrle, xbzrle-cache-size (bytes) | xbzrle, xbzrleCacheSize |
 * | capability multifd, multifd-channels, multifd-compression | multifdChannels, compression |
 * | capability auto-converge, cpu-throttle-initial / -increment (%), max-cpu-throttle (%), throttle-trigger-threshold (%) | autoConverge and the options of the same names |
 * | capability dirty-limit, vcpu-dirty-limit (MB/s per vCPU) | dirtyLimit (bytes/s: x vCPUs x MiB) |
 * | avail-switchover-bandwidth (bytes/s, 0 = estimate) | availSwitchoverBandwidth |
 * | capability postcopy-ram + migrate-start-postcopy after N passes (an operator's action) | algorithm hybrid, postcopyAfterRounds N |
 */
import { migrationOptions, qemuNames } from '../migration/option-registry.js';
import type { QemuCapabilities, QemuParameters } from './replies.js';

const MiB = 2 ** 20;

/** The settings lmsim can predict with, in QEMU's names and units. */
export interface QemuSettings {
  parameters: {
    'downtime-limit': number;
    'max-bandwidth': number;
    'max-postcopy-bandwidth'?: number;
    'xbzrle-cache-size'?: number;
    'multifd-channels'?: number;
    'multifd-compression'?: 'none' | 'zlib' | 'zstd';
    'cpu-throttle-initial'?: number;
    'cpu-throttle-increment'?: number;
    'max-cpu-throttle'?: number;
    'throttle-trigger-threshold'?: number;
    'vcpu-dirty-limit'?: number;
    'avail-switchover-bandwidth'?: number;
  };
  capabilities: {
    xbzrle?: boolean;
    'auto-converge'?: boolean;
    'dirty-limit'?: boolean;
    multifd?: boolean;
    'postcopy-ram'?: boolean;
  };
  /** With postcopy-ram: issue migrate-start-postcopy after this many passes (MIGRATION_PASS events); null = never. */
  postcopyAfterPasses: number | null;
}

/** QEMU's parameter and capability names lmsim models (the option registry's). */
const parameterNames = qemuNames.filter((q) => q.qemu.type === 'parameter').map((q) => q.qemu.name);
const capabilityNames = ['xbzrle', 'auto-converge', 'dirty-limit', 'multifd', 'postcopy-ram'] as const;

/** The settings in effect on a VM, from its query-migrate-parameters and -capabilities replies. */
export function settingsFrom(params: QemuParameters, caps: QemuCapabilities): QemuSettings {
  const parameters: Record<string, unknown> = {};
  for (const k of parameterNames) if (params[k] !== undefined) parameters[k] = params[k];
  const capabilities: Record<string, boolean> = {};
  for (const k of capabilityNames) if (caps[k] !== undefined) capabilities[k] = caps[k];
  return { parameters: parameters as QemuSettings['parameters'], capabilities, postcopyAfterPasses: null };
}

/** The machine properties the mapping needs besides the settings. */
export interface MappingMachine {
  /** The rate a max-bandwidth-limited stream really gets, as a multiple of the limit. */
  rateLimitFactor: number;
  vcpus: number;
}

/**
 * Parameters that act only with a capability (QEMU reports them, with their defaults, either
 * way), and the one that acts only after the switch to post-copy.
 */
const gatedBy: Record<string, (s: QemuSettings) => boolean> = {
  'multifd-channels': (s) => !!s.capabilities.multifd,
  'multifd-compression': (s) => !!s.capabilities.multifd,
  'vcpu-dirty-limit': (s) => !!s.capabilities['dirty-limit'],
  'xbzrle-cache-size': (s) => !!s.capabilities.xbzrle,
  'max-postcopy-bandwidth': (s) => hybrid(s),
};

const hybrid = (s: QemuSettings) => !!s.capabilities['postcopy-ram'] && s.postcopyAfterPasses !== null;

/**
 * lmsim migration options (scenario units: bytes, bytes/s, seconds) for these settings. Names and
 * units come from the option registry (migration/option-registry.ts); what is QEMU's machine or
 * the operator's, not a unit, is here: rate limits as QEMU keeps them (x the machine's factor, 0 =
 * unlimited), `vcpu-dirty-limit` per vCPU, post-copy as an operator's `migrate-start-postcopy`.
 */
export function toMigrationOptions(s: QemuSettings, m: MappingMachine): Record<string, unknown> {
  const o: Record<string, unknown> = { algorithm: hybrid(s) ? 'hybrid' : 'precopy', preset: 'qemu' };
  const params = s.parameters as Record<string, unknown>;
  for (const { option, qemu } of qemuNames) {
    const v = qemu.type === 'parameter' ? params[qemu.name] : undefined;
    if (v === undefined || (gatedBy[qemu.name] && !gatedBy[qemu.name](s)) || qemu.type !== 'parameter') continue;
    if (typeof v !== 'number') o[option] = v;
    else if (qemu.name === 'max-bandwidth' || qemu.name === 'max-postcopy-bandwidth') o[option] = v > 0 ? v * qemu.factor * m.rateLimitFactor : 'unlimited';
    else if (qemu.name === 'vcpu-dirty-limit') o[option] = v * qemu.factor * m.vcpus;
    else if (qemu.name === 'avail-switchover-bandwidth' && v === 0) continue;
    // a duration as text with its unit: the schema refuses plain numbers of seconds above 10
    else o[option] = (migrationOptions[option].kind as { type: string }).type === 'duration' ? `${v * qemu.factor}s` : v * qemu.factor;
  }
  if (hybrid(s)) {
    o.postcopyAfterRounds = Math.max(1, s.postcopyAfterPasses!);
    if (o.maxPostcopyBandwidth === undefined) o.maxPostcopyBandwidth = 'unlimited';
  }
  // capabilities that switch a boolean option on (the registry's capability names)
  for (const { option, qemu } of qemuNames) {
    if (qemu.type === 'capability' && s.capabilities[qemu.name as keyof QemuSettings['capabilities']] && qemu.on === undefined) o[option] = true;
  }
  if (s.capabilities.multifd && o.multifdChannels === undefined) o.multifdChannels = 2; // QEMU's default channels
  if (s.capabilities['dirty-limit'] && o.dirtyLimit === undefined) o.dirtyLimit = 2 ** 20 * m.vcpus; // QEMU's default: 1 MB/s per vCPU
  return o;
}

/** What differs from `base`: the parameters and capabilities to set (QEMU names and units). */
export function changes(s: QemuSettings, base: QemuSettings): { parameters: Record<string, unknown>; capabilities: Record<string, boolean> } {
  const parameters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.parameters)) if (v !== undefined && (base.parameters as Record<string, unknown>)[k] !== v) parameters[k] = v;
  const capabilities: Record<string, boolean> = {};
  for (const k of capabilityNames) {
    const want = s.capabilities[k] ?? false;
    if (want !== (base.capabilities[k] ?? false)) capabilities[k] = want;
  }
  return { parameters, capabilities };
}

/** The QMP commands that apply `s` to a VM whose settings are `base` (one JSON object per line). */
export function qmpCommands(s: QemuSettings, base: QemuSettings): string[] {
  const d = changes(s, base);
  const lines: string[] = [];
  const caps = Object.entries(d.capabilities);
  if (caps.length) lines.push(JSON.stringify({ execute: 'migrate-set-capabilities', arguments: { capabilities: caps.map(([capability, state]) => ({ capability, state })) } }));
  if (Object.keys(d.parameters).length) lines.push(JSON.stringify({ execute: 'migrate-set-parameters', arguments: d.parameters }));
  return lines;
}

/** A short human description of a settings change. */
export function describe(s: QemuSettings, base: QemuSettings): string {
  const d = changes(s, base);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d.capabilities)) parts.push(`${k}=${v ? 'on' : 'off'}`);
  for (const [k, v] of Object.entries(d.parameters)) {
    if (k === 'max-bandwidth' || k === 'max-postcopy-bandwidth' || k === 'avail-switchover-bandwidth') parts.push(`${k}=${(Number(v) / MiB).toFixed(0)}MiB/s`);
    else if (k === 'xbzrle-cache-size') parts.push(`${k}=${(Number(v) / MiB).toFixed(0)}MiB`);
    else if (k === 'downtime-limit') parts.push(`${k}=${v}ms`);
    else parts.push(`${k}=${v}`);
  }
  if (s.capabilities['postcopy-ram'] && s.postcopyAfterPasses !== null) parts.push(`migrate-start-postcopy after pass ${s.postcopyAfterPasses}`);
  return parts.length ? parts.join(' ') : 'current settings';
}
