/**
 * @module core/doubles
 * Number fields that will hold fractions (times, byte and page counts, rates) start as doubles.
 *
 * Why: V8 lays out an object field by the first value stored in it, a small integer or a double.
 * A field that starts as the integer 0 and later takes a fraction changes the layout of every
 * object of that kind made so far: each is then converted at its next use, and the optimized code
 * that relied on the old layout is thrown away. A run makes its flows, migrations and their
 * records by the thousand before any of them holds a fraction, so it paid that for each kind.
 *
 * `ZERO` is 0 (=== 0, not -0) and `MINUS_ONE` is -1, each a double: a field set from them is laid
 * out as a double from the start, and stays one whatever number it holds next. They are made once,
 * here (a typed-array read at module load gives a double even for a whole number; arithmetic and
 * optimized code may give a small integer instead), so a field whose first value is some other
 * number starts from ZERO and is then set. Values are unchanged: only their storage differs.
 */

const scratch = new Float64Array(2);
scratch[1] = -1;

/** 0, as a double. */
export const ZERO: number = scratch[0];

/** -1 (a "not yet" time), as a double. */
export const MINUS_ONE: number = scratch[1];
