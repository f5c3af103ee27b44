import type { Program } from 'acorn';

/**
 * A reference to a name the cell does not bind itself: the notebook scope or a global provides it.
 * `start`/`end` are the identifier's offsets in the source; `shorthand` says it is the value of a
 * shorthand property (`{ a }`, `{ a = 1 }`), so a rewrite must spell the key out; `assignOnly`
 * says it is only written (`a = …`, a destructuring or for-in/of target), never read first;
 * `typeofOperand` says it is the operand of `typeof` (which must not throw for a missing name).
 */
export interface FreeReference {
  name: string;
  start: number;
  end: number;
  shorthand: boolean;
  assignOnly: boolean;
  typeofOperand: boolean;
}

// acorn's ESTree nodes, walked generically: every node has `type`, and children are node-valued
// fields or arrays of them.
type AnyNode = { type: string; start: number; end: number; [field: string]: unknown };

const isNode = (v: unknown): v is AnyNode => typeof v === 'object' && v !== null && typeof (v as AnyNode).type === 'string';
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * Walks a destructuring pattern (`a`, `{ a, b: [c = 1], [k]: d }`, `...rest`): each leaf (an
 * identifier, or a member expression in an assignment target) goes to `leaf` with whether it was
 * written as a shorthand property; defaults and computed keys, which are read, go to `read`.
 */
function walkPattern(
  p: AnyNode | null | undefined,
  leaf: (node: AnyNode, shorthand: boolean) => void,
  read: (node: AnyNode) => void,
  shorthand = false,
): void {
  if (!p) return;
  switch (p.type) {
    case 'ObjectPattern':
      for (const prop of p.properties as AnyNode[]) {
        if (prop.type === 'RestElement') walkPattern(prop.argument as AnyNode, leaf, read);
        else {
          if (prop.computed) read(prop.key as AnyNode);
          walkPattern(prop.value as AnyNode, leaf, read, prop.shorthand as boolean);
        }
      }
      break;
    case 'ArrayPattern':
      for (const el of p.elements as (AnyNode | null)[]) walkPattern(el, leaf, read);
      break;
    case 'RestElement':
      walkPattern(p.argument as AnyNode, leaf, read);
      break;
    case 'AssignmentPattern':
      walkPattern(p.left as AnyNode, leaf, read, shorthand);
      read(p.right as AnyNode);
      break;
    default:
      leaf(p, shorthand);
  }
}

/** The names a binding pattern (`a`, `{ a, b: [c = 1] }`, `...rest`) declares. */
export function bindingNames(pattern: AnyNode | null | undefined, out: string[] = []): string[] {
  walkPattern(
    pattern,
    (node) => {
      if (node.type === 'Identifier') out.push(node.name as string);
    },
    () => {},
  );
  return out;
}

/** `var` names a function body declares anywhere in it, not looking into nested functions. */
function hoistedVars(node: AnyNode, out: Set<string>, skip: ReadonlySet<AnyNode>): void {
  if (FUNCTIONS.has(node.type) || node.type.startsWith('Class')) return;
  if (node.type === 'VariableDeclaration' && node.kind === 'var' && !skip.has(node)) {
    for (const d of node.declarations as AnyNode[]) for (const n of bindingNames(d.id as AnyNode)) out.add(n);
  }
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) if (isNode(c)) hoistedVars(c, out, skip);
    if (isNode(v)) hoistedVars(v, out, skip);
  }
}

/** The let/const/class/function names a statement list declares directly. */
function lexicalNames(statements: AnyNode[], skip: ReadonlySet<AnyNode>, out: Set<string>): void {
  for (const s of statements) {
    if (skip.has(s)) continue;
    if (s.type === 'VariableDeclaration' && s.kind !== 'var')
      for (const d of s.declarations as AnyNode[]) for (const n of bindingNames(d.id as AnyNode)) out.add(n);
    if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) out.add((s.id as AnyNode).name as string);
  }
}

/**
 * Every free reference of a cell's program, in source order. `topLevel` are the program's own
 * statements whose declarations the cell's rewrite turns into scope assignments (its top-level
 * `const`/`let`/`var`, classes and functions): their names are not local, so each use of them,
 * and each name their patterns declare, is reported as a free reference (the patterns' names as
 * `assignOnly`). Everything else follows JavaScript's scoping: function parameters, `var`
 * (function-wide), `let`/`const`/`class`/`function` (block-wide), catch parameters and the names
 * of function and class expressions bind locally.
 */
