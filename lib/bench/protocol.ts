import { quoteClipped } from '../clip-text.ts';
import type { Progress, CellResult } from './runner.ts';
import type { BenchRun, MethodInfo } from './run.ts';

/** Messages from the page to the benchmark worker. */
export type ToBenchWorker =
  /**
   * Starts a run: `repetitions` timed runs per cell after `warmup` untimed ones, fewer (at least
   * two) once a cell's runs have taken `budgetMs`; `webgl` false skips the GPU methods.
   */
  | { readonly type: 'run'; readonly repetitions: number; readonly warmup: number; readonly budgetMs: number; readonly webgl: boolean }
  /** Ends the run after the repetition in progress. */
  | { readonly type: 'stop' };

/** Messages from the benchmark worker to the page. */
export type FromBenchWorker =
  /** The methods this run times (the GPU ones only when WebGL2 works) and the WebGL2 device or why it is not measured. */
  | { readonly type: 'methods'; readonly methods: readonly MethodInfo[]; readonly webgl: string }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'cell'; readonly cell: CellResult }
  /** The run is over (finished or stopped). */
  | { readonly type: 'done'; readonly run: BenchRun }
  | { readonly type: 'error'; readonly message: string };

/** The repetition counts the page offers; the first is the quick mode. */
export const REPETITION_CHOICES = [3, 10, 30] as const;

/** The repetitions a run uses by default. */
export const DEFAULT_REPETITIONS = 10;

/** The URL parameter that preselects the repetitions (e.g. `?bench.reps=3` for the quick mode). */
export const REPETITIONS_PARAM = 'bench.reps';

/** The repetitions named by the query, if it is one of REPETITION_CHOICES; else the default. */
export function repetitionsFromQuery(query: URLSearchParams): number {
  return readRepetitions(query).repetitions;
}

/**
 * The repetitions named by the query and, when the query names something else (`bench.reps=7`,
 * `bench.reps=abc`), the notice saying it was ignored (quoting at most 60 characters) and the
 * default used: `Ignored bench.reps "abc" from the link: it must be 3, 10 or 30; using 10.`
 */
export function readRepetitions(query: URLSearchParams): { repetitions: number; notice: string | null } {
  const raw = query.get(REPETITIONS_PARAM);
  if (raw === null) return { repetitions: DEFAULT_REPETITIONS, notice: null };
  const value = Number(raw);
  if (raw.trim() !== '' && (REPETITION_CHOICES as readonly number[]).includes(value)) return { repetitions: value, notice: null };
  const choices = `${REPETITION_CHOICES.slice(0, -1).join(', ')} or ${REPETITION_CHOICES.at(-1)}`;
  return {
    repetitions: DEFAULT_REPETITIONS,
    notice: `Ignored ${REPETITIONS_PARAM} ${quoteClipped(raw)} from the link: it must be ${choices}; using ${DEFAULT_REPETITIONS}.`,
  };
}

/** Untimed warm-up runs for a repetition count: one for the quick mode, two otherwise (JIT compilers settle). */
export function warmupFor(repetitions: number): number {
  return repetitions <= REPETITION_CHOICES[0] ? 1 : 2;
}

/** Milliseconds one cell's timed runs may take before the runner moves on: 400 ms per repetition asked for. */
export function budgetFor(repetitions: number): number {
  return 400 * repetitions;
}
