/**
 * @module datacenter/placement/wasm-scan
 * The grouped PABFD's hot loop (CandidatePass's nextLeader in indexed-pabfd.ts) compiled to
 * WebAssembly, with what it reads in the module's memory: the index's scan rows, the excluded
 * hosts, the power tables and the group being visited.
 *
 * Why: at 10,000 hosts a placement evaluates about a thousand hosts whose power increases tie the
 * winner's up to the last bit; CloudSim's choice (the lowest id among the exact least) needs every
 * one of them evaluated. Optimized JavaScript spends most of each evaluation re-checking arrays;
 * the compiled loop does the same arithmetic in a fraction of the instructions.
 *
 * Why it is exact: WebAssembly's f64 operations are IEEE 754 binary64 with rounding to nearest,
 * as JavaScript's, and the loop performs powerAt's (power.ts) operations in its order, so every
 * increase has the same bits and every comparison the same outcome. `wasm-scan.test.ts` holds it
 * equal to the JavaScript loop; `{ wasmScan: false }` turns it off.
 */
import { withDeltas } from '../power.js';
import { F64, I32, op, wasmModule, type WasmFunction } from './wasm-encoder.js';
import { ROW_ALLOC, ROW_AVAIL, ROW_POWER, ROW_SIZE } from './placement-index.js';

/** Bytes of a power table with its step deltas (power.ts withDeltas: 11 points, 10 deltas). */
const TABLE_BYTES = 21 * 8;

// parameters and locals of nextLeader
const HOSTS = 0; // byte address of the group's host ids (i32)
const FROM = 1;
const N = 2;
const ROWS = 3; // byte address of the scan rows (f64, ROW_SIZE per host)
const EXCLUDED = 4; // byte address of the excluded flags (u8 per host)
const TABLE = 5; // byte address of the group's power table with deltas
const R = 6; // the VM's demand (MIPS)
const CAP = 7; // the type's capacity (MIPS)
const MIN = 8; // the least increase so far and its host
const MIN_HOST = 9;
const I = 10;
const H = 11;
const ROW = 12; // byte address of host h's row
const POINT = 13; // byte address of the table point below u
const U = 14;
const X = 15;
const LO = 16;
const DIFF = 17;

/**
 * nextLeader(hosts, from, n, rows, excluded, table, r, cap, min, minHost): the first i in
 * [from, n) whose host h = hosts[i] is not excluded, has the free MIPS, and whose increase
 * powerAt(table, (alloc_h + r) / cap) - power_h would take the lead from (min, minHost); its
 * increase is stored at address 0. Returns n if none. In JavaScript (indexed-pabfd.ts):
 *
 *   for (let i = from; i < n; i++) {
 *     const h = hosts[i];
 *     if (excluded[h] === 1 || rows[4h] < r) continue;
 *     const diff = powerAt(table, (rows[4h + 1] + r) / cap) - rows[4h + 2];
 *     if (diff < min || (diff === min && h < minHost)) { lead = diff; return i; }
 *   }
 *   return n;
 */
function nextLeaderFunction(): WasmFunction {
  // built when first compiled: placement-index.ts, which owns the row layout, imports this module
  return {
    name: 'nextLeader',
    params: [I32, I32, I32, I32, I32, I32, F64, F64, F64, I32],
    results: [I32],
    locals: [I32, I32, I32, I32, F64, F64, F64, F64],
    body: [
      op.localGet(FROM),
      op.localSet(I),
      op.block,
      op.loop,
      // i < n, else leave with n
      op.localGet(I),
      op.localGet(N),
      op.i32GeS,
      op.brIf(1),
      op.block, // "continue" leaves this block
      // h = hosts[i]
      op.localGet(HOSTS),
      op.localGet(I),
      op.i32Const(2),
      op.i32Shl,
      op.i32Add,
      op.i32Load(),
      op.localSet(H),
      // excluded[h] === 1: continue
      op.localGet(EXCLUDED),
      op.localGet(H),
      op.i32Add,
      op.i32Load8U(),
      op.i32Const(1),
      op.i32Eq,
      op.brIf(0),
      // free MIPS below r: continue
      op.localGet(ROWS),
      op.localGet(H),
      op.i32Const(Math.log2(ROW_SIZE * 8)),
      op.i32Shl,
      op.i32Add,
      op.localTee(ROW),
      op.f64Load(8 * ROW_AVAIL),
      op.localGet(R),
      op.f64Lt,
      op.brIf(0),
      // u = (alloc + r) / cap
      op.localGet(ROW),
      op.f64Load(8 * ROW_ALLOC),
      op.localGet(R),
      op.f64Add,
      op.localGet(CAP),
      op.f64Div,
      op.localSet(U),
      // powerAt(table, u)
      op.localGet(U),
      op.f64Const(0),
      op.f64Gt,
      op.ifF64,
      op.localGet(U),
      op.f64Const(1),
      op.f64Ge,
      op.ifF64,
      op.localGet(TABLE),
      op.f64Load(8 * 10), // u >= 1: table[10]
      op.else,
      // x = u * 10, lo = floor(x)
      op.localGet(U),
      op.f64Const(10),
      op.f64Mul,
      op.localTee(X),
      op.f64Floor,
      op.localTee(LO),
      op.i32TruncF64S,
      op.i32Const(3),
      op.i32Shl,
      op.localGet(TABLE),
      op.i32Add,
      op.localSet(POINT),
      op.localGet(LO),
      op.localGet(X),
      op.f64Eq,
      op.ifF64,
      op.localGet(POINT),
      op.f64Load(), // on a table point: table[lo]
      op.else,
      // table[lo] + delta[lo] * (u - lo / 10) * 100
      op.localGet(POINT),
      op.f64Load(),
      op.localGet(POINT),
      op.f64Load(8 * 11),
      op.localGet(U),
      op.localGet(LO),
      op.f64Const(10),
      op.f64Div,
      op.f64Sub,
      op.f64Mul,
      op.f64Const(100),
      op.f64Mul,
      op.f64Add,
      op.end,
      op.end,
      op.else,
      op.localGet(TABLE),
      op.f64Load(), // !(u > 0): table[0]
      op.end,
      // diff = power - power_h
      op.localGet(ROW),
      op.f64Load(8 * ROW_POWER),
      op.f64Sub,
      op.localSet(DIFF),
      // diff < min || (diff === min && h < minHost): store the lead, return i
      op.localGet(DIFF),
      op.localGet(MIN),
      op.f64Lt,
      op.localGet(DIFF),
      op.localGet(MIN),
      op.f64Eq,
      op.localGet(H),
      op.localGet(MIN_HOST),
      op.i32LtS,
      op.i32And,
      op.i32Or,
      op.if,
      op.i32Const(0),
      op.localGet(DIFF),
      op.f64Store(),
      op.localGet(I),
      op.return,
      op.end,
      op.end, // continue
      op.localGet(I),
      op.i32Const(1),
      op.i32Add,
      op.localSet(I),
      op.br(0),
      op.end,
      op.end,
      op.localGet(N),
    ],
  };
}

