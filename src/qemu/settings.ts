/**
 * @module qemu/settings
 * A VM's migration settings in QEMU's names and units (`migrate-set-parameters`,
 * `migrate-set-capabilities`) and their lmsim migration options: the one place QEMU's names meet
 * lmsim's.
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

const parameterNames = [
  'downtime-limit',
  'max-bandwidth',
  'max-postcopy-bandwidth',
  'xbzrle-cache-size',
  'multifd-channels',
  'multifd-compression',
  'cpu-throttle-initial',
  'cpu-throttle-increment',
  'max-cpu-throttle',
  'throttle-trigger-threshold',
  'vcpu-dirty-limit',
  'avail-switchover-bandwidth',
] as const;
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

/** lmsim migration options (scenario units: bytes, bytes/s, seconds) for these settings. */
export function toMigrationOptions(s: QemuSettings, m: MappingMachine): Record<string, unknown> {
  const p = s.parameters;
  const c = s.capabilities;
  const o: Record<string, unknown> = {
    algorithm: c['postcopy-ram'] && s.postcopyAfterPasses !== null ? 'hybrid' : 'precopy',
    preset: 'qemu',
    downtimeLimit: p['downtime-limit'] / 1000,
    maxBandwidth: p['max-bandwidth'] > 0 ? p['max-bandwidth'] * m.rateLimitFactor : 'unlimited',
  };
  if (o.algorithm === 'hybrid') {
    o.postcopyAfterRounds = Math.max(1, s.postcopyAfterPasses!);
    const pcb = p['max-postcopy-bandwidth'] ?? 0;
    o.maxPostcopyBandwidth = pcb > 0 ? pcb * m.rateLimitFactor : 'unlimited';
  }
  if (c.xbzrle) {
    o.xbzrle = true;
    if (p['xbzrle-cache-size'] !== undefined) o.xbzrleCacheSize = p['xbzrle-cache-size'];
  }
  if (c.multifd) {
    o.multifdChannels = p['multifd-channels'] ?? 2;
    if (p['multifd-compression'] !== undefined) o.compression = p['multifd-compression'];
  }
  if (c['auto-converge'] || c['dirty-limit']) {
    for (const [q, l] of [
      ['cpu-throttle-initial', 'cpuThrottleInitial'],
      ['cpu-throttle-increment', 'cpuThrottleIncrement'],
      ['max-cpu-throttle', 'maxCpuThrottle'],
      ['throttle-trigger-threshold', 'throttleTriggerThreshold'],
    ] as const) {
      if (p[q] !== undefined) o[l] = p[q];
    }
  }
  if (c['auto-converge']) o.autoConverge = true;
  if (c['dirty-limit']) o.dirtyLimit = (p['vcpu-dirty-limit'] ?? 1) * MiB * m.vcpus;
  if ((p['avail-switchover-bandwidth'] ?? 0) > 0) o.availSwitchoverBandwidth = p['avail-switchover-bandwidth'];
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
