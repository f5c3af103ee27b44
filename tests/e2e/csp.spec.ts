import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { serveWithCsp } from './fixtures/csp-server.ts';
import { loadMnistFixture } from './fixtures/mnist-fixture.ts';
import {
  configureRun,
  openTrainer,
  padProbabilities,
  section,
  startTraining,
  waitForDone,
  waitForStepAbove,
} from './fixtures/trainer-page.ts';
import { CELL_WORKER_POLICY, META_POLICY, PAGE_POLICY } from '../../site/csp.ts';

/**
 * The built site under its strict Content-Security-Policy (site/csp.ts), sent as a real HTTP header
 * by a static server (fixtures/csp-server.ts), as the README tells a deployer to: every page of the
 * build is visited and scrolled through until every island has hydrated, a notebook cell runs, and
 * the trainer trains an epoch — with no CSP violation (securitypolicyviolation events in the page
 * and its workers' consoles) and no console error anywhere.
 */
const DIST = process.env.E2E_DIST ?? 'dist';

let origin = '';
let close: (() => Promise<void>) | null = null;

test.beforeAll(async () => {
  ({ origin, close } = await serveWithCsp(DIST));
});
test.afterAll(async () => {
  await close?.();
});

/** Every page of the build, as a URL path (`/`, `/lessons/01-…/`, `/notebook/`, `/train/`). */
function builtPages(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'index.html')
        out.push(
          `/${relative(DIST, dir)
            .split(sep)
            .filter(Boolean)
            .map((p) => `${p}/`)
            .join('')}`,
        );
    }
  };
  walk(DIST);
  return out.sort();
}

/**
 * Records, for the whole test: each CSP violation the page reports (securitypolicyviolation, with
 * the directive, the blocked URI and the place), console errors of the page and of its workers
 * (a worker's violations are logged there), and uncaught exceptions.
 */
