import { describe, it, expect } from 'vitest';
import { tensor, im2col } from '../../lib/index.ts';
import { describeShown, roleFromLabel, MAX_GRIDS, MAX_ROWS, MAX_COLS } from '../../lib/notebook/show.ts';
import { DRAW_BUDGET } from '../../lib/viz/figure/budget.ts';
import { inspect } from '../../lib/notebook/inspect.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

const seq = (n: number, f = (k: number) => k) => Array.from({ length: n }, (_, k) => f(k));

describe('show: tensors', () => {
  it('x=[2,3,2,2] is drawn as 6 planes, one per image and channel, with the values of each', () => {
    const t = tensor(
      [2, 3, 2, 2],
      seq(24, (k) => k * 0.5),
    );
    const item = describeShown(t, 'x');
    if (item?.kind !== 'grids') throw new Error('expected grids');
    expect(item.role).toBe('input');
    expect(item.shape).toEqual([2, 3, 2, 2]);
    expect(item.grids.map((g) => g.label)).toEqual([
      'x [n=0, c=0]',
      'x [n=0, c=1]',
      'x [n=0, c=2]',
      'x [n=1, c=0]',
      'x [n=1, c=1]',
      'x [n=1, c=2]',
    ]);
    // plane (n=1, c=2) starts at ((1·3 + 2)·2·2) = 20
    expect(item.grids[5].values).toEqual([
      [10, 10.5],
      [11, 11.5],
    ]);
  });

  it('a 3-D tensor per channel, a 2-D one as one matrix, a 1-D one as a row, a 0-D one as its number', () => {
    const three = describeShown(tensor([2, 1, 3], seq(6)), 'h');
    expect(three).toMatchObject({
      kind: 'grids',
      grids: [
        { label: 'h [c=0]', values: [[0, 1, 2]] },
        { label: 'h [c=1]', values: [[3, 4, 5]] },
      ],
    });
    expect(describeShown(tensor([2, 2], [1, 2, 3, 4]), 'm')).toMatchObject({
      grids: [
        {
          label: 'm',
          values: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    });
    expect(describeShown(tensor([3], [1, 2, 3]), 'b')).toMatchObject({ grids: [{ values: [[1, 2, 3]] }] });
    expect(describeShown(tensor([], [0.1]), 's')).toEqual({ kind: 'text', text: '0.1', label: 's' });
  });

  it('cuts a large tensor to planes of MAX_ROWS × MAX_COLS, as many as the draw budget holds, and says so', () => {
    const t = tensor([1, MAX_GRIDS + 4, MAX_ROWS + 8, MAX_COLS + 1]);
    const item = describeShown(t, 'big');
    if (item?.kind !== 'grids') throw new Error('expected grids');
    // 32 × 32 = 1,024 cells a plane: the 2,048-cell budget holds two.
    const fit = Math.floor(DRAW_BUDGET / (MAX_ROWS * MAX_COLS));
    expect(fit).toBe(2);
    expect(item.grids).toHaveLength(fit);
    expect(item.grids[0].values).toHaveLength(MAX_ROWS);
    expect(item.grids[0].values[0]).toHaveLength(MAX_COLS);
    expect(item.notes).toEqual([
      `each plane: showing ${MAX_ROWS} of ${MAX_ROWS + 8} rows and ${MAX_COLS} of ${MAX_COLS + 1} columns`,
      `showing ${fit} of ${MAX_GRIDS + 4} planes (a value draws at most 2,048 cells)`,
    ]);
  });

  it('small planes: MAX_GRIDS of them, within the budget (16 × 8 × 8 = 1,024 cells)', () => {
    const item = describeShown(tensor([2, 10, 8, 8]), 'y');
    if (item?.kind !== 'grids') throw new Error('expected grids');
    expect(item.grids).toHaveLength(MAX_GRIDS);
    expect(item.grids.reduce((a, g) => a + g.values.length * g.values[0].length, 0)).toBeLessThanOrEqual(DRAW_BUDGET);
    expect(item.notes).toEqual([`showing ${MAX_GRIDS} of 20 planes`]);
  });

  it('colors by role: from the option, else from the label, else output', () => {
    expect(describeShown(tensor([1, 1, 1, 1]), 'y', { role: 'gradient' })).toMatchObject({ role: 'gradient' });
    expect(describeShown(tensor([1, 1, 1, 1]), 'w')).toMatchObject({ role: 'kernel' });
    expect(describeShown(tensor([1, 1, 1, 1]), 'dx')).toMatchObject({ role: 'gradient' });
    expect(describeShown(tensor([1, 1, 1, 1]))).toMatchObject({ role: 'output', label: 'tensor' });
    expect(roleFromLabel('X_col')).toBe('matrix');
    expect(roleFromLabel('scores')).toBeNull();
  });
});

describe('show: matrices, im2col, scalars', () => {
  it('a 2-D array of numbers is a matrix; a ragged one is printed as text', () => {
    expect(
      describeShown(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        'A',
      ),
    ).toMatchObject({
      kind: 'grids',
      role: 'matrix',
      shape: [2, 3],
      grids: [
        {
          values: [
            [1, 2, 3],
            [4, 5, 6],
          ],
        },
      ],
    });
    expect(describeShown([[1, 2], [3]])).toEqual({ kind: 'text', text: '[[1, 2], [3]]' });
  });

  it('an im2col matrix of x=[2,2,3,3] k=2 s=1 p=0 gets rows (c) kh,kw and columns (n) oh,ow', () => {
    const x = tensor([2, 2, 3, 3], seq(36));
    const cols = im2col(x, [2, 2]);
    const item = describeShown(cols, 'X_col', { im2col: { xShape: x.shape, kernel: [2, 2] } });
    if (item?.kind !== 'grids') throw new Error('expected grids');
    expect(item.role).toBe('matrix');
    const g = item.grids[0];
    expect(g.rowHeaders).toEqual(['c0 0,0', 'c0 0,1', 'c0 1,0', 'c0 1,1', 'c1 0,0', 'c1 0,1', 'c1 1,0', 'c1 1,1']);
    expect(g.colHeaders).toEqual(['n0 0,0', 'n0 0,1', 'n0 1,0', 'n0 1,1', 'n1 0,0', 'n1 0,1', 'n1 1,0', 'n1 1,1']);
    // row c1 (1,0), column n1 (0,1): x[1][1][0 + 1][1 + 0] = 36/2 + 9 + 3 + 1 = 31
    expect(g.values[6][5]).toBe(31);
    expect(item.notes[0]).toMatch(/^rows: channel c, kernel tap kh,kw; columns: image n, output position oh,ow/);
  });

  it('an im2col geometry that does not match the matrix is a ConvConfigError', () => {
    const cols = im2col(tensor([1, 1, 3, 3]), [2, 2]);
    expectConfigError(
      () => describeShown(cols, 'c', { im2col: { xShape: [1, 1, 4, 4], kernel: [2, 2] } }),
      'im2col',
      'an im2col matrix of this geometry is 4×9',
      '[4, 4]',
    );
    expectConfigError(
      () => describeShown(cols, 'c', { im2col: { xShape: [1, 1, 3, 3], kernel: [2, 2], stride: 0 } }),
      'stride',
      'stride must be a positive integer, got 0',
    );
    expectConfigError(() => describeShown(cols, 'c', { role: 'bias' }), 'role', 'role must be one of');
    expectConfigError(() => describeShown(cols, 'c', 3), 'options', "show's options must be an object");
  });

  it('numbers print as formatValue does, strings as they are, undefined not at all', () => {
    expect(describeShown(Math.fround(0.1))).toEqual({ kind: 'text', text: '0.1' });
    expect(describeShown(-0)).toEqual({ kind: 'text', text: '0' });
    expect(describeShown(2 / 3, 'r')).toEqual({ kind: 'text', text: '0.667', label: 'r' });
    expect(describeShown('hello')).toEqual({ kind: 'text', text: 'hello' });
    expect(describeShown(undefined)).toBeNull();
    expect(describeShown({ a: 1, b: 'two' })).toEqual({ kind: 'text', text: '{ a: 1, b: "two" }' });
  });
});

describe('inspect (console.log)', () => {
  it('prints typed arrays, tensors, nested values and cycles', () => {
    expect(inspect(new Float32Array([0.1, 2]))).toBe('Float32Array(2) [0.1, 2]');
    expect(inspect(tensor([1, 2], [1, 2.5]))).toBe('Tensor [1, 2] [1, 2.5]');
    const o: Record<string, unknown> = { n: null, f: Math.max };
    o.self = o;
    expect(inspect(o)).toBe('{ n: null, f: [Function max], self: [Circular] }');
    expect(inspect(seq(105))).toMatch(/, 99, … 5 more\]$/);
  });
});
