/**
 * The page's side of the training worker: starts trainer.worker.ts as an ES-module worker and
 * gives typed send/receive over lib/train/protocol.ts messages, plus `request`, which tags a
 * message with a fresh request id and resolves with the worker's reply carrying that id (a
 * snapshot's 'params', else an 'ack'), so concurrent requests never take each other's replies.
 */
import type { FromWorker, ToWorker } from '../../../lib/train/protocol.ts';

/** A message to the worker, without the request id `request` adds. */
export type WorkerRequest = ToWorker extends infer M ? (M extends ToWorker ? Omit<M, 'requestId'> : never) : never;

/** The reply to a request: `params` for a snapshot, an `ack` (maybe with an error) otherwise. */
export type WorkerReply = Extract<FromWorker, { type: 'params' } | { type: 'ack' }>;

/** A running training worker. */
export interface TrainerWorker {
  send(message: ToWorker, transfer?: Transferable[]): void;
  /**
   * Sends `message` with a new request id; resolves with the reply bearing that id, or null when
   * none came within `timeoutMs` (default 10 s) or the worker was terminated. An 'ack' with an
   * error rejects with an Error of that text.
   */
  request(message: WorkerRequest, timeoutMs?: number): Promise<WorkerReply | null>;
  /** Ends the worker (page teardown); pending requests resolve with null. */
  terminate(): void;
}

/**
 * Starts the worker. `onMessage` gets every FromWorker message (replies to requests too);
 * `onFailure` gets the text of an error the worker could not turn into a message itself (a script
 * that failed to load, a crash).
 */
export function startTrainerWorker(onMessage: (message: FromWorker) => void, onFailure: (text: string) => void): TrainerWorker {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'unrolled-trainer' });
  const pending = new Map<number, (reply: WorkerReply | null, error?: Error) => void>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    const id = (message as { requestId?: unknown }).requestId;
    if ((message.type === 'params' || message.type === 'ack') && typeof id === 'number') {
      const settle = pending.get(id);
      pending.delete(id);
      if (settle) settle(message, message.type === 'ack' && message.error ? new Error(message.error) : undefined);
    }
    onMessage(message);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    onFailure(event.message || 'the training worker could not start (its script failed to load)');
  };
  worker.onmessageerror = () => onFailure('a message from the training worker could not be read');
  return {
    send: (message, transfer = []) => worker.postMessage(message, transfer),
    request(message, timeoutMs = 10_000) {
      const requestId = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          resolve(null);
        }, timeoutMs);
        pending.set(requestId, (reply, error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(reply);
        });
        worker.postMessage({ ...message, requestId });
      });
    },
    terminate: () => {
      worker.terminate();
      for (const settle of pending.values()) settle(null);
      pending.clear();
    },
  };
}
