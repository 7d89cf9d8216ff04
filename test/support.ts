/** Shared helpers for tests: small scenarios built in code, run through the public entry points. */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateScenario } from '../src/scenario/load.js';
import { runScenario, RunResult } from '../src/scenario/run.js';
import { ScenarioInput } from '../src/scenario/schema.js';

/** The repository root (the folder with package.json), found from this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

/** ../shared beside the checkout (CI has it there). */
export function sharedDir(): string {
  return join(repoRoot(), '..', 'shared');
}

/** A two-host scenario with one VM `vm` on A migrating to B at t=0; override any part. */
export function twoHostScenario(opts: {
  memory?: string | number;
  resident?: string | number;
  workload?: ScenarioInput['vms'][number]['workload'];
  bandwidth?: string | number;
  latency?: string | number;
  migration?: Record<string, unknown>;
  seed?: number;
  horizon?: string | number;
}): ScenarioInput {
  return {
    name: 'test',
    seed: opts.seed ?? 1,
    horizon: opts.horizon ?? '1h',
    network: { bandwidth: opts.bandwidth ?? '1Gbit/s', latency: opts.latency ?? 0 },
    hosts: [
      { name: 'A', memory: '64GiB' },
      { name: 'B', memory: '64GiB' },
    ],
    vms: [{ name: 'vm', host: 'A', memory: opts.memory ?? '1GiB', resident: opts.resident, workload: opts.workload ?? { kind: 'idle' } }],
    migrations: [{ vm: 'vm', to: 'B', at: 0, ...(opts.migration ?? {}) } as ScenarioInput['migrations'] extends (infer T)[] | undefined ? T : never],
  };
}

export function run(input: ScenarioInput): RunResult {
  return runScenario(validateScenario(input));
}

/** |a - b| / |b| */
export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** Writes a sweep grid file `DIR/NAME.yaml`: an inline scenario (YAML lines), seeds and axes (YAML lines). */
export function writeGrid(dir: string, name: string, grid: { scenario: string; seeds: string; axes: string }): string {
  const indent = (text: string) => text.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n');
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nscenario:\n${indent(grid.scenario)}\nseeds: ${grid.seeds}\naxes:\n${indent(grid.axes)}\n`);
  return file;
}

/** A small page-fidelity grid: 2 x 2 points (downtime limit, algorithm) x the seeds, a few ms per run. */
export function smallGrid(dir: string, name = 'g', seeds = '1..3', memory = '64MiB'): string {
  return writeGrid(dir, name, {
    scenario: `
      network: { bandwidth: 1Gbit/s }
      hosts: [ { name: A, memory: 4GiB }, { name: B, memory: 4GiB } ]
      vms: [ { name: db, host: A, memory: ${memory}, workload: { kind: hotcold, writeRate: 4000/s, hotSet: 4MiB, hotShare: 0.9 } } ]
      migrations: [ { vm: db, to: B, at: 1s } ]`,
    seeds,
    axes: `
      "migrations[0].downtimeLimit": [30ms, 300ms]
      algorithm: { path: "migrations[0].algorithm", values: [precopy, hybrid] }`,
  });
}
