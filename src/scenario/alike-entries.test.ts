/**
 * Validating each distinct entry once (alike-entries.ts) gives what the plain path gives: the same
 * result, equal to the last bit (and nothing shared between entries), or the same errors, on random
 * documents whose entries repeat with other names, other key orders and small differences, valid
 * and not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Rng } from '../core/random.js';
import { validateScenario } from './load.js';
import { parseAlike } from './alike-entries.js';
import { Scenario } from './schema.js';

function outcome(data: unknown, alike: boolean): { ok: true; spec: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, spec: validateScenario(structuredClone(data), 'doc', { alike }) };
  } catch (e) {
    return { ok: false, error: String((e as Error).message) };
  }
}

/** A document of a few entry shapes repeated under random names, with random flaws when `flaws`. */
function randomDoc(rng: Rng, flaws: boolean): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const hosts = Array.from({ length: 2 + rng.int(30) }, (_, i) => {
    const h: Record<string, unknown> = { name: `h${i}`, memory: pick(['64GiB', 68719476736, '1TiB']) };
    if (rng.float() < 0.2) h.nic = pick(['10Gbit/s', 1.25e9]);
    if (rng.float() < 0.1) h.maxConcurrent = pick([1, 2]);
    return rng.float() < 0.3 ? Object.fromEntries(Object.entries(h).reverse()) : h;
  });
  const workloads = [
    { kind: 'idle' },
    { kind: 'uniform', writeRate: '2000/s' },
    { kind: 'uniform', writeRate: '2000/s', workingSet: '256MiB' },
    { kind: 'hotcold', writeRate: '8MiB/s', hotSet: '64MiB', hotShare: 0.9 },
    { kind: 'sweep', writeRate: '30MiB/s', workingSet: '900MiB' },
  ];
  const vms = Array.from({ length: 1 + rng.int(40) }, (_, i) => {
    const v: Record<string, unknown> = { name: `v${i}`, host: pick(hosts).name, memory: pick(['1GiB', 1073741824, '2GiB']) };
    if (rng.float() < 0.5) v.workload = structuredClone(pick(workloads));
    if (rng.float() < 0.3) v.resident = '512MiB';
    if (rng.float() < 0.2) v.count = 1 + rng.int(4);
    if (rng.float() < 0.1) v.compressibility = pick([0, -0, 0.5]);
    return rng.float() < 0.3 ? Object.fromEntries(Object.entries(v).reverse()) : v;
  });
  const migrations = Array.from({ length: rng.int(40) }, (_, i) => {
    const m: Record<string, unknown> = { vm: pick(vms).name, to: pick(hosts).name, at: pick([0, '1s', 0.5]) };
    if (rng.float() < 0.5) m.algorithm = pick(['precopy', 'postcopy', 'hybrid']);
    if (rng.float() < 0.4) m.maxBandwidth = pick(['100MiB/s', 'unlimited', 1e8]);
    if (rng.float() < 0.2) m.id = `m${i}`;
    if (rng.float() < 0.2) m['downtime-limit'] = pick(['300ms', 0.3]);
    return rng.float() < 0.3 ? Object.fromEntries(Object.entries(m).reverse()) : m;
  });
  const doc: Record<string, unknown> = { name: 'random', fidelity: 'fluid', network: { bandwidth: '10Gbit/s' }, hosts, vms, migrations };
  if (flaws) {
    const lists = [hosts, vms, migrations].filter((l) => l.length > 0);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const entry = pick(pick(lists)) as Record<string, unknown>;
      const flaw = rng.int(7);
      if (flaw === 0) entry.memory = '4 gigs';
      else if (flaw === 1) entry.surprise = 1;
      else if (flaw === 2) entry[pick(['name', 'host', 'vm', 'to'])] = pick(['', 7, null]);
      else if (flaw === 3) entry.maxBandwidth = -1;
      else if (flaw === 4) entry.at = Infinity;
      else if (flaw === 5) entry.algorithm = 'teleport';
      else pick(lists).push(pick(['not an entry', [1], null]) as never);
    }
  }
  return doc;
}

test('alike entries validated once give the plain result or the plain errors, on 400 random documents', () => {
  const rng = new Rng(2207);
  let shortcuts = 0,
    failures = 0;
  for (let i = 0; i < 400; i++) {
    const doc = randomDoc(rng, i % 2 === 1);
    const fast = outcome(doc, true),
      plain = outcome(doc, false);
    assert.ok(isDeepStrictEqual(fast, plain), `document ${i}: ${JSON.stringify(fast).slice(0, 300)} vs ${JSON.stringify(plain).slice(0, 300)}`);
    if (fast.ok && plain.ok) {
      assert.equal(JSON.stringify(fast.spec), JSON.stringify(plain.spec));
      if (parseAlike(structuredClone(doc), (d) => Scenario.safeParse(d)) !== undefined) shortcuts++;
    } else failures++;
  }
  // both kinds of document were seen, and the shortcut answered most valid ones
  assert.ok(failures > 100 && shortcuts > 100, `failures ${failures}, shortcuts ${shortcuts}`);
});

test('entries validated once share nothing: changing one leaves the others as they were', () => {
  const vm = { host: 'a', memory: '1GiB', workload: { kind: 'uniform', writeRate: '100/s' } };
  const doc = {
    network: { bandwidth: '1Gbit/s' },
    hosts: [{ name: 'a', memory: '8GiB' }],
    vms: [1, 2, 3].map((i) => ({ name: `v${i}`, ...structuredClone(vm) })),
  };
  const spec = validateScenario(doc, 'doc');
  (spec.vms[1].workload as { writeRate: unknown }).writeRate = 5;
  assert.deepEqual(
    spec.vms.map((v) => [v.name, (v.workload as { writeRate: unknown }).writeRate]),
    [
      ['v1', '100/s'],
      ['v2', 5],
      ['v3', '100/s'],
    ],
  );
});

test('values that are not plain data, and documents where nothing repeats, go the plain way', () => {
  const parse = (d: unknown) => Scenario.safeParse(d);
  const base = {
    network: { bandwidth: '1Gbit/s' },
    vms: [{ name: 'v', host: 'a', memory: '1GiB' }],
    hosts: [
      { name: 'a', memory: '8GiB' },
      { name: 'b', memory: '8GiB' },
    ],
  };
  assert.notEqual(parseAlike(base, parse), undefined);
  assert.equal(
    parseAlike(
      {
        ...base,
        hosts: [
          { name: 'a', memory: '8GiB' },
          { name: 'b', memory: '9GiB' },
        ],
      },
      parse,
    ),
    undefined,
  );
  assert.equal(parseAlike({ ...base, hosts: [...base.hosts, { name: 'c', memory: 8n }] }, parse), undefined);
  assert.equal(parseAlike({ ...base, hosts: [...base.hosts, new Map()] }, parse), undefined);
  assert.equal(parseAlike({ ...base, hosts: [...base.hosts, { name: '', memory: '8GiB' }] }, parse), undefined);
});
