import type { BackendKind, BackendOptions, TrainingBackend } from './backend.ts';
import type { FromWorker, ToWorker, TrainerState } from './protocol.ts';
import type { Param } from './model.ts';

/**
 * Builds a backend of the given kind. The worker's factory creates a WebGL2 backend on an
 * OffscreenCanvas for 'webgl' (throwing when WebGL2 or float render targets are missing) and the
 * CPU backend for 'cpu'.
 */
export type BackendFactory = (kind: BackendKind, options: BackendOptions) => TrainingBackend | Promise<TrainingBackend>;

/** What a training session needs from its host (a Web Worker, or a test). */
export interface SessionOptions {
  readonly backendFactory: BackendFactory;
  /** Sends a message to the page; `transfer` lists buffers the session no longer uses. */
  readonly post: (message: FromWorker, transfer?: Transferable[]) => void;
  /** Milliseconds from some origin (default performance.now). */
  readonly now?: () => number;
  /** Runs `task` soon, after pending messages (default setTimeout 0): how the loop yields. */
  readonly schedule?: (task: () => void) => void;
  /** Least time between two 'progress' messages, ms (default 125: at most 8 a second). */
  readonly progressIntervalMs?: number;
  /** Steps between kept parameter snapshots for context-loss recovery (default 50). */
  readonly snapshotEvery?: number;
  /**
   * Steps kept queued on a WebGL backend (default: the backend's preferredQueueDepth, else 1; the
   * CPU runs 1 at a time). One step in flight keeps a software renderer's queue short so the
   * page's own frames are not held back behind training; deeper queues pipeline a fast GPU.
   */
  readonly queueDepth?: number;
  /** Step completions not timed after each (re)start of the loop (default 3). */
  readonly warmupSteps?: number;
  /** Steps between quick checks on the first `validationCount` test digits (default 100; 0: never). */
  readonly validateEvery?: number;
  /** Test digits of the quick check (default 1,000; fewer when the test set is smaller). */
  readonly validationCount?: number;
}

/** The worker's brain: driven by page messages, answering with FromWorker messages. */
export interface TrainingSession {
  /** Handles one page message; resolves once it has been handled (training itself goes on). Never rejects. */
  handle(message: ToWorker): Promise<void>;
  /** Resolves when every message so far has been handled and no training loop is running. */
  idle(): Promise<void>;
  /** The current lifecycle state. */
  readonly state: TrainerState;
  /** Stops training and frees the backend. */
  dispose(): void;
}

/** Parameters kept for recovery, and where in the run they were taken. */
export interface Snapshot {
  readonly params: Param[];
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
}
