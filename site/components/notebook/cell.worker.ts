/**
 * The notebook kernel's Web Worker: one CellKernel whose scope holds every public name of the
 * engine (lib/index.ts), `show` and `console`; each cell runs as a `blob:` module, so the worker
 * needs no eval. Runs requests one after another (a cell that awaits still finishes before the
 * next starts) and streams each output item back as it is produced. Started lazily by
 * kernel-client.ts on a page's first run.
 */
import * as engine from '../../../lib/index.ts';
import { CellKernel } from '../../../lib/notebook/kernel.ts';
import { blobModuleLoader } from '../../../lib/notebook/module-loaders.ts';
import { runCellToOutputs } from '../../../lib/notebook/run-cell.ts';
import type { RunRequest, WorkerReply } from '../../../lib/notebook/protocol.ts';

const kernel = new CellKernel({ ...engine }, blobModuleLoader);
const post = (msg: WorkerReply) => (self as unknown as Worker).postMessage(msg);
let queue: Promise<unknown> = Promise.resolve();

self.onmessage = (event: MessageEvent<RunRequest>) => {
  const req = event.data;
  if (req?.type !== 'run') return;
  queue = queue.then(async () => {
    const t0 = performance.now();
    const ok = await runCellToOutputs(kernel, req.source, req.name, (item) => post({ type: 'output', id: req.id, item }));
    post({ type: 'done', id: req.id, ok, ms: performance.now() - t0 });
  });
};
