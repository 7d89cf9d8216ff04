/**
 * The dashboard: a scenario editor (a form generated from the schema, or YAML) for a migration
 * scenario or a synthetic data center's consolidation, validation at the field as you type, runs
 * in a Web Worker with progress, the report's views drawn on the page's own document, saved
 * results/reports/stores opened, the scenario shared in the URL's hash.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { defaultScenario } from '../src/scenario/default.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { validateScenario } from '../src/scenario/load.js';
import { scenarioJsonSchema } from '../src/scenario/schema.js';
import { consolidationJsonSchema } from '../src/scenario/consolidation.js';
import { checkSyntheticConsolidation, defaultConsolidation } from '../src/report/synthetic-consolidation.js';
import type { Doc } from '../src/report/views/dom.js';
import { reportInputOf, ReportInputError } from '../src/report/views/input.js';
import { buildReport, embeddedInput, REPORT_CSS, reportHtml } from '../src/report/views/report.js';
import { ScenarioForm, type Schema } from './form.js';
import type { ScenarioKind, WorkerReply, WorkerRequest } from './worker.js';
import './dashboard.css';

type Json = Record<string, unknown>;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const style = document.createElement('style');
style.textContent = REPORT_CSS;
document.head.prepend(style);

const formEl = $<HTMLFormElement>('form');
const textEl = $<HTMLTextAreaElement>('text');
const errorsEl = $<HTMLDivElement>('errors');
const statusEl = $<HTMLDivElement>('status');
const progressEl = $<HTMLDivElement>('progress');
const viewsEl = $<HTMLDivElement>('views');

/** What the editor can hold: each kind its schema (the form), its checks, its default and its link key. */
interface Kind {
  form: ScenarioForm;
  validate: (value: Json) => void;
  initial: () => Json;
  hashKey: string;
  hint: string;
}
const onEdit = (value: Json) => {
  values[kind] = value;
  textEl.value = stringifyYaml(value);
  check();
};
const KINDS: Record<ScenarioKind, Kind> = {
  migration: {
    form: new ScenarioForm(formEl, scenarioJsonSchema() as Schema, onEdit),
    validate: (v) => validateScenario(v, 'scenario'),
    initial: () => structuredClone(defaultScenario) as Json,
    hashKey: 's',
    hint: 'Edit the scenario, then Run. Its compare: variants run side by side.',
  },
  consolidation: {
    form: new ScenarioForm(formEl, consolidationJsonSchema() as Schema, onEdit),
    validate: (v) => void checkSyntheticConsolidation(v, 'consolidation scenario'),
    initial: () => structuredClone(defaultConsolidation) as Json,
    hashKey: 'c',
    hint: 'A data center on seeded synthetic traces (PlanetLab statistics): edit it, then Run.',
  },
};
const kindEl = $<HTMLSelectElement>('kind');
let kind: ScenarioKind = 'migration';
const values: Record<ScenarioKind, Json> = { migration: KINDS.migration.initial(), consolidation: KINDS.consolidation.initial() };
let issues: string[] = [];
let lastDocument: unknown = null;

/** The scenario of a shared link (#s= a migration scenario, #c= a consolidation), if any. */
function linkedScenario(): void {
  for (const k of Object.keys(KINDS) as ScenarioKind[]) {
    const m = new RegExp(`[#&]${KINDS[k].hashKey}=([^&]+)`).exec(location.hash);
    if (!m) continue;
    try {
      values[k] = JSON.parse(fromBase64Url(m[1])) as Json;
      kind = k;
    } catch {
      setStatus("The link's scenario could not be read; showing the default one.", 'warn');
    }
  }
}

function setStatus(text: string, kind: 'info' | 'warn' | 'error' | 'ok' = 'info'): void {
  statusEl.textContent = text;
  statusEl.className = `status ${kind}`;
}

/** Validates the scenario as a file would be; shows each problem at its field and in the list. */
function check(): boolean {
  try {
    KINDS[kind].validate(values[kind]);
    issues = [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    issues = e.issues;
  }
  KINDS[kind].form.showIssues(issues);
  errorsEl.hidden = issues.length === 0;
  errorsEl.replaceChildren(...issues.map((i) => Object.assign(document.createElement('div'), { textContent: i })));
  $<HTMLButtonElement>('run').disabled = issues.length > 0;
  document.body.dataset.valid = String(issues.length === 0);
  return issues.length === 0;
}

/** Puts a scenario in the editor, as the current kind or as `as`. */
function load(value: Json, fromText = false, as: ScenarioKind = kind): void {
  kind = as;
  kindEl.value = kind;
  document.body.dataset.kind = kind;
  values[kind] = value;
  if (!fromText) textEl.value = stringifyYaml(value);
  KINDS[kind].form.render(value);
  check();
}

kindEl.addEventListener('change', () => {
  load(values[kindEl.value as ScenarioKind], false, kindEl.value as ScenarioKind);
  setStatus(KINDS[kind].hint);
});

// the YAML tab: the text is parsed on every edit; a syntax error is shown above it
textEl.addEventListener('input', () => {
  try {
    const parsed = parseYaml(textEl.value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error("expected a mapping of the scenario's fields");
    load(parsed as Json, true);
  } catch (e) {
    errorsEl.hidden = false;
    errorsEl.replaceChildren(Object.assign(document.createElement('div'), { textContent: `not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}` }));
  }
});

for (const tab of document.querySelectorAll<HTMLButtonElement>('.tabs button')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('.tabs button')) t.classList.toggle('on', t === tab);
    formEl.hidden = tab.dataset.tab !== 'form';
    textEl.hidden = tab.dataset.tab !== 'text';
  });
}

