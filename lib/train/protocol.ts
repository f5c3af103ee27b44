import type { BackendKind, OptimizerSettings } from './backend.ts';

/** The presets the trainer page offers, by name (see SEED_CNN and OVERLAP_CNN). */
export type PresetName = 'seed-cnn' | 'overlap-cnn';

/** Which backend the reader asked for; 'auto' means WebGL2 when available, else the CPU worker. */
export type BackendChoice = 'auto' | BackendKind;

/** Everything that defines a training run. Changing any field but the learning rate needs a Reset. */
export interface TrainSettings {
  readonly preset: PresetName;
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

/** Parameters as they travel between threads: names and shapes in paramSpecs order. */
export interface ParamsPayload {
  readonly preset: PresetName;
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly data: readonly Float32Array[];
}

/** Messages from the page to the training worker. */
export type ToWorker =
  /** The data to train and test on (sent once, before configure). */
  | { readonly type: 'data'; readonly train: DatasetPayload; readonly test: DatasetPayload }
  /** Builds the model and backend; `params` restores a checkpoint instead of initialising. */
  | { readonly type: 'configure'; readonly settings: TrainSettings; readonly params?: ParamsPayload }
  /** Starts training, or resumes after a pause. */
  | { readonly type: 'train' }
  | { readonly type: 'pause' }
  /** Back to freshly initialised parameters (same settings), step 0. */
  | { readonly type: 'reset' }
  | { readonly type: 'set-learning-rate'; readonly learningRate: number }
  /** Asks for a 'params' message with the current parameters. */
  | { readonly type: 'snapshot' }
  /** Fault injection for tests and the page's "simulate" buttons. */
  | { readonly type: 'simulate'; readonly fault: 'lose-context' | 'restore-context' | 'nan-loss' };

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
  | { readonly type: 'epoch'; readonly epoch: number; readonly testAccuracy: number; readonly predictions: Uint8Array; readonly params: ParamsPayload }
  | { readonly type: 'params'; readonly step: number; readonly params: ParamsPayload }
  /** A fault: training paused (non-finite loss), the GPU context was lost or restored, or an error. */
  | {
      readonly type: 'fault';
      readonly fault: 'non-finite' | 'context-lost' | 'context-restored' | 'error';
      readonly message: string;
      /**
       * 'context-lost' and 'context-restored' only: the step of the kept weights. Training goes on
       * from there, so steps after it are taken (and reported) again; a chart may drop its points
       * beyond this step.
       */
      readonly step?: number;
    };
