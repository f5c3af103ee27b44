import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tests/unit/helpers/mnist-dir.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The two test-set files the data tests read. */
export const MNIST_TEST_FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'] as const;

/** What a skipped test says when no MNIST copy is found. */
export const MNIST_MISSING =
  'no MNIST test files found (set MNIST_DIR, or run `npm run data` to download them into site/public/data/mnist/)';

/**
 * Finds a folder holding the MNIST test files: $MNIST_DIR, then ../shared/mnist next to the
 * repository, then site/public/data/mnist/ (where `npm run data` puts them). Null when none has
 * them, so the tests that need real data skip.
 */
export function findMnistDir(required: readonly string[] = MNIST_TEST_FILES): string | null {
  const candidates = [
    process.env.MNIST_DIR,
    path.resolve(REPO_ROOT, '../shared/mnist'),
    path.resolve(REPO_ROOT, 'site/public/data/mnist'),
  ];
  for (const dir of candidates) {
    if (dir && required.every((name) => existsSync(path.join(dir, name)))) return dir;
  }
  return null;
}

/** Reads one file of the MNIST folder as bytes. */
export function readMnistFile(dir: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(dir, name)));
}
