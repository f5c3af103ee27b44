import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/**
 * Browser tests run in a real Chromium against the built site (`astro preview`).
 * Chromium is found through CHROMIUM_PATH, then /usr/bin/chromium (Debian's package), then
 * Playwright's own downloaded browser where a machine has one.
 */
function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
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
      args: [
        // WebGL2 with float render targets through SwiftShader, headless, no GPU needed.
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--ignore-gpu-blocklist',
        // This machine's network is closed: keep Chromium from phoning home.
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        ...(isRoot ? ['--no-sandbox'] : []),
      ],
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
