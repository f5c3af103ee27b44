/** The key under which a page's edited cells are kept in localStorage. */
export function editsKey(notebook: string): string {
  return `unrolled:cells:${notebook}`;
}

/** Storage as the browser's localStorage offers it (an in-memory stand-in in tests). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * A page's edited cells, cell id → source. Unedited cells are not stored; unreadable or foreign
 * data reads as no edits, and a storage that refuses (private mode, quota) is ignored.
 */
export function loadEdits(storage: KeyValueStorage | null, notebook: string): Record<string, string> {
  try {
    const raw = storage?.getItem(editsKey(notebook));
    const value: unknown = raw ? JSON.parse(raw) : {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Keeps cell `id`'s source, or forgets it when `source` is null (the cell was reset). */
export function saveEdit(storage: KeyValueStorage | null, notebook: string, id: string, source: string | null): void {
  const edits = loadEdits(storage, notebook);
  if (source === null) delete edits[id];
  else edits[id] = source;
  try {
    if (Object.keys(edits).length === 0) storage?.removeItem(editsKey(notebook));
    else storage?.setItem(editsKey(notebook), JSON.stringify(edits));
  } catch {
    // Storage full or unavailable: the edit lives on in the page until it is closed.
  }
}
