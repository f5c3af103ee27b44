/**
 * The trainer's run part: the settings form and the settings the worker runs with, the training
 * worker itself, and the page's view of the run (lib/viz/trainer reduceTrainerMessage over the
 * worker's messages, applied once per animation frame). Commands (train, pause, more epochs,
 * reset, rollback, configure) go to the worker; `snapshot()` asks it for its weights by request id.
 * `onmessage` lets the controller hear every message (checkpoints are saved from there).
 * `net` is the layer editor: its valid networks become the form's `net` setting, and while it is
 * blocked (an engine error, or a network the backend cannot hold) Train waits.
 */
import { DEFAULT_SETTINGS, checkSettings } from '../../../lib/train/settings.ts';
import { MAX_EPOCHS } from '../../../lib/train/settings.ts';
import type { FromWorker, ParamsPayload, RunPosition, ToWorker, TrainSettings } from '../../../lib/train/protocol.ts';
import { editSetting, needsRebuild } from '../../../lib/viz/trainer/settings-form.ts';
import type { SettingField, SettingsFormState } from '../../../lib/viz/trainer/settings-form.ts';
import { clearProgress, initialTrainerView, reduceTrainerMessage } from '../../../lib/viz/trainer/trainer-view.ts';
import type { TrainerView } from '../../../lib/viz/trainer/trainer-view.ts';
import { primaryAction } from '../../../lib/viz/trainer/status.ts';
import type { MnistData } from '../../../lib/data/index.ts';
import { startTrainerWorker } from './worker-client.ts';
import { NetEditor } from './net-editor.svelte.ts';
import { parseNet } from '../../../lib/train/net-spec.ts';
import { layerTable } from '../../../lib/viz/trainer/layer-rows.ts';
import type { TrainerWorker } from './worker-client.ts';

/** Weights as the worker sent them, with the step and (fractional) epoch they include. */
export interface Snapshot {
  readonly params: ParamsPayload;
  readonly step: number;
  readonly epoch: number;
}

export class TrainerRun {
  form: SettingsFormState = $state.raw({ settings: DEFAULT_SETTINGS, error: null });
  /** The settings the worker was last configured with (plus learning-rate and epoch changes since). */
  applied: TrainSettings = $state.raw(DEFAULT_SETTINGS);
  view: TrainerView = $state.raw(initialTrainerView());
  workerFailure: string | null = $state(null);
  /** A note about something the page did on its own (continuing on the CPU). */
  note: string | null = $state(null);
  hasWorker = $state(false);
  /** WebGL2's texture limit on this device (null: no WebGL2, or not probed yet). */
  maxTextureSize: number | null = $state(null);
  readonly net = new NetEditor(
    () => ({ batch: this.form.settings.batchSize, backend: { choice: this.form.settings.backend, maxTextureSize: this.maxTextureSize } }),
    (net) => this.edit('net', net),
  );

  readonly rebuildPending = $derived(needsRebuild(this.applied, this.form.settings));
  readonly primary = $derived.by(() => {
    const action = primaryAction(this.view.state);
    return this.net.table.blocked && action.message === 'train' ? { ...action, disabled: true } : action;
  });
  readonly busy = $derived(this.view.state === 'training' || this.view.state === 'configuring');
  /** The layer editor waits only while training: a network edited while the model is built applies at Train. */
  readonly training = $derived(this.view.state === 'training');
  readonly started = $derived(this.view.step > 0 || ['training', 'paused', 'done', 'fault'].includes(this.view.state));

  private worker: TrainerWorker | null = null;
  private configureTimer: ReturnType<typeof setTimeout> | null = null;
  private queue: FromWorker[] = [];
  private flushScheduled = false;
  /** The latest progress, read synchronously (the view lags by up to a frame). */
  latest = { step: 0, stepsPerEpoch: 0 };

  private readonly onmessage: (message: FromWorker) => void;

  constructor(onmessage: (message: FromWorker) => void) {
    this.onmessage = onmessage;
  }

  /** Starts the worker (once) and sends it the data. */
  start(data: MnistData): void {
    this.worker ??= startTrainerWorker(
      (m) => this.receive(m),
      (text) => (this.workerFailure = `The training worker failed: ${text}. Reload the page to try again.`),
    );
    this.hasWorker = true;
    this.send({
      type: 'data',
      train: { images: data.train.images, labels: data.train.labels, count: data.train.count },
      test: { images: data.test.images, labels: data.test.labels, count: data.test.count },
    });
  }

