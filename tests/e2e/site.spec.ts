import { test, expect } from '@playwright/test';
import { expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';

test('the home page lists the lessons and links to them', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Unrolled' })).toBeVisible();
  const first = page.getByRole('link', { name: 'Convolution by hand' });
  await expect(first).toBeVisible();
  await first.click();
  await expect(page).toHaveURL(/\/lessons\/01-convolution-by-hand\/$/);
  expect(errors).toEqual([]);
});

test('a visited lesson is remembered on the home page', async ({ page }) => {
  await page.goto('/lessons/01-convolution-by-hand/');
  await page.goto('/');
  await expect(page.locator('[data-progress-id="01-convolution-by-hand"]')).toHaveAttribute('data-visited', 'true');
  await expect(page.locator('[data-progress-count]')).toContainText('1 of');
});

test('the home page has no serious or critical accessibility violations', async ({ page }) => {
  await page.goto('/');
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, '/');
});

test('home page screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, '/', 'home');
});
