import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './tests/e2e/fixtures/chromium.ts';

/**
 * Browser tests run in a real Chromium against the built site (`astro preview`).
 * Chromium and its flags come from tests/e2e/fixtures/chromium.ts (shared with bench:train):
 * CHROMIUM_PATH, then /usr/bin/chromium (Debian's package), then Playwright's own browser.
 */
const port = Number(process.env.E2E_PORT ?? 4329);
// Where the built site is (`astro build --outDir …`); lets several checkouts' builds coexist.
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath(),
      args: chromiumArgs(),
    },
  },
  webServer: {
    // --ignore-lock: never refuse or background the server because another preview holds the lock.
    command: `npx astro preview --host 127.0.0.1 --port ${port} --outDir ${dist} --ignore-lock`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
