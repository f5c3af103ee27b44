import { defineConfig } from 'vitest/config';

// Unit tests only: the browser tests under tests/e2e run through Playwright.
// The global setup compiles the WebAssembly kernels (lib/cli/build-wasm.ts) before any test file
// loads the engine. The suite runs twice, once per GEMM kernel (UNROLLED_GEMM, read by lib/gemm.ts):
// every op, backward, TF.js parity and training test must pass on both.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    globalSetup: ['tests/unit/helpers/build-wasm-setup.ts'],
    projects: [
      { extends: true, test: { name: 'wasm', env: { UNROLLED_GEMM: 'wasm' } } },
      { extends: true, test: { name: 'js', env: { UNROLLED_GEMM: 'js' } } },
    ],
  },
});
