/**
 * @module scenario/fields
 * The value kinds of scenario files that carry a unit (sizes, rates, durations), as zod schemas:
 * units are parsed here, at the edge, and every failure says what was expected.
 */
import { z } from 'zod';
import { parseDuration, parseRate, parseSize } from '../core/units.js';

/** A number or a human unit string, parsed at the edge; every failure says what was expected. */
export function unit(parse: (v: unknown) => number, description = '', pattern = '') {
  // any input goes to the parser, which names the expected form whatever the mistake
  return z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'required' });
        return z.NEVER;
      }
      try {
        return parse(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
        return z.NEVER;
      }
    })
    .meta({ type: ['number', 'string'], ...(description ? { description } : {}), ...(pattern ? { examples: [pattern] } : {}) });
}

/** A size: "4GiB", "512MiB", "120MB" or a number of bytes. */
export const Size = unit(parseSize, 'a size: "4GiB", "512MiB", "120MB" or bytes', '4GiB');
/** A rate: "1Gbit/s", "100Mbps", "128MiB/s" or bytes/s. */
export const Rate = unit(parseRate, 'a rate: "1Gbit/s", "100Mbps", "128MiB/s" or bytes/s', '1Gbit/s');
/** A duration: "300ms", "10s", "2min" or seconds. */
export const Duration = unit(parseDuration, 'a duration: "300ms", "10s", "2min" or seconds', '300ms');
/** "unlimited" (or "none") or a value. */
export function orUnlimited<T extends z.ZodType>(inner: T) {
  return z.union([z.enum(['unlimited', 'none']).transform(() => Infinity), inner]);
}

