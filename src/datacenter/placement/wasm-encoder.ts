/**
 * @module datacenter/placement/wasm-encoder
 * Just enough of the WebAssembly binary format to write a few functions over one imported memory
 * (the placement's scan kernel, wasm-scan.ts), without a toolchain: instructions are named byte
 * sequences, a module is types, functions, the memory import and exports. WebAssembly's f64
 * arithmetic is IEEE 754 binary64 with rounding to nearest, as JavaScript's numbers, so a kernel
 * written with it computes the same bits as the same expression in JavaScript.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export type ValueType = typeof I32 | typeof F64;
/** One instruction's bytes. */
export type Instruction = readonly number[];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]));
}

/** Instructions (the opcodes of the WebAssembly core specification, section 5.4). */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  f64Const: (x: number) => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)],
  /** Loads and stores at the address on the stack plus `offset` bytes (natural alignment). */
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32Load8U: (offset = 0) => [0x2d, 0, ...uleb(offset)],
  f64Load: (offset = 0) => [0x2b, 3, ...uleb(offset)],
  i32Store: (offset = 0) => [0x36, 2, ...uleb(offset)],
  f64Store: (offset = 0) => [0x39, 3, ...uleb(offset)],
  i32Eq: [0x46],
  i32LtS: [0x48],
  i32GeS: [0x4e],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32And: [0x71],
  i32Or: [0x72],
  f64Eq: [0x61],
  f64Ne: [0x62],
  f64Lt: [0x63],
  f64Le: [0x65],
  f64Gt: [0x64],
  f64Ge: [0x66],
  f64Floor: [0x9c],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
  /** Saturating truncation to i32 (it does not trap). */
  i32TruncSatF64S: [0xfc, 0x02],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  /** An if whose branches each leave one f64. */
  ifF64: [0x04, F64],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  return: [0x0f],
} as const;

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  /** Locals after the parameters (indices continue the parameters'). */
  readonly locals: readonly ValueType[];
  readonly body: readonly Instruction[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** A module that imports its memory as env.memory and exports the functions by name. */
export function wasmModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map((t) => [1, t])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
