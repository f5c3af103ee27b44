/** The most characters of a reader's value a notice or message quotes. */
export const MAX_QUOTED_CHARS = 60;

/**
 * At most `max` characters of a value for a notice: the text itself, or for a longer one its start
 * and its length, `1,2,3,4,… (200,000 characters)`, so a huge link value never floods the page.
 */
export function clipText(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** clipText in quotes: `"abc"`, or `"1,2,3,…" (200,000 characters)`. */
export function quoteClipped(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(`${text.slice(0, max - 1)}…`)} (${text.length.toLocaleString('en-US')} characters)`;
}
