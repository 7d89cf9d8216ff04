/**
 * The program built for one command (the command line's first word) against the whole program:
 * the same help, the same usage errors and the same parsed values for every command and
 * subcommand, and the whole program wherever the first word names no command.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { buildProgram } from '../src/cli/main.js';

const quiet = { out: () => {}, err: () => {} };

/** The output, errors and outcome of parsing `args` with a program built for `command` (undefined: the whole program). */
async function parse(args: string[], command: string | undefined): Promise<string> {
  let text = '';
  const io = { out: (t: string) => (text += `out: ${t}`), err: (t: string) => (text += `err: ${t}`) };
  const program = buildProgram(io, () => {}, command);
  // what the command would be given, without running it
  const leaves = (c: Command): Command[] => (c.commands.length ? c.commands.flatMap(leaves) : [c]);
  for (const leaf of leaves(program)) leaf.action((...a: unknown[]) => void (text += `action ${leaf.name()}: ${JSON.stringify(a.slice(0, -1))}\n`));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    text += `throws ${(e as { code?: string }).code}\n`;
  }
  return text;
}

const whole = buildProgram(quiet, () => {});
const top = whole.commands.map((c) => c.name());
const paths = whole.commands.flatMap((c) => [[c.name()], ...c.commands.map((s) => [c.name(), s.name()])]);

test("a program built for its first word registers only that word's commands", () => {
  assert.ok(top.length >= 14, `${top.length} commands`);
  for (const name of top) {
    const names = buildProgram(quiet, () => {}, name).commands.map((c) => c.name());
    assert.ok(names.includes(name) && names.length < top.length, `${name}: ${names.join(', ')}`);
  }
  for (const first of [undefined, 'help', 'runn', '--help', '--version', 'file.yaml']) {
    assert.deepEqual(
      buildProgram(quiet, () => {}, first).commands.map((c) => c.name()),
      top,
      String(first),
    );
  }
});

test('every command and subcommand: the same help, errors and parsed values as the whole program', async () => {
  const lines: string[][] = [];
  for (const path of paths) {
    lines.push([...path, '--help'], [...path, '--no-such-option'], [...path, '--forc'], [...path], [...path, 'a', 'b', 'c']);
  }
  lines.push(['run', 'x.yaml', '--json', '--csv'], ['run', 'x.yaml', '--table', 'nope'], ['run', 'x.yaml', '--seed', 'x']);
  lines.push(['run', 'x.yaml', '--seed', '3', '--set', 'a=1', '--set', 'b=2', '--force', '--strict']);
  lines.push(['compare', '--algorithms', 'precopy,postcopy'], ['report', 'r.json', '-o', '-'], ['serve', '--store', 'a', '--store', 'b']);
  lines.push(['sweep', 'g.yaml', '--set', 'a=1,2', '--zip', 'b=1;c=2'], ['consolidate', '--hosts', '3', '--set', 'x=1']);
  lines.push(['qemu', '--qmp', 'unix:/x'], ['predict', 'qemu', 'a.json', '--max-time', '1min'], ['calibrate', 'qemu', 'runs.csv', '--fit']);
  lines.push(['help', 'run'], ['help'], ['--help'], ['--version'], [], ['runn', 'x.yaml'], ['--json', 'run', 'x.yaml']);
  for (const args of lines) {
    const [plain, built] = [await parse(args, undefined), await parse(args, args[0])];
    assert.equal(built, plain, args.join(' '));
    assert.notEqual(plain, '', args.join(' '));
  }
});
