/**
 * @module cli/errors
 * The CLI's own errors, apart from the commands that throw them: main.ts checks for them on every
 * run, and the commands' implementations are loaded only when they run.
 */

/** Bad input from the command line (exit 2). */
export class UsageError extends Error {}

/** Bad `lmsim consolidate` command-line input (exit 2). */
export class ConsolidateUsageError extends Error {}
