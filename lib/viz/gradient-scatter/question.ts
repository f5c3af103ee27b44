import type { NumberQuestion } from '../figure/your-turn.ts';
import type { ScatterStep, ScatterView } from './view.ts';
import { pixelAdds, pixelName, pixelSumText } from './text.ts';

/**
 * The gradient scatter's "Your turn" question before step `index`: when that step folds the first
 * share into a pixel that several windows reach, the reader is asked the pixel's summed gradient
 * (every share it will get, from the entries of dX_col that land on it). The expected value is the
 * total col2imLoops arrives at (its last running value there); the working lists the shares. Null
 * for every other step.
 */
export function scatterQuestion(view: ScatterView, steps: readonly ScatterStep[], index: number): NumberQuestion | null {
  const entry = steps[index]?.entry;
  if (!entry || entry.dropped) return null;
  const adds = pixelAdds(view, entry.n, entry.c, entry.y, entry.x);
  if (adds.length < 2 || adds[0] !== entry) return null;
  const g = view.geometry;
  const name = pixelName(g, entry.n, entry.c, entry.y - g.ph, entry.x - g.pw);
  return {
    kind: 'number',
    prompt: `What will ${name} sum to? (${adds.length} windows reach it)`,
    label: `${name} =`,
    expected: adds[adds.length - 1].after,
    working: pixelSumText(g, adds),
  };
}
