import { codeToHtml } from 'shiki';
import type { SourceSnippet } from '../../../lib/viz/source-snippet.ts';
import { CODE_THEMES, shikiTokenClasses } from './token-classes.ts';

/**
 * A snippet highlighted at build time: Shiki's HTML (light and dark themes, token colours as
 * classes — see token-classes.ts), each line tagged `data-line`.
 */
export interface HighlightedSnippet {
  html: string;
  marks: Record<string, number>;
  file: string;
}

/** Highlights an engine snippet with Shiki (build time only; nothing of Shiki ships to the browser). */
export async function highlightSnippet(snippet: SourceSnippet): Promise<HighlightedSnippet> {
  const html = await codeToHtml(snippet.code, {
    lang: 'ts',
    themes: CODE_THEMES,
    defaultColor: false,
    transformers: [
      shikiTokenClasses(),
      {
        line(node, line) {
          node.properties['data-line'] = line;
        },
      },
    ],
  });
  return { html, marks: snippet.marks, file: snippet.file };
}
