import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/fixtures/chromium.ts';
const browser = await chromium.launch(chromiumLaunchOptions());
const page = await browser.newPage();
for (const [w, name] of [[1280, 'wide'], [375, 'narrow']] as const) {
  await page.setViewportSize({ width: w, height: 900 });
  await page.goto('http://127.0.0.1:4374/lessons/04-kernels-as-rows/');
  await page.getByRole('button', { name: 'Run all', exact: true }).click();
  await page.locator('section[data-cell="2"][data-status="done"]').waitFor();
  const c = page.locator('section[data-cell="1"]');
  await c.scrollIntoViewIfNeeded();
  await c.screenshot({ path: `/tmp/cells/l4-c1-${name}.png` });
  await page.locator('section[data-cell="2"]').screenshot({ path: `/tmp/cells/l4-c2-${name}.png` });
}
await browser.close();