async function watchPolicy(page: Page): Promise<{ problems: string[]; violations: () => Promise<string[]> }> {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${String(err)}`));
  page.on('worker', (worker) => {
    worker.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`worker ${worker.url()}: ${msg.text()}`);
    });
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    });
  });
  return {
    problems,
    violations: () => page.evaluate(() => [...(window as unknown as { __cspViolations: string[] }).__cspViolations]),
  };
}

/** Opens `path`, checks the header came with it, scrolls to the end so every island hydrates. */
async function visitAndHydrate(page: Page, path: string): Promise<void> {
  const response = await page.goto(origin + path);
  expect(response?.headers()['content-security-policy'], `${path} is served with the policy`).toBe(PAGE_POLICY);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 600) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(60);
  }
  await expect(page.locator('astro-island[ssr]'), `${path}: every island hydrates`).toHaveCount(0, { timeout: 30_000 });
  const frames = page.locator('.figure-frame');
  await expect(page.locator('.figure-frame[data-ready]'), `${path}: every figure is ready`).toHaveCount(await frames.count(), {
    timeout: 30_000,
  });
}

test('the policy is enforced: an inline style attribute and an inline script are refused and reported', async ({ page }) => {
  const watch = await watchPolicy(page);
  await visitAndHydrate(page, '/');
  await page.evaluate(() =>
    document.body.insertAdjacentHTML('beforeend', '<span id="csp-probe" style="color: rgb(255, 0, 0)">probe</span>'),
  );
  // One report per policy in force: the header's and the meta tag's.
  await expect
    .poll(watch.violations)
    .toEqual([expect.stringMatching(/^style-src-attr blocked inline/), expect.stringMatching(/^style-src-attr blocked inline/)]);
  expect(await page.evaluate(() => getComputedStyle(document.querySelector('#csp-probe')!).color)).not.toBe('rgb(255, 0, 0)');
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.body.append(script);
  });
  await expect.poll(async () => (await watch.violations()).filter((v) => v.startsWith('script-src-elem blocked inline')).length).toBe(2);
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
});

for (const path of builtPages()) {
  test(`${path} runs under the policy: every island hydrates, no violation, no console error`, async ({ page }) => {
    const watch = await watchPolicy(page);
    await visitAndHydrate(page, path);
    await page.waitForTimeout(300);
    expect(await watch.violations()).toEqual([]);
    expect(watch.problems).toEqual([]);
  });
}

test('what moved out of style attributes still applies: KaTeX boxes, Shiki colours, heat-map cells', async ({ page }) => {
  const watch = await watchPolicy(page);
  await visitAndHydrate(page, '/lessons/01-convolution-by-hand/');
  // A keyword token of a Markdown code block has github-light's keyword red, from its class.
  await expect(page.locator('pre.astro-code span.sk-light-d73a49').first()).toHaveCSS('color', 'rgb(215, 58, 73)');
  await visitAndHydrate(page, '/lessons/07-input-gradient-col2im/');
  // KaTeX's struts get their heights from the generated stylesheet (they have no height of their own).
  const struts = await page
    .locator('.katex .strut')
    .evaluateAll((els) => els.slice(0, 20).map((el) => parseFloat(getComputedStyle(el).height)));
  expect(struts.length).toBeGreaterThan(0);
  for (const h of struts) expect(h).toBeGreaterThan(0);
  // Heat-map cells got their colours through CSSOM when their island hydrated.
  const heat = await page
    .locator('td')
    .evaluateAll((tds) => tds.map((td) => getComputedStyle(td).getPropertyValue('--heat')).filter(Boolean).length);
  expect(heat).toBeGreaterThan(0);
  expect(await watch.violations()).toEqual([]);
  expect(watch.problems).toEqual([]);
});

test('no policy the site sends allows inline code or eval', () => {
  for (const policy of [PAGE_POLICY, META_POLICY, CELL_WORKER_POLICY]) expect(policy).not.toMatch(/'unsafe-inline'|'unsafe-eval'|data:/);
});

test('/notebook: a cell runs in the cell worker and shows its result, with no violation', async ({ page }) => {
  const watch = await watchPolicy(page);
  await visitAndHydrate(page, '/notebook/');
  const cell = page.locator('section[data-cell]').filter({ has: page.getByRole('button', { name: 'Run cell 1', exact: true }) });
  const workerScript = page.waitForResponse((r) => /\/cell\.worker-[^/]*\.js$/.test(new URL(r.url()).pathname));
  await cell.getByRole('button', { name: 'Run cell 1', exact: true }).click();
  // The worker runs cells as blob: modules, under a policy with no 'unsafe-eval'.
  expect((await workerScript).headers()['content-security-policy']).toBe(CELL_WORKER_POLICY);
  // conv2d of 1..9 (3×3) with the 2×2 kernel [10 11; 12 13]: 1·10 + 2·11 + 4·12 + 5·13 = 145, …
  const cells = cell.locator('.output table td');
  await expect(cells.first()).toBeVisible({ timeout: 30_000 });
  expect((await cells.allTextContents()).map((t) => t.trim())).toEqual(['145', '191', '283', '329']);
  // The editor opens styled (CodeMirror's rules go into an adopted stylesheet), and typing over a
  // selection that starts in a comment (Chrome would wrap the new text in a styled span) reports nothing.
  await cell.getByRole('textbox').first().click();
  await expect(cell.locator('.cm-content')).toBeFocused();
  await expect(cell.locator('.cm-editor')).toHaveCSS('display', 'flex');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('6 * 7');
  await expect(cell.locator('.cm-content')).toHaveText('6 * 7');
  await page.keyboard.press('Shift+Enter');
  await expect(cell.locator('.output .text')).toHaveText('42');
  // Names resolve when the code runs (a function may use one defined after it), errors keep their line.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('const later = () => twice(21)\nfunction twice(v) { return 2 * v }\nlater()');
  await page.keyboard.press('Shift+Enter');
  await expect(cell.locator('.output .text')).toHaveText('42');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('const ok = 1\nconv2dd(ok)');
  await page.keyboard.press('Shift+Enter');
  await expect(cell.locator('.output')).toContainText('conv2dd is not defined');
  await expect(cell.locator('.output')).toContainText('line 2');
  expect(await watch.violations()).toEqual([]);
  expect(watch.problems).toEqual([]);
});

test("/notebook: a cell worker sent the page's policy instead refuses the cell with a message naming the policy it needs", async ({
  page,
}) => {
  const misconfigured = await serveWithCsp(DIST, PAGE_POLICY);
  try {
    await page.goto(`${misconfigured.origin}/notebook/`);
    const run = page.getByRole('button', { name: 'Run cell 1', exact: true });
    await expect(run).toBeEnabled();
    await run.click();
    const cell = page.locator('section[data-cell]').filter({ has: run });
    await expect(cell.locator('.output')).toContainText('could not be loaded', { timeout: 30_000 });
    await expect(cell.locator('.output')).toContainText('must allow script-src blob:');
  } finally {
    await misconfigured.close();
  }
});

test("/train: the trainer trains one epoch on the CPU (WebAssembly in its worker); its confusion table and the pad's bars get their styles; no violation", async ({
  page,
}) => {
  const fixture = loadMnistFixture();
  test.skip(!fixture, 'no MNIST fixture');
  test.setTimeout(360_000);
  const watch = await watchPolicy(page);
  await openTrainer(page, fixture!, `${origin}/train/`);
  await configureRun(page, { backend: 'cpu', batchSize: 64, epochs: 1 });
  await startTraining(page);
  await waitForStepAbove(page, 3, 120_000);
  await waitForDone(page, 300_000);
  // Confusion cells are tinted through CSSOM (cssProps), not a style attribute: every non-empty cell, and only those.
  const cells = await page
    .getByRole('table', { name: 'Confusion matrix' })
    .locator('tbody td')
    .evaluateAll((tds) =>
      tds.map((td) => ({ count: Number(td.textContent!.replace(/,/g, '')), tinted: (td as HTMLElement).style.background !== '' })),
    );
  expect(cells).toHaveLength(100);
  expect(cells.filter((c) => c.count > 0).length).toBeGreaterThan(10);
  for (const c of cells) expect(c.tinted).toBe(c.count > 0);
  const pad = section(page, 'Draw a digit');
  await pad.getByRole('button', { name: 'Use a test digit' }).click();
  await expect.poll(async () => (await padProbabilities(page)).length, { timeout: 15_000 }).toBe(10);
  const widths = await pad.locator('.fill').evaluateAll((bars) => bars.map((b) => parseFloat((b as HTMLElement).style.width)));
  expect(widths).toHaveLength(10);
  expect(Math.abs(widths.reduce((a, w) => a + w, 0) - 100)).toBeLessThan(1.5);
  expect(await watch.violations()).toEqual([]);
  expect(watch.problems).toEqual([]);
});
