/**
 * Figures hold the reader's numbers as float32 (the engine's tensors are Float32Array), so a value
 * is checked after the conversion: a finite double like 1e308 or 3.5e38 becomes ±Infinity in
 * float32 and is refused, not drawn as ∞.
 */

import { MAX_QUOTED_CHARS, quoteClipped } from '../../clip-text.ts';

/** The largest finite float32, (2 − 2⁻²³)·2¹²⁷ ≈ 3.4028235e38. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The float32 range as messages quote it. */
export const FLOAT32_RANGE = '±3.4028235e38';

/**
 * Why typed text is not a usable float32 value, or null when it is: not a number at all (blank,
 * text, NaN, ±Infinity), or finite as a double but beyond FLOAT32_MAX, so ±Infinity in float32.
 * `name` names the field in the message, e.g. `input value must be a finite number, got "abc"` or
 * `input value 1e308 is outside the float32 range ±3.4028235e38 (it would become Infinity)`.
 */
export function float32Problem(name: string, text: string): string | null {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return `${name} must be a finite number, got ${quoteClipped(text)}`;
  const stored = Math.fround(value);
  if (!Number.isFinite(stored)) {
    const shown = text.trim().length <= MAX_QUOTED_CHARS ? text.trim() : quoteClipped(text.trim());
    return `${name} ${shown} is outside the float32 range ${FLOAT32_RANGE} (it would become ${stored})`;
  }
  return null;
}
