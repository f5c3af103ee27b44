import { formatValue } from '../format.ts';

/**
 * "Your turn": a question a figure asks before it shows a step, and the checks of the reader's
 * answer against the engine's value. The view-model of a figure supplies the question (what to
 * ask and the expected value, from the engine's trace); the frame's prompt asks it, checks the
 * answer here, says right or wrong with the correct value, then shows the step. Pure: no DOM.
 */

/** A cell of a named grid (the grid names are a figure's own, e.g. `input0`). */
export interface TurnCell {
  grid: string;
  r: number;
  c: number;
}

/** Ask the reader to type a number, e.g. the next output value. */
export interface NumberQuestion {
  kind: 'number';
  /** The question, e.g. `What will out[0,1] be?`. */
  prompt: string;
  /** What the answer box is labelled, e.g. `out[0,1] =`. */
  label: string;
  /** The engine's value. */
  expected: number;
  /** How the value comes about, shown after the answer, e.g. `out[0,1] = 2·10 + 3·11 + … = 191`. */
  working: string;
}

/** Ask the reader to pick a cell of a grid, e.g. the input pixel an X_col entry was copied from. */
export interface PickQuestion {
  kind: 'pick';
  prompt: string;
  /** The cell the engine used. */
  expected: TurnCell;
  /** The reader's name for a cell, e.g. `x[1,1] = 5` or `the padding at (−1, 0)`. */
  name(cell: TurnCell): string;
}

export type TurnQuestion = NumberQuestion | PickQuestion;

/** The verdict on an answer: right, wrong (with the correct value), shown (no answer given), or not an answer (ask again). */
export interface TurnVerdict {
  status: 'right' | 'wrong' | 'shown' | 'invalid';
  /** What the reader is told, e.g. `Right: out[0,1] = … = 191.` */
  message: string;
}

/** Typed text as a number: spaces dropped, the minus sign − read as -, a lone comma as the decimal point; null when it is not a finite number. */
export function parseAnswer(text: string): number | null {
  let t = text.replace(/\s+/g, '').replace(/\u2212/g, '-');
  if (!t.includes('.') && /^-?\d*,\d+$/.test(t)) t = t.replace(',', '.');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Decimals written after the point in a typed number (`1.50` → 2, `145` → 0, `1e-3` → 0). */
function typedDecimals(text: string): number {
  const m = /[.,](\d+)/.exec(text.replace(/e.*$/i, ''));
  return m ? m[1].length : 0;
}

/**
 * Whether a typed value matches the expected one at display precision: the figures print up to
 * three decimals (formatValue), so anything within half a unit of the third decimal is right; a
 * reader who rounds to fewer decimals (at least one) is right when the expected value rounds to
 * what they typed (`0.33` for 0.3333, but `0` is not right for 0.3).
 */
export function matchesExpected(value: number, expected: number, text = String(value)): boolean {
  const d = Math.min(3, typedDecimals(text));
  const slack = 1e-9 * Math.max(1, Math.abs(expected));
  if (Math.abs(value - expected) <= 0.5e-3 + slack) return true;
  return d >= 1 && Math.abs(value - expected) <= 0.5 * 10 ** -d + slack;
}

/** Checks a typed answer to a number question. Text that is not a number is `invalid` (nothing is revealed). */
export function checkNumber(question: NumberQuestion, text: string): TurnVerdict {
  const value = parseAnswer(text);
  if (value === null) {
    return {
      status: 'invalid',
      message: text.trim() === '' ? 'Type a number first.' : `“${text.trim()}” is not a number; type one such as 12 or −0.5.`,
    };
  }
  if (matchesExpected(value, question.expected, text)) return { status: 'right', message: `Right: ${question.working}.` };
  return { status: 'wrong', message: `Not quite: you typed ${formatValue(value).replace(/^-/, '−')}, but ${question.working}.` };
}

/** Checks a picked cell against a pick question. */
export function checkPick(question: PickQuestion, cell: TurnCell): TurnVerdict {
  const e = question.expected;
  if (cell.grid === e.grid && cell.r === e.r && cell.c === e.c) return { status: 'right', message: `Right: it is ${question.name(e)}.` };
  return { status: 'wrong', message: `Not quite: you picked ${question.name(cell)}; it is ${question.name(e)}.` };
}

/** The verdict when the reader asks to see the answer without giving one. */
export function revealAnswer(question: TurnQuestion): TurnVerdict {
  const answer = question.kind === 'number' ? question.working : question.name(question.expected);
  return { status: 'shown', message: `The answer: ${answer}.` };
}
