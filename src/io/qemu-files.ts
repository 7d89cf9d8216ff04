/**
 * @module io/qemu-files
 * Reads QEMU's QMP replies saved as files (Node only) into the inputs of a prediction. A folder,
 * or files, named after the command that produced them:
 *
 *   query-memory-size-summary.json, query-migrate-parameters.json, query-migrate-capabilities.json
 *   query-dirty-rate*.json       one reply, an array of replies, or one reply per line (several calc-times)
 *   query-migrate*.json(l)       optional: samples of an earlier migration (same forms)
 *   query-cpus-fast.json         optional: the vCPUs (for vcpu-dirty-limit, which is per vCPU)
 *   query-version.json           optional: QEMU's version (the destination's receive rate differs from QEMU 10 on)
 *   zero-pages.json              optional: {"sampled": N, "zero": Z}, written by `lmsim qemu --save`
 *
 * A reply may be bare or wrapped as QMP sends it ({"return": ...}). Errors name the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  DirtyRateSample,
  MigrateSample,
  parseCapabilities,
  parseDirtyRate,
  parseMemorySummary,
  parseMigrateSample,
  parseParameters,
  parseVersion,
  ReplyError,
} from '../qemu/replies.js';
import type { QemuInputs } from '../qemu/vm.js';

/** Reads a folder or a list of files; throws ReplyError naming the file and field of a problem. */
export function readQemuInputs(paths: string[]): QemuInputs {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new ReplyError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) for (const f of readdirSync(p).sort()) files.push(join(p, f));
    else files.push(p);
  }
  let memory: number | null = null;
  let parameters = null;
  let capabilities = null;
  const dirtyRates: DirtyRateSample[] = [];
  const migrateSamples: MigrateSample[] = [];
  let zeroPages: QemuInputs['zeroPages'] = null;
  let vcpus: number | null = null;
  let qemuVersion: string | null = null;
  for (const file of files) {
    const name = basename(file);
    if (!/\.(json|jsonl)$/.test(name)) continue;
    const values = () => readValues(file);
    if (name.startsWith('query-memory-size-summary')) memory = parseMemorySummary(values()[0], name).memory;
    else if (name.startsWith('query-migrate-parameters')) parameters = parseParameters(values()[0], name);
    else if (name.startsWith('query-migrate-capabilities')) capabilities = parseCapabilities(values()[0], name);
    else if (name.startsWith('query-version')) qemuVersion = parseVersion(values()[0], name);
    else if (name.startsWith('query-dirty-rate')) values().forEach((v, i) => dirtyRates.push(parseDirtyRate(v, `${name} [${i}]`)));
    else if (name.startsWith('query-migrate')) values().forEach((v, i) => migrateSamples.push(parseMigrateSample(v, `${name} [${i}]`)));
    else if (name.startsWith('query-cpus-fast')) {
      const v = values();
      vcpus = v.length;
      if (v.length === 0) throw new ReplyError(`${name}: expected the array of vCPUs query-cpus-fast returns, got an empty array`);
    } else if (name.startsWith('zero-pages')) {
      const z = values()[0] as { sampled?: unknown; zero?: unknown };
      if (!z || typeof z.sampled !== 'number' || typeof z.zero !== 'number' || z.sampled < 1 || z.zero < 0 || z.zero > z.sampled) {
        throw new ReplyError(`${name}: expected {"sampled": N >= 1, "zero": Z <= N}`);
      }
      zeroPages = { sampled: z.sampled, zero: z.zero };
    }
  }
  const missing = [
    memory === null ? 'query-memory-size-summary' : null,
    parameters === null ? 'query-migrate-parameters' : null,
    capabilities === null ? 'query-migrate-capabilities' : null,
    dirtyRates.length === 0 ? 'query-dirty-rate' : null,
  ].filter((x) => x !== null);
  if (missing.length) throw new ReplyError(`${paths.join(', ')}: missing the reply of ${missing.join(', ')} (files named after the command, e.g. ${missing[0]}.json)`);
  return { memory: memory!, parameters: parameters!, capabilities: capabilities!, dirtyRates, migrateSamples, zeroPages, pageSize: 4096, vcpus, qemuVersion };
}

/** A file's JSON values: one value (an array is a list of replies unless it is a capabilities list), or one per line. */
function readValues(file: string): unknown[] {
  const name = basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ReplyError(`${name}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v) && !name.startsWith('query-migrate-capabilities')) return v;
    return [v];
  } catch {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return lines.map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new ReplyError(`${name}: line ${i + 1}: not JSON (expected one reply, an array of replies, or one reply per line)`);
      }
    });
  }
}
