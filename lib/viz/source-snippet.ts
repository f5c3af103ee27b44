import { ConvConfigError } from '../errors.ts';

/** A piece of engine source shown in a code panel, with named lines to highlight per step. */
export interface SourceSnippet {
  /** The code, exactly as in lib/ (from the `export function` line to its closing brace). */
  code: string;
  /** 1-based line numbers within `code`, by the name a visual's steps use (e.g. "copy"). */
  marks: Record<string, number>;
  /** The file it came from, relative to the repository (for the panel's caption). */
  file: string;
}

/** Options of extractSnippet. */
export interface SnippetOptions {
  /** Lines ending with this text (e.g. `// trace`: a reference loop's observer calls) are left out of the shown code. */
  hide?: string;
}

/**
 * Cuts the exported function `name` out of a source file's text (from its `export function` line
 * to the first line that is a lone `}` at column 0) and locates each marked fragment: `marks` maps
 * a step name to a piece of text that occurs on exactly the line to highlight. With `hide`, lines
 * ending in that text are dropped first (the marks count the shown lines). Throws
 * ConvConfigError naming what is missing, so a renamed engine line breaks the build, not the page.
 */
export function extractSnippet(
  source: string,
  file: string,
  name: string,
  marks: Record<string, string>,
  options: SnippetOptions = {},
): SourceSnippet {
  const { hide } = options;
  const lines = source.split('\n').filter((l) => hide === undefined || !l.trimEnd().endsWith(hide));
  const start = lines.findIndex((l) => l.startsWith(`export function ${name}(`) || l.startsWith(`export function ${name}<`));
  if (start < 0) throw new ConvConfigError('name', `function ${name} not found in ${file}`);
  const end = lines.findIndex((l, k) => k > start && l === '}');
  if (end < 0) throw new ConvConfigError('name', `function ${name} in ${file} has no closing brace at column 0`);
  const body = lines.slice(start, end + 1);
  const found: Record<string, number> = {};
  for (const [step, fragment] of Object.entries(marks)) {
    const hits = body.flatMap((l, k) => (l.includes(fragment) ? [k + 1] : []));
    if (hits.length !== 1) {
      throw new ConvConfigError(
        'marks',
        `fragment ${JSON.stringify(fragment)} for step "${step}" occurs ${hits.length} times in ${name} (${file}); it must occur once`,
      );
    }
    found[step] = hits[0];
  }
  return { code: body.join('\n'), marks: found, file };
}
