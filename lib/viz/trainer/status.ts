import type { TrainSettings, TrainerState } from '../../train/protocol.ts';
import type { FaultInfo, TrainerView } from './trainer-view.ts';
import { emaSmooth } from './smoothing.ts';
import { MISSING, formatEta, formatInteger, formatLoss, formatPercent, formatRate } from './format.ts';

/** The primary button: its name, what it sends, and whether it can be pressed. */
export interface PrimaryAction {
  readonly label: 'Train' | 'Pause' | 'Resume';
  readonly message: 'train' | 'pause';
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
 * The primary button for a state: Train (ready, done, idle, configuring), Pause (training), Resume
 * (paused, or after a fault: with a lost GPU context the worker resumes once it is restored).
 * Disabled while there is no model yet (idle, configuring).
 */
export function primaryAction(state: TrainerState): PrimaryAction {
  if (state === 'training') return { label: 'Pause', message: 'pause', disabled: false };
  if (state === 'paused' || state === 'fault') return { label: 'Resume', message: 'train', disabled: false };
  return { label: 'Train', message: 'train', disabled: state === 'idle' || state === 'configuring' };
}

/** The backend line: `WebGL2 · <GPU>` or `CPU worker · <device>`, plus (after a dash) why WebGL2 was not used. */
export function backendText(view: TrainerView, settings: TrainSettings): string {
  const b = view.backend;
  if (!b) return settings.backend === 'cpu' ? 'CPU worker (starting)' : 'Not chosen yet';
  const base = b.kind === 'webgl' ? `WebGL2 · ${b.deviceName}` : `CPU worker · ${b.deviceName}`;
  return b.fallbackReason ? `${base} — ${b.fallbackReason}` : base;
}

function etaText(view: TrainerView, done: boolean): string {
  if (done) return 'all epochs done';
  if (view.state === 'training') return formatEta(view.epochEtaSeconds);
  if (view.state === 'paused') return 'paused';
  if (view.state === 'fault') return 'stopped';
  return 'not started';
}

/** Every readout's text for a view and the settings of the run. */
export function statusReadout(view: TrainerView, settings: TrainSettings, smoothing = 0.9): StatusReadout {
  const n = view.points.length;
  const smoothed = n ? emaSmooth(view.points.map((p) => p.loss), smoothing)[n - 1] : null;
  const lastRaw = n ? view.points[n - 1].loss : null;
  // A non-finite last step shows as words; otherwise the smoothed value.
  const loss = lastRaw !== null && !Number.isFinite(lastRaw) ? lastRaw : smoothed;
  const epochs = settings.epochs;
  const started = view.epoch > 0;
  const last = view.tests.length ? view.tests[view.tests.length - 1] : null;
  const perEpoch = view.stepsPerEpoch;
  const done = view.state === 'done';
  return {
    backend: backendText(view, settings),
    state: STATE_TEXT[view.state],
    epoch: started ? `${Math.min(view.epoch, epochs)} of ${epochs}` : `0 of ${epochs}`,
    step: view.totalSteps ? `${formatInteger(view.step)} of ${formatInteger(view.totalSteps)}` : formatInteger(view.step),
    imagesPerSecond: formatRate(view.imagesPerSecond),
    loss: formatLoss(loss),
    testAccuracy: last ? formatPercent(last.accuracy) : MISSING,
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
        advice: /\breset\b/i.test(fault.message) ? '' : 'Lower the learning rate and press Resume, or press Reset to start again from fresh weights.',
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
