// The reader's test: each algorithm is one short file that reads like its paper, free of the event
// kernel and the network; the driver executes algorithms without knowing which (no branch on the
// algorithm's name, none on the memory's fidelity).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support.js';
import { algorithmNames } from '../options.js';
import { algorithms } from './registry.js';

const source = (path: string) => readFileSync(join(repoRoot(), 'src/migration', path), 'utf8');

for (const file of ['precopy.ts', 'postcopy.ts', 'hybrid.ts', 'stop-and-copy.ts', 'downtime-ramp.ts', 'stall-detection.ts']) {
  test(`algorithms/${file} is under 150 lines and imports nothing from the kernel or the network`, () => {
    const text = source(`algorithms/${file}`);
    const lines = text.split('\n').length;
    assert.ok(lines <= 150, `${lines} lines`);
    assert.doesNotMatch(text, /from '.*(core\/kernel|network\/|driver)\.js'/);
  });
}

test('the driver branches neither on the algorithm name nor on the memory fidelity', () => {
  const text = source('driver.ts');
  assert.doesNotMatch(text, /instanceof/);
  assert.doesNotMatch(text, /\.algorithm\b/);
  assert.doesNotMatch(text, /Fluid|PageTransfer/);
});

test('every algorithm name has a controller in the registry', () => {
  assert.deepEqual(Object.keys(algorithms).sort(), [...algorithmNames].sort());
});
