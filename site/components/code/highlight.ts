import { codeToHtml } from 'shiki';
import type { SourceSnippet } from '../../../lib/viz/source-snippet.ts';

/** A snippet highlighted at build time: Shiki's HTML (light and dark themes), each line tagged `data-line`. */
export interface HighlightedSnippet {
  html: string;
  marks: Record<string, number>;
  file: string;
}

/** Highlights an engine snippet with Shiki (build time only; nothing of Shiki ships to the browser). */
export async function highlightSnippet(snippet: SourceSnippet): Promise<HighlightedSnippet> {
  const html = await codeToHtml(snippet.code, {
    lang: 'ts',
    themes: { light: 'github-light', dark: 'github-dark' },
    defaultColor: false,
    transformers: [
      {
        line(node, line) {
          node.properties['data-line'] = line;
        },
      },
    ],
  });
  return { html, marks: snippet.marks, file: snippet.file };
}
