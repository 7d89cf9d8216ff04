/**
 * The public surface as an installed package sees it: `npm pack` the built package, unpack it into
 * a fresh project's node_modules (its runtime dependencies linked from this checkout: offline,
 * fast), then
 *   - the documented imports load there (`lmsim`, `lmsim/node`), with the consolidation API at the root;
 *   - every ```ts snippet of the README and docs/ type-checks against the installed package;
 *   - the installed `lmsim` command runs.
 * A file missing from `files`, a subpath missing from `exports`, a runtime import of an undeclared
 * dependency or a stale snippet fails here.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support.js';

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The ```ts blocks of the README and docs/*.md, with where they come from. */
export function tsSnippets(): { where: string; code: string }[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const out: { where: string; code: string }[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ where: `${file}:${line}`, code: m[1] });
    }
  }
  return out;
}

/** A project with lmsim installed from its packed tarball; returns its folder. */
function installedProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-pack-'));
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as { filename: string }[];
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', join(dir, filename), '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'lmsim'));
  // its declared runtime dependencies (and Node's types for the snippets), from this checkout
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) {
    mkdirSync(dirname(join(modules, dep)), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-lmsim', type: 'module', private: true }));
  return dir;
}

test('the packed package installs, and its documented imports, snippets and command work', () => {
  const dir = installedProject();

  // the documented imports, at run time
  const probe = `
    const lmsim = await import('lmsim');
    const node = await import('lmsim/node');
    const names = ['runScenario', 'parseScenarioText', 'runConsolidation', 'cloudsimPlanetLabConfig', 'liveMigrationModel', 'validateConsolidation', 'parsePolicy'];
    for (const n of names) if (typeof lmsim[n] !== 'function') throw new Error('lmsim lacks ' + n);
    for (const n of ['loadPlanetLabFolder', 'loadConsolidationFile']) if (typeof node[n] !== 'function') throw new Error('lmsim/node lacks ' + n);
    const r = lmsim.runScenario(lmsim.validateScenario(lmsim.defaultScenario));
    console.log(r.migrations.length);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(Number(run.stdout) > 0);

  // every ts snippet of the docs, type-checked against the installed package
  const snippets = tsSnippets();
  assert.ok(snippets.length >= 3, 'the README and docs have snippets');
  const names = snippets.map((s, i) => {
    const name = `snippet-${i}.ts`;
    writeFileSync(join(dir, name), `// ${s.where}\n${s.code}\nexport {};\n`);
    return name;
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: names }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
  const where = (out: string) => out.replace(/snippet-(\d+)\.ts/g, (_m, i: string) => snippets[Number(i)].where);
  assert.equal(tsc.status, 0, `snippets do not compile against the installed package:\n${where(tsc.stdout)}`);

  // the installed command
  const bin = spawnSync(process.execPath, [join(dir, 'node_modules', 'lmsim', 'bin', 'lmsim.js'), '--version'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bin.status, 0, bin.stderr);
  assert.match(bin.stdout, /^\d+\.\d+\.\d+/);
});