/**
 * The part of the WebAssembly API used here (Node and browsers have it; the project's TypeScript
 * libraries, ES2022 without the DOM, do not declare it).
 */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModuleObject;
  Instance: new (module: WasmModuleObject, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};
type WasmModuleObject = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

let compiled: WasmModuleObject | null | undefined;

/** The compiled kernel, or null where WebAssembly is not available. */
function kernelModule(): WasmModuleObject | null {
  if (compiled === undefined) {
    compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(wasmModule([nextLeaderFunction()])) : null;
  }
  return compiled;
}

type NextLeader = (
  hosts: number,
  from: number,
  n: number,
  rows: number,
  excluded: number,
  table: number,
  r: number,
  cap: number,
  min: number,
  minHost: number,
) => number;

/**
 * The kernel for one data center, with its memory: `rows` is the placement index's scan rows
 * (the index writes them there), the rest is copied in by the pass (tables once, the excluded
 * flags once per placement, a group's hosts once per group).
 */
export class WasmScan {
  /** The scan rows (ROW_SIZE values per host), in the kernel's memory. */
  readonly rows: Float64Array;
  private readonly excluded: Uint8Array;
  private readonly hosts: Int32Array;
  /** lead[0]: the increase of the host nextLeader stopped at. */
  private readonly lead: Float64Array;
  private readonly tableAt: Int32Array;
  private readonly rowsAt: number;
  private readonly excludedAt: number;
  private readonly hostsAt: number;
  private readonly run: NextLeader;

  /**
   * The kernel for `hostCount` hosts whose types have the power tables `typePower` (the state's),
   * or undefined where WebAssembly is not available.
   */
  static for(hostCount: number, typePower: readonly Float64Array[]): WasmScan | undefined {
    const module = kernelModule();
    return module === null ? undefined : new WasmScan(hostCount, typePower, module);
  }

  private constructor(hostCount: number, typePower: readonly Float64Array[], module: WasmModuleObject) {
    const types = typePower.length;
    // layout: the lead, the tables, the rows, the hosts of a group (a group's list may be up to
    // twice the hosts), the excluded flags
    const tablesAt = 8;
    this.rowsAt = tablesAt + types * TABLE_BYTES;
    this.hostsAt = this.rowsAt + ROW_SIZE * 8 * hostCount;
    this.excludedAt = this.hostsAt + 4 * Math.max(8, 2 * hostCount);
    const bytes = this.excludedAt + hostCount;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.run = instance.exports.nextLeader as NextLeader;
    const buffer = memory.buffer;
    this.lead = new Float64Array(buffer, 0, 1);
    this.rows = new Float64Array(buffer, this.rowsAt, ROW_SIZE * hostCount);
    this.hosts = new Int32Array(buffer, this.hostsAt, Math.max(8, 2 * hostCount));
    this.excluded = new Uint8Array(buffer, this.excludedAt, hostCount);
    this.tableAt = new Int32Array(types);
    for (let t = 0; t < types; t++) {
      const at = tablesAt + t * TABLE_BYTES;
      const table = typePower[t];
      new Float64Array(buffer, at, TABLE_BYTES / 8).set(table.length === TABLE_BYTES / 8 ? table : withDeltas(table));
      this.tableAt[t] = at;
    }
  }

  /** The excluded flags of the coming placement (one per host). */
  setExcluded(excluded: Uint8Array): void {
    this.excluded.set(excluded);
  }

  /** The group the next calls visit (its first n hosts; the list may be longer). */
  setHosts(hosts: Int32Array, n: number): void {
    this.hosts.set(hosts.length <= this.hosts.length ? hosts : hosts.subarray(0, n));
  }

  /** The first of the group's hosts [from, n) of type `type` that takes the lead from (min, minHost), or n (see nextLeader above). */
  nextLeader(from: number, n: number, type: number, r: number, cap: number, min: number, minHost: number): number {
    return this.run(this.hostsAt, from, n, this.rowsAt, this.excludedAt, this.tableAt[type], r, cap, min, minHost);
  }

  /** The increase of the host the last nextLeader stopped at. */
  get leadIncrease(): number {
    return this.lead[0];
  }
}
