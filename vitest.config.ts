import { defineConfig } from 'vitest/config';

// Unit tests only: the browser tests under tests/e2e run through Playwright.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
