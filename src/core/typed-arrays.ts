/**
 * @module core/typed-arrays
 * Growing a typed array that serves as a growable table.
 */

/** The typed arrays the tables grow. */
export type GrowableArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A new array of `a`'s kind and length `n`, holding `a`'s values first (the rest 0). */
export function grown<T extends GrowableArray>(a: T, n: number): T {
  const b = new (a.constructor as new (length: number) => T)(n);
  b.set(a);
  return b;
}
