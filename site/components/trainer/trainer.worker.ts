/**
 * The training worker: a thin shell around lib/train's session. Page messages (ToWorker) go to
 * `session.handle`; the session's FromWorker messages go back with their fresh buffers transferred.
 * WebGL2 runs on an OffscreenCanvas here; without it the session falls back to the CPU engine.
 * Created by the page with
 * `new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' })`.
 */
import { createTrainingSession } from '../../../lib/train/session.ts';
import type { BackendFactory } from '../../../lib/train/session.ts';
import { createCpuBackend } from '../../../lib/train/cpu-backend.ts';
import type { FromWorker, ToWorker } from '../../../lib/train/protocol.ts';
import { createWebGLBackend } from '../../../lib/webgl/index.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

const backendFactory: BackendFactory = (kind, options) => {
  if (kind === 'cpu') return createCpuBackend(options);
  if (typeof OffscreenCanvas === 'undefined') throw new Error('this browser has no OffscreenCanvas in workers');
  return createWebGLBackend({ ...options, canvas: new OffscreenCanvas(1, 1) });
};

const session = createTrainingSession({
  backendFactory,
  post: (message, transfer) => scope.postMessage(message, transfer ?? []),
});

scope.onmessage = (event) => {
  void session.handle(event.data);
};
