/**
 * @module datacenter/placement/wasm-scan
 * The indexed PABFD's hot loops (CandidatePass's group loop, visitGroup with nextLeaderJs, and
 * listUntilLeaderJs in indexed-pabfd.ts) compiled to WebAssembly, with what they read and write in
 * the module's memory: the index's scan rows, the candidate list, the excluded hosts, the types'
 * power tables and capacities, the hosts to visit and the screen scores known.
 *
 * Why: at 10,000 hosts a placement evaluates about a thousand hosts whose power increases tie the
 * winner's up to the last bit; CloudSim's choice (the lowest id among the exact least) needs every
 * one of them evaluated. Optimized JavaScript spends most of each evaluation re-checking arrays;
 * the compiled loops do the same arithmetic in a fraction of the instructions.
 *
 * Why it is exact: WebAssembly's f64 operations are IEEE 754 binary64 with rounding to nearest,
 * as JavaScript's, and the loops perform powerAt's (power.ts) operations in its order, so every
 * increase has the same bits and every comparison the same outcome. The group loop screens leads
 * with the scores it is given, which the caller keeps current. `wasm-scan.test.ts` holds them
 * equal to the JavaScript loops; `{ wasmScan: false }` turns them off. The module is well under
 * the 4 KB a browser compiles synchronously on its main thread.
 */
import { withDeltas } from '../power.js';
import { F64, I32, op, wasmModule, type Instruction, type WasmFunction } from './wasm-encoder.js';
import { ROW_ALLOC, ROW_AVAIL, ROW_POWER, ROW_SIZE, ROW_TYPE } from './placement-index.js';

/** Bytes of a power table with its step deltas (power.ts withDeltas: 11 points, 10 deltas). */
const TABLE_BYTES = 21 * 8;

/** Local variables of a loop, by index (the parameters first). */
interface Slots {
  readonly r: number;
  readonly min: number;
  readonly minHost: number;
  readonly h: number;
  readonly row: number;
  readonly table: number;
  readonly point: number;
  readonly u: number;
  readonly x: number;
  readonly lo: number;
  readonly diff: number;
}

/**
 * power.ts powerAt(table, u) on the stack, with u's local set and the table's address in its
 * local, in powerAt's operations and order:
 *   !(u > 0) ? table[0] : u >= 1 ? table[10] : (x = u * 10, lo = floor(x),
 *   lo === x ? table[lo] : table[lo] + delta[lo] * (u - lo / 10) * 100)
 * (a table with deltas: delta[lo] is at 11 + lo).
 */
function powerAt(s: Slots): Instruction[] {
  return [
    op.localGet(s.u),
    op.f64Const(0),
    op.f64Gt,
    op.ifF64,
    op.localGet(s.u),
    op.f64Const(1),
    op.f64Ge,
    op.ifF64,
    op.localGet(s.table),
    op.f64Load(8 * 10),
    op.else,
    op.localGet(s.u),
    op.f64Const(10),
    op.f64Mul,
    op.localTee(s.x),
    op.f64Floor,
    op.localTee(s.lo),
    op.i32TruncSatF64S, // lo is 0..10
    op.i32Const(3),
    op.i32Shl,
    op.localGet(s.table),
    op.i32Add,
    op.localSet(s.point),
    op.localGet(s.lo),
    op.localGet(s.x),
    op.f64Eq,
    op.ifF64,
    op.localGet(s.point),
    op.f64Load(),
    op.else,
    op.localGet(s.point),
    op.f64Load(),
    op.localGet(s.point),
    op.f64Load(8 * 11),
    op.localGet(s.u),
    op.localGet(s.lo),
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
    op.localGet(s.table),
    op.f64Load(),
    op.end,
  ];
}

/** diff = powerAt(table, (alloc_h + r) / cap) - power_h, with the row's address in its local and cap on the stack. */
function increase(s: Slots, cap: Instruction[]): Instruction[] {
  return [
    op.localGet(s.row),
    op.f64Load(8 * ROW_ALLOC),
    op.localGet(s.r),
    op.f64Add,
    ...cap,
    op.f64Div,
    op.localSet(s.u),
    ...powerAt(s),
    op.localGet(s.row),
    op.f64Load(8 * ROW_POWER),
    op.f64Sub,
    op.localSet(s.diff),
  ];
}