  /** Sets the form and the applied settings (from the URL or a checkpoint) before the worker starts. */
  useSettings(settings: TrainSettings): void {
    this.form = { settings, error: null };
    this.applied = settings;
    this.net.show(settings.net);
  }

  send(message: ToWorker): void {
    this.worker?.send(message);
  }

  /**
   * The worker's current weights, or null when it did not answer within 5 s; `quiet` keeps the
   * weights shown as they are (a snapshot held only for a save on pagehide).
   */
  async snapshot(quiet = false): Promise<Snapshot | null> {
    const reply = await this.worker?.request({ type: 'snapshot', ...(quiet ? { quiet } : {}) }, 5000).catch(() => null);
    return reply && reply.type === 'params' ? { params: reply.params, step: reply.step, epoch: reply.epoch } : null;
  }

  /** Rebuilds the model with `settings`, from `params` at `position` when given (a checkpoint). */
  configure(settings: TrainSettings, params?: ParamsPayload, position?: RunPosition): void {
    if (this.configureTimer) clearTimeout(this.configureTimer);
    this.configureTimer = null;
    if (!this.worker) return;
    const limits = { choice: settings.backend, maxTextureSize: this.maxTextureSize };
    const check = layerTable(parseNet(settings.net), settings.batchSize, limits);
    if (check.blocked) {
      // Never ask the worker for a network it cannot hold; the editor's rows say why.
      const why = check.rows.find((r) => r.blocking)?.limit;
      this.note = `The network ${settings.net} is not built: ${why ?? 'the engine refuses it'}.`;
      return;
    }
    this.applied = settings;
    this.workerFailure = null;
    this.view = clearProgress(this.view);
    this.send(params ? { type: 'configure', settings, params, ...(position ? { position } : {}) } : { type: 'configure', settings });
  }

  /** One edit of the settings form; the learning rate applies at once, other fields before training. */
  edit(field: SettingField, text: string): void {
    const next = editSetting(this.form, field, text);
    this.form = next;
    if (next.error || !this.worker) return;
    const lr = next.settings.optimizer.learningRate;
    if (lr !== this.applied.optimizer.learningRate) {
      this.send({ type: 'set-learning-rate', learningRate: lr });
      this.applied = { ...this.applied, optimizer: { ...this.applied.optimizer, learningRate: lr } };
    }
    if (needsRebuild(this.applied, next.settings) && !this.started) {
      if (this.configureTimer) clearTimeout(this.configureTimer);
      this.configureTimer = setTimeout(() => this.configure(this.form.settings), 350);
    }
  }

  /** The primary button: Train / Pause / Resume / Train 1 more epoch. */
  pressPrimary(): void {
    if (!this.worker) return;
    const action = this.primary;
    if (action.message === 'more') {
      const epochs = Math.min(MAX_EPOCHS, this.applied.epochs + 1);
      this.applied = { ...this.applied, epochs };
      this.form = { settings: checkSettings({ ...this.form.settings, epochs }), error: null };
      this.send({ type: 'more-epochs', epochs: 1 });
      return;
    }
    if (action.message === 'train' && (this.configureTimer || (this.rebuildPending && !this.started))) this.configure(this.form.settings);
    this.send({ type: action.message });
  }

  /** Back to fresh weights (with the form's settings when they changed). */
  reset(): void {
    if (!this.worker) return;
    this.note = null;
    if (this.rebuildPending || this.configureTimer) {
      this.configure(this.form.settings);
      return;
    }
    this.workerFailure = null;
    this.view = clearProgress(this.view);
    this.send({ type: 'reset' });
  }

  /** After a divergence: back to the good weights kept before the loss took off. */
  rollback(): void {
    this.send({ type: 'rollback' });
  }

  /** Shows weights that came from a checkpoint before the worker reports them. */
  showParams(params: ParamsPayload, step: number): void {
    this.view = { ...this.view, params, paramsStep: step };
  }

  stop(): void {
    if (this.configureTimer) clearTimeout(this.configureTimer);
    this.worker?.terminate();
    this.worker = null;
    this.hasWorker = false;
  }

  private receive(message: FromWorker): void {
    if (message.type === 'progress') this.latest = { step: message.step, stepsPerEpoch: message.stepsPerEpoch };
    this.onmessage(message);
    this.queue.push(message);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (typeof document !== 'undefined' && document.hidden) setTimeout(() => this.flush(), 250);
    else requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.queue.length) return;
    let next = this.view;
    for (const message of this.queue) next = reduceTrainerMessage(next, message);
    this.queue = [];
    this.view = next;
  }
}
