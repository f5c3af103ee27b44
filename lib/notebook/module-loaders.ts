import type { CellModuleLoader } from './kernel.ts';

/**
 * Loads a cell module from a `blob:` URL, revoked once the module is evaluated: what the browser's
 * cell worker uses, under a policy of `script-src 'self' blob:` (no 'unsafe-eval').
 */
export const blobModuleLoader: CellModuleLoader = async (source) => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
};

/** Loads a cell module from a `data:` URL: for Node (tests and tools), whose `import()` takes no blob: URLs. */
export const dataUrlModuleLoader: CellModuleLoader = (source) =>
  import(/* @vite-ignore */ `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