/**
 * `body` runs when host h would take the lead: diff < min || (diff === min && h < minHost),
 * written as diff <= min && (diff < min || h < minHost) (the same for every input, NaN included),
 * so that the usual host, above the least, costs one comparison.
 */
function ifTakesLead(s: Slots, body: Instruction[]): Instruction[] {
  return [
    op.localGet(s.diff),
    op.localGet(s.min),
    op.f64Le,
    op.if,
    op.localGet(s.diff),
    op.localGet(s.min),
    op.f64Lt,
    op.localGet(s.h),
    op.localGet(s.minHost),
    op.i32LtS,
    op.i32Or,
    op.if,
    ...body,
    op.end,
    op.end,
  ];
}

/** address + (index << shift), on the stack. */
function element(address: Instruction, index: Instruction, shift: number): Instruction[] {
  return [address, index, op.i32Const(shift), op.i32Shl, op.i32Add];
}

/**
 * for (i = from; i < n; i++) { h = hosts[i]; if (excluded[h] === 1) continue; body }, on locals
 * i and h; in `body`, br_if 0 is `continue`. Falls through when i reaches n.
 */
function forEachHost(at: { hosts: number; from: number; n: number; excluded: number; i: number; h: number }, body: Instruction[]): Instruction[] {
  return [
    op.localGet(at.from),
    op.localSet(at.i),
    op.block,
    op.loop,
    op.localGet(at.i),
    op.localGet(at.n),
    op.i32GeS,
    op.brIf(1),
    op.block, // "continue" leaves this block
    ...element(op.localGet(at.hosts), op.localGet(at.i), 2),
    op.i32Load(),
    op.localSet(at.h),
    // excluded[h] === 1: continue
    op.localGet(at.excluded),
    op.localGet(at.h),
    op.i32Add,
    op.i32Load8U(),
    op.i32Const(1),
    op.i32Eq,
    op.brIf(0),
    ...body,
    op.end, // continue
    op.localGet(at.i),
    op.i32Const(1),
    op.i32Add,
    op.localSet(at.i),
    op.br(0),
    op.end,
    op.end,
  ];
}

/**
 * Excluded arrays a round may hand out in the kernel's memory (newExcluded): a consolidation step
 * uses two (the overloaded hosts, then the under-load phase's targets).
 */
const EXCLUDED_ARRAYS = 2;

/**
 * The member store's size in host ids per host (newMembers): groups' lists grow by doubling and
 * are not given back, to a few times the hosts over a run; past the store, lists are copied.
 */
const MEMBERS_PER_HOST = 32;

/**
 * Where the loops store what they return besides the position: the lead's increase, the listed
 * count, the least increase and its host so far.
 */
const LEAD_AT = 0;
const COUNT_AT = 8;
const LEAST_AT = 16;
const LEAST_HOST_AT = 24;

/**
 * groupLeast(hosts, from, n, rows, excluded, table, r, cap, min, minHost, scores, limit): the
 * grouped pass's loop over one group (hosts[from..n), all of the type whose table and capacity
 * are given). Each host that is not excluded, has the free MIPS, and whose increase
 * powerAt(table, (alloc_h + r) / cap) - power_h would take the lead from (min, minHost) takes it,
 * unless the screen drops it: with a screen (scores not 0) and something allocated, a host whose
 * known score (scores[h], NaN when not known) is at or above `limit` is dropped; a host whose
 * score is not known ends the loop, for the caller to screen: returns its position (its increase
 * at LEAD_AT). Else returns n. Either way the lead so far is at LEAST_AT and LEAST_HOST_AT. In
 * JavaScript (indexed-pabfd.ts nextLeaderJs and visitGroup, with the screen known for every host):
 *
 *   for (let i = from; i < n; i++) {
 *     const h = hosts[i];
 *     if (excluded[h] === 1 || rows[4h] < r) continue;
 *     const diff = powerAt(table, (rows[4h + 1] + r) / cap) - rows[4h + 2];
 *     if (diff < min || (diff === min && h < minHost)) {
 *       if (screened && rows[4h + 1] !== 0 && scores[h] >= limit) continue;
 *       min = diff; minHost = h;
 *     }
 *   }
 */
