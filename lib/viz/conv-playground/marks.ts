import type { MarkGrid, Pointer } from '../figure/mark.ts';
import { emptyMarks } from '../figure/mark.ts';
import type { PlaygroundView } from './view.ts';
import type { PlaygroundStep } from './steps.ts';

/** The marks of every grid of the playground for one step and pointer. */
export interface PlaygroundMarks {
  input: MarkGrid;
  kernel: MarkGrid;
  dilatedKernel: MarkGrid | null;
  output: MarkGrid;
}

/**
 * The marks for `step` with the reader pointing at `pointer` (highlight only):
 * - input: the window's footprint `muted`, the taps read so far `source`, the current tap `active`;
 * - kernel (and dilated kernel): taps used so far `source`, the current tap `active`;
 * - output: the cell being computed `active`;
 * - pointing at an input pixel marks it `active` and every output cell whose window reads it
 *   `target`; pointing at an output cell marks its window's taps `target`.
 */
export function playgroundMarks(view: PlaygroundView, step: PlaygroundStep, pointer: Pointer | null = null): PlaygroundMarks {
  const g = view.geometry;
  const input = emptyMarks(g.HP, g.WP);
  const kernel = emptyMarks(g.KH, g.KW);
  const output = emptyMarks(g.OH, g.OW);
  const dilatedKernel = view.dilatedKernel ? emptyMarks(g.EKH, g.EKW) : null;
  const terms = view.terms[step.cell];
  const top = terms[0];
  for (let dy = 0; dy < g.EKH; dy++) {
    for (let dx = 0; dx < g.EKW; dx++) {
      const r = top.y + dy;
      const c = top.x + dx;
      if (r < g.HP && c < g.WP) input[r][c] = 'muted';
      if (dilatedKernel) dilatedKernel[dy][dx] = 'muted';
    }
  }
  terms.slice(0, step.termCount).forEach((t, k) => {
    const mark = step.kind !== 'store' && k === step.termCount - 1 ? 'active' : 'source';
    input[t.y][t.x] = mark;
    kernel[t.kh][t.kw] = mark;
    if (dilatedKernel) dilatedKernel[t.kh * g.dh][t.kw * g.dw] = mark;
  });
  output[step.oh][step.ow] = 'active';
  if (pointer?.grid === 'input' && view.readers[pointer.r]?.[pointer.c]) {
    for (const cell of view.readers[pointer.r][pointer.c]) {
      const r = Math.floor(cell / g.OW);
      const c = cell % g.OW;
      if (output[r][c] !== 'active') output[r][c] = 'target';
    }
    input[pointer.r][pointer.c] = 'active';
  }
  if (pointer?.grid === 'output' && pointer.r < g.OH && pointer.c < g.OW) {
    for (const t of view.terms[pointer.r * g.OW + pointer.c]) if (input[t.y][t.x] !== 'active') input[t.y][t.x] = 'target';
  }
  return { input, kernel, dilatedKernel, output };
}

/** Whether output cell `(r, c)` is still blank at `step` (not stored yet: progressive reveal). */
export function outputBlank(view: PlaygroundView, step: PlaygroundStep, r: number, c: number): boolean {
  return r * view.geometry.OW + c >= step.computed;
}
