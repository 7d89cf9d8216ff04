/**
 * @module scenario/errors
 * The error of bad scenario input, in a module of its own: the CLI checks for it on every run, and
 * importing it must not load the validators (zod, yaml) that raise it.
 */

/** Bad scenario input: `issues` are "path: message" lines a person can act on. */
export class ScenarioError extends Error {
  constructor(readonly issues: string[], readonly source = 'scenario') {
    super(`${source} is not valid:\n${issues.map((i) => `  ${i}`).join('\n')}`);
  }
}