function groupLeastFunction(): WasmFunction {
  const [HOSTS, FROM, N, ROWS, EXCLUDED, TABLE, R, CAP, MIN, MIN_HOST, SCORES, LIMIT, I, H, ROW, POINT, U, X, LO, DIFF, SCORE] = Array.from({ length: 21 }, (_, i) => i);
  const s: Slots = { r: R, min: MIN, minHost: MIN_HOST, h: H, row: ROW, table: TABLE, point: POINT, u: U, x: X, lo: LO, diff: DIFF };
  const storeLeast = [op.i32Const(LEAST_AT), op.localGet(MIN), op.f64Store(), op.i32Const(LEAST_HOST_AT), op.localGet(MIN_HOST), op.i32Store()];
  return {
    name: 'groupLeast',
    params: [I32, I32, I32, I32, I32, I32, F64, F64, F64, I32, I32, F64],
    results: [I32],
    locals: [I32, I32, I32, I32, F64, F64, F64, F64, F64],
    body: [
      ...forEachHost({ hosts: HOSTS, from: FROM, n: N, excluded: EXCLUDED, i: I, h: H }, [
        // free MIPS below r: continue
        ...element(op.localGet(ROWS), op.localGet(H), Math.log2(ROW_SIZE * 8)),
        op.localTee(ROW),
        op.f64Load(8 * ROW_AVAIL),
        op.localGet(R),
        op.f64Lt,
        op.brIf(0),
        ...increase(s, [op.localGet(CAP)]),
        ...ifTakesLead(s, [
          // with a screen and something allocated: the host's score
          op.localGet(SCORES),
          op.if,
          op.localGet(ROW),
          op.f64Load(8 * ROW_ALLOC),
          op.f64Const(0),
          op.f64Ne,
          op.if,
          ...element(op.localGet(SCORES), op.localGet(H), 3),
          op.f64Load(),
          op.localTee(SCORE),
          op.localGet(SCORE),
          op.f64Ne,
          op.if,
          // not known: the caller screens it
          op.i32Const(LEAD_AT),
          op.localGet(DIFF),
          op.f64Store(),
          ...storeLeast,
          op.localGet(I),
          op.return,
          op.end,
          // dropped: continue (out of the two ifs here and ifTakesLead's two)
          op.localGet(SCORE),
          op.localGet(LIMIT),
          op.f64Ge,
          op.brIf(4),
          op.end,
          op.end,
          op.localGet(DIFF),
          op.localSet(MIN),
          op.localGet(H),
          op.localSet(MIN_HOST),
        ]),
      ]),
      ...storeLeast,
      op.localGet(N),
    ],
  };
}

/**
 * listUntilLeader(hosts, from, n, rows, excluded, tables, caps, peMips, outHost, outDiff, m, r,
 * perPe, min, minHost): the full pass's loop (indexed-pabfd.ts listUntilLeader), hosts of any
 * type: lists each suitable host of hosts[from..n) that would not take the lead (its id at
 * outHost[m], its increase at outDiff[m], m + 1) and returns the position of the first that
 * would (its increase at LEAD_AT), or n; the listed count is stored at COUNT_AT. A host's type is
 * its row's ROW_TYPE; its table is at tables + type x TABLE_BYTES, its capacity and PE MIPS at
 * caps[type] and peMips[type].
 */
