/**
 * @module io/consolidation-file
 * Consolidation scenario files on disk (Node only): reading them, and the check that a trace
 * folder exists. The format itself is pure: src/scenario/consolidation.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConsolidationInputError, ConsolidationSpec, parseConsolidationText, validateConsolidation } from '../scenario/consolidation.js';

/** True if `path` is a folder. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a consolidation scenario file into a mapping (not yet validated). */
export function readConsolidationData(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConsolidationInputError([`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`], file);
  }
  return parseConsolidationText(text, file);
}

/** Reads and validates a consolidation scenario file; its trace path is relative to the file. */
export function loadConsolidationFile(file: string): ConsolidationSpec {
  return validateConsolidation(readConsolidationData(file), file, dirname(resolve(file)), isFolder);
}
