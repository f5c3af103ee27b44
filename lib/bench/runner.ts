import { ConvConfigError, describeValue } from '../errors.ts';
import type { BenchCase } from './cases.ts';
import type { LayerInputs, Pass } from './inputs.ts';
import { PASSES, makeCaseInputs } from './inputs.ts';
import type { BenchMethod, MethodId, PreparedRun } from './method.ts';
import type { Stats } from './stats.ts';
import type { Tensor } from '../tensor.ts';
import { relativeError } from './agreement.ts';
import { summarize } from './stats.ts';

/** One cell of the results: a method timed on one case and pass. */
export interface CellResult {
  readonly caseId: BenchCase['id'];
  readonly pass: Pass;
  readonly methodId: MethodId;
  /**
   * `done`: every repetition ran; `stopped`: the reader stopped it (stats over the repetitions that
   * ran, if any); `skipped`: the method cannot time this pass or was not available; `error`: it threw.
   */
  readonly status: 'done' | 'stopped' | 'skipped' | 'error';
  /** Milliseconds per repetition, in the order they ran (warm-up excluded). */
  readonly times: readonly number[];
  readonly stats: Stats | null;
  /** Why a cell is skipped or failed. */
  readonly note?: string;
  /** relativeError of the last repetition's results against the reference (when one was given). */
  readonly maxError?: number;
}

/** Where the runner is: repetitions finished (warm-up included) out of the total, and what runs now. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  /** e.g. `AlexNet-sized layer, batch 1 · forward · Nested loops`. */
  readonly current: string;
}

/** What to run and how. Only `cases`, `methods` and `repetitions` are required. */
export interface RunnerOptions {
  readonly cases: readonly BenchCase[];
  /** The first method is the baseline of the speed-ups (nested loops). */
  readonly methods: readonly BenchMethod[];
  /** Timed repetitions per cell, 1..1000. */
  readonly repetitions: number;
  /** Untimed runs before them (compilation, caches, shader programs), 0..100; default 1. */
  readonly warmup?: number;
  /**
   * Time budget of one cell's timed runs in ms: once at least MIN_REPETITIONS have run and their
   * sum exceeds it, the cell ends early (slow cells get fewer runs, as the seed timed 960 single
   * images but only 30 batches). Default: no budget.
   */
  readonly budgetMs?: number;
  /** Passes to time; default both. */
  readonly passes?: readonly Pass[];
  /** The clock in milliseconds; default performance.now. */
  readonly now?: () => number;
  /** Lets other work (a Stop message) in between repetitions; default a macrotask (setTimeout 0). */
  readonly yieldControl?: () => Promise<void>;
  /** Checked after every repetition; true ends the run early. */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (progress: Progress) => void;
  /** Called as each cell finishes. */
  readonly onCell?: (cell: CellResult) => void;
  /** Builds a case's operands (default makeCaseInputs with seed 1); called once per case. */
  readonly inputs?: (c: BenchCase) => LayerInputs[];
  /**
   * The correct results of a case and pass, per layer (`y`, or `dx, dw, db`), computed once and
   * compared (untimed) with what each method's last repetition computed.
   */
  readonly reference?: (inputs: readonly LayerInputs[], pass: Pass) => Tensor[];
}

/** What a run returns: every cell in plan order, and whether it was stopped. */
export interface RunOutcome {
  readonly cells: CellResult[];
  readonly stopped: boolean;
}