function listUntilLeaderFunction(): WasmFunction {
  const [HOSTS, FROM, N, ROWS, EXCLUDED, TABLES, CAPS, PE_MIPS, OUT_HOST, OUT_DIFF, M, R, PER_PE, MIN, MIN_HOST] = Array.from({ length: 15 }, (_, i) => i);
  const [I, H, ROW, POINT, TYPE, TABLE, U, X, LO, DIFF] = Array.from({ length: 10 }, (_, i) => 15 + i);
  const s: Slots = { r: R, min: MIN, minHost: MIN_HOST, h: H, row: ROW, table: TABLE, point: POINT, u: U, x: X, lo: LO, diff: DIFF };
  return {
    name: 'listUntilLeader',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, I32],
    results: [I32],
    locals: [I32, I32, I32, I32, I32, I32, F64, F64, F64, F64],
    body: [
      ...forEachHost({ hosts: HOSTS, from: FROM, n: N, excluded: EXCLUDED, i: I, h: H }, [
        // the host's type; its PE below the VM's per-PE demand: continue
        ...element(op.localGet(ROWS), op.localGet(H), Math.log2(ROW_SIZE * 8)),
        op.localTee(ROW),
        op.f64Load(8 * ROW_TYPE),
        op.i32TruncSatF64S,
        op.localSet(TYPE),
        ...element(op.localGet(PE_MIPS), op.localGet(TYPE), 3),
        op.f64Load(),
        op.localGet(PER_PE),
        op.f64Lt,
        op.brIf(0),
        // free MIPS below r: continue
        op.localGet(ROW),
        op.f64Load(8 * ROW_AVAIL),
        op.localGet(R),
        op.f64Lt,
        op.brIf(0),
        op.localGet(TABLES),
        op.localGet(TYPE),
        op.i32Const(TABLE_BYTES),
        op.i32Mul,
        op.i32Add,
        op.localSet(TABLE),
        ...increase(s, [...element(op.localGet(CAPS), op.localGet(TYPE), 3), op.f64Load()]),
        ...ifTakesLead(s, [
          op.i32Const(LEAD_AT),
          op.localGet(DIFF),
          op.f64Store(),
          op.i32Const(COUNT_AT),
          op.localGet(M),
          op.i32Store(),
          op.localGet(I),
          op.return,
        ]),
        // list it
        ...element(op.localGet(OUT_HOST), op.localGet(M), 2),
        op.localGet(H),
        op.i32Store(),
        ...element(op.localGet(OUT_DIFF), op.localGet(M), 3),
        op.localGet(DIFF),
        op.f64Store(),
        op.localGet(M),
        op.i32Const(1),
        op.i32Add,
        op.localSet(M),
      ]),
      op.i32Const(COUNT_AT),
      op.localGet(M),
      op.i32Store(),
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
    compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(wasmModule([groupLeastFunction(), listUntilLeaderFunction()])) : null;
  }
  return compiled;
}

type GroupLeast = (
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
  scores: number,
  limit: number,
) => number;

type ListUntilLeader = (
  hosts: number,
  from: number,
  n: number,
  rows: number,
  excluded: number,
  tables: number,
  caps: number,
  peMips: number,
  outHost: number,
  outDiff: number,
  m: number,
  r: number,
  perPe: number,
  min: number,
  minHost: number,
) => number;

/**
 * The kernel for one data center, with its memory: `rows` is the placement index's scan rows
 * (the index writes them there), `candHost` and `candDiff` the full pass's list; the rest is
 * copied in by the pass (the types' figures once, the excluded flags once per placement, the
 * hosts to visit once per group or full pass).
 */
export class WasmScan {
  /** The scan rows (ROW_SIZE values per host), in the kernel's memory. */
  readonly rows: Float64Array;
  /** The full pass's listed hosts and their increases (one place per host). */
  readonly candHost: Int32Array;
  readonly candDiff: Float64Array;
  private readonly excluded: Uint8Array;
  private readonly hosts: Int32Array;
  private readonly buffer: ArrayBuffer;
  private readonly hostCount: number;
  /** The excluded flags the loops read: the copy's (excludedAt) or a handed-out array's address. */
  private excludedPtr: number;
  /** Handed-out excluded arrays (newExcluded) this round. */
  private handedOut = 0;
  /** The hosts the loops visit: the copy's (hostsAt) or a list's in the member store. */
  private hostsPtr: number;
  /** The member store (newMembers): its start, end and first free byte. */
  private readonly membersAt: number;
  private readonly membersEnd: number;
  private membersFree: number;
  /** The increase of the host a loop stopped at (LEAD_AT), the listed count (COUNT_AT), the least so far (LEAST_AT, LEAST_HOST_AT). */
  private readonly lead: Float64Array;
  private readonly count: Int32Array;
  private readonly least: Float64Array;
  private readonly leastHostView: Int32Array;
  /** Known screen scores (see scores), what they are of, and where. */
  private readonly scoresView: Float64Array;
  private scoresFrom: Float64Array | undefined;
  private scoresEpoch = -1;
  private readonly scoresAt: number;
  private readonly tablesAt: number;
  private readonly capsAt: number;
  private readonly peMipsAt: number;
  private readonly rowsAt: number;
  private readonly candHostAt: number;
  private readonly candDiffAt: number;
  private readonly hostsAt: number;
  private readonly excludedAt: number;
  private readonly runGroupLeast: GroupLeast;
  private readonly runListUntilLeader: ListUntilLeader;

