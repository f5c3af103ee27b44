import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, watchErrors } from './helpers.ts';
import { FRAME_FIGURES } from './fixtures/frame-figures.ts';

/**
 * The one figure frame, checked on every figure that runs on it (fixtures/frame-figures.ts): the
 * transport on screen with the first grid at the top, the code panel following the loop, the
 * keyboard paths, no lost early click, clean self-written links, axe and no horizontal overflow.
 */

const SIZES = [
  [1280, 800],
  [375, 740],
] as const;

/** Opens the page, scrolls the figure into view and waits until its island is live. */
async function open(page: Page, path: string, name: string): Promise<Locator> {
  await page.goto(path);
  const figure = page.getByRole('group', { name, exact: true });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return figure;
}

/** Scrolls the page so that the top of the figure's first grid is exactly at the top of the screen. */
async function firstGridToTop(page: Page, figure: Locator): Promise<void> {
  await figure
    .locator('.matrix')
    .first()
    .evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top));
}

for (const fig of FRAME_FIGURES) {
  test.describe(`${fig.lesson}: ${fig.name} in the figure frame`, () => {
    for (const [width, height] of SIZES) {
      test(`at ${width}×${height}, Step forward is on screen with the first grid at the top`, async ({ page }) => {
        await page.setViewportSize({ width, height });
        const figure = await open(page, fig.path, fig.name);
        await firstGridToTop(page, figure);
        const grid = await figure.locator('.matrix').first().boundingBox();
        expect(Math.abs(grid!.y)).toBeLessThan(2);
        const box = await figure.getByRole('button', { name: 'Step forward' }).boundingBox();
        expect(box).not.toBeNull();
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(height);
        expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        await page.screenshot({ path: join(SCREENSHOTS, `frame-${fig.path.split('/')[2]}-${width}.png`) });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      });
    }

    test('six steps move the marked code line and change the loop-variable readout every time', async ({ page }) => {
      const errors = watchErrors(page);
      const figure = await open(page, fig.path, fig.name);
      const lines: string[] = [];
      const vars: string[] = [];
      const read = async () => {
        lines.push((await figure.locator('.code-panel .active-line').allTextContents()).join('\n'));
        vars.push((await figure.getByTestId('loop-vars').textContent()) ?? '');
      };
      await read();
      for (let k = 0; k < 6; k++) {
        const before = vars[vars.length - 1];
        await figure.getByRole('button', { name: 'Step forward' }).click();
        await expect(figure.getByTestId('loop-vars')).not.toHaveText(before);
        await read();
      }
      expect(new Set(lines).size).toBeGreaterThan(1);
      // Every step after the first runs a statement of the loops: a marked line and its variables.
      expect(lines.slice(1).every((l) => l.length > 0)).toBe(true);
      expect(vars.slice(1).every((v) => /^(\w+ = -?\d+ {2})*\w+ = -?\d+$/.test(v.trim()))).toBe(true);
      expect(errors).toEqual([]);
    });

    test('Play is at most 20 Tab presses from the first control; arrows move inside a grid, not the step', async ({ page }) => {
      const figure = await open(page, fig.path, fig.name);
      await figure.locator('input, button, select').first().focus();
      let presses = 0;
      while (presses <= 20 && (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) !== 'Play') {
        await page.keyboard.press('Tab');
        presses += 1;
      }
      expect(presses).toBeLessThanOrEqual(20);

      const grid = figure.getByRole('grid').first();
      const count = await figure.getByTestId('step-count').textContent();
      const stop = grid.locator('[tabindex="0"]');
      await expect(stop).toHaveCount(1);
      await stop.focus();
      const cells = await grid.locator('[data-cell]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell')));
      await page.keyboard.press('ArrowRight');
      const right = await page.evaluate(() => document.activeElement?.getAttribute('data-cell'));
      expect(right).toBe(cells.includes('0,1') ? '0,1' : '0,0');
      await page.keyboard.press('ArrowDown');
      const down = await page.evaluate(() => document.activeElement?.getAttribute('data-cell'));
      expect(cells).toContain(down);
      await expect(grid.locator('[tabindex="0"]')).toHaveCount(1);
      await expect(figure.getByTestId('step-count')).toHaveText(count!);
      // Hover and focus only highlight: the step stays.
      await grid.locator('[data-cell]').last().hover();
      await expect(figure.getByTestId('step-count')).toHaveText(count!);
    });

    test('a click right after the figure scrolls into view is not lost', async ({ page }) => {
      await page.goto(fig.path);
      const figure = page.getByRole('group', { name: fig.name, exact: true });
      await figure.scrollIntoViewIfNeeded();
      await figure.getByRole('button', { name: 'Step forward' }).click();
      await expect(figure.getByTestId('step-count')).toHaveText(/^2 \/ \d+$/);
    });

    test('reloading the link the page wrote after a shape change shows no warning', async ({ page }) => {
      const errors = watchErrors(page);
      const figure = await open(page, fig.path, fig.name);
      for (const [label, value] of Object.entries(fig.shapeChange)) await figure.getByLabel(label, { exact: true }).fill(value);
      await figure.getByRole('button', { name: 'Randomize' }).click();
      await figure.getByRole('button', { name: 'Step forward' }).click();
      await expect(page).toHaveURL(/step=2/);
      const url = page.url();
      const again = await open(page, url, fig.name);
      await expect(again.getByTestId('step-count')).toHaveText(/^2 \/ \d+$/);
      await expect(again.getByRole('note')).toHaveCount(0);
      await expect(again.getByText('Not drawn:')).toHaveCount(0);
      expect(page.url()).toBe(url);
      expect(errors).toEqual([]);
    });

    test('has no serious or critical accessibility violations', async ({ page }) => {
      await open(page, fig.path, fig.name);
      await page.waitForLoadState('networkidle');
      await expectNoSeriousA11yViolations(page, fig.path);
    });
  });
}
