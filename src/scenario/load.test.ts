/**
 * Reading scenario text: JSON objects go through JSON.parse (fast on big generated files), and must
 * give exactly what the YAML parser gives, the same value or the same error; VM names and groups are
 * checked in one pass however many there are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseScenarioData, validateScenario } from './load.js';
import { ScenarioError } from './errors.js';

const yamlOnly = (text: string) => parseYaml(text, { prettyErrors: true });

test('a JSON object reads as the YAML parser reads it: escapes, colons and quotes in strings, numbers, nesting', () => {
  const texts = [
    '{"name": "a\\": b", "seed": 7, "x": [1, 2.5, -0.25e3, {"k\\\\": "v\\\\"}], "y": {"z": null, "t": true}}',
    ' \n\t{ "a" : "\\"", "b":{"c":[]} , "\\u0041": "x:y" }\n',
    '{"description": "quotes \\"inside\\": here", "empty": "", "sweep": [{"label": "l", "set": {"vms[0].count": 5}}]}',
  ];
  for (const text of texts) assert.deepEqual(parseScenarioData(text), yamlOnly(text));
});

test('a key given twice in JSON is refused as YAML refuses it, with the same message', () => {
  const text = '{"name": "a", "seed": 1, "name": "b"}';
  const viaYaml = (() => {
    try {
      yamlOnly(text);
    } catch (e) {
      return (e as Error).message.split('\n')[0];
    }
  })();
  assert.ok(viaYaml, 'YAML refuses a repeated key');
  assert.throws(
    () => parseScenarioData(text, 'f.json'),
    (e: unknown) => e instanceof ScenarioError && e.message.includes(viaYaml!),
  );
  // nested, and with a string value that looks like a key
  assert.throws(() => parseScenarioData('{"a": {"b": "c:", "b": 1}}'), ScenarioError);
});

test('text that is not a JSON object still goes to the YAML parser: its errors and values are unchanged', () => {
  assert.deepEqual(parseScenarioData('name: x\nseed: 2\n'), { name: 'x', seed: 2 });
  assert.deepEqual(parseScenarioData('{name: x, seed: 2}'), { name: 'x', seed: 2 }); // YAML flow mapping, not JSON
  assert.throws(() => parseScenarioData('{"name": "x",, }'), /not valid YAML\/JSON/);
  assert.throws(() => parseScenarioData('[1, 2]'), /expected a mapping/);
});

test('many single VMs beside many groups: member-like names clash with their group, and only those', () => {
  const n = 3000;
  const vms: object[] = [];
  for (let i = 0; i < n; i++) vms.push({ name: `b${i}`, host: 'A', memory: '1MiB' }, { name: `g${i}`, host: 'A', memory: '1MiB', count: 2 });
  vms.push({ name: 'g7-2', host: 'A', memory: '1MiB' }, { name: 'x-1', host: 'A', memory: '1MiB' }, { name: 'x', host: 'A', memory: '1MiB', count: 3 });
  const scenario = {
    network: { bandwidth: '1Gbit/s' },
    hosts: [{ name: 'A', memory: '1TiB' }],
    vms,
    migrations: [
      { vm: 'g5-2', to: 'A' },
      { vm: 'x-3', to: 'A' },
    ],
  };
  assert.throws(
    () => validateScenario(scenario),
    (e: unknown) =>
      e instanceof ScenarioError &&
      /vms\[6000\]\.name: duplicate VM "g7-2"/.test(e.message) &&
      /vms\[6002\]\.name: duplicate VM "x-1"/.test(e.message) &&
      e.message.split('\n').filter((l) => l.includes('duplicate')).length === 2,
  );
});
