/**
 * @module cli/qemu-predict
 * `lmsim predict qemu --from DIR` (or reply files): the VM from files of QEMU's replies, the
 * prediction under its current settings, candidates and the cheapest within the budget.
 */
import { readQemuInputs } from '../io/qemu-files.js';
import { ReplyError } from '../qemu/replies.js';
import { describeVm, QemuVm } from '../qemu/vm.js';
import { UsageError } from './errors.js';
import { PredictOptions, predictionJson, predictionText, residentOf, runRecommendation, seriesLines, writeSeries } from './qemu-report.js';


interface Io {
  out(t: string): void;
  err(t: string): void;
}

export function predictQemuCommand(files: string[], opts: PredictOptions & { from?: string }, io: Io): void {
  const paths = [...(opts.from ? [opts.from] : []), ...files];
  if (paths.length === 0) throw new UsageError('predict qemu: give --from DIR or reply files');
  let vm: QemuVm;
  try {
    vm = describeVm(readQemuInputs(paths), { resident: residentOf(opts) });
  } catch (e) {
    if (e instanceof ReplyError) throw new UsageError(e.message);
    throw e;
  }
  const { recommendation, budget, machine } = runRecommendation(vm, opts);
  if (opts.series) writeSeries(opts.series, seriesLines(vm, recommendation.best ?? recommendation.current));
  io.out(opts.json ? `${JSON.stringify(predictionJson(vm, recommendation, budget, machine), null, 2)}\n` : predictionText(vm, recommendation, budget, machine));
}
