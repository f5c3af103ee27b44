import { transform } from 'sucrase';

/**
 * A cell's TypeScript with its type annotations, interfaces, type aliases and `as`/`!` casts
 * removed by sucrase (enums become plain objects); modern JavaScript is left as written
 * (`disableESTransforms`). Sucrase keeps every statement on its line, so a runtime error's line
 * is the line the reader typed. Throws sucrase's SyntaxError for code it cannot read.
 */
export function stripTypes(source: string): string {
  return transform(source, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: true }).code;
}
