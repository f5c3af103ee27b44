import { parse } from 'acorn';
import type { Program, Statement, ModuleDeclaration, Expression } from 'acorn';
import { CellSyntaxError } from './cell-error.ts';
import { bindingNames, freeReferences } from './free-names.ts';

/** The name the rewritten cell uses for the notebook's shared scope object. */
export const SCOPE_PARAM = '__cellScope';

/**
 * The name of the checked view of the same scope, for names the cell reads before anything
 * defined them (a function calling one a later cell defines): reading a name still missing
 * there throws `ReferenceError: name is not defined`, as plain JavaScript would.
 */
export const CHECKED_SCOPE_PARAM = '__cellRef';

/**
 * A cell rewritten to run in a notebook's shared scope (a REPL's rules), as an ES module with
 * no `with` and no eval: `module` is the source of a module whose default export is an async
 * function of (SCOPE_PARAM, CHECKED_SCOPE_PARAM), with the reader's code on its own lines.
 * Every name the cell does not bind locally and the scope holds (the engine's, earlier cells',
 * this cell's top-level ones) becomes a property of the scope (`x` → `__cellScope.x`); other
 * free names are globals (`Math`, `Float32Array`) when the worker has them, else they are read
 * through the checked scope. Top-level `const`/`let`/`var` become assignments to the scope (so
 * cell 2 sees cell 1's names and a re-run may redeclare them), functions and classes are stored
 * in it, and the last statement, when it is an expression, is returned. `declared` lists the
 * variable names the cell defines (they are created on the scope, as undefined, before it runs);
 * `lastLabel` names the returned value when it is a plain name or property chain (`y`,
 * `y.shape`), else null; `hasLast` says whether the cell ends with an expression at all.
 */
export interface RewrittenCell {
  module: string;
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
 * RewrittenCell). `engineNames` are the engine's: an `import { … }` of only such names is dropped,
 * as it is not needed; any other import or an export throws CellSyntaxError, as does code that
 * does not parse (with the cell line of the problem). `inScope(name)` says whether the scope
 * holds a name now (engine names and earlier cells' names); `isGlobal(name)` whether the worker's
 * global object does.
 */
export function rewriteCell(
  source: string,
  engineNames: ReadonlySet<string>,
  inScope: (name: string) => boolean = (name) => engineNames.has(name),
  isGlobal: (name: string) => boolean = (name) => Reflect.has(globalThis, name),
): RewrittenCell {
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
  const own = new Set<string>();
  const topLevel = new Set<unknown>();
  const body = program.body as (Statement | ModuleDeclaration)[];
  let lastLabel: string | null = null;
  let hasLast = false;

  body.forEach((node, k) => {
    switch (node.type) {
      case 'ImportDeclaration': {
        const names = node.specifiers.map((s) => s.local.name);
        const named = node.specifiers.every((s) => s.type === 'ImportSpecifier');
        if (!named || names.some((n) => !engineNames.has(n))) {
          const missing = names.filter((n) => !engineNames.has(n));
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
        topLevel.add(node);
        const decls = node.declarations;
        for (const d of decls) bindingNames(d.id as never, declared);
        edits.push({ at: node.start, end: node.start + node.kind.length, text: ';(' });
        for (const d of decls) if (!d.init) edits.push({ at: d.id.end, end: d.id.end, text: ' = undefined' });
        const last = decls[decls.length - 1];
        edits.push({ at: last.end, end: last.end, text: ');' });
        break;
      }
      case 'FunctionDeclaration':
        topLevel.add(node);
        if (node.id) {
          hoisted.push(node.id.name);
          own.add(node.id.name);
        }
        break;
      case 'ClassDeclaration':
        topLevel.add(node);
        if (node.id) {
          own.add(node.id.name);
          edits.push({ at: node.start, end: node.start, text: `;${SCOPE_PARAM}.${node.id.name} = ` });
          edits.push({ at: node.end, end: node.end, text: ';' });
        }
        break;
      case 'ExpressionStatement':
        if (k === body.length - 1) {
          hasLast = true;
          lastLabel = labelOf(source, node.expression);
          // From the statement's start, so a parenthesised expression (`({ a })`) stays whole.
          const close = source[node.end - 1] === ';' ? node.end - 1 : node.end;
          edits.push({ at: node.start, end: node.start, text: 'return (' });
          edits.push({ at: close, end: close, text: ')' });
        }
        break;
      default:
        break;
    }
  });
  for (const n of declared) own.add(n);

  for (const ref of freeReferences(program, topLevel)) {
    const scoped = own.has(ref.name) || inScope(ref.name);
    if (!scoped && isGlobal(ref.name)) continue;
    const object = scoped || ref.assignOnly || ref.typeofOperand ? SCOPE_PARAM : CHECKED_SCOPE_PARAM;
    edits.push({ at: ref.start, end: ref.end, text: `${ref.shorthand ? `${ref.name}: ` : ''}${object}.${ref.name}` });
  }

  let out = source;
  // Right to left. At one place a replacement goes in before an insert (so the insert ends up in
  // front of it), and of two inserts the later-pushed goes in first (so it ends up after).
  edits.forEach((e, k) => {
    e.order = k;
  });
  edits.sort((a, b) => b.at - a.at || b.end - a.end || b.order! - a.order!);
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  const prefix =
    `export default async function (${SCOPE_PARAM}, ${CHECKED_SCOPE_PARAM}) {` + hoisted.map((n) => `${SCOPE_PARAM}.${n} = ${n};`).join('');
  return { module: `${prefix}${out}\n}`, declared: [...new Set(declared)], lastLabel, hasLast };
}
