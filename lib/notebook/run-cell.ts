import type { CellKernel } from './kernel.ts';
import type { OutputItem } from './output.ts';
import { describeShown } from './show.ts';
import { formatLogLine } from './inspect.ts';
import { errorMessage } from './cell-error.ts';

/**
 * Runs one cell in `kernel` and reports what the reader sees, item by item as they happen:
 * each `show(…)` as a grid group or text, each console line, then the last expression's value
 * (labelled with its name when it was one), or the error with its cell line. Returns whether the
 * cell ran without error. A `show` with bad options reports that error and the cell goes on.
 */
export async function runCellToOutputs(
  kernel: CellKernel,
  source: string,
  name: string,
  emit: (item: OutputItem) => void,
): Promise<boolean> {
  const shown = (value: unknown, label?: string, options?: unknown) => {
    try {
      const item = describeShown(value, label, options);
      if (item) emit(item);
    } catch (err) {
      emit({ kind: 'error', ...errorMessage(err), line: null });
    }
  };
  const result = await kernel.run(source, name, {
    show: shown,
    log: (level, args) => emit({ kind: 'log', level, text: formatLogLine(args) }),
  });
  if (!result.ok) {
    emit({ kind: 'error', ...result.error });
    return false;
  }
  if (result.hasValue) shown(result.value, result.label ?? undefined);
  return true;
}
