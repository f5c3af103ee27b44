import { describe, it, expect } from 'vitest';
import * as engine from '../../lib/index.ts';
import { CellKernel } from '../../lib/notebook/kernel.ts';
import { dataUrlModuleLoader } from '../../lib/notebook/module-loaders.ts';
import type { CellHost } from '../../lib/notebook/kernel.ts';
import { runCellToOutputs } from '../../lib/notebook/run-cell.ts';
import { stripTypes } from '../../lib/notebook/strip-types.ts';
import { rewriteCell } from '../../lib/notebook/rewrite.ts';
import type { OutputItem } from '../../lib/notebook/output.ts';

const kernel = () => new CellKernel({ ...engine }, dataUrlModuleLoader);
const quiet: CellHost = { show: () => {}, log: () => {} };

async function outputs(k: CellKernel, source: string, name = 'cell-1'): Promise<OutputItem[]> {
  const items: OutputItem[] = [];
  await runCellToOutputs(k, source, name, (item) => items.push(item));
  return items;
}

describe('the cell kernel', () => {
  it('shares one scope between cells: a const of cell 1 is usable in cell 2, and a re-run may redeclare it', async () => {
    const k = kernel();
    expect(await k.run('const x = 2;\nlet [a, { b }] = [3, { b: 4 }];', 'cell-1', quiet)).toMatchObject({ ok: true, hasValue: false });
    expect(await k.run('x * a * b', 'cell-2', quiet)).toEqual({ ok: true, hasValue: true, value: 24, label: null });
    expect(await k.run('const x = 5\nx', 'cell-1', quiet)).toEqual({ ok: true, hasValue: true, value: 5, label: 'x' });
    expect(k.get('x')).toBe(5);
  });

  it('keeps functions (hoisted) and classes for later cells', async () => {
    const k = kernel();
    expect(
      (await k.run('const v = twice(4)\nfunction twice(n) { return 2 * n }\nclass Box { constructor(v) { this.v = v } }', 'c1', quiet)).ok,
    ).toBe(true);
    expect(await k.run('new Box(twice(v)).v', 'c2', quiet)).toMatchObject({ ok: true, value: 16 });
  });

  it('has every public engine name in scope without an import, and a cell may shadow one', async () => {
    const k = kernel();
    const r = await k.run(
      'const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null)\nArray.from(y.data)',
      'c1',
      quiet,
    );
    const direct = engine.conv2dNaive(
      engine.tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]),
      engine.tensor([1, 1, 2, 2], [10, 11, 12, 13]),
      null,
    );
    expect(r).toMatchObject({ ok: true, value: Array.from(direct.data) });
    expect(await k.run("import { im2col, col2im } from '../lib/index.ts';\ntypeof col2im", 'c2', quiet)).toMatchObject({
      ok: true,
      value: 'function',
    });
    expect(await k.run('const im2col = 1\nim2col + 1', 'c3', quiet)).toMatchObject({ ok: true, value: 2 });
    for (const name of Object.keys(engine)) expect(await k.run(`typeof ${name}`, 'c4', quiet), name).toMatchObject({ ok: true });
  });

  it('returns the value of the last expression only when the cell ends with one', async () => {
    const k = kernel();
    expect(await k.run('1 + 1;\nconst z = 3', 'c1', quiet)).toMatchObject({ ok: true, hasValue: false, value: undefined });
    expect(await k.run('z.toString().length, z * 2', 'c2', quiet)).toMatchObject({ ok: true, hasValue: true, value: 6 });
    expect(await k.run('const o = { s: [1, 2] }\no.s', 'c3', quiet)).toMatchObject({ value: [1, 2], label: 'o.s' });
  });

  it('runs top-level await', async () => {
    const r = await kernel().run('const v = await Promise.resolve(7)\nv', 'c1', quiet);
    expect(r).toMatchObject({ ok: true, value: 7 });
  });

  it('reports a ConvConfigError exactly as the engine wrote it, with the cell line it came from', async () => {
    let expected = '';
    try {
      engine.conv2d(engine.zeros([1, 1, 4, 4]), engine.zeros([1, 1, 2, 2]), null, { stride: 0 });
    } catch (e) {
      expected = (e as Error).message;
    }
    const r = await kernel().run(
      'const x = zeros([1, 1, 4, 4])\n\nconst w = zeros([1, 1, 2, 2])\nconv2d(x, w, null, { stride: 0 })',
      'cell-3',
      quiet,
    );
    expect(r).toEqual({ ok: false, error: { name: 'ConvConfigError', message: expected, line: 4 } });
  });

  it('gives the line of a throw inside a function the cell defined, and of a syntax error', async () => {
    const k = kernel();
    expect(await k.run('function f() {\n  return null.x\n}\nconst q = 1\nf()', 'c1', quiet)).toMatchObject({
      ok: false,
      error: { name: 'TypeError', line: 2 },
    });
    expect(await k.run('const a = 1\nconst b = a +* 2', 'c2', quiet)).toMatchObject({ ok: false, error: { name: 'SyntaxError', line: 2 } });
    expect(await k.run("import { nothing } from 'elsewhere'", 'c3', quiet)).toMatchObject({
      ok: false,
      error: { line: 1, message: expect.stringContaining('nothing is not an engine name') },
    });
  });

  it('explains a failed huge allocation in plain words', async () => {
    const r = await kernel().run('\nconst big = new Float32Array(2 ** 40)', 'c1', quiet);
    expect(r).toMatchObject({
      ok: false,
      error: { name: 'RangeError', line: 2, message: expect.stringMatching(/^Out of memory: the cell asked for more memory/) },
    });
  });
});