  /**
   * The kernel for `hostCount` hosts whose types have the power tables `typePower`, the capacities
   * `typeCap` and the PE capacities `typePeMips` (MIPS), or undefined where WebAssembly is not
   * available or its memory cannot be had (the JavaScript loops run then).
   */
  static for(hostCount: number, typePower: readonly Float64Array[], typeCap: Float64Array, typePeMips: Float64Array): WasmScan | undefined {
    const module = kernelModule();
    if (module === null) return undefined;
    try {
      return new WasmScan(hostCount, typePower, typeCap, typePeMips, module);
    } catch (e) {
      // a memory can be refused where address space is scarce (each reserves guard regions)
      if (e instanceof RangeError) return undefined;
      throw e;
    }
  }

  private constructor(hostCount: number, typePower: readonly Float64Array[], typeCap: Float64Array, typePeMips: Float64Array, module: WasmModuleObject) {
    const types = typePower.length;
    // layout: the lead, the count and the least so far, then 8-byte values (the tables,
    // capacities, PE capacities, rows, known scores, listed increases), then 4-byte ones (the hosts to visit: a group's list may be up to
    // twice the hosts; the listed hosts), then the excluded flags: the copy's, then the arrays
    // handed out (newExcluded), then the member store (newMembers)
    const hostsLength = Math.max(8, 2 * hostCount);
    this.tablesAt = 32;
    this.capsAt = this.tablesAt + types * TABLE_BYTES;
    this.peMipsAt = this.capsAt + 8 * types;
    this.rowsAt = this.peMipsAt + 8 * types;
    this.scoresAt = this.rowsAt + ROW_SIZE * 8 * hostCount;
    this.candDiffAt = this.scoresAt + 8 * hostCount;
    this.hostsAt = this.candDiffAt + 8 * hostCount;
    this.candHostAt = this.hostsAt + 4 * hostsLength;
    this.excludedAt = this.candHostAt + 4 * hostCount;
    this.membersAt = 8 * Math.ceil((this.excludedAt + (1 + EXCLUDED_ARRAYS) * hostCount) / 8);
    this.membersEnd = this.membersAt + 4 * MEMBERS_PER_HOST * Math.max(8, hostCount);
    this.membersFree = this.membersAt;
    const bytes = this.membersEnd;
    this.excludedPtr = this.excludedAt;
    this.hostsPtr = this.hostsAt;
    this.hostCount = hostCount;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.runGroupLeast = instance.exports.groupLeast as GroupLeast;
    this.runListUntilLeader = instance.exports.listUntilLeader as ListUntilLeader;
    const buffer = memory.buffer;
    this.buffer = buffer;
    this.lead = new Float64Array(buffer, LEAD_AT, 1);
    this.count = new Int32Array(buffer, COUNT_AT, 1);
    this.least = new Float64Array(buffer, LEAST_AT, 1);
    this.leastHostView = new Int32Array(buffer, LEAST_HOST_AT, 1);
    this.scoresView = new Float64Array(buffer, this.scoresAt, hostCount).fill(NaN);
    this.rows = new Float64Array(buffer, this.rowsAt, ROW_SIZE * hostCount);
    this.candDiff = new Float64Array(buffer, this.candDiffAt, hostCount);
    this.hosts = new Int32Array(buffer, this.hostsAt, hostsLength);
    this.candHost = new Int32Array(buffer, this.candHostAt, hostCount);
    this.excluded = new Uint8Array(buffer, this.excludedAt, hostCount);
    for (let t = 0; t < types; t++) {
      const table = typePower[t];
      new Float64Array(buffer, this.tablesAt + t * TABLE_BYTES, TABLE_BYTES / 8).set(table.length === TABLE_BYTES / 8 ? table : withDeltas(table));
    }
    new Float64Array(buffer, this.capsAt, types).set(typeCap);
    new Float64Array(buffer, this.peMipsAt, types).set(typePeMips);
  }

  /**
   * The excluded flags of the coming placement (one per host): read in place if the array is one
   * newExcluded handed out, else copied.
   */
  setExcluded(excluded: Uint8Array): void {
    if (excluded.buffer === this.buffer && excluded.length === this.hostCount) {
      const k = (excluded.byteOffset - this.excludedAt) / this.hostCount;
      if (k >= 1 && k <= EXCLUDED_ARRAYS && Number.isInteger(k)) {
        this.excludedPtr = excluded.byteOffset;
        return;
      }
    }
    this.excluded.set(excluded);
    this.excludedPtr = this.excludedAt;
  }

