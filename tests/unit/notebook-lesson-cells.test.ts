import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as engine from '../../lib/index.ts';
import { CellKernel } from '../../lib/notebook/kernel.ts';
import { dataUrlModuleLoader } from '../../lib/notebook/module-loaders.ts';
import { runCellToOutputs } from '../../lib/notebook/run-cell.ts';
import type { OutputItem } from '../../lib/notebook/output.ts';

const CONTENT = join(import.meta.dirname, '../../content');
const lessons = readdirSync(CONTENT)
  .filter((f) => f.endsWith('.mdx'))
  .sort();

/** The `<Cell n={N} code={`…`} />` elements of a lesson, in reading order. */
function cellsOf(mdx: string): { n: number; code: string }[] {
  return [...mdx.matchAll(/<Cell n=\{(\d+)\} code=\{`([\s\S]*?)`\} \/>/g)].map((m) => ({ n: Number(m[1]), code: m[2] }));
}

describe('lesson cells', () => {
  it('every lesson has at least two cells, numbered 1, 2, … in reading order', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(11);
    for (const file of lessons) {
      const cells = cellsOf(readFileSync(join(CONTENT, file), 'utf8'));
      expect(cells.length, file).toBeGreaterThanOrEqual(2);
      expect(
        cells.map((c) => c.n),
        file,
      ).toEqual(cells.map((_, k) => k + 1));
    }
  });

  it.each(lessons)('%s: its cells run in order in one scope without an error and show something', async (file) => {
    const kernel = new CellKernel({ ...engine }, dataUrlModuleLoader);
    for (const cell of cellsOf(readFileSync(join(CONTENT, file), 'utf8'))) {
      const items: OutputItem[] = [];
      const ok = await runCellToOutputs(kernel, cell.code, `cell-${cell.n}`, (item) => items.push(item));
      expect(
        items.filter((i) => i.kind === 'error'),
        `${file} cell ${cell.n}`,
      ).toEqual([]);
      expect(ok).toBe(true);
      expect(items.length, `${file} cell ${cell.n} shows nothing`).toBeGreaterThan(0);
    }
  });
});
