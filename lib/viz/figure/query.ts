import type { Drawn, FigureSpec, FigureStep } from './spec.ts';
import { attemptDraw } from './spec.ts';
import { readStepParam, writeStepParam } from '../figure-query.ts';

/** What a figure restores from a link: drawable settings, the step, and notices for the reader. */
export interface RestoredFigure<S, E, V, St> {
  drawn: Drawn<S, E, V, St>;
  index: number;
  notices: string[];
}

function parseList(text: string): number[] | null {
  const parts = text.split(',');
  const values = parts.map((p) => Number(p));
  return parts.every((p) => p.trim() !== '') && values.every((v) => Number.isFinite(v)) ? values : null;
}

/**
 * Restores a figure from the page's query: each field under `<prefix><param>` (an integer in the
 * field's range, else ignored with a notice), each value list under `<prefix><param>` (numbers
 * separated by commas, of the length the shapes need, else ignored with a notice), then the step
 * `<prefix>step` (1-based). Settings the engine or the figure refuses fall back to the defaults with
 * a notice. Never throws. A link written by writeFigureQuery restores with no notice.
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
      notices.push(`Ignored ${field.label.toLowerCase()} "${raw}" from the link: it must be an integer from ${field.min} to ${field.max}.`);
    } else {
      settings[field.key] = v;
    }
  }
  for (const list of spec.values) {
    const raw = query.get(spec.prefix + list.param);
    if (raw === null) continue;
    touched = true;
    const values = parseList(raw);
    const size = list.size(settings as S);
    if (!values) notices.push(`Ignored the ${list.label} from the link: they must be numbers separated by commas.`);
    else if (values.length !== size) notices.push(`Ignored the ${list.label} from the link: ${size} were needed, ${values.length} given.`);
    else settings[list.key] = values;
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
