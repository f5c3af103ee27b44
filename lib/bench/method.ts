import type { Tensor } from '../tensor.ts';
import type { LayerInputs, Pass } from './inputs.ts';

/** Identifies a method in results and saved runs. */
export type MethodId = 'naive' | 'im2col' | 'im2col-wasm' | 'webgl' | 'webgl-io';

/**
 * One case and pass made ready to time: `run` does the work once (and, for a GPU method, waits
 * until the device has finished); `read` returns what the last run computed, per layer — the
 * output `y` for the forward pass, `dx, dw, db` for the backward pass — for checks; `dispose`
 * frees what `prepare` allocated.
 */
export interface PreparedRun {
  run(): void | Promise<void>;
  read(): Tensor[] | Promise<Tensor[]>;
  dispose(): void;
}

/**
 * A way of computing the convolutions of a case. The runner knows only this interface, so adding
 * a method (a WebGL one, say) is one more small object.
 */
export interface BenchMethod {
  readonly id: MethodId;
  /** Row label in the tables, e.g. `im2col + GEMM`. */
  readonly label: string;
  /** One line on what it runs, for the lesson and the Markdown export. */
  readonly description: string;
  /** Whether it builds the im2col matrix (its memory cost applies). */
  readonly usesIm2col: boolean;
  /** The passes it can time. */
  readonly passes: readonly Pass[];
  /** Allocates and uploads what a repetition needs (not timed). */
  prepare(inputs: readonly LayerInputs[], pass: Pass): PreparedRun | Promise<PreparedRun>;
}
