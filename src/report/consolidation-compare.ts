/**
 * @module report/consolidation-compare
 * Text of consolidation runs side by side (a scenario's `compare:` variants, one row each) and of
 * a run's memory reuse. Deterministic (golden-tested).
 */
import type { ConsolidationResult } from '../datacenter/types.js';

const PERCENT = 100;
const gib = (b: number) => (b / 2 ** 30).toFixed(1);

/** One row per variant: energy, migrations, SLA, migration time and bytes, and reuse when any run has it. */
export function comparisonText(runs: { label: string; name?: string; result: ConsolidationResult }[]): string {
  const reuse = runs.some((x) => x.result.reuse);
  const header = ['variant', 'energy kWh', 'migrations', 'not completed', 'SLAV %', 'mean migration s', 'GiB sent'];
  if (reuse) header.push('returns', 'GiB not resent', 'kept peak GiB', 'kept mean GiB', 'evictions', 'lost at power-off');
  const rows = runs.map(({ label, result: r }) => {
    const row = [label, r.energyKWh.toFixed(2), String(r.migrations), String(r.migration.failed), (r.slav * PERCENT).toFixed(5), r.migration.totalTime.mean.toFixed(2), gib(r.migration.bytes)];
    if (reuse) {
      const u = r.reuse;
      row.push(...(u ? [String(u.returns), gib(u.bytesSaved), gib(u.keptPeakBytes), gib(u.keptAverageBytes), String(u.evictions), String(u.lostAtPowerOff)] : ['-', '-', '-', '-', '-', '-']));
    }
    return row;
  });
  const first = runs[0];
  const head = `${first.name ?? 'consolidation'}: ${runs.length} variants, ${first.result.hosts} hosts, ${first.result.vms} VMs, ${first.result.simulatedTime} s simulated\n\n`;
  const lines = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return head + lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n') + '\n';
}

/** A run's memory reuse in two lines, or nothing without reuse. */
export function reuseText(r: ConsolidationResult): string {
  const u = r.reuse;
  if (!u) return '';
  return (
    `\nmemory reuse (${u.policy}): ${u.returns} returns to a host holding the image, ${gib(u.bytesSaved)} GiB not sent again\n` +
    `kept images: ${gib(u.keptPeakBytes)} GiB peak, ${gib(u.keptAverageBytes)} GiB time average; ${u.evictions} evicted, ${u.lostAtPowerOff} lost at power-off, ${u.droppedRetired} dropped with a retired VM\n`
  );
}
