/**
 * Unit tests of the calibration's parts: the CSV reader, the error statistics, the row ->
 * scenario mapping (hand-checked rows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, parseCsv } from './csv.js';
import { parseQemuRuns, QemuRun } from './qemu-runs.js';
import { runToScenario } from './mapping.js';
import { qemuLabConstants } from './constants.js';
import { median, quantile, relativeError, summarize, theilSen } from './stats.js';
import { validateScenario } from '../scenario/load.js';

function csvError(text: string): CsvError {
  try {
    parseCsv(text);
  } catch (e) {
    assert.ok(e instanceof CsvError, `expected a CsvError, got ${e}`);
    return e;
  }
  assert.fail('expected a CsvError');
}

test('csv: quoted fields with commas, doubled quotes and line breaks', () => {
  const t = parseCsv('a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.records.map((r) => r.fields), [
    ['1', 'x, y', 'say "hi"'],
    ['2', 'two\nlines', ''],
  ]);
  assert.deepEqual(t.records.map((r) => r.line), [2, 3]);
});

test('csv: CRLF and CR line ends, a BOM, blank lines, no final line break, empty quoted field', () => {
  const t = parseCsv('\ufeffa,b\r\n1,2\r\n\r\n"",4\r5,"6"');
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.records.map((r) => r.fields), [['1', '2'], ['', '4'], ['5', '6']]);
  assert.deepEqual(t.records.map((r) => r.line), [2, 4, 5]);
});

test('csv: a JSON object in a quoted field (as in runs.csv)', () => {
  const t = parseCsv('id,json\nx,"{""a"":1,""b"":""c""}"\n');
  assert.deepEqual(JSON.parse(t.records[0].fields[1]), { a: 1, b: 'c' });
});

test('csv: errors name the line and the column', () => {
  let e = csvError('a,b\n1,"open\n2,3\n');
  assert.equal(e.line, 2);
  assert.equal(e.column, 3);
  assert.match(e.message, /line 2, column 3: unterminated quoted field/);
  e = csvError('a,b\n1,"x"y\n');
  assert.deepEqual([e.line, e.column], [2, 6]);
  e = csvError('a,b\n1,x"y\n');
  assert.deepEqual([e.line, e.column], [2, 4]);
  e = csvError('a,b\n1,2\n1,2,3\n');
  assert.deepEqual([e.line, e.column], [3, 5]);
  assert.match(e.message, /expected 2 fields as in the header, found 3/);
  e = csvError('a,b\n1\n');
  assert.equal(e.line, 2);
  e = csvError('a,a\n1,2\n');
  assert.match(e.message, /duplicate column "a"/);
  e = csvError('');
  assert.match(e.message, /empty file/);
});

test('qemu rows: a bad value names line, column and field', () => {
  const header = 'run_id,ram_mib,alloc_mib,ws_mib,rate_pps,pattern,fill,algo,max_bandwidth_mibps,downtime_limit_ms,migrate_timeout_s,outcome,src_total_time,src_ram_transferred';
  const good = 'r1,512,256,64,4096,seq,byte,precopy,32,300,22,completed,14032,479657795';
  assert.equal(parseQemuRuns(`${header}\n${good}\n`).length, 1);
  assert.throws(() => parseQemuRuns(`${header}\n${good}\nr2,lots,256,64,4096,seq,byte,precopy,32,300,22,completed,14032,479657795\n`), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.equal(e.message, 'line 3, column 4 (ram_mib): expected a number, got "lots"');
    return true;
  });
  assert.throws(() => parseQemuRuns(`${header}\n${good.replace('precopy', 'warp')}\n`), /line 2, column \d+ \(algo\): expected one of "precopy", "hybrid"/);
  assert.throws(() => parseQemuRuns(`${header.replace(',outcome', ',result')}\n${good}\n`), /missing column "outcome"/);
});

test('stats: median and p90 (linear interpolation) on a hand-computed list', () => {
  const v = [0.05, 0.01, 0.2, 0.03, 0.1];
  // sorted 0.01 0.03 0.05 0.1 0.2: median 0.05; p90 at rank 0.9 * 4 = 3.6: 0.1 + 0.6 * 0.1 = 0.16
  assert.equal(median(v), 0.05);
  assert.ok(Math.abs(quantile(v, 0.9) - 0.16) < 1e-12);
  assert.equal(median([1, 2, 3, 4]), 2.5);
  // ten values 1..10: p90 at rank 8.1 -> 9.1
  assert.ok(Math.abs(quantile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9) - 9.1) < 1e-12);
  assert.ok(Number.isNaN(median([])));
  const s = summarize([0.1, null, 0.3]);
  assert.deepEqual([s.n, s.median], [2, 0.2]);
  assert.equal(relativeError(110, 100), 0.1);
  assert.equal(relativeError(90, 100), 0.1);
  assert.equal(relativeError(null, 100), null);
  assert.equal(relativeError(1, 0), null);
  // Theil-Sen: y = 1 + 2x with one outlier keeps its line
  const l = theilSen([0, 1, 2, 3, 4], [1, 3, 5, 7, 100]);
  assert.equal(l.slope, 2);
  assert.equal(l.intercept, 1);
});

const header =
  'run_id,grid,qemu_version,ram_mib,alloc_mib,ws_mib,rate_pps,pattern,fill,algo,postcopy_after_pass,max_bandwidth_mibps,max_bandwidth_bytes,max_postcopy_bandwidth_bytes,downtime_limit_ms,xbzrle_cache_mib,cpu_throttle_initial,cpu_throttle_increment,throttle_trigger_threshold,migrate_timeout_s,outcome,converged,src_total_time,src_downtime,src_ram_transferred,host_downtime_ms,effective_params_json';
const params = (extra: string) => `"{""downtime-limit"":300,""max-cpu-throttle"":99,""xbzrle-cache-size"":${extra}}"`;
const rows = [
  `idle,main,7.2.22,512,256,0,0,seq,byte,precopy,,32.0,33554432,,300,,,,,22.0,completed,1,10136,17,347709761,32.31,${params('67108864')}`,
  `hyb,main,7.2.22,512,256,64,16384,seq,byte,hybrid,1,128.0,134217728,134217728,300,,,,,14.0,completed,1,2851,4,413713848,17.27,${params('67108864')}`,
  `xbz,xbzrle,7.2.22,512,256,64,16384,seq,random,xbzrle,,32.0,33554432,,300,128,,,,22.0,timeout,0,22020,,738572299,,${params('134217728')}`,
  `ac,autoconverge,7.2.22,512,256,64,65536,rand,random,autoconverge,,32.0,33554432,,50,,20,10,50,45.0,completed,1,44770,12,1503150828,13.28,${params('67108864')}`,
];
const runs = (): QemuRun[] => parseQemuRuns(`${header}\n${rows.join('\n')}\n`);
const c = qemuLabConstants;
const MiB = 2 ** 20;

test('mapping: idle pre-copy at 32 MiB/s', () => {
  const s = runToScenario(runs()[0], c) as any;
  assert.equal(s.vms[0].memory, 512 * MiB);
  // alloc + fixed footprint from the bottom; at the very top the struct pages (1/64 of 512 MiB)
  // and 864 pages of other boot-time data: 330.1 MiB in all
  assert.equal(s.vms[0].resident, 256 * MiB + (16932 - 864) * 4096);
  assert.equal(s.vms[0].residentAt, 'start');
  assert.equal(s.vms[0].residentTop, 8 * MiB + 864 * 4096);
  // the footprint grows with RAM by the kernel's per-page structures: 1/64 of a 2 GiB guest is 32 MiB
  const big = runToScenario({ ...runs()[0], ram: 2048 * MiB }, c) as any;
  assert.equal(big.vms[0].resident + big.vms[0].residentTop, 256 * MiB + 16932 * 4096 + 32 * MiB);
  // without the measured layout, all data at the top of RAM (Linux fills memory from the top)
  const flat = runToScenario(runs()[0], { ...c, structPagesAtTop: 0 }) as any;
  assert.deepEqual([flat.vms[0].resident, flat.vms[0].residentAt, flat.vms[0].residentTop], [256 * MiB + (16932 + 2048) * 4096, 'end', undefined]);
  // an idle workload; the guest kernel writes and reads its own working set (a mix part)
  assert.deepEqual(s.vms[0].workload.parts[0], { kind: 'idle' });
  assert.equal(s.vms[0].workload.parts[1].writeRate, 87);
  assert.deepEqual(s.network, { bandwidth: 1.27e9, latency: 0 });
  const m = s.migrations[0];
  assert.equal(m.algorithm, 'precopy');
  assert.equal(m.preset, 'qemu');
  assert.equal(m.maxBandwidth, 32 * MiB * 1.002);
  assert.equal(m.downtimeLimit, 0.3);
  assert.equal(m.timeout, 22);
  assert.equal(m.deviceState, 2088960);
  assert.equal(m.resumeLatency, 0.0019);
  assert.equal(m.postcopySetup, undefined); // a stop-and-copy: no post-copy setup
  // QEMU's send calls (MAX_WAIT), the destination's first-receive rate (QEMU 7.2) and the
  // connection's buffer; no zero-page scan cost
  assert.deepEqual([m.iterationMaxWait, m.zeroScanRate, m.firstReceiveRate, m.receiveBuffer], [0.05, undefined, 2.8e8, 3 * MiB]);
  // QEMU 10: its own final-copy rate (the network) and first-receive rate
  const q10 = runToScenario({ ...runs()[0], qemuVersion: '10.0.2' }, c) as any;
  assert.equal(q10.migrations[0].firstReceiveRate, 7.7e8);
  assert.deepEqual(q10.network, { bandwidth: 2.03e9, latency: 0 });
  assert.equal(m.xbzrle, undefined);
  validateScenario(s);
});

test('mapping: hybrid 64 MiB sweep at 16384 pages/s, 128 MiB/s', () => {
  const s = runToScenario(runs()[1], c) as any;
  // the data from the bottom of RAM: the guest's own (base footprint), then the workload's allocation
  const base = (16932 - 864) * 4096;
  const app = { kind: 'sweep', writeRate: 16384, workingSet: 64 * MiB, offset: base, writeSize: 1 };
  // the guest kernel reads and writes its working set, scattered over the base footprint
  const kernel = { kind: 'uniform', writeRate: 87, readRate: 50, workingSet: 106 * 4096, offset: 0, scatteredOver: base };
  assert.deepEqual(s.vms[0].workload, { kind: 'mix', parts: [app, kernel] });
  const m = s.migrations[0];
  assert.equal(m.faultService, 0.001);
  // the switch to post-copy: the destination's setup before the guest runs, beyond resumeLatency
  assert.deepEqual([m.resumeLatency, m.postcopySetup], [0.0019, 0.0054]);
  assert.equal(m.algorithm, 'hybrid');
  assert.equal(m.postcopyAfterRounds, 1);
  assert.equal(m.maxBandwidth, 128 * MiB * 1.002);
  assert.equal(m.maxPostcopyBandwidth, 128 * MiB * 1.002);
  assert.equal(m.timeout, 14);
  validateScenario(s);
});

test('mapping: XBZRLE with random fill, auto-converge with a uniform pattern', () => {
  const [, , x, a] = runs();
  const sx = runToScenario(x, c) as any;
  assert.equal(sx.migrations[0].algorithm, 'precopy');
  assert.equal(sx.migrations[0].xbzrle, true);
  assert.equal(sx.migrations[0].xbzrleCacheSize, 128 * MiB); // the effective parameter, not QEMU's 64 MiB default
  assert.equal(sx.vms[0].workload.parts[0].writeSize, 4096); // fill=random rewrites the whole page
  assert.equal(x.measured.converged, false);
  assert.equal(x.measured.totalTime, 22.02);
  const sa = runToScenario(a, c) as any;
  assert.equal(sa.vms[0].workload.parts[0].kind, 'uniform');
  assert.equal(sa.migrations[0].downtimeLimit, 0.05);
  assert.deepEqual(
    [sa.migrations[0].autoConverge, sa.migrations[0].cpuThrottleInitial, sa.migrations[0].cpuThrottleIncrement, sa.migrations[0].throttleTriggerThreshold, sa.migrations[0].maxCpuThrottle],
    [true, 20, 10, 50, 99],
  );
  assert.equal(a.measured.hostDowntime, 0.01328);
  validateScenario(sx);
  validateScenario(sa);
});
