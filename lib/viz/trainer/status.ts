import type { TrainSettings, TrainerState } from '../../train/protocol.ts';
import type { FaultInfo, TrainerView } from './trainer-view.ts';
import { emaSmooth } from './smoothing.ts';
import { MISSING, formatEta, formatInteger, formatLoss, formatPercent, formatRate } from './format.ts';
import { describeDevice } from './device.ts';

/** The primary button: its name, what it sends, and whether it can be pressed. */
export interface PrimaryAction {
  readonly label: 'Train' | 'Pause' | 'Resume' | 'Train 1 more epoch';
  /** 'more': one more epoch from the current weights (after Done). */
  readonly message: 'train' | 'pause' | 'more';
  readonly disabled: boolean;
}

/** The readouts of the "Training status" list, as text, plus the epoch progress bar. */
export interface StatusReadout {
  readonly backend: string;
  readonly state: string;
  readonly epoch: string;
  readonly step: string;
  readonly imagesPerSecond: string;
  readonly loss: string;
  readonly testAccuracy: string;
  /** Value and max of the `<progress>`; the share of this epoch done. */
  readonly progress: { readonly value: number; readonly max: number };
  readonly eta: string;
}

/** Words for each worker state. */
export const STATE_TEXT: Readonly<Record<TrainerState, string>> = {
  idle: 'Waiting for data',
  configuring: 'Preparing the model…',
  ready: 'Ready',
  training: 'Training',
  paused: 'Paused',
  done: 'Done',
  fault: 'Stopped by a fault',
};

/**
 * The primary button for a state: Train (ready, idle, configuring), Pause (training), Resume
 * (paused, or after a fault: with a lost GPU context the worker resumes once it is restored),
 * Train 1 more epoch (done: goes on from the current weights). Disabled while there is no model
 * yet (idle, configuring).
 */
export function primaryAction(state: TrainerState): PrimaryAction {
  if (state === 'training') return { label: 'Pause', message: 'pause', disabled: false };
  if (state === 'done') return { label: 'Train 1 more epoch', message: 'more', disabled: false };
  if (state === 'paused' || state === 'fault') return { label: 'Resume', message: 'train', disabled: false };
  return { label: 'Train', message: 'train', disabled: state === 'idle' || state === 'configuring' };
}

/**
 * The backend line: `WebGL2 · <short GPU name>` (or `WebGL2 · Software GPU (SwiftShader) — the CPU
 * is about as fast here`) or `CPU worker · <device>`, plus (after a dash) why WebGL2 was not used.
 */
export function backendText(view: TrainerView, settings: TrainSettings): string {
  const b = view.backend;
  if (!b) return settings.backend === 'cpu' ? 'CPU worker (starting)' : 'Not chosen yet';
  const base = b.kind === 'webgl' ? `WebGL2 · ${describeDevice(b.deviceName).text}` : `CPU worker · ${b.deviceName}`;
  return b.fallbackReason ? `${base} — ${b.fallbackReason}` : base;
}

function etaText(view: TrainerView, done: boolean): string {
  if (done) return 'all epochs done';
  if (view.testing) return 'testing on the test digits';
  if (view.state === 'training') return formatEta(view.epochEtaSeconds);
  if (view.state === 'paused') return 'paused';
  if (view.state === 'fault') return 'stopped';
  return 'not started';
}

/** Every readout's text for a view and the settings of the run. */
export function statusReadout(view: TrainerView, settings: TrainSettings, smoothing = 0.9): StatusReadout {
  const n = view.points.length;
  const smoothed = n
    ? emaSmooth(
        view.points.map((p) => p.loss),
        smoothing,
      )[n - 1]
    : null;
  const lastRaw = n ? view.points[n - 1].loss : null;
  // A non-finite last step shows as words; otherwise the smoothed value.
  const loss = lastRaw !== null && !Number.isFinite(lastRaw) ? lastRaw : smoothed;
  const epochs = settings.epochs;
  const started = view.epoch > 0;
  const last = view.tests.length ? view.tests[view.tests.length - 1] : null;
  const quick = view.validation.length ? view.validation[view.validation.length - 1] : null;
  // The newer of the last full test and the last quick check on the validation slice.
  const quickIsNewer = quick !== null && (last === null || (last.step ?? 0) < quick.step);
  const perEpoch = view.stepsPerEpoch;
  const done = view.state === 'done';
  return {
    backend: backendText(view, settings),
    state: view.testing
      ? `Testing… ${formatInteger(view.testing.done)} of ${formatInteger(view.testing.total)} test digits`
      : STATE_TEXT[view.state],
    epoch: started ? `${Math.min(view.epoch, epochs)} of ${epochs}` : `0 of ${epochs}`,
    step: view.totalSteps ? `${formatInteger(view.step)} of ${formatInteger(view.totalSteps)}` : formatInteger(view.step),
    imagesPerSecond: view.state === 'training' && !view.testing ? formatRate(view.imagesPerSecond) : MISSING,
    loss: formatLoss(loss),
    testAccuracy: quickIsNewer
      ? `${formatPercent(quick.accuracy)} (quick check on ${formatInteger(quick.count)} digits, step ${formatInteger(quick.step)})`
      : last
        ? formatPercent(last.accuracy)
        : MISSING,
    progress: { value: perEpoch ? (done ? perEpoch : Math.min(view.stepInEpoch, perEpoch)) : 0, max: perEpoch || 1 },
    eta: etaText(view, done),
  };
}

/** The fault alert's text: a headline the reader (and a test) can rely on, then the worker's details. */
export interface FaultText {
  readonly title: string;
  readonly detail: string;
  /** What the reader can do. */
  readonly advice: string;
}

/** Words for a fault (see FaultInfo): fixed headlines, the worker's own message as the detail. */
export function faultText(fault: FaultInfo): FaultText {
  switch (fault.fault) {
    case 'non-finite':
      return {
        title: 'The training loss is not a number or infinite, so training stopped.',
        detail: fault.message,
        // The worker's message usually says what to do already; the advice is there when it does not.
        advice: /\breset\b/i.test(fault.message)
          ? ''
          : 'Lower the learning rate and press Resume, or press Reset to start again from fresh weights.',
      };
    case 'diverged':
      return {
        title: 'The loss is exploding: lower the learning rate.',
        detail: fault.message,
        advice: '',
      };
    case 'context-lost':
      return {
        title: 'The WebGL context was lost.',
        detail: fault.message,
        advice: 'The last kept weights are safe. Wait for the browser to restore the context, or continue on the CPU.',
      };
    case 'context-restored':
      return { title: 'The WebGL context was restored.', detail: fault.message, advice: '' };
    case 'error':
      return { title: 'Training hit an error.', detail: fault.message, advice: 'Press Reset to rebuild the model, or reload the page.' };
  }
}
