import type { Drawn, FigureSpec, FigureStep } from './spec.ts';
import { attemptDraw } from './spec.ts';
import { readStepParam, writeStepParam } from '../figure-query.ts';
import { quoteClipped } from '../../clip-text.ts';
import { float32Problem } from './float32.ts';

/** What a figure restores from a link: drawable settings, the step, and notices for the reader. */
export interface RestoredFigure<S, E, V, St> {
  drawn: Drawn<S, E, V, St>;
  index: number;
  notices: string[];
}

/**
 * Most characters a link may spend on one value of a list, its comma included
 * (`-0.000123456789012345678,` is 25): a longer list text is refused by its length alone,
 * before anything is parsed, so a 400,000-value list costs nothing.
 */
export const MAX_CHARS_PER_VALUE = 25;

/**
 * Reads a value list from link text for a list of `size` values, in one linear pass: the values,
 * or the notice saying why they were ignored (too long for `size` values; not numbers; a number
 * that becomes ±Infinity in float32; the wrong count). Quotes at most 60 characters of a value.
 */
export function readValueList(raw: string, size: number, label: string): { values: number[] } | { notice: string } {
  const limit = Math.max(1, size) * MAX_CHARS_PER_VALUE;
  if (raw.length > limit) {
    return {
      notice: `Ignored the ${label} from the link: ${raw.length.toLocaleString('en-US')} characters, more than the ${limit.toLocaleString('en-US')} that ${size} values may take.`,
    };
  }
  const parts = raw.split(',');
  const values: number[] = [];
  for (const part of parts) {
    const value = Number(part);
    if (part.trim() === '' || !Number.isFinite(value))
      return { notice: `Ignored the ${label} from the link: they must be numbers separated by commas.` };
    const problem = float32Problem(label, part);
    if (problem) return { notice: `Ignored the ${label} from the link: ${problem}.` };
    values.push(value);
  }
  if (values.length !== size) return { notice: `Ignored the ${label} from the link: ${size} were needed, ${values.length} given.` };
  return { values };
}

/**
 * Restores a figure from the page's query: each field under `<prefix><param>` (an integer in the
 * field's range, else ignored with a notice), each value list under `<prefix><param>` (numbers
 * separated by commas that stay finite in float32, of the length the shapes need, else ignored
 * with a notice; see readValueList), then the step `<prefix>step` (1-based). Settings the engine or
 * the figure refuses fall back to the defaults with a notice. Notices quote at most 60 characters
 * of a value. Never throws. A link written by writeFigureQuery restores with no notice, and what
 * was ignored is not written back (the URL drops it).
 */
export function readFigureQuery<S extends object, E, V, St extends FigureStep>(
  spec: FigureSpec<S, E, V, St>,
  query: URLSearchParams,
): RestoredFigure<S, E, V, St> {
  const notices: string[] = [];
  const settings = { ...spec.defaults } as Record<string, unknown>;
  let touched = false;
  for (const field of spec.fields) {
    const raw = query.get(spec.prefix + field.param);
    if (raw === null) continue;
    touched = true;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < field.min || v > field.max) {
      notices.push(
        `Ignored ${field.label.toLowerCase()} ${quoteClipped(raw)} from the link: it must be an integer from ${field.min} to ${field.max}.`,
      );
    } else {
      settings[field.key] = v;
    }
  }
  for (const list of spec.values) {
    const raw = query.get(spec.prefix + list.param);
    if (raw === null) continue;
    touched = true;
    const read = readValueList(raw, list.size(settings as S), list.label);
    if ('notice' in read) notices.push(read.notice);
    else settings[list.key] = read.values;
  }
  let attempt = attemptDraw(spec, touched ? (settings as S) : spec.defaults);
  if (!attempt.ok) {
    notices.push(`The link's settings could not be drawn (${attempt.error}); showing the defaults instead.`);
    attempt = attemptDraw(spec, spec.defaults);
    if (!attempt.ok) throw new Error(`${spec.label}: the defaults cannot be drawn (${attempt.error})`);
  }
  const index = readStepParam(query, `${spec.prefix}step`, attempt.drawn.steps.length, notices);
  return { drawn: attempt.drawn, index, notices };
}

/**
 * Writes a drawn figure into `query` (only this figure's keys change): the fields that differ from
 * the defaults; each value list that was set, fits the drawn shapes and is not the defaults' own;
 * the values drawn when the defaults carry a list that would fit but the figure does not use it
 * (so reading the link back cannot swap it in); and the step (1-based, left out at the first step).
 * Returns the same URLSearchParams.
 */
export function writeFigureQuery<S extends object, E, V, St extends FigureStep>(
  spec: FigureSpec<S, E, V, St>,
  drawn: Drawn<S, E, V, St>,
  index: number,
  query: URLSearchParams,
): URLSearchParams {
  const s = drawn.settings as Record<string, unknown>;
  const d = spec.defaults as Record<string, unknown>;
  for (const field of spec.fields) {
    const key = spec.prefix + field.param;
    if (s[field.key] === d[field.key]) query.delete(key);
    else query.set(key, String(s[field.key]));
  }
  for (const list of spec.values) {
    const key = spec.prefix + list.param;
    const size = list.size(drawn.settings);
    const fits = (v: unknown): v is number[] => Array.isArray(v) && v.length === size;
    const values = fits(s[list.key]) ? (s[list.key] as number[]) : null;
    const fallback = d[list.key];
    if (values !== null && values !== fallback) query.set(key, values.join(','));
    else if (values === null && fits(fallback)) query.set(key, Array.from(list.current(drawn.example)).join(','));
    else query.delete(key);
  }
  return writeStepParam(query, `${spec.prefix}step`, index);
}