// runs: one worker, the latest request wins
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let runId = 0;
worker.onmessage = (e: MessageEvent<WorkerReply>) => {
  const reply = e.data;
  if (reply.id !== runId) return;
  switch (reply.type) {
    case 'progress':
      showProgress(reply.index, reply.count, reply.time / reply.horizon);
      break;
    case 'done':
      progressEl.replaceChildren();
      document.body.dataset.state = 'done';
      setStatus(`Ran in ${(reply.wallMs / 1000).toFixed(2)} s (in a Web Worker).`, 'ok');
      show(reply.document, 'the run');
      break;
    case 'invalid':
      document.body.dataset.state = 'idle';
      progressEl.replaceChildren();
      setStatus('The scenario is not valid:', 'error');
      KINDS[kind].form.showIssues(reply.issues);
      break;
    case 'failed':
      document.body.dataset.state = 'idle';
      progressEl.replaceChildren();
      setStatus(`The run failed: ${reply.message}`, 'error');
      break;
  }
};

function showProgress(index: number, count: number, share: number): void {
  const bars = Array.from({ length: count }, (_, i) => {
    const p = document.createElement('progress');
    p.max = 1;
    p.value = i < index ? 1 : i === index ? Math.min(1, share) : 0;
    return p;
  });
  progressEl.replaceChildren(
    Object.assign(document.createElement('span'), { textContent: count > 1 ? `variant ${index + 1} of ${count}` : 'running' }),
    ...bars,
  );
}

$<HTMLButtonElement>('run').addEventListener('click', () => {
  if (!check()) return;
  runId++;
  document.body.dataset.state = 'running';
  setStatus('Running…');
  showProgress(0, 1, 0);
  worker.postMessage({ id: runId, kind, raw: structuredClone(values[kind]) } satisfies WorkerRequest);
});

/** Draws a result document with the report's views, on this page's document. */
function show(doc: unknown, source: string): void {
  const input = reportInputOf(doc, source);
  lastDocument = doc;
  const report = buildReport(document as unknown as Doc, input);
  const head = document.createElement('header');
  head.className = 'report';
  const h1 = Object.assign(document.createElement('h1'), { textContent: report.title });
  const sub = Object.assign(document.createElement('p'), { textContent: report.subtitle });
  const save = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Save report (HTML)', id: 'save-report' });
  save.addEventListener('click', () =>
    download(`${report.title.replace(/[^a-z0-9-]+/gi, '_')}.html`, reportHtml(document as unknown as Doc, input), 'text/html'),
  );
  const saveJson = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Save result (JSON)' });
  saveJson.addEventListener('click', () => download('result.json', JSON.stringify(lastDocument, null, 2) + '\n', 'application/json'));
  head.append(h1, sub, save, saveJson);
  viewsEl.replaceChildren(head, ...(report.sections as unknown as HTMLElement[]));
}