  /**
   * A zeroed array of excluded flags in the kernel's memory, which setExcluded reads in place
   * (no copy of a flag per host at every placement), or undefined once EXCLUDED_ARRAYS are out
   * this round. Valid until releaseExcluded.
   */
  newExcluded(): Uint8Array | undefined {
    if (this.handedOut === EXCLUDED_ARRAYS) return undefined;
    const at = this.excludedAt + (1 + this.handedOut++) * this.hostCount;
    return new Uint8Array(this.buffer, at, this.hostCount).fill(0);
  }

  /** A new round: the arrays handed out are no longer in use (their memory is handed out again). */
  releaseExcluded(): void {
    this.handedOut = 0;
    this.excludedPtr = this.excludedAt;
  }

  /**
   * The hosts the next calls visit (the first n of `hosts`; the list may be longer): read in place
   * if the list is in the member store (newMembers), else copied.
   */
  setHosts(hosts: Int32Array, n: number): void {
    if (hosts.buffer === this.buffer && hosts.byteOffset >= this.membersAt) {
      this.hostsPtr = hosts.byteOffset;
      return;
    }
    this.hosts.set(hosts.length <= this.hosts.length ? hosts : hosts.subarray(0, n));
    this.hostsPtr = this.hostsAt;
  }

  /**
   * A zeroed list of `length` host ids in the kernel's memory, which setHosts reads in place (no
   * copy at every visit of a group), or undefined once the store is used up (its space is not
   * reused: a run's groups grow to a few times the hosts in all).
   */
  newMembers(length: number): Int32Array | undefined {
    if (this.membersFree + 4 * length > this.membersEnd) return undefined;
    const list = new Int32Array(this.buffer, this.membersFree, length);
    this.membersFree += 4 * length;
    return list;
  }

  /**
   * The grouped pass's loop over the hosts [from, n), all of type `type` (groupLeast above): the
   * lead taken from (min, minHost), screened with the known scores (`scores`) against `limit` if
   * `screened`; returns n, or the position of a host to screen whose score is not known (its
   * increase is leadIncrease). The lead so far is leastIncrease, leastHost.
   */
  groupLeast(from: number, n: number, type: number, r: number, cap: number, min: number, minHost: number, screened: boolean, limit: number): number {
    const table = this.tablesAt + type * TABLE_BYTES;
    return this.runGroupLeast(this.hostsPtr, from, n, this.rowsAt, this.excludedPtr, table, r, cap, min, minHost, screened ? this.scoresAt : 0, limit);
  }

  /**
   * The screen's scores the grouped loop knows, one per host, NaN where not known: the caller
   * writes a host's score once the screen is current for it (OverloadScreen), and forgets it
   * (forgetScore) when the host changes.
   */
  get scores(): Float64Array {
    return this.scoresView;
  }

  /**
   * The scores known are those of `of` (the screen's score array) at history epoch `epoch`: if
   * either differs from the last call's, every score is forgotten.
   */
  scoresOf(of: Float64Array, epoch: number): void {
    if (of === this.scoresFrom && epoch === this.scoresEpoch) return;
    this.scoresFrom = of;
    this.scoresEpoch = epoch;
    this.scoresView.fill(NaN);
  }

  /** Host h's score is forgotten (it changed). */
  forgetScore(h: number): void {
    this.scoresView[h] = NaN;
  }

  /** Every score is forgotten (a new round). */
  forgetScores(): void {
    this.scoresFrom = undefined;
    this.scoresView.fill(NaN);
  }

  /** The lead the last groupLeast call ended with. */
  get leastIncrease(): number {
    return this.least[0];
  }

  get leastHost(): number {
    return this.leastHostView[0];
  }

  /**
   * Lists the hosts [from, n) in candHost/candDiff after the m listed, up to the first that takes
   * the lead from (min, minHost): returns its position, or n (listUntilLeader above); the new
   * count is listedCount.
   */
  listUntilLeader(from: number, n: number, m: number, r: number, perPe: number, min: number, minHost: number): number {
    return this.runListUntilLeader(
      this.hostsPtr,
      from,
      n,
      this.rowsAt,
      this.excludedPtr,
      this.tablesAt,
      this.capsAt,
      this.peMipsAt,
      this.candHostAt,
      this.candDiffAt,
      m,
      r,
      perPe,
      min,
      minHost,
    );
  }

  /** The increase of the host the last call stopped at. */
  get leadIncrease(): number {
    return this.lead[0];
  }

  /** The listed count after the last listUntilLeader. */
  get listedCount(): number {
    return this.count[0];
  }
}