function checkCount(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConvConfigError(name, `${name} must be an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** A cell cut short by the budget still has at least this many timed runs (or `repetitions`, if fewer). */
export const MIN_REPETITIONS = 2;

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The cells of a plan, in the order they run: case by case, forward then backward, method by method. */
export function planCells(
  cases: readonly BenchCase[],
  passes: readonly Pass[],
  methods: readonly BenchMethod[],
): { c: BenchCase; pass: Pass; method: BenchMethod }[] {
  return cases.flatMap((c) => passes.flatMap((pass) => methods.map((method) => ({ c, pass, method }))));
}

/**
 * Times every method on every case and pass: for each cell, `prepare` (untimed), `warmup` untimed
 * runs, then `repetitions` timed runs (fewer once `budgetMs` is spent), each timed alone with
 * `now()` around `run()`; after every run it yields (so a Stop can arrive) and checks `shouldStop`. A method that cannot do a pass is
 * recorded as skipped; one that throws is recorded as an error and the run goes on.
 */
export async function runBenchmark(options: RunnerOptions): Promise<RunOutcome> {
  const repetitions = checkCount('repetitions', options.repetitions, 1, 1000);
  const warmup = checkCount('warmup', options.warmup ?? 1, 0, 100);
  if (!Array.isArray(options.methods) || options.methods.length === 0) {
    throw new ConvConfigError('methods', `methods must be a non-empty list, got ${describeValue(options.methods)}`);
  }
  const budgetMs = options.budgetMs ?? Infinity;
  if (typeof budgetMs !== 'number' || !(budgetMs > 0)) {
    throw new ConvConfigError('budgetMs', `budgetMs must be a positive number of milliseconds, got ${describeValue(budgetMs)}`);
  }
  const now = options.now ?? (() => performance.now());
  const yieldControl = options.yieldControl ?? macrotask;
  const shouldStop = options.shouldStop ?? (() => false);
  const makeInputs = options.inputs ?? ((c: BenchCase) => makeCaseInputs(c));
  const plan = planCells(options.cases, options.passes ?? PASSES, options.methods);
  const perCell = warmup + repetitions;
  const runnable = plan.filter((p) => p.method.passes.includes(p.pass)).length;
  const total = runnable * perCell;
  const cells: CellResult[] = [];
  let done = 0;
  let stopped = false;
  // One case's operands and one pass's reference at a time (the next case replaces them).
  const inputsOf = { id: '', inputs: [] as LayerInputs[] };
  const referenceOf = { key: '', tensors: [] as Tensor[] };

  const finish = (cell: CellResult) => {
    cells.push(cell);
    options.onCell?.(cell);
  };

  for (const { c, pass, method } of plan) {
    const base = { caseId: c.id, pass, methodId: method.id };
    if (stopped) {
      finish({ ...base, status: 'stopped', times: [], stats: null });
      continue;
    }
    if (!method.passes.includes(pass)) {
      finish({ ...base, status: 'skipped', times: [], stats: null, note: `${method.label} does not time the ${pass} pass` });
      continue;
    }
    const current = `${c.label} · ${pass} · ${method.label}`;
    options.onProgress?.({ done, total, current });
    if (inputsOf.id !== c.id) Object.assign(inputsOf, { id: c.id, inputs: makeInputs(c) });
    const times: number[] = [];
    const cellStart = done;
    let prepared: PreparedRun | null = null;
    let failure: string | null = null;
    let maxError: number | undefined;
    try {
      prepared = await method.prepare(inputsOf.inputs, pass);
      for (let k = 0; k < perCell; k++) {
        const t0 = now();
        await prepared.run();
        const elapsed = now() - t0;
        if (k >= warmup) times.push(elapsed);
        done++;
        const spent = times.reduce((a, b) => a + b, 0);
        const overBudget = times.length >= Math.min(MIN_REPETITIONS, repetitions) && spent > budgetMs;
        if (overBudget) done = cellStart + perCell;
        options.onProgress?.({ done, total, current });
        await yieldControl();
        if (shouldStop()) {
          stopped = true;
          break;
        }
        if (overBudget) break;
      }
      if (options.reference && times.length > 0) {
        const key = `${c.id}/${pass}`;
        if (referenceOf.key !== key) Object.assign(referenceOf, { key, tensors: options.reference(inputsOf.inputs, pass) });
        maxError = relativeError(await prepared.read(), referenceOf.tensors);
      }
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    } finally {
      prepared?.dispose();
    }
    const stats = times.length > 0 ? summarize(times) : null;
    if (failure !== null) finish({ ...base, status: 'error', times, stats: null, note: failure });
    else {
      const status = stopped && times.length < repetitions ? 'stopped' : 'done';
      finish({ ...base, status, times, stats, ...(maxError === undefined ? {} : { maxError }) });
    }
    if (failure !== null) done = cellStart + perCell;
  }
  options.onProgress?.({ done: stopped ? done : total, total, current: stopped ? 'Stopped' : 'Done' });
  return { cells, stopped };
}
