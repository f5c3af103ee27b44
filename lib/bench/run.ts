import type { CellResult } from './runner.ts';
import type { MethodId } from './method.ts';

/** A method as a finished run remembers it (the live objects stay in the worker). */
export interface MethodInfo {
  readonly id: MethodId;
  readonly label: string;
  readonly usesIm2col: boolean;
}

/**
 * A finished (or stopped) benchmark run as the page shows, exports and saves it. Times are
 * milliseconds per repetition of a whole case (all its layers).
 */
export interface BenchRun {
  readonly version: 1;
  /** ISO time the run started. */
  readonly startedAt: string;
  /** The browser's user agent string. */
  readonly environment: string;
  /** The WebGL2 device (its renderer string), or why WebGL2 was not measured. */
  readonly webgl: string;
  readonly repetitions: number;
  readonly warmup: number;
  readonly stopped: boolean;
  /** The methods in the order they ran; the first (nested loops) is the baseline. */
  readonly methods: readonly MethodInfo[];
  readonly cells: readonly CellResult[];
}

/** The cell for a case, pass and method, if the run has it. */
export function findCell(run: BenchRun | null, caseId: string, pass: string, methodId: string): CellResult | undefined {
  return run?.cells.find((c) => c.caseId === caseId && c.pass === pass && c.methodId === methodId);
}

/** The CPU im2col methods' names, shared by their BenchMethods and the tables shown before a run. */
export const CPU_LABELS = { im2col: 'im2col + GEMM, JS', 'im2col-wasm': 'im2col + GEMM, WASM SIMD' } as const;

/** The GPU methods' names, shared by createWebglMethod and the tables shown before a run. */
export const WEBGL_LABELS = { webgl: 'WebGL2 shaders', 'webgl-io': 'WebGL2 + transfers' } as const;

/**
 * The methods a run plans to time, for the empty tables shown before one: nested loops (the
 * baseline), im2col + GEMM on each CPU kernel (JS, WASM SIMD), and the two WebGL2 variants (data kept on the GPU; uploads and reads
 * included).
 */
export const PLANNED_METHODS: readonly MethodInfo[] = [
  { id: 'naive', label: 'Nested loops', usesIm2col: false },
  { id: 'im2col', label: CPU_LABELS.im2col, usesIm2col: true },
  { id: 'im2col-wasm', label: CPU_LABELS['im2col-wasm'], usesIm2col: true },
  { id: 'webgl', label: WEBGL_LABELS.webgl, usesIm2col: true },
  { id: 'webgl-io', label: WEBGL_LABELS['webgl-io'], usesIm2col: true },
];
