/**
 * The page's side of the training worker: starts trainer.worker.ts as an ES-module worker and
 * gives typed send/receive over lib/train/protocol.ts messages.
 */
import type { FromWorker, ToWorker } from '../../../lib/train/protocol.ts';

/** A running training worker. */
export interface TrainerWorker {
  send(message: ToWorker, transfer?: Transferable[]): void;
  /** Ends the worker (page teardown). */
  terminate(): void;
}

/**
 * Starts the worker. `onMessage` gets every FromWorker message; `onFailure` gets the text of an
 * error the worker could not turn into a message itself (a script that failed to load, a crash).
 */
export function startTrainerWorker(onMessage: (message: FromWorker) => void, onFailure: (text: string) => void): TrainerWorker {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'unrolled-trainer' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    onFailure(event.message || 'the training worker could not start (its script failed to load)');
  };
  worker.onmessageerror = () => onFailure('a message from the training worker could not be read');
  return {
    send: (message, transfer = []) => worker.postMessage(message, transfer),
    terminate: () => worker.terminate(),
  };
}
