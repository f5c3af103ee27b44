import type { NumberQuestion } from '../figure/your-turn.ts';
import type { PlaygroundView } from './view.ts';
import type { PlaygroundStep } from './steps.ts';

/**
 * The playground's "Your turn" question before step `index`: when that step starts a new output
 * cell (after the first cell: its first tap, or on a picture, where every step stores one pixel, its
 * store), the reader is asked the cell's value before the loops compute it. The expected value is
 * conv2dLoops' own output; the working shown afterwards is the narration of the step that stores it
 * (`out[0,1] = 2·10 + 3·11 + 5·12 + 6·13 = 191`). Null for every other step.
 */
export function playgroundQuestion(view: PlaygroundView, steps: readonly PlaygroundStep[], index: number): NumberQuestion | null {
  const step = steps[index];
  if (index <= 0 || !step || steps[index - 1].cell === step.cell) return null;
  const store = step.kind === 'store' ? step : steps[index + view.terms[step.cell].length];
  if (!store || store.kind !== 'store' || store.cell !== step.cell) return null;
  const out = `out[${step.oh},${step.ow}]`;
  const taps = view.terms[step.cell].length;
  return {
    kind: 'number',
    prompt: `What will ${out} be? (${taps} ${taps === 1 ? 'product' : 'products'} of window and kernel, added)`,
    label: `${out} =`,
    expected: view.output[step.oh][step.ow],
    working: store.narration,
  };
}