describe('TypeScript in cells', () => {
  it('strips annotations, interfaces, type aliases, generics and casts, keeping every line in place', () => {
    const ts =
      'const n: number = 2;\ninterface P {\n  a: number;\n}\ntype Q = P | null;\nfunction id<T>(v: T): T { return v as T; }\nid<number>(n)!';
    const js = stripTypes(ts);
    expect(js.split('\n')).toHaveLength(ts.split('\n').length);
    expect(js).not.toMatch(/interface|type Q|: number|as T|<T>/);
    expect(js.split('\n')[6]).toMatch(/id\(n\)/);
  });

  it('runs typed code, enums included, and reports runtime errors on the typed line', async () => {
    const k = kernel();
    expect(
      await k.run('enum Axis { H, W }\nconst t: Tensor = zeros([2, 3]);\nconst s: number[] = [...t.shape];\ns[Axis.W]', 'c1', quiet),
    ).toMatchObject({ ok: true, value: 3 });
    expect(await k.run('type T = number;\ninterface I { a: T }\nconst i: I = { a: 1 };\n(i as any).b.c', 'c2', quiet)).toMatchObject({
      ok: false,
      error: { name: 'TypeError', line: 4 },
    });
  });
});

describe('rewriteCell', () => {
  const engineNames = new Set(['conv2d', 'tensor']);

  it('leaves the code on its own lines (one prefix on line 1, one closing line) in a module with no with and no eval', () => {
    const src = 'const a = 1,\n  b = 2\nlet c\nfunction f() {}\nclass K {}\na + b';
    const r = rewriteCell(src, new Set());
    expect(r.module.split('\n')).toHaveLength(src.split('\n').length + 1);
    expect(r.module).toMatch(/^export default async function \(__cellScope, __cellRef\) \{/);
    expect(r.module).not.toMatch(/\bwith\s*\(|\beval\b|new Function/);
    expect(r.declared).toEqual(['a', 'b', 'c']);
    expect(r.hasLast).toBe(true);
  });

  it('turns the free names the scope holds into scope properties and leaves local names and globals alone', () => {
    const src = [
      'const { a, b: [c = conv2d] } = tensor',
      'function f(p, { q }) { const local = p + q + a; for (let i = 0; i < 2; i++) local; return [local, Math.max(c), arguments] }',
      'try { f() } catch (err) { err }',
      'const o = { a, conv2d: 1, [c]: c }; o.a; outer: for (const k of [1]) { var v = k; continue outer }',
      'const C = class Named { m() { return Named } }; typeof later; later2()',
    ].join('\n');
    const m = rewriteCell(src, engineNames).module;
    const body = m.slice(m.indexOf('{') + 1);
    // Each top-level name and engine name is read and written on the scope …
    expect(body).toContain(';( { a: __cellScope.a, b: [__cellScope.c = __cellScope.conv2d] } = __cellScope.tensor);');
    expect(body).toContain('const local = p + q + __cellScope.a;');
    expect(body).toContain('Math.max(__cellScope.c)');
    expect(body).toContain('{ a: __cellScope.a, conv2d: 1, [__cellScope.c]: __cellScope.c }');
    expect(body).toContain('__cellScope.o.a');
    // … while parameters, let/const/var, catch parameters, labels, class names and globals stay.
    expect(body).toMatch(/for \(let i = 0; i < 2; i\+\+\) local; return \[local, Math\.max/);
    expect(body).toContain('catch (err) { err }');
    expect(body).toContain('outer: for (const k of [1]) { var v = k; continue outer }');
    expect(body).toContain('class Named { m() { return Named } }');
    expect(body).toContain('__cellScope.f()');
    // A name nothing defined yet: typeof reads the scope, a call goes through the checked view.
    expect(body).toContain('typeof __cellScope.later; return (__cellRef.later2())');
  });
});

describe('the kernel scope without with or eval', () => {
  it("resolves names when a function runs, so a function of cell 1 sees a later cell's definitions and reassignments", async () => {
    const k = kernel();
    expect((await k.run('let n = 1\nfunction next() { n += 1; return helper(n) }', 'c1', quiet)).ok).toBe(true);
    expect(await k.run('next()', 'c2', quiet)).toMatchObject({
      ok: false,
      error: { name: 'ReferenceError', message: 'helper is not defined', line: 1 },
    });
    expect((await k.run('const helper = (v) => v * 10\nn = 5', 'c3', quiet)).ok).toBe(true);
    expect(await k.run('next()', 'c4', quiet)).toMatchObject({ ok: true, value: 60 });
    expect(k.get('n')).toBe(6);
  });

  it('keeps shorthand properties, destructuring swaps, compound updates and loops over scope names right', async () => {
    const k = kernel();
    expect((await k.run('let a = 1, b = 2\nlet s = 0', 'c1', quiet)).ok).toBe(true);
    expect(
      await k.run('[a, b] = [b, a];\n({ s } = { s: 10 });\nfor (let i = 0; i < 5; i++) s += i;\n({ a, b, s })', 'c2', quiet),
    ).toMatchObject({
      ok: true,
      value: { a: 2, b: 1, s: 20 },
    });
  });

  it('keeps statement boundaries where the source relied on automatic semicolons', async () => {
    const r = await kernel().run('let x\n(function () { return 1 })()\nclass K {}\n[1, 2].length', 'c1', quiet);
    expect(r).toMatchObject({ ok: true, value: 2 });
  });

  it('reads a misspelt name as a ReferenceError naming it, on its line', async () => {
    expect(await kernel().run('const x = zeros([1])\nconv2dd(x)', 'c1', quiet)).toMatchObject({
      ok: false,
      error: { name: 'ReferenceError', message: 'conv2dd is not defined', line: 2 },
    });
  });

  it('explains a cell that could not be loaded (a policy that refuses its module)', async () => {
    const refused = new CellKernel({ ...engine }, () =>
      Promise.reject(new TypeError('Failed to fetch dynamically imported module: blob:x')),
    );
    expect(await refused.run('1', 'c1', quiet)).toMatchObject({
      ok: false,
      error: { name: 'Error', line: null, message: expect.stringContaining('Content-Security-Policy must allow script-src blob:') },
    });
  });
});

describe('cell outputs', () => {
  it('reports show calls, console lines and the last value in the order the cell made them', async () => {
    const items = await outputs(
      kernel(),
      "console.log('first', 1.5, [1, 2])\nshow(zeros([1, 1, 2, 2]), 'z')\nconsole.warn('second')\n'last'",
    );
    expect(items.map((i) => i.kind)).toEqual(['log', 'grids', 'log', 'text']);
    expect(items[0]).toEqual({ kind: 'log', level: 'log', text: 'first 1.5 [1, 2]' });
    expect(items[2]).toEqual({ kind: 'log', level: 'warn', text: 'second' });
    expect(items[3]).toEqual({ kind: 'text', text: 'last' });
  });

  it('a cell ending in console.log shows its line and no value', async () => {
    expect(await outputs(kernel(), "const a = 2\nconsole.log('a is', a)")).toEqual([{ kind: 'log', level: 'log', text: 'a is 2' }]);
  });

  it('ends with the error item and keeps the outputs made before it', async () => {
    const items = await outputs(kernel(), "console.log('before')\nthrow new Error('stop here')\nconsole.log('never')");
    expect(items).toEqual([
      { kind: 'log', level: 'log', text: 'before' },
      { kind: 'error', name: 'Error', message: 'stop here', line: 2 },
    ]);
  });

  it('a show with a bad option reports it and the cell goes on', async () => {
    const items = await outputs(kernel(), "show(1, 'one', { colour: 'red' })\n2");
    expect(items[0]).toMatchObject({ kind: 'error', name: 'ConvConfigError', message: expect.stringContaining('colour') });
    expect(items[1]).toEqual({ kind: 'text', text: '2' });
  });
});
