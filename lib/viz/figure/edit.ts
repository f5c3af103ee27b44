import type { FigureSpec, FigureStep, ListKey, NumberKey } from './spec.ts';
import { float32Problem } from './float32.ts';

/** A settings edit: the new settings, or why the typed text was refused (the settings stay). */
export type Edit<S> = { ok: true; settings: S } | { ok: false; error: string };

/**
 * Sets numeric field `key` from the text typed in its input (empty → NaN, which the spec's
 * example refuses with a message naming the field, so the frame can show it while the text stays).
 */
export function withField<S extends object>(settings: S, key: NumberKey<S>, text: string): S {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return { ...settings, [key]: value };
}

/**
 * The text a number field shows for `value` while the reader types `typed` into it: the typed text
 * itself while it still reads as that value (so `1e3` is not rewritten to `1000` mid-typing, which
 * would turn `1e308` into `100008`), else the value (after a preset, Reset, or a refused edit).
 */
export function fieldText(value: number, typed: string | undefined): string {
  if (typed !== undefined) {
    const read = typed.trim() === '' ? Number.NaN : Number(typed);
    if (Object.is(read, value) || (Number.isNaN(read) && Number.isNaN(value))) return typed;
  }
  return Number.isNaN(value) ? '' : String(value);
}

/**
 * Sets entry `at` (flat, row-major) of value list `key` to the typed number, starting from the
 * values the example holds now. Refuses text that is not a finite number, a number that becomes
 * ±Infinity in float32 (1e308, 3.5e38: see float32.ts), or an index outside the list, with a
 * message naming the list.
 */
export function withValue<S extends object, E, V, St extends FigureStep>(
  spec: FigureSpec<S, E, V, St>,
  settings: S,
  example: E,
  key: ListKey<S>,
  at: number,
  text: string,
): Edit<S> {
  const list = spec.values.find((v) => v.key === key);
  if (!list) return { ok: false, error: `${spec.label} has no value list ${key}` };
  const problem = float32Problem(list.label.replace(/s$/, ''), text);
  if (problem) return { ok: false, error: problem };
  const value = Number(text);
  const current = Array.from(list.current(example));
  if (!Number.isInteger(at) || at < 0 || at >= current.length)
    return { ok: false, error: `${list.label} index must be in [0, ${current.length - 1}], got ${at}` };
  current[at] = value;
  return { ok: true, settings: { ...settings, [key]: current } };
}
