import { parse } from 'acorn';
import type { Pattern, Program, Statement, ModuleDeclaration, Expression } from 'acorn';
import { CellSyntaxError } from './cell-error.ts';

/** The name the rewritten cell body uses for the notebook's shared scope object. */
export const SCOPE_PARAM = '__cellScope';

/**
 * A cell rewritten to run in a notebook's shared scope (a REPL's rules):
 * `body` is the source of an async function of SCOPE_PARAM that runs the cell inside
 * `with (scope)`, on the same lines as the reader's code. Top-level `const`/`let`/`var`
 * become assignments to the scope (so cell 2 sees cell 1's names and a re-run may redeclare
 * them), functions and classes are stored in it, and the last statement, when it is an
 * expression, is returned. `declared` lists the variable names the cell defines (they are
 * created on the scope, as undefined, before it runs); `lastLabel` names the returned value when
 * it is a plain name or property chain (`y`, `y.shape`), else null; `hasLast` says whether the
 * cell ends with an expression at all.
 */
export interface RewrittenCell {
  body: string;
  declared: string[];
  lastLabel: string | null;
  hasLast: boolean;
}

interface Edit {
  at: number;
  end: number;
  text: string;
  order?: number;
}

function patternNames(p: Pattern, out: string[]): void {
  switch (p.type) {
    case 'Identifier':
      out.push(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
    default:
      break;
  }
}

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < source.length; k++) if (source.charCodeAt(k) === 10) line++;
  return line;
}

function labelOf(source: string, e: Expression): string | null {
  let node: Expression = e;
  while (node.type === 'MemberExpression' && !node.computed) node = node.object as Expression;
  if (node.type !== 'Identifier') return null;
  const text = source.slice(e.start, e.end);
  return text.length <= 40 && !text.includes('\n') ? text : null;
}

/**
 * Parses a cell's JavaScript (types already stripped) and rewrites it for the shared scope (see
 * RewrittenCell). `known` are the names already in scope (the engine's): an `import { … }` of
 * only such names is dropped, as it is not needed; any other import or an export throws
 * CellSyntaxError, as does code that does not parse (with the cell line of the problem).
 */
export function rewriteCell(source: string, known: ReadonlySet<string>): RewrittenCell {
  let program: Program;
  try {
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, locations: true });
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number } };
    throw new CellSyntaxError(e.message.replace(/ \(\d+:\d+\)$/, ''), e.loc?.line ?? 1);
  }
  const edits: Edit[] = [];
  const declared: string[] = [];
  const hoisted: string[] = [];
  const body = program.body as (Statement | ModuleDeclaration)[];
  let lastLabel: string | null = null;
  let hasLast = false;

  body.forEach((node, k) => {
    switch (node.type) {
      case 'ImportDeclaration': {
        const names = node.specifiers.map((s) => s.local.name);
        const named = node.specifiers.every((s) => s.type === 'ImportSpecifier');
        if (!named || names.some((n) => !known.has(n))) {
          const missing = names.filter((n) => !known.has(n));
          throw new CellSyntaxError(
            `a cell cannot import modules${missing.length ? ` (${missing.join(', ')} is not an engine name)` : ''}: every name of the engine (conv2d, tensor, im2col, …) is already in scope`,
            lineOf(source, node.start),
          );
        }
        edits.push({ at: node.start, end: node.end, text: source.slice(node.start, node.end).replace(/[^\n]/g, ' ') });
        break;
      }
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        throw new CellSyntaxError(
          'a cell cannot export: its top-level names are shared with the next cells already',
          lineOf(source, node.start),
        );
      case 'VariableDeclaration': {
        const decls = node.declarations;
        for (const d of decls) patternNames(d.id, declared);
        edits.push({ at: node.start, end: node.start + node.kind.length, text: ';(' });
        for (const d of decls) if (!d.init) edits.push({ at: d.id.end, end: d.id.end, text: ' = undefined' });
        const last = decls[decls.length - 1];
        edits.push({ at: last.end, end: last.end, text: ')' });
        break;
      }
      case 'FunctionDeclaration':
        if (node.id) hoisted.push(node.id.name);
        break;
      case 'ClassDeclaration':
        if (node.id) edits.push({ at: node.start, end: node.start, text: `;${SCOPE_PARAM}.${node.id.name} = ` });
        break;
      case 'ExpressionStatement':
        if (k === body.length - 1) {
          hasLast = true;
          lastLabel = labelOf(source, node.expression);
          edits.push({ at: node.expression.start, end: node.expression.start, text: 'return (' });
          edits.push({ at: node.expression.end, end: node.expression.end, text: ')' });
        }
        break;
      default:
        break;
    }
  });

  let out = source;
  // Right to left; of two inserts at one place the later-pushed goes in first, so it ends up after.
  edits.forEach((e, k) => {
    e.order = k;
  });
  edits.sort((a, b) => b.at - a.at || b.order! - a.order!);
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  const prefix = `with (${SCOPE_PARAM}) {` + hoisted.map((n) => `${SCOPE_PARAM}.${n} = ${n};`).join('');
  return { body: `${prefix}${out}\n}`, declared: [...new Set(declared)], lastLabel, hasLast };
}
