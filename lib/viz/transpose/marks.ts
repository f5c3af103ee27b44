import type { MarkGrid, Pointer } from '../figure/mark.ts';
import { emptyMarks } from '../figure/mark.ts';
import type { TransposeStep, TransposeView } from './view.ts';

/** The marks of every grid of the transposed-convolution figure for one step and pointer. */
export interface TransposeMarks {
  /** Per input channel f. */
  inputs: MarkGrid[];
  /** Per output channel c. */
  outputs: MarkGrid[];
  overlap: MarkGrid;
}

/**
 * The marks for `step` with the reader pointing at `pointer` (highlight only):
 * - a stamp step: its input pixel `active` in every channel, the output cells it wrote `target`;
 * - pointing at an input pixel (grid `input`): it `active`, every output cell its stamp reaches
 *   `target`; pointing at an output or overlap cell: it `active`, every input pixel whose stamp
 *   reaches it `source` (read off the reference loop's taps, never recomputed).
 */
export function transposeMarks(view: TransposeView, step: TransposeStep, pointer: Pointer | null = null): TransposeMarks {
  const { F, C, H, W, OH, OW } = view.example.shapes;
  const inputs = Array.from({ length: F }, () => emptyMarks(H, W));
  const outputs = Array.from({ length: C }, () => emptyMarks(OH, OW));
  const overlap = emptyMarks(OH, OW);
  const markInput = (i: number, j: number, mark: 'active' | 'source') => inputs.forEach((g) => (g[i][j] = mark));
  const markOutput = (r: number, q: number, mark: 'active' | 'target') => {
    outputs.forEach((g) => (g[r][q] = mark));
    overlap[r][q] = mark;
  };
  if (step.source) {
    markInput(step.source[0], step.source[1], 'active');
    for (const [r, q] of step.written) markOutput(r, q, 'target');
  }
  if (pointer?.grid === 'input') {
    const stamp = view.stamps.find((s) => s.i === pointer.r && s.j === pointer.c);
    for (const tap of stamp?.taps ?? []) if (tap.kind === 'add') markOutput(tap.oh, tap.ow, 'target');
    markInput(pointer.r, pointer.c, 'active');
  } else if (pointer?.grid === 'output' || pointer?.grid === 'overlap') {
    for (const stamp of view.stamps) {
      if (stamp.taps.some((t) => t.kind === 'add' && t.oh === pointer.r && t.ow === pointer.c)) markInput(stamp.i, stamp.j, 'source');
    }
    markOutput(pointer.r, pointer.c, 'active');
  }
  return { inputs, outputs, overlap };
}

/** Output values of channel `c` at `step` for a grid (0 where nothing has arrived yet; see outputBlank). */
export function outputValues(step: TransposeStep, c: number): number[][] {
  return step.outputs[c].map((row) => row.map((v) => v ?? 0));
}

/** True where no stamp has reached output cell `(r, q)` of channel `c` yet: drawn blank. */
export function outputBlank(step: TransposeStep, c: number, r: number, q: number): boolean {
  return step.outputs[c][r][q] === null;
}
