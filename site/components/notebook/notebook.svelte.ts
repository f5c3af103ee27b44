import { KernelClient } from './kernel-client.ts';
import { loadEdits, saveEdit } from '../../../lib/notebook/edits.ts';
import type { KeyValueStorage } from '../../../lib/notebook/edits.ts';
import type { OutputItem } from '../../../lib/notebook/output.ts';

/** Where a cell is: never run, waiting behind another, running, finished, failed, or stopped. */
export type CellStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'stopped';

/** A run taking longer than this (ms) shows the running state and the Stop button. */
export const SLOW_AFTER_MS = 150;

/**
 * One cell's state: its code as the lesson wrote it (`original`) and as the reader has it now
 * (`source`; `edited` when they differ), its outputs of the last run and where it is.
 */
export class CellModel {
  readonly id: string;
  original: string;
  source: string = $state('');
  outputs: OutputItem[] = $state([]);
  status: CellStatus = $state('idle');
  /** The last run's time in the worker (ms), null before a run. */
  ms: number | null = $state(null);
  /** True while a run has lasted longer than SLOW_AFTER_MS. */
  slow = $state(false);

  constructor(id: string, original: string, source = original) {
    this.id = id;
    this.original = original;
    this.source = source;
  }

  /** Whether the reader's code differs from the lesson's. */
  get edited(): boolean {
    return this.source !== this.original;
  }
}

function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

let scratchIds = 0;

/**
 * A page's notebook: its cells in order and the one kernel (Web Worker) they share, so a name
 * defined by one cell is in scope in the next after it ran. Runs are queued and execute in order;
 * `stop()` ends the running cell at once, cancels the queued ones and resets the scope. Lesson
 * notebooks (`persist`) keep the reader's edits in localStorage under the page's key.
 */
export class Notebook {
  readonly key: string;
  readonly persist: boolean;
  cells: CellModel[] = $state([]);
  busy = $derived(this.cells.some((c) => c.status === 'running' || c.status === 'queued'));
  private readonly kernel = new KernelClient();
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping for run order; nothing renders it
  private orders = new Map<string, number>();
  /** The generation in which Run all was pressed: cells that hydrate after it join the run. */
  private runAllGeneration = -1;

  constructor(key: string, persist: boolean) {
    this.key = key;
    this.persist = persist;
  }

  /** A lesson cell (id, position `order`, the lesson's code), with the reader's kept edit if any. */
  register(id: string, order: number, code: string): CellModel {
    const existing = this.cells.find((c) => c.id === id);
    if (existing) return existing;
    const kept = this.persist ? loadEdits(browserStorage(), this.key)[id] : undefined;
    const cell = new CellModel(id, code, kept ?? code);
    this.orders.set(id, order);
    this.cells = [...this.cells, cell].sort((a, b) => (this.orders.get(a.id) ?? 0) - (this.orders.get(b.id) ?? 0));
    if (this.runAllGeneration === this.generation) void this.run(cell);
    return cell;
  }

  /** A new scratch cell holding `code`, after `after` (default: at the end). */
  add(code = '', after?: CellModel): CellModel {
    const cell = new CellModel(`s${++scratchIds}`, '', code);
    const at = after ? this.cells.indexOf(after) + 1 : this.cells.length;
    this.cells = [...this.cells.slice(0, at), cell, ...this.cells.slice(at)];
    return cell;
  }

  /** Replaces every cell with scratch cells holding `sources`. */
  replaceAll(sources: readonly string[]): void {
    this.cells = sources.map((s) => new CellModel(`s${++scratchIds}`, '', s));
  }

  remove(cell: CellModel): void {
    this.cells = this.cells.filter((c) => c !== cell);
  }

  /** Moves a cell up (−1) or down (+1) by one place; at either end it stays. */
  move(cell: CellModel, delta: -1 | 1): void {
    const from = this.cells.indexOf(cell);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.cells.length) return;
    const next = [...this.cells];
    next.splice(from, 1);
    next.splice(to, 0, cell);
    this.cells = next;
  }

  /** The reader changed a cell's code: kept (lesson notebooks) unless it is the lesson's code again. */
  setSource(cell: CellModel, source: string): void {
    cell.source = source;
    if (this.persist) saveEdit(browserStorage(), this.key, cell.id, source === cell.original ? null : source);
  }

  /** Puts the lesson's code back and forgets the edit. */
  reset(cell: CellModel): void {
    this.setSource(cell, cell.original);
  }

  /** Queues one cell; it runs after those queued before it. */
  run(cell: CellModel): Promise<void> {
    const gen = this.generation;
    cell.status = 'queued';
    const job = this.chain.then(() => this.exec(cell, gen));
    this.chain = job;
    return job;
  }

  /** Queues every cell, top to bottom (and lesson cells whose island hydrates later, after them). */
  runAll(): Promise<void> {
    this.runAllGeneration = this.generation;
    let last: Promise<void> = this.chain;
    for (const cell of this.cells) last = this.run(cell);
    return last;
  }

  /** Ends the running cell now (terminating and restarting the worker), cancels queued ones. */
  stop(): void {
    this.generation++;
    this.kernel.stop();
    for (const c of this.cells) if (c.status === 'queued') c.status = 'idle';
  }

  private async exec(cell: CellModel, gen: number): Promise<void> {
    if (gen !== this.generation || !this.cells.includes(cell)) {
      if (cell.status === 'queued') cell.status = 'idle';
      return;
    }
    cell.status = 'running';
    cell.outputs = [];
    cell.slow = false;
    const t0 = performance.now();
    const timer = setTimeout(() => {
      cell.slow = true;
    }, SLOW_AFTER_MS);
    const n = this.cells.indexOf(cell) + 1;
    const result = await this.kernel.run(cell.source, `cell-${n}`, (item) => {
      cell.outputs = [...cell.outputs, item];
    });
    clearTimeout(timer);
    cell.slow = false;
    cell.ms = result.stopped ? performance.now() - t0 : result.ms;
    if (result.stopped) {
      cell.status = 'stopped';
      cell.outputs = [
        ...cell.outputs,
        {
          kind: 'notice',
          text: `Stopped after ${(cell.ms / 1000).toFixed(1)} s. The worker was ended and a fresh one started, so the scope was reset: names defined by earlier cells are gone until you run those cells again.`,
        },
      ];
    } else cell.status = result.ok ? 'done' : 'error';
  }
}

// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry looked up once per island; nothing renders it
const notebooks = new Map<string, Notebook>();

/** The page's notebook for `key` (one per lesson page or scratch page), made on first use. */
export function notebookFor(key: string, persist = true): Notebook {
  let nb = notebooks.get(key);
  if (!nb) {
    nb = new Notebook(key, persist);
    notebooks.set(key, nb);
  }
  return nb;
}
