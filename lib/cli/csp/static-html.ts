import { createHash } from 'node:crypto';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/**
 * Rewrites one built HTML page so that it needs no inline script or style under a strict
 * Content-Security-Policy (`script-src 'self'; style-src 'self'`), without changing what it shows:
 *
 * - an inline `<script>` (Astro's island bootstrap) becomes `<script src="/_astro/inline.<hash>.js">`
 *   — a classic external script without async/defer blocks the parser exactly where the inline one
 *   ran, so the order of execution is kept;
 * - an inline `<style>` becomes `<link rel="stylesheet" href="/_astro/inline.<hash>.css">`;
 * - a `style="…"` attribute outside a Svelte island (KaTeX's boxes, Markdown's Shiki blocks,
 *   MDX's own `style={…}`) becomes a class `st-<hash>` whose rule — the same declarations, each
 *   `!important`, which ranks them above every normal rule as an inline style is — goes into one
 *   stylesheet for the whole site.
 *
 * A style attribute inside an `<astro-island>` is left alone and reported: its component renders
 * it on the server and may change it on the client, so the component itself must set that style
 * through CSSOM (site/components/controls/css-props.ts) instead. Inline event handlers
 * (`onclick="…"`) and `javascript:` URLs are reported too.
 */
export interface StaticHtmlResult {
  html: string;
  /** Files to write under the build output, by path relative to it (`_astro/inline.<hash>.js`). */
  files: Map<string, string>;
  /** Class name → its declarations (`height:0.6444em;vertical-align:-0.0833em`), for the site stylesheet. */
  styleClasses: Map<string, string>;
  /** What is left that a strict policy blocks, one line each ("style attribute in an island: <td style=…>"). */
  problems: string[];
}

/** The first `length` hex digits of the SHA-256 of `text`: the names of the files and classes. */
export function contentHash(text: string, length = 10): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The class that stands for one style attribute's value (whitespace around declarations ignored). */
export function styleClassName(style: string): string {
  return `st-${contentHash(normalizeStyle(style))}`;
}

/** A style attribute's declarations, trimmed, empty ones dropped, joined by `;`. */
export function normalizeStyle(style: string): string {
  return splitDeclarations(style).join(';');
}

/** Splits a declaration list at the `;` that are outside parentheses and quotes. */
function splitDeclarations(style: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let k = 0; k <= style.length; k++) {
    const ch = style[k];
    if (quote) {
      if (ch === quote && style[k - 1] !== '\\') quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if ((ch === ';' && depth === 0) || k === style.length) {
      const decl = style.slice(start, k).trim();
      if (decl) out.push(decl);
      start = k + 1;
    }
  }
  return out;
}

/** The stylesheet for a site's style classes: `.st-…{prop:value!important;…}`, one rule a line, sorted. */
export function styleClassesCss(classes: Map<string, string>): string {
  const rules = [...classes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, style]) => {
      const decls = splitDeclarations(style).map((d) => (/!\s*important\s*$/i.test(d) ? d : `${d}!important`));
      return `.${name}{${decls.join(';')}}`;
    });
  return rules.join('\n') + '\n';
}

const SCRIPT_TYPES = new Set(['', 'text/javascript', 'application/javascript', 'module']);

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Rewrites one page (see StaticHtmlResult); `base` is the site's base path (`/`). */
export function rewriteStaticHtml(html: string, base = '/'): StaticHtmlResult {
  const doc = parse(html, { sourceCodeLocationInfo: true });
  const edits: Edit[] = [];
  const files = new Map<string, string>();
  const styleClasses = new Map<string, string>();
  const problems: string[] = [];
  const prefix = base.endsWith('/') ? base : `${base}/`;

  const visit = (node: Node, inIsland: boolean): void => {
    if (!('tagName' in node)) return;
    const el = node as Element;
    const loc = el.sourceCodeLocation;
    const island = inIsland || el.tagName === 'astro-island';
    const tag = html.slice(
      loc?.startTag?.startOffset ?? 0,
      Math.min(loc?.startTag?.endOffset ?? 0, (loc?.startTag?.startOffset ?? 0) + 120),
    );

    if (loc && el.tagName === 'script' && attr(el, 'src') === undefined && SCRIPT_TYPES.has((attr(el, 'type') ?? '').toLowerCase())) {
      const body = el.childNodes.map((c) => ('value' in c ? c.value : '')).join('');
      const name = `_astro/inline.${contentHash(body)}.js`;
      files.set(name, body);
      const type = attr(el, 'type') === 'module' ? ' type="module"' : '';
      edits.push({ start: loc.startOffset, end: loc.endOffset, text: `<script${type} src="${prefix}${name}"></script>` });
      return;
    }
    if (loc && el.tagName === 'style') {
      const body = el.childNodes.map((c) => ('value' in c ? c.value : '')).join('');
      const name = `_astro/inline.${contentHash(body)}.css`;
      files.set(name, body);
      edits.push({ start: loc.startOffset, end: loc.endOffset, text: `<link rel="stylesheet" href="${prefix}${name}">` });
      return;
    }

    for (const a of el.attrs) {
      if (/^on/i.test(a.name)) problems.push(`inline event handler ${a.name}: ${tag}`);
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && /^\s*javascript:/i.test(a.value))
        problems.push(`javascript: URL: ${tag}`);
    }

    const style = attr(el, 'style');
    const styleLoc = loc?.attrs?.style;
    if (style !== undefined && styleLoc) {
      if (island) {
        problems.push(`style attribute in an island: ${tag}`);
      } else {
        const normalized = normalizeStyle(style);
        const classLoc = loc.attrs?.class;
        // Remove the attribute with the whitespace before it.
        let from = styleLoc.startOffset;
        while (from > 0 && /\s/.test(html[from - 1])) from--;
        if (normalized) {
          const name = styleClassName(style);
          const known = styleClasses.get(name);
          if (known !== undefined && known !== normalized)
            throw new Error(`two styles share the class ${name}: "${known}" and "${normalized}"`);
          styleClasses.set(name, normalized);
          const classes = [attr(el, 'class') ?? '', name].filter(Boolean).join(' ');
          if (classLoc) {
            edits.push({ start: classLoc.startOffset, end: classLoc.endOffset, text: `class="${escapeAttr(classes)}"` });
            edits.push({ start: from, end: styleLoc.endOffset, text: '' });
          } else {
            edits.push({ start: from, end: styleLoc.endOffset, text: ` class="${escapeAttr(classes)}"` });
          }
        } else {
          edits.push({ start: from, end: styleLoc.endOffset, text: '' });
        }
      }
    }

    const children =
      el.tagName === 'template' && 'content' in el ? (el as DefaultTreeAdapterMap['template']).content.childNodes : el.childNodes;
    for (const child of children) visit(child, island);
  };
  for (const child of doc.childNodes) visit(child, false);

  edits.sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let at = 0;
  for (const e of edits) {
    if (e.start < at) throw new Error(`overlapping edits at ${e.start}`);
    pieces.push(html.slice(at, e.start), e.text);
    at = e.end;
  }
  pieces.push(html.slice(at));
  return { html: pieces.join(''), files, styleClasses, problems };
}

/** Adds `<link rel="stylesheet" href="…">` at the end of the page's `<head>`. */
export function linkStylesheet(html: string, href: string): string {
  const at = html.indexOf('</head>');
  if (at < 0) throw new Error('the page has no </head>');
  return `${html.slice(0, at)}<link rel="stylesheet" href="${escapeAttr(href)}">${html.slice(at)}`;
}
