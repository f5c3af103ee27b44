import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';

/** Where screenshots go: E2E_SCREENSHOTS, else test-results/screenshots. */
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? join(process.cwd(), 'test-results', 'screenshots');

/** Collects console errors and uncaught exceptions for the whole test; assert it stays empty. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

/**
 * Runs axe on the current page and fails on any serious or critical violation. Waits first for
 * running CSS animations to end: a figure fading in a new stage has, for a few hundred ms, text
 * whose contrast axe would measure against a half-transparent picture.
 */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    null,
    { timeout: 5000 },
  );
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${label}: ${v.id} — ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join('; ')})`,
    ),
  ).toEqual([]);
}

/**
 * Saves full-page screenshots of `path` at 1280 px and 375 px as `<name>-wide.png` and
 * `<name>-narrow.png`, and checks that nothing overflows the viewport horizontally.
 */
export async function screenshotBothWidths(page: Page, path: string, name: string): Promise<void> {
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  }
}

/**
 * Like screenshotBothWidths, but for the page as it is now (no navigation, so state such as a
 * finished training run survives): full-page screenshots at 1280 px and 375 px as
 * `<name>-wide.png` / `<name>-narrow.png`, checking nothing overflows horizontally; the viewport is
 * left at 1280 px.
 */
export async function screenshotCurrentBothWidths(page: Page, name: string): Promise<void> {
  for (const [suffix, width] of [
    ['narrow', 375],
    ['wide', 1280],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    // Two frames so that layout, ResizeObserver-driven charts and canvases settle at the new width.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  }
}
