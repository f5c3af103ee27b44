/**
 * The reader's progress: which lessons they have opened, kept in localStorage under
 * PROGRESS_KEY as a JSON array of lesson ids. Pure helpers; the page does the storage I/O.
 */
export const PROGRESS_KEY = 'unrolled:visited-lessons';

/** Reads a stored value into a set of ids; anything malformed yields an empty set, never a throw. */
export function parseVisited(stored: string | null): Set<string> {
  if (!stored) return new Set();
  try {
    const value: unknown = JSON.parse(stored);
    if (!Array.isArray(value)) return new Set();
    return new Set(value.filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length < 200));
  } catch {
    return new Set();
  }
}

/** Adds `id` and returns the string to store (ids sorted, so the value is stable). */
export function markVisited(stored: string | null, id: string): string {
  const visited = parseVisited(stored);
  visited.add(id);
  return JSON.stringify([...visited].sort());
}
