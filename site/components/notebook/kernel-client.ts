import type { OutputItem } from '../../../lib/notebook/output.ts';
import type { RunRequest, WorkerReply } from '../../../lib/notebook/protocol.ts';

interface Pending {
  onItem: (item: OutputItem) => void;
  resolve: (r: { ok: boolean; ms: number; stopped: boolean }) => void;
}

/**
 * The page's side of a notebook kernel: starts the cell worker on the first run (so neither the
 * worker nor the engine it bundles loads before a reader runs a cell), sends runs to it, and
 * routes the streamed output items back to the run that made them. `stop()` terminates the worker
 * at once (a `while (true) {}` cannot stop itself), ends every pending run as stopped and starts a
 * fresh worker, with a fresh scope. A worker that dies (e.g. out of memory)
 * ends its pending runs with an error item and is replaced the same way.
 */
export class KernelClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Whether a worker is running (false before the first run and right after a stop). */
  get started(): boolean {
    return this.worker !== null;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./cell.worker.ts', import.meta.url), { type: 'module', name: 'unrolled-cells' });
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'output') p.onItem(msg.item);
      else {
        this.pending.delete(msg.id);
        p.resolve({ ok: msg.ok, ms: msg.ms, stopped: false });
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.fail(
        `The cell worker stopped (${e.message || 'it ran out of memory or crashed'}); it was restarted, so the scope was reset: run the cells above again.`,
      );
    };
    this.worker = worker;
    return worker;
  }

  private fail(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.onItem({ kind: 'error', name: 'Error', message, line: null });
      p.resolve({ ok: false, ms: 0, stopped: false });
    }
  }

  /** Runs `source` as cell `name`; `onItem` gets its outputs in order. */
  run(source: string, name: string, onItem: (item: OutputItem) => void): Promise<{ ok: boolean; ms: number; stopped: boolean }> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { onItem, resolve });
      worker.postMessage({ type: 'run', id, name, source } satisfies RunRequest);
    });
  }

  /** Terminates the worker now and starts a fresh one; pending runs end as stopped. */
  stop(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ ok: false, ms: 0, stopped: true });
    }
    this.ensure();
  }
}
