import { test, expect } from '@playwright/test';
import { attemptDraw } from '../../lib/viz/figure/spec.ts';
import { DRAW_BUDGET } from '../../lib/viz/figure/budget.ts';
import { FRAME_FIGURES } from './fixtures/frame-figures.ts';
import { frameSpecs, largestSettings, queryOf } from './fixtures/figure-extremes.ts';

/**
 * The one draw budget in the browser: for every figure on the frame whose largest settings (every
 * field at its maximum, stride and dilation 1) would draw more than DRAW_BUDGET cells, a link to
 * them shows the budget's reason and the defaults, and typing them into the form shows it inline
 * while the last picture (and its step count) stays. Longest tasks at these settings are measured
 * by `npm run bench:figures`.
 */
const budget = DRAW_BUDGET.toLocaleString('en-US');

for (const figure of FRAME_FIGURES) {
  test(`${figure.lesson}, ${figure.name}: over-budget settings say "draws at most ${budget}" and keep the last picture`, async ({
    page,
  }) => {
    const spec = (await frameSpecs()).find((s) => s.label === figure.name);
    expect(spec, `a lib/viz/*/spec.ts labelled ${figure.name}`).toBeDefined();
    const largest = largestSettings(spec!);
    const attempt = attemptDraw(spec!, largest);
    test.skip(attempt.ok || !attempt.error.includes('it draws at most'), `${figure.name} draws its largest settings within the budget`);

    await page.goto(`${figure.path}${queryOf(spec!, largest)}`);
    const frame = page.getByRole('group', { name: figure.name, exact: true });
    await frame.scrollIntoViewIfNeeded();
    await expect(frame).toHaveAttribute('data-ready', '', { timeout: 30_000 });
    await expect(frame.getByRole('note').first()).toContainText(`it draws at most ${budget}`);
    await expect(frame.getByRole('note').first()).toContainText('showing the defaults instead');

    // Typed into the form, field by field: refused inline, the defaults' picture stays.
    await page.goto(figure.path);
    await frame.scrollIntoViewIfNeeded();
    await expect(frame).toHaveAttribute('data-ready', '', { timeout: 30_000 });
    // Number fields are spinbuttons, fields with choices (lesson 9's mode) selects, each in the form's order.
    const numbers = frame.getByRole('spinbutton');
    const selects = frame.getByRole('combobox');
    let [n, c] = [0, 0];
    for (const field of spec!.fields) {
      const value = String(largest[field.key]);
      if (field.choices) await selects.nth(c++).selectOption(value);
      else await numbers.nth(n++).fill(value);
    }
    await expect(frame.getByRole('status').first()).toContainText(`it draws at most ${budget}`);
    await expect(frame.getByRole('status').first()).toContainText('The last valid picture stays below');
    await expect(frame.getByTestId('step-count')).toHaveText(/^\d+ \/ \d+$/);
  });
}