export function freeReferences(program: Program, topLevel: ReadonlySet<unknown>): FreeReference[] {
  const refs: FreeReference[] = [];
  const scopes: Set<string>[] = [];
  const skip = topLevel as ReadonlySet<AnyNode>;

  const bound = (name: string) => scopes.some((s) => s.has(name));
  const reference = (id: AnyNode, flags: Partial<FreeReference> = {}) => {
    const name = id.name as string;
    if (bound(name)) return;
    refs.push({ name, start: id.start, end: id.end, shorthand: false, assignOnly: false, typeofOperand: false, ...flags });
  };
  const inScope = (names: Set<string>, walkBody: () => void) => {
    scopes.push(names);
    walkBody();
    scopes.pop();
  };

  /** A binding pattern: its names are already in scope; only defaults and computed keys are read. */
  const binding = (p: AnyNode | null | undefined): void => walkPattern(p, () => {}, expr);

  /** An assignment target: identifiers in it are written; member expressions are walked. */
  const target = (p: AnyNode | null | undefined): void =>
    walkPattern(
      p,
      (node, shorthand) => {
        if (node.type === 'Identifier') reference(node, { assignOnly: true, shorthand });
        else expr(node);
      },
      expr,
    );

  const fn = (node: AnyNode): void => {
    const names = new Set<string>();
    for (const p of node.params as AnyNode[]) for (const n of bindingNames(p)) names.add(n);
    if (node.type !== 'ArrowFunctionExpression') names.add('arguments');
    if (node.type === 'FunctionExpression' && node.id) names.add((node.id as AnyNode).name as string);
    const body = node.body as AnyNode;
    if (body.type === 'BlockStatement') {
      hoistedVars(body, names, skip);
      lexicalNames(body.body as AnyNode[], skip, names);
    }
    inScope(names, () => {
      for (const p of node.params as AnyNode[]) binding(p);
      if (body.type === 'BlockStatement') for (const s of body.body as AnyNode[]) walk(s);
      else expr(body);
    });
  };

  const cls = (node: AnyNode): void => {
    if (node.superClass) expr(node.superClass as AnyNode);
    const names = new Set<string>(node.id ? [(node.id as AnyNode).name as string] : []);
    inScope(names, () => {
      for (const member of (node.body as AnyNode).body as AnyNode[]) {
        if (member.type === 'StaticBlock') {
          const own = new Set<string>();
          hoistedVars(member, own, skip);
          lexicalNames(member.body as AnyNode[], skip, own);
          inScope(own, () => (member.body as AnyNode[]).forEach(walk));
          continue;
        }
        if (member.computed) expr(member.key as AnyNode);
        if (member.value) expr(member.value as AnyNode);
      }
    });
  };

  const block = (statements: AnyNode[], extra: string[] = []): void => {
    const names = new Set<string>(extra);
    lexicalNames(statements, skip, names);
    inScope(names, () => statements.forEach(walk));
  };

  const declaration = (node: AnyNode): void => {
    const top = skip.has(node);
    for (const d of node.declarations as AnyNode[]) {
      if (top) target(d.id as AnyNode);
      else binding(d.id as AnyNode);
      if (d.init) expr(d.init as AnyNode);
    }
  };

  function expr(node: AnyNode | null | undefined): void {
    if (node) walk(node);
  }

  function walk(node: AnyNode): void {
    switch (node.type) {
      case 'Identifier':
        reference(node);
        return;
      case 'MemberExpression':
        expr(node.object as AnyNode);
        if (node.computed) expr(node.property as AnyNode);
        return;
      case 'Property':
        if (node.computed) expr(node.key as AnyNode);
        if (node.shorthand && (node.value as AnyNode).type === 'Identifier') reference(node.value as AnyNode, { shorthand: true });
        else expr(node.value as AnyNode);
        return;
      case 'UnaryExpression':
        if (node.operator === 'typeof' && (node.argument as AnyNode).type === 'Identifier')
          reference(node.argument as AnyNode, { typeofOperand: true });
        else expr(node.argument as AnyNode);
        return;
      case 'AssignmentExpression':
        if (node.operator === '=') target(node.left as AnyNode);
        else expr(node.left as AnyNode);
        expr(node.right as AnyNode);
        return;
      case 'ForInStatement':
      case 'ForOfStatement': {
        const left = node.left as AnyNode;
        const lexical = left.type === 'VariableDeclaration' && left.kind !== 'var';
        const names = lexical ? bindingNames((left.declarations as AnyNode[])[0].id as AnyNode) : [];
        inScope(new Set(names), () => {
          if (left.type === 'VariableDeclaration') declaration(left);
          else target(left);
          expr(node.right as AnyNode);
          walk(node.body as AnyNode);
        });
        return;
      }
      case 'ForStatement': {
        const init = node.init as AnyNode | null;
        const names =
          init?.type === 'VariableDeclaration' && init.kind !== 'var'
            ? (init.declarations as AnyNode[]).flatMap((d) => bindingNames(d.id as AnyNode))
            : [];
        inScope(new Set(names), () => {
          expr(init);
          expr(node.test as AnyNode);
          expr(node.update as AnyNode);
          walk(node.body as AnyNode);
        });
        return;
      }
      case 'VariableDeclaration':
        declaration(node);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        fn(node);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        cls(node);
        return;
      case 'BlockStatement':
        block(node.body as AnyNode[]);
        return;
      case 'SwitchStatement': {
        expr(node.discriminant as AnyNode);
        const cases = node.cases as AnyNode[];
        const all = cases.flatMap((c) => c.consequent as AnyNode[]);
        const names = new Set<string>();
        lexicalNames(all, skip, names);
        inScope(names, () => {
          for (const c of cases) {
            expr(c.test as AnyNode);
            (c.consequent as AnyNode[]).forEach(walk);
          }
        });
        return;
      }
      case 'CatchClause':
        inScope(new Set(bindingNames(node.param as AnyNode)), () => {
          binding(node.param as AnyNode);
          walk(node.body as AnyNode);
        });
        return;
      case 'LabeledStatement':
        walk(node.body as AnyNode);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'ImportDeclaration':
        return;
      default:
        for (const key of Object.keys(node)) {
          const v = node[key];
          if (Array.isArray(v)) for (const c of v) if (isNode(c)) walk(c);
          if (isNode(v)) walk(v);
        }
    }
  }

  const program_ = program as unknown as AnyNode;
  const statements = program_.body as AnyNode[];
  const names = new Set<string>();
  hoistedVars(program_, names, skip);
  lexicalNames(statements, skip, names);
  inScope(names, () => statements.forEach(walk));
  return refs;
}
