import { quoteClipped } from '../clip-text.ts';

/**
 * Reads a 1-based step from `query[key]` (e.g. `pe.step`) and returns it as a 0-based index.
 * Missing → 0, silently; anything that is not an integer from 1 to `total` → 0, and the notice
 * `Ignored step "…" from the link: it must be an integer from 1 to N.` is pushed onto `notices`
 * (quoting at most 60 characters of the value). Never throws.
 */
export function readStepParam(query: URLSearchParams, key: string, total: number, notices: string[]): number {
  const raw = query.get(key);
  if (raw === null) return 0;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < 1 || v > total) {
    notices.push(`Ignored step ${quoteClipped(raw)} from the link: it must be an integer from 1 to ${total}.`);
    return 0;
  }
  return v - 1;
}

/**
 * Writes a 0-based step `index` into `query[key]` 1-based, and removes the key at the first step
 * (index 0 or below) so that links stay short. Returns the same URLSearchParams.
 */
export function writeStepParam(query: URLSearchParams, key: string, index: number): URLSearchParams {
  if (index > 0) query.set(key, String(index + 1));
  else query.delete(key);
  return query;
}
