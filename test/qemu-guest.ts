/**
 * A tiny real QEMU guest for tests (Node only): the lab's initramfs (busybox-static + the static
 * `dirty` workload, built by ../shared/validation/qemu/lab/build-initramfs.sh from the host's
 * Debian kernel) booted under TCG with QMP on a unix socket in a temp dir, a destination started
 * with `-incoming defer`, and cleanup of every process and file.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDir } from './support.js';

export const QEMU = 'qemu-system-x86_64';

/** What a real-QEMU test needs; the first missing part, or null when all are here. */
export function missingQemuTools(): string | null {
  const which = (cmd: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (const cmd of [QEMU, 'gcc', 'cpio', 'gzip']) if (!which(cmd)) return `${cmd} not found on PATH`;
  if (!existsSync('/bin/busybox')) return '/bin/busybox (busybox-static) not found';
  if (!existsSync('/boot') || !readdirSync('/boot').some((f) => f.startsWith('vmlinuz-'))) return 'no /boot/vmlinuz-* (linux-image-amd64)';
  if (!existsSync(join(sharedDir(), 'validation/qemu/lab/build-initramfs.sh'))) return '../shared/validation/qemu/lab/build-initramfs.sh not found';
  return null;
}

export interface GuestWorkload {
  /** MiB the workload allocates and touches. */
  allocMiB: number;
  /** Working set, MiB, and page writes per second over it. */
  wsMiB: number;
  rate: number;
  pattern: 'seq' | 'rand';
}

export interface Lab {
  dir: string;
  kernel: string;
  initrd: string;
  procs: ChildProcess[];
  cleanup(): void;
}

/** Builds the guest's kernel + initramfs in a fresh temp dir (a few seconds: gcc -static, cpio). */
export function buildLab(): Lab {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-qemu-'));
  execFileSync('bash', [join(sharedDir(), 'validation/qemu/lab/build-initramfs.sh')], {
    env: { ...process.env, LAB_BUILD: join(dir, 'build') },
    stdio: 'pipe',
  });
  const procs: ChildProcess[] = [];
  const cleanup = () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', cleanup);
  };
  // also when the test process ends without reaching its finally (a timeout, an uncaught error)
  process.on('exit', cleanup);
  return { dir, kernel: join(dir, 'build/vmlinuz'), initrd: join(dir, 'build/initramfs.cpio.gz'), procs, cleanup };
}

export interface QemuProcess {
  proc: ChildProcess;
  qmp: string;
  serial: string;
}

/** Starts one QEMU (TCG, 1 vCPU, no devices but a serial console to a file, QMP on a unix socket). */
export function startQemu(lab: Lab, name: string, ramMiB: number, w: GuestWorkload, incoming = false): QemuProcess {
  const qmp = join(lab.dir, `${name}.qmp`);
  const serial = join(lab.dir, `${name}.serial`);
  const append = `console=ttyS0 quiet panic=-1 dirty_alloc=${w.allocMiB} dirty_fill=byte dirty_ws=${w.wsMiB} dirty_rate=${w.rate} dirty_pattern=${w.pattern}`;
  const args = [
    '-machine', 'pc-i440fx-7.2,accel=tcg', '-cpu', 'qemu64', '-smp', '1', '-m', String(ramMiB),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', lab.kernel, '-initrd', lab.initrd, '-append', append,
    '-chardev', `file,id=ser0,path=${serial}`, '-serial', 'chardev:ser0',
    '-qmp', `unix:${qmp},server=on,wait=off`,
    ...(incoming ? ['-incoming', 'defer'] : []),
  ];
  let stderrText = '';
  const proc = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (stderrText += d));
  // QEMU's own words when it dies early (e.g. a crash), for the test's failure message
  proc.on('exit', (code, sig) => {
    if (code !== 0 && sig !== 'SIGKILL') process.stderr.write(`# ${name} QEMU exited (${code ?? sig}): ${stderrText}\n`);
  });
  lab.procs.push(proc);
  return { proc, qmp, serial };
}

/** Waits until `file` exists (and, with `text`, contains it), polling every 100 ms. */
export async function waitFor(file: string, timeoutMs: number, text?: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (existsSync(file) && (text === undefined || readFileSync(file, 'utf8').includes(text))) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${text ? `"${text}" not in ${file}` : `${file} not created`} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The guest's DIRTY_STAT write rates (page writes/s), in order. */
export function guestRates(serialFile: string): number[] {
  return [...readFileSync(serialFile, 'utf8').matchAll(/DIRTY_STAT .*? rate=(\d+)/g)].map((m) => Number(m[1]));
}
