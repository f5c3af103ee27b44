/**
 * Reading and writing the page's query string for shareable visual state. Thin wrappers so
 * components need no knowledge of `location` or `history` details; safe where there is no window.
 */

/** The current page's query (empty outside a browser). */
export function currentQuery(): URLSearchParams {
  return typeof location === 'undefined' ? new URLSearchParams() : new URLSearchParams(location.search);
}

/** Replaces the page's query without adding a history entry or reloading; keeps the hash. */
export function replaceQuery(query: URLSearchParams): void {
  if (typeof history === 'undefined' || typeof location === 'undefined') return;
  const text = query.toString();
  const url = `${location.pathname}${text ? `?${text}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
}
