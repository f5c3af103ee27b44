import type { BackendKind, OptimizerSettings } from './backend.ts';

/** The presets the trainer's layer editor starts from, by name (see SEED_CNN, OVERLAP_CNN and NET_PRESETS). */
export type PresetName = 'seed-cnn' | 'overlap-cnn';

/** Which backend the reader asked for; 'auto' means WebGL2 when available, else the CPU worker. */
export type BackendChoice = 'auto' | BackendKind;

/** Everything that defines a training run. Changing any field but the learning rate needs a Reset. */
export interface TrainSettings {
  /** The network in its canonical text form (see lib/train/net-spec.ts), e.g. `c16k3s1p1,f,d10`. */
  readonly net: string;
  readonly backend: BackendChoice;
  readonly optimizer: OptimizerSettings;
  /** One of BATCH_SIZES. */
  readonly batchSize: number;
  /** Passes over the training set, 1..50. */
  readonly epochs: number;
  /** Seeds the He initialisation and the shuffling: same seed, same run. */
  readonly seed: number;
}

/** Batch sizes the trainer accepts. */
export const BATCH_SIZES = [16, 32, 64, 128] as const;

/** A dataset as it travels to the worker: raw pixels `[count, 28, 28]` 0..255 and labels 0..9. */
export interface DatasetPayload {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** Parameters as they travel between threads: the network (canonical text), names and shapes in paramSpecs order. */
export interface ParamsPayload {
  readonly net: string;
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly data: readonly Float32Array[];
}

/**
 * Where a run stands: epochs completed (may be fractional, e.g. 2.5) and steps taken. Sent with
 * checkpoint weights so a restored run goes on counting from its own step and epoch.
 */
export interface RunPosition {
  readonly step: number;
  readonly epoch: number;
}

/**
 * Messages from the page to the training worker. Any of them may carry a `requestId`; the worker
 * then answers with a message carrying the same id (the 'params' reply of a snapshot, else an
 * 'ack' once the message is handled, with the error text if it failed), so that a request's reply
 * can be told from every other message (see worker-client's `request`).
 */
export type ToWorker =
  /** The data to train and test on (sent once, before configure). */
  (
    | { readonly type: 'data'; readonly train: DatasetPayload; readonly test: DatasetPayload }
    /**
     * Builds the model and backend; `params` restores a checkpoint instead of initialising, and
     * `position` (with params) continues that checkpoint's step and epoch count.
     */
    | { readonly type: 'configure'; readonly settings: TrainSettings; readonly params?: ParamsPayload; readonly position?: RunPosition }
    /** Starts training, or resumes after a pause. */
    | { readonly type: 'train' }
    | { readonly type: 'pause' }
    /** Back to freshly initialised parameters (same settings), step 0. */
    | { readonly type: 'reset' }
    | { readonly type: 'set-learning-rate'; readonly learningRate: number }
    /**
     * Asks for a 'params' message with the current parameters; `quiet` marks the reply as kept for
     * a save only (the page does not redraw its weights from it).
     */
    | { readonly type: 'snapshot'; readonly quiet?: boolean }
    /** Puts back the last good weights kept before the loss diverged (after a 'diverged' fault). */
    | { readonly type: 'rollback' }
    /** After Done: plans `epochs` more epochs and trains on from the current weights. */
    | { readonly type: 'more-epochs'; readonly epochs: number }
    /** Fault injection for tests and the page's "simulate" buttons. */
    | { readonly type: 'simulate'; readonly fault: 'lose-context' | 'restore-context' | 'nan-loss' }
  ) & { readonly requestId?: number };

/**
 * What stopped or disturbed training: a non-finite loss, a diverging loss (far above its running
 * minimum), a lost or restored GPU context, or any other error.
 */
export type FaultKind = 'non-finite' | 'diverged' | 'context-lost' | 'context-restored' | 'error';

/** The worker's lifecycle as the page shows it. */
export type TrainerState = 'idle' | 'configuring' | 'ready' | 'training' | 'paused' | 'done' | 'fault';

/** One recorded training step, for the charts. */
export interface StepPoint {
  /** Global step number, from 1. */
  readonly step: number;
  /** Fractional epoch at the end of this step (e.g. 1.25). */
  readonly epoch: number;
  readonly loss: number;
  /** Batch accuracy in [0, 1]. */
  readonly accuracy: number;
}

/** Messages from the training worker to the page. */
export type FromWorker =
  | { readonly type: 'state'; readonly state: TrainerState }
  /** The backend in use; `fallbackReason` says why WebGL2 was not used when it was asked for. */
  | { readonly type: 'backend'; readonly kind: BackendKind; readonly deviceName: string; readonly fallbackReason?: string }
  /** Sent a few times a second while training. `points` are the steps since the last progress. */
  | {
      readonly type: 'progress';
      readonly epoch: number;
      readonly stepInEpoch: number;
      readonly stepsPerEpoch: number;
      readonly step: number;
      readonly totalSteps: number;
      readonly imagesPerSecond: number;
      /** Seconds left in this epoch at the current speed (null until measured). */
      readonly epochEtaSeconds: number | null;
      readonly points: readonly StepPoint[];
    }
  /** After each epoch: the test set's predicted classes (one per test digit) and accuracy. */
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly testAccuracy: number;
      readonly testLoss: number;
      readonly predictions: Uint8Array;
      readonly params: ParamsPayload;
    }
  /**
   * The current weights and the step they include (a snapshot's reply carries its requestId, and
   * `quiet` when the snapshot asked for it).
   */
  | {
      readonly type: 'params';
      readonly step: number;
      readonly epoch: number;
      readonly params: ParamsPayload;
      readonly requestId?: number;
      readonly quiet?: boolean;
    }
  /** A message with a requestId was handled (`error`: why it failed). */
  | { readonly type: 'ack'; readonly requestId: number; readonly error?: string }
  /**
   * A quick check on the first `count` test digits (a fixed slice, 1,000 by default) every few
   * hundred steps and after a restore: mean loss, accuracy and the predicted class of each.
   */
  | {
      readonly type: 'validation';
      readonly step: number;
      readonly epoch: number;
      readonly loss: number;
      readonly accuracy: number;
      readonly count: number;
      readonly predictions: Uint8Array;
    }
  /** Progress of the full test pass at the end of an epoch: `done` of `total` digits classified. */
  | { readonly type: 'testing'; readonly done: number; readonly total: number }
  /** The weights went back to those kept at `step` (a rollback): curves beyond it are dropped. */
  | { readonly type: 'rolled-back'; readonly step: number; readonly epoch: number; readonly stepInEpoch: number }
  /** A fault: training paused (non-finite loss), the GPU context was lost or restored, or an error. */
  | {
      readonly type: 'fault';
      readonly fault: FaultKind;
      readonly message: string;
      /**
       * 'diverged': the step of the good weights a rollback goes back to.
       * 'context-lost' and 'context-restored': the step of the kept weights. Training goes on
       * from there, so steps after it are taken (and reported) again; a chart may drop its points
       * beyond this step.
       */
      readonly step?: number;
    };
