import type { FigureStep } from '../figure/spec.ts';
import type { PlaygroundEvent, PlaygroundView } from './view.ts';
import { formatProduct, formatValue } from '../format.ts';

/**
 * One step of the playground: one statement of conv2dLoops (a multiply-add, a skipped padding tap,
 * or the store of an output value), with the loop's cursor.
 */
export interface PlaygroundStep extends FigureStep {
  kind: 'tap' | 'pad' | 'store';
  /** The output cell being computed, `oh·OW + ow`, and its position. */
  cell: number;
  oh: number;
  ow: number;
  /** How many of that cell's terms are added so far (after this step). */
  termCount: number;
  /** Output cells stored so far (after this step): cells `0 … computed − 1` are filled in. */
  computed: number;
  /** The recorded statement. */
  at: PlaygroundEvent;
}

function narrate(view: PlaygroundView, at: PlaygroundEvent): string {
  const e = at.event;
  const out = `out[${e.oh},${e.ow}]`;
  if (e.kind === 'store') {
    const kept = view.terms[at.cell].filter((t) => !t.padding);
    const sum = kept.length === 0 ? '0' : kept.map((t) => t.text).join(' + ');
    return `${out} = ${sum} = ${formatValue(e.sum)}`;
  }
  if (e.kind === 'pad')
    return `${out}: tap w[${e.kh},${e.kw}] lands on the zero padding at (${e.row}, ${e.col}); nothing is added, the sum stays ${formatValue(e.sum)}`;
  const product = e.input * e.weight;
  return `${out}: sum += x[${e.row},${e.col}]·w[${e.kh},${e.kw}] = ${formatProduct(e.input, e.weight)} = ${formatValue(product)} → ${formatValue(e.sum)}`;
}

/** The steps: one per statement the loops ran, in their order. */
export function playgroundSteps(view: PlaygroundView): PlaygroundStep[] {
  let computed = 0;
  let termCount = 0;
  return view.events.map((at) => {
    const e = at.event;
    if (e.kind === 'store') computed += 1;
    else termCount = e.kh === 0 && e.kw === 0 ? 1 : termCount + 1;
    let text: string | undefined;
    return {
      kind: e.kind,
      cell: at.cell,
      oh: e.oh,
      ow: e.ow,
      termCount: e.kind === 'store' ? view.terms[at.cell].length : termCount,
      computed,
      at,
      cursor: at.cursor,
      // Written when first read: a picture has hundreds of steps, the reader sees one at a time.
      get narration() {
        return (text ??= narrate(view, at));
      },
    };
  });
}