function download(name: string, text: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// sweep results stores: DuckDB files, which the browser cannot read, so lmsim serve reads them
// (src/cli/serve-api.ts) and hands back the sweep's summary, drawn with the report's views
interface SweepListing {
  name: string;
  kind: string;
  runs: number;
}
type StoreEntry = { id: string; sweeps: SweepListing[] } | { id: string; error: string };
const storesEl = $<HTMLSelectElement>('stores');
let served: StoreEntry[] = [];
let uploaded: { file: File; sweeps: SweepListing[] } | null = null;

/** The body of an API answer, or its error message thrown. */
async function apiBody(res: Response): Promise<Json> {
  const body = (await res.json().catch(() => null)) as Json | null;
  if (res.ok && body) return body;
  if (body && typeof body.error === 'string') throw new Error(body.error);
  throw new Error(`the server answered ${res.status}: sweep stores are read by lmsim serve (this page was served without it)`);
}

async function listStores(): Promise<void> {
  try {
    served = (await apiBody(await fetch('/api/stores'))).stores as StoreEntry[];
  } catch {
    served = []; // served without the API: no stores to offer
  }
  renderStores();
}

function renderStores(): void {
  const option = (text: string, value: string, disabled = false) => Object.assign(document.createElement('option'), { text, value, disabled });
  const group = (label: string, options: HTMLOptionElement[]) => {
    const g = Object.assign(document.createElement('optgroup'), { label });
    g.append(...options);
    return g;
  };
  const sweepOptions = (sweeps: SweepListing[], at: Json) =>
    sweeps.length === 0
      ? [option('(no sweep yet)', '', true)]
      : sweeps.map((w) => option(`${w.name} (${w.kind}, ${w.runs} runs)`, JSON.stringify({ ...at, sweep: w.name })));
  const groups = served.map((s) => group(s.id, 'error' in s ? [option(s.error, '', true)] : sweepOptions(s.sweeps, { store: s.id })));
  if (uploaded) groups.push(group(`opened: ${uploaded.file.name}`, sweepOptions(uploaded.sweeps, { upload: true })));
  storesEl.replaceChildren(option('Sweeps…', ''), ...groups);
  storesEl.hidden = groups.length === 0;
  document.body.dataset.stores = String(served.length);
}

storesEl.addEventListener('change', async () => {
  const choice = storesEl.value ? (JSON.parse(storesEl.value) as { store?: string; upload?: boolean; sweep: string }) : null;
  storesEl.value = '';
  if (!choice) return;
  if (choice.upload && uploaded) await openStore(uploaded.file, choice.sweep);
  else if (choice.store !== undefined) {
    setStatus(`Reading ${choice.sweep} from ${choice.store}…`);
    try {
      const query = new URLSearchParams({ store: choice.store, sweep: choice.sweep });
      show(await apiBody(await fetch(`/api/sweep?${query}`)), choice.store);
      setStatus(`Opened the sweep ${choice.sweep} of ${choice.store}.`, 'ok');
    } catch (err) {
      setStatus((err as Error).message, 'error');
    }
  }
});

/** Sends a store file to lmsim serve, which reads it in a private temporary folder and deletes it. */
async function openStore(file: File, sweep?: string): Promise<void> {
  setStatus(`Reading the store ${file.name}…`);
  const query = new URLSearchParams({ name: file.name, ...(sweep ? { sweep } : {}) });
  try {
    const body = await apiBody(await fetch(`/api/open?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file }));
    uploaded = { file, sweeps: body.sweeps as SweepListing[] };
    renderStores();
    show(body.document, file.name);
    const others = uploaded.sweeps.length > 1 ? ` (its other sweeps are in the Sweeps list)` : '';
    setStatus(`Opened the sweep ${(body.document as { sweepSummary: { name: string } }).sweepSummary.name} of ${file.name}${others}.`, 'ok');
  } catch (err) {
    setStatus((err as Error).message, 'error');
  }
}

/** A DuckDB file: "DUCK" at byte 8, or named so. */
async function isStoreFile(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  return /\.duckdb$/i.test(file.name) || String.fromCharCode(...head.slice(8, 12)) === 'DUCK';
}

// open: a sweep results store, a report (its embedded result), a result JSON, or a scenario for the editor
$<HTMLInputElement>('open').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  if (await isStoreFile(file)) {
    await openStore(file);
    (e.target as HTMLInputElement).value = '';
    return;
  }
  const text = await file.text();
  try {
    if (/^\s*<(!doctype|html)/i.test(text)) {
      const doc = embeddedInput(text);
      if (doc === null) throw new ReportInputError(`${file.name}: an HTML file without an lmsim report's data`);
      show(doc, file.name);
      setStatus(`Opened the report ${file.name}.`, 'ok');
      return;
    }
    const data = parseYaml(text) as unknown;
    if (data && typeof data === 'object' && (Array.isArray(data) || 'variants' in data || 'energyKWh' in data || ('migrations' in data && 'input' in data))) {
      show(data, file.name);
      setStatus(`Opened the result ${file.name}.`, 'ok');
    } else if (data && typeof data === 'object' && !Array.isArray(data)) {
      // a consolidation scenario names a policy and has no list of migrations
      load(data as Json, false, 'policy' in data && !('migrations' in data) ? 'consolidation' : 'migration');
      setStatus(`Loaded the scenario ${file.name}; Run to see it.`, 'ok');
    } else throw new ReportInputError(`${file.name}: expected a result, a report or a scenario`);
  } catch (err) {
    setStatus(err instanceof Error ? err.message : String(err), 'error');
  } finally {
    (e.target as HTMLInputElement).value = '';
  }
});

// share: the scenario in the hash (base64url of its JSON), so the link works offline too
$<HTMLButtonElement>('share').addEventListener('click', async () => {
  history.replaceState(null, '', `#${KINDS[kind].hashKey}=${toBase64Url(JSON.stringify(values[kind]))}`);
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus('Link copied: it opens this scenario.', 'ok');
  } catch {
    setStatus('The address bar now holds a link that opens this scenario.', 'ok');
  }
});

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

// stores in a --store folder come and go as sweeps run: list them again when the page is back in view
window.addEventListener('focus', () => void listStores());

linkedScenario();
load(values[kind]);
if (!statusEl.classList.contains('warn')) setStatus(KINDS[kind].hint);
void listStores();
document.body.dataset.state = 'idle';
