import type { BackendKind } from '../../train/backend.ts';
import type { FaultKind, FromWorker, ParamsPayload, StepPoint, TrainerState } from '../../train/protocol.ts';
import type { EpochAccuracy, ValidationPoint } from './chart.ts';

/** The backend the worker reported. */
export interface BackendInfo {
  readonly kind: BackendKind;
  readonly deviceName: string;
  readonly fallbackReason?: string;
}

/** The latest fault the worker reported, for the alert. */
export interface FaultInfo {
  readonly fault: FaultKind;
  readonly message: string;
  /** 'diverged': the step of the good weights a rollback restores. */
  readonly step?: number;
}

/**
 * Everything the page knows about the run, built only from the worker's messages (see
 * reduceTrainerMessage). Arrays are replaced, never mutated, so a new view means new data.
 */
export interface TrainerView {
  readonly state: TrainerState;
  readonly backend: BackendInfo | null;
  /** 1-based epoch being trained (0 before the first progress). */
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** Global steps done, and planned for the run. */
  readonly step: number;
  readonly totalSteps: number;
  readonly imagesPerSecond: number | null;
  readonly epochEtaSeconds: number | null;
  /** Every recorded step, in order. */
  readonly points: readonly StepPoint[];
  /** Test accuracy after each finished epoch. */
  readonly tests: readonly EpochAccuracy[];
  /** Every quick check on the validation slice (the first 1,000 test digits), in order. */
  readonly validation: readonly ValidationPoint[];
  /**
   * The latest predicted class per test digit — of the whole test set after an epoch, or of the
   * first `predictions.length` digits after a quick check — and the (fractional) epoch it is from.
   */
  readonly predictions: Uint8Array | null;
  readonly predictionsEpoch: number;
  /** During the full test pass at an epoch's end: digits classified so far, of total. */
  readonly testing: { readonly done: number; readonly total: number } | null;
  /** The newest parameters the worker sent (epoch end or snapshot), and the step they are from. */
  readonly params: ParamsPayload | null;
  readonly paramsStep: number;
  /** The active fault, cleared when training runs again. */
  readonly fault: FaultInfo | null;
  /** True between a 'context-lost' and a 'context-restored' fault. */
  readonly contextLost: boolean;
}

/** The view before the worker has said anything. */
export function initialTrainerView(): TrainerView {
  return {
    state: 'idle',
    backend: null,
    epoch: 0,
    stepInEpoch: 0,
    stepsPerEpoch: 0,
    step: 0,
    totalSteps: 0,
    imagesPerSecond: null,
    epochEtaSeconds: null,
    points: [],
    tests: [],
    validation: [],
    predictions: null,
    predictionsEpoch: 0,
    testing: null,
    params: null,
    paramsStep: 0,
    fault: null,
    contextLost: false,
  };
}

/**
 * Clears the run's progress (steps, curves, test results, predictions, fault) when the page asks
 * the worker for a reset or a new configuration; keeps the backend and the last parameters
 * (the worker sends fresh ones).
 */
export function clearProgress(view: TrainerView): TrainerView {
  const fresh = initialTrainerView();
  return { ...fresh, state: view.state, backend: view.backend, params: view.params, paramsStep: 0, contextLost: view.contextLost };
}

/** The next view after one message from the worker. */
export function reduceTrainerMessage(view: TrainerView, message: FromWorker): TrainerView {
  switch (message.type) {
    case 'state': {
      const running = message.state === 'training';
      return {
        ...view,
        state: message.state,
        testing: running ? view.testing : null,
        imagesPerSecond: running ? view.imagesPerSecond : null,
        // Training again means the fault was dealt with; the note that the context came back stays.
        fault: (running || message.state === 'ready') && view.fault?.fault !== 'context-restored' ? null : view.fault,
        contextLost: running ? false : view.contextLost,
      };
    }
    case 'backend':
      return {
        ...view,
        backend: {
          kind: message.kind,
          deviceName: message.deviceName,
          ...(message.fallbackReason ? { fallbackReason: message.fallbackReason } : {}),
        },
      };
    case 'progress':
      return {
        ...view,
        epoch: message.epoch,
        stepInEpoch: message.stepInEpoch,
        stepsPerEpoch: message.stepsPerEpoch,
        step: message.step,
        totalSteps: message.totalSteps,
        imagesPerSecond: message.imagesPerSecond > 0 ? message.imagesPerSecond : view.imagesPerSecond,
        epochEtaSeconds: message.epochEtaSeconds,
        points: message.points.length ? [...view.points, ...message.points] : view.points,
        testing: null,
      };
    case 'epoch':
      return {
        ...view,
        tests: [
          ...view.tests.filter((t) => t.epoch !== message.epoch),
          { epoch: message.epoch, accuracy: message.testAccuracy, loss: message.testLoss, step: view.step },
        ],
        predictions: message.predictions,
        predictionsEpoch: message.epoch,
        params: message.params,
        paramsStep: view.step,
        testing: null,
      };
    case 'params':
      // A quiet snapshot is kept for a save on pagehide only: the weights shown stay as they are.
      if (message.quiet) return view;
      return { ...view, params: message.params, paramsStep: message.step };
    case 'validation':
      return {
        ...view,
        validation: [
          ...view.validation.filter((v) => v.step < message.step),
          { step: message.step, epoch: message.epoch, loss: message.loss, accuracy: message.accuracy, count: message.count },
        ],
        predictions: message.predictions,
        predictionsEpoch: message.epoch,
      };
    case 'testing':
      return { ...view, testing: { done: message.done, total: message.total } };
    case 'rolled-back':
      return {
        ...view,
        step: message.step,
        epoch: message.epoch + 1,
        stepInEpoch: message.stepInEpoch,
        points: view.points.filter((p) => p.step <= message.step),
        validation: view.validation.filter((v) => v.step <= message.step),
        fault: null,
      };
    case 'ack':
      return view;
    case 'fault':
      if (message.fault === 'context-restored') {
        return { ...view, fault: { fault: message.fault, message: message.message }, contextLost: false };
      }
      return {
        ...view,
        fault: { fault: message.fault, message: message.message, ...(message.step === undefined ? {} : { step: message.step }) },
        contextLost: message.fault === 'context-lost' ? true : view.contextLost,
      };
  }
}
