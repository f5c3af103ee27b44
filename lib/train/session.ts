import type { BackendChoice, DatasetPayload, FaultKind, FromWorker, RunPosition, ToWorker, TrainerState, TrainSettings, StepPoint } from './protocol.ts';
import type { BackendKind, BackendOptions, StepMetrics, TrainingBackend } from './backend.ts';
import type { ModelPreset, Param } from './model.ts';
import { initParams } from './init.ts';
import { checkSettings, checkLearningRate } from './settings.ts';
import { paramsFromPayload, paramsToPayload } from './params-payload.ts';
import { modelOfNet } from './net-model.ts';
import { batchAt, checkDataset, epochOrder, stepsPerEpoch } from './batches.ts';
import { evaluateDataset } from './evaluate.ts';
import { createThroughputMeter } from './throughput.ts';
import { createDivergenceGuard } from './divergence.ts';
import { checkEpochs } from './settings.ts';
import type { ThroughputMeter } from './throughput.ts';

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
interface Snapshot {
  readonly params: Param[];
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
}

/** `{ requestId }` of a message that has one, else `{}` (spread into its reply). */
function idOf(message: { readonly requestId?: number }): { requestId?: number } {
  return typeof message.requestId === 'number' ? { requestId: message.requestId } : {};
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string' && reason) return reason;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  }
  return String(error);
}

/** True for the WebGL backend's WebGLContextLostError (matched by name: lib/train does not import lib/webgl). */
function isContextLoss(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'WebGLContextLostError';
}

/** A loss for a message: 3 significant digits, scientific notation when large (`8.12e+17`). */
function formatLossValue(loss: number): string {
  if (!Number.isFinite(loss)) return describeLoss(loss);
  return Math.abs(loss) >= 1e4 ? loss.toExponential(2) : String(Number(loss.toPrecision(3)));
}

function describeLoss(loss: number): string {
  return Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'infinite' : '−infinite';
}

/**
 * Creates a training session: keeps the data, the settings, the model's backend and the position
 * in the run; trains in a loop that keeps a few steps queued on the backend and yields (through
 * `schedule`) after every completed step so 'pause' and other messages are handled promptly.
 * See lib/train/protocol.ts for the messages. Faults (a non-finite loss, a lost GPU context, any
 * error) become 'fault' messages, never unhandled rejections.
 *
 * Numbering: 'progress'.epoch is the epoch under way, from 1 (stepInEpoch of stepsPerEpoch steps
 * done in it); 'epoch'.epoch is the epoch just completed, from 1; steps count from 1 across the
 * run; 'params'.step is the number of steps the weights include. A run always starts at step 0,
 * also when 'configure' brings checkpoint weights. Each epoch visits the training set in a seeded
 * order (epochOrder) and drops its last partial batch; the test set is evaluated after each epoch.
 * Weights are kept every `snapshotEvery` steps and at each epoch end for context-loss recovery.
 */
export function createTrainingSession(options: SessionOptions): TrainingSession {
  const { backendFactory, post } = options;
  const now = options.now ?? (() => performance.now());
  const schedule = options.schedule ?? ((task: () => void) => void setTimeout(task, 0));
  const progressInterval = options.progressIntervalMs ?? 125;
  const snapshotEvery = options.snapshotEvery ?? 50;
  const warmup = options.warmupSteps ?? 3;
  const validateEvery = options.validateEvery ?? 100;
  const validationCount = options.validationCount ?? 1000;

  let state: TrainerState = 'idle';
  let train: DatasetPayload | null = null;
  let test: DatasetPayload | null = null;
  let settings: TrainSettings | null = null;
  let preset: ModelPreset | null = null;
  let backend: TrainingBackend | null = null;
  let meter: ThroughputMeter = createThroughputMeter(warmup);

  // Position in the run: completed epochs, steps submitted and completed in the current epoch.
  let epochIndex = 0;
  let submitted = 0;
  let completed = 0;
  let order: Uint32Array | null = null;
  let snapshot: Snapshot | null = null;
  /** The last few snapshots, oldest first: where a rollback after a divergence goes back to. */
  let history: Snapshot[] = [];
  const guard = createDivergenceGuard();
  /** After a 'diverged' fault: the good snapshot a rollback (or the next Train) restores. */
  let rollbackTo: Snapshot | null = null;
  let lastValidated = -1;

  let chain: Promise<void> = Promise.resolve();
  let loop: Promise<void> | null = null;
  let generation = 0;
  let running = false;
  let quietStop = false;
  let poisonNext = false;
  let contextLost = false;
  let resumeAfterRestore = false;
  let points: StepPoint[] = [];
  let lastProgressAt = Number.NEGATIVE_INFINITY;

  const yieldNow = (): Promise<void> => new Promise((resolve) => schedule(resolve));

  function setState(next: TrainerState): void {
    state = next;
    post({ type: 'state', state: next });
  }

  function fault(kind: FaultKind, message: string, step?: number): void {
    post(step === undefined ? { type: 'fault', fault: kind, message } : { type: 'fault', fault: kind, message, step });
  }

  const perEpoch = (): number => (train && settings ? stepsPerEpoch(train.count, settings.batchSize) : 0);
  const totalCompleted = (): number => epochIndex * perEpoch() + completed;
  const totalSubmitted = (): number => epochIndex * perEpoch() + submitted;

  function postProgress(force: boolean, evenWithoutPoints = false): void {
    if (!settings || !backend) return;
    const t = now();
    if (!force && t - lastProgressAt < progressInterval) return;
    if (force && points.length === 0 && !evenWithoutPoints) return;
    lastProgressAt = t;
    const spe = perEpoch();
    post({
      type: 'progress',
      epoch: Math.min(epochIndex + 1, settings.epochs),
      stepInEpoch: completed,
      stepsPerEpoch: spe,
      step: totalCompleted(),
      totalSteps: spe * settings.epochs,
      imagesPerSecond: meter.imagesPerSecond,
      epochEtaSeconds: meter.etaSeconds(spe - completed, backend.batchSize),
      points,
    });
    points = [];
  }

  function keepSnapshot(params: Param[]): void {
    snapshot = { params, step: totalCompleted(), epoch: epochIndex, stepInEpoch: completed };
    history = [...history.filter((h) => h.step < snapshot!.step), snapshot].slice(-4);
  }

  /** The first `validationCount` test digits (the quick check's fixed slice). */
  function validationSlice(): DatasetPayload | null {
    if (!test || test.count === 0) return null;
    const count = Math.min(validationCount, test.count);
    return { images: test.images.subarray(0, count * 784), labels: test.labels.subarray(0, count), count };
  }

  /** Runs the quick check on the validation slice and posts it; false when the run moved on meanwhile. */
  async function validate(gen: number, active: TrainingBackend): Promise<boolean> {
    const slice = validationSlice();
    lastValidated = totalCompleted();
    if (!slice) return true;
    const result = await evaluateDataset(active, slice, yieldNow);
    if (gen !== generation) return false;
    const spe = perEpoch();
    post(
      {
        type: 'validation',
        step: totalCompleted(),
        epoch: spe ? totalCompleted() / spe : 0,
        loss: result.loss,
        accuracy: result.accuracy,
        count: slice.count,
        predictions: result.predictions,
      },
      [result.predictions.buffer as ArrayBuffer],
    );
    return true;
  }

  /** Moves the run to `position` (a restored checkpoint's step), keeping it inside the planned epochs' steps. */
  function applyPosition(position: RunPosition): void {
    const spe = perEpoch();
    const step = Number.isInteger(position.step) && position.step > 0 ? position.step : 0;
    if (!spe || step === 0) return;
    epochIndex = Math.floor(step / spe);
    submitted = completed = step % spe;
  }

  /** Puts back the good weights kept before a divergence and moves the run to their step. */
  async function rollback(): Promise<void> {
    const good = rollbackTo;
    if (!good) throw new Error('there is nothing to roll back to: the loss has not diverged');
    if (!backend) throw new Error('the trainer is not configured yet; send the settings first');
    await backend.setParams(good.params);
    rollbackTo = null;
    guard.reset();
    epochIndex = good.epoch;
    submitted = completed = good.stepInEpoch;
    order = null;
    points = [];
    snapshot = good;
    history = history.filter((h) => h.step <= good.step);
    post({ type: 'rolled-back', step: good.step, epoch: good.epoch, stepInEpoch: good.stepInEpoch });
    postProgress(true, true);
    setState(good.step > 0 ? 'paused' : 'ready');
  }

  function disposeBackend(): void {
    const old = backend;
    backend = null;
    if (old) {
      try {
        old.dispose();
      } catch {
        // A backend whose context is gone may fail to free; nothing more to do.
      }
    }
  }

  function onContextChange(from: TrainingBackend, lost: boolean): void {
    if (from !== backend) return;
    if (lost) {
      if (contextLost) return;
      contextLost = true;
      resumeAfterRestore = state === 'training';
      generation++; // abandons the loop: its pending steps may never complete
      running = false;
      loop = null;
      postProgress(true);
      const at = snapshot ? snapshot.step : 0;
      fault(
        'context-lost',
        `The GPU context was lost, so training is paused. The weights from step ${at} are kept; training ${resumeAfterRestore ? 'resumes' : 'can go on'} from there when the browser restores the context. Reset starts again from fresh weights.`,
        at,
      );
      setState('fault');
    } else {
      void enqueue(restoreAfterContextLoss);
    }
  }

  async function buildBackend(params: readonly Param[], choice: BackendChoice): Promise<void> {
    if (!settings || !preset) throw new Error('configure the trainer first');
    const backendOptions: BackendOptions = { preset, batchSize: settings.batchSize, optimizer: settings.optimizer, params };
    let built: TrainingBackend | null = null;
    let fallbackReason: string | undefined;
    if (choice !== 'cpu') {
      try {
        built = await backendFactory('webgl', backendOptions);
      } catch (error) {
        fallbackReason = `WebGL2 is not available (${errorText(error)}); training on the CPU instead.`;
      }
    }
    if (!built) built = await backendFactory('cpu', backendOptions);
    const b = built;
    backend = b;
    b.onContextChange?.((lost) => onContextChange(b, lost));
    meter = createThroughputMeter(warmup);
    post(fallbackReason ? { type: 'backend', kind: b.kind, deviceName: b.deviceName, fallbackReason } : { type: 'backend', kind: b.kind, deviceName: b.deviceName });
  }

  function resetPosition(): void {
    epochIndex = 0;
    submitted = 0;
    completed = 0;
    order = null;
    points = [];
    poisonNext = false;
    history = [];
    rollbackTo = null;
    lastValidated = -1;
    guard.reset();
  }

  async function stopLoop(quiet: boolean): Promise<void> {
    running = false;
    const current = loop;
    if (current) {
      quietStop = quiet;
      await current;
      quietStop = false;
    }
  }

  async function restoreAfterContextLoss(): Promise<void> {
    if (!contextLost || !settings || !snapshot) return;
    const kept = snapshot;
    disposeBackend();
    contextLost = false;
    epochIndex = kept.epoch;
    submitted = completed = kept.stepInEpoch;
    order = null;
    points = [];
    const wanted = settings.backend;
    await buildBackend(kept.params, wanted);
    const where = backend?.kind === 'cpu' && wanted !== 'cpu' ? 'on the CPU' : 'on the GPU';
    fault(
      'context-restored',
      `The GPU context is back. Training ${resumeAfterRestore ? 'resumes' : 'can resume'} ${where} from the weights kept at step ${kept.step}.`,
      kept.step,
    );
    if (resumeAfterRestore) startLoop();
    else setState(kept.step > 0 ? 'paused' : 'ready');
    resumeAfterRestore = false;
  }

  function startLoop(): void {
    running = true;
    setState('training');
    const gen = ++generation;
    const current = runLoop(gen);
    loop = current;
  }

  async function endEpoch(gen: number, active: TrainingBackend): Promise<boolean> {
    postProgress(true);
    const testSet = test ?? { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
    let reportedAt = Number.NEGATIVE_INFINITY;
    const evaluation = await evaluateDataset(active, testSet, async (done) => {
      const t = now();
      if (t - reportedAt >= progressInterval || done === testSet.count) {
        reportedAt = t;
        post({ type: 'testing', done, total: testSet.count });
      }
      await yieldNow();
    });
    if (gen !== generation) return false;
    const params = await active.getParams();
    if (gen !== generation) return false;
    epochIndex++;
    submitted = completed = 0;
    order = null;
    keepSnapshot(params);
    const payload = paramsToPayload(settings!.net, params);
    post(
      { type: 'epoch', epoch: epochIndex, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, predictions: evaluation.predictions, params: payload },
      [evaluation.predictions.buffer as ArrayBuffer, ...payload.data.map((d) => d.buffer as ArrayBuffer)],
    );
    lastValidated = totalCompleted();
    meter.restart();
    return true;
  }

  async function runLoop(gen: number): Promise<void> {
    const active = backend!;
    const run = settings!;
    const data = train!;
    const depth = active.kind === 'webgl' ? Math.max(1, options.queueDepth ?? active.preferredQueueDepth ?? 1) : 1;
    const inflight: Promise<StepMetrics>[] = [];
    let nonFinite: { step: number; loss: number } | null = null;
    let diverged: { step: number; loss: number; bestLoss: number; firstBadStep: number } | null = null;
    let finished = false;
    let failure: unknown = null;
    meter.restart();
    try {
      const spe = perEpoch();
      for (;;) {
        if (gen !== generation) return;
        if (!order) order = epochOrder(data.count, run.seed, epochIndex);
        const snapshotDue = (): boolean => {
          const total = totalSubmitted();
          return total > 0 && total % snapshotEvery === 0 && (snapshot?.step ?? -1) < total;
        };
        const validationDue = (): boolean => {
          const total = totalSubmitted();
          return validateEvery > 0 && total > 0 && total % validateEvery === 0 && submitted < spe && lastValidated < total;
        };
        while (running && inflight.length < depth && submitted < spe && !snapshotDue() && !validationDue()) {
          const batch = batchAt(data, order, submitted, active.batchSize);
          if (poisonNext) {
            batch.x[0] = Number.NaN;
            poisonNext = false;
          }
          const step = active.trainStep(batch.x, batch.y);
          step.catch(() => {}); // observed below; this keeps an abandoned step from an unhandled rejection
          inflight.push(step);
          submitted++;
        }
        if (inflight.length === 0) {
          if (completed === spe) {
            if (!(await endEpoch(gen, active))) return;
            if (epochIndex >= run.epochs) {
              finished = true;
              break;
            }
            if (!running) break;
            continue;
          }
          if (running && snapshotDue()) {
            const params = await active.getParams();
            if (gen !== generation) return;
            keepSnapshot(params);
            continue;
          }
          if (running && validationDue()) {
            postProgress(true);
            if (!(await validate(gen, active))) return;
            meter.restart();
            continue;
          }
          break;
        }
        const metrics = await inflight.shift()!;
        if (gen !== generation) return;
        completed++;
        meter.record(now(), metrics.count);
        const step = totalCompleted();
        points.push({ step, epoch: epochIndex + completed / spe, loss: metrics.loss, accuracy: metrics.count > 0 ? metrics.correct / metrics.count : 0 });
        const blowUp: ReturnType<typeof guard.record> = diverged || nonFinite ? null : guard.record(step, metrics.loss);
        if (blowUp && (metrics.finite || blowUp.firstBadStep < step)) {
          diverged = { step, loss: metrics.loss, bestLoss: blowUp.bestLoss, firstBadStep: blowUp.firstBadStep };
          running = false;
        } else if (!metrics.finite && !nonFinite && !diverged) {
          nonFinite = { step, loss: metrics.loss };
          running = false;
        }
        postProgress(false);
        await yieldNow();
      }
    } catch (error) {
      failure = error;
    }
    if (gen !== generation) return;
    if (failure && isContextLoss(failure) && active === backend) {
      // The context went before its 'webglcontextlost' event arrived: the same fault path.
      onContextChange(active, true);
      return;
    }
    loop = null;
    running = false;
    submitted = completed; // steps that failed or never reported are taken again on the next Train
    postProgress(true);
    if (failure) {
      fault('error', `Training stopped: ${errorText(failure)}. Press Train to try again, or Reset.`);
      setState('fault');
    } else if (finished) {
      setState('done');
    } else if (diverged) {
      const good = [...history].reverse().find((h) => h.step < diverged!.firstBadStep) ?? history[0] ?? snapshot;
      rollbackTo = good;
      const at = good ? good.step : 0;
      fault(
        'diverged',
        `The loss is exploding: lower the learning rate. It rose from ${formatLossValue(diverged.bestLoss)} to ${formatLossValue(diverged.loss)} by step ${diverged.step}, ` +
          `so training is paused. Roll back to the weights kept at step ${at}, lower the learning rate (now ${run.optimizer.learningRate}) and press Resume.`,
        at,
      );
      setState('fault');
    } else if (nonFinite) {
      fault(
        'non-finite',
        `The loss became ${describeLoss(nonFinite.loss)} at step ${nonFinite.step}, so training is paused (that step did not change the weights). ` +
          `Try a lower learning rate than ${run.optimizer.learningRate}, or press Reset to start again from fresh weights.`,
      );
      setState('fault');
    } else if (!quietStop) {
      setState('paused');
    }
  }

  async function dispatch(message: ToWorker): Promise<void> {
    switch (message?.type) {
      case 'data': {
        const nextTrain = checkDataset(message.train, 'train');
        const nextTest = checkDataset(message.test, 'test');
        const wasTraining = state === 'training';
        await stopLoop(false);
        train = nextTrain;
        test = nextTest;
        submitted = completed = 0;
        order = null;
        if (wasTraining) startLoop();
        return;
      }
      case 'configure': {
        const next = checkSettings(message.settings);
        const nextPreset = modelOfNet(next.net);
        const params = message.params ? paramsFromPayload(message.params, nextPreset) : initParams(nextPreset, next.seed);
        await stopLoop(true);
        generation++;
        disposeBackend();
        contextLost = false;
        resumeAfterRestore = false;
        settings = next;
        preset = nextPreset;
        resetPosition();
        setState('configuring');
        try {
          await buildBackend(params, next.backend);
        } catch (error) {
          setState('idle');
          throw error;
        }
        if (message.params && message.position) applyPosition(message.position);
        keepSnapshot(params);
        if (message.params && message.position) {
          postProgress(true, true);
          if (backend && !(await validate(generation, backend))) return;
        }
        setState(epochIndex >= next.epochs ? 'done' : 'ready');
        return;
      }
      case 'rollback':
        await rollback();
        return;
      case 'more-epochs': {
        if (!settings || !backend) throw new Error('the trainer is not configured yet; send the settings first');
        if (state !== 'done') throw new Error('more epochs can be added once the planned ones are done');
        const epochs = checkEpochs(Math.max(settings.epochs, epochIndex) + message.epochs);
        settings = { ...settings, epochs };
        startLoop();
        return;
      }
      case 'train': {
        if (!settings || !backend) {
          if (contextLost) {
            resumeAfterRestore = true;
            return;
          }
          throw new Error('the trainer is not configured yet; send the settings first');
        }
        if (!train) throw new Error('no training data yet; load MNIST first');
        if (contextLost) {
          resumeAfterRestore = true;
          fault('context-lost', 'The GPU context is still lost; training resumes when the browser restores it. Reset starts again from fresh weights.');
          return;
        }
        if (perEpoch() === 0) {
          throw new Error(`the training set has ${train.count} digits, fewer than one batch of ${settings.batchSize}`);
        }
        if (state === 'training') return;
        if (rollbackTo) await rollback();
        if (state === 'done') {
          setState('done');
          return;
        }
        startLoop();
        return;
      }
      case 'pause': {
        if (contextLost) resumeAfterRestore = false;
        if (state !== 'training') return;
        await stopLoop(false);
        return;
      }
      case 'reset': {
        if (!settings || !preset) throw new Error('the trainer is not configured yet; send the settings first');
        await stopLoop(true);
        generation++;
        disposeBackend();
        contextLost = false;
        resumeAfterRestore = false;
        resetPosition();
        const params = initParams(preset, settings.seed);
        setState('configuring');
        await buildBackend(params, settings.backend);
        keepSnapshot(params);
        setState('ready');
        return;
      }
      case 'set-learning-rate': {
        const lr = checkLearningRate(message.learningRate);
        if (!settings) throw new Error('the trainer is not configured yet; send the settings first');
        settings = { ...settings, optimizer: { ...settings.optimizer, learningRate: lr } };
        backend?.setLearningRate(lr);
        return;
      }
      case 'snapshot': {
        if (!settings) throw new Error('the trainer is not configured yet; send the settings first');
        if (contextLost || !backend) {
          if (!snapshot) throw new Error('no weights to send yet');
          const payload = paramsToPayload(settings.net, snapshot.params);
          const epoch = snapshot.epoch + (perEpoch() ? snapshot.stepInEpoch / perEpoch() : 0);
          post({ type: 'params', step: snapshot.step, epoch, params: payload, ...idOf(message) }, payload.data.map((d) => d.buffer as ArrayBuffer));
          return;
        }
        const step = totalSubmitted();
        const epoch = perEpoch() ? step / perEpoch() : 0;
        const payload = paramsToPayload(settings.net, await backend.getParams());
        post({ type: 'params', step, epoch, params: payload, ...idOf(message) }, payload.data.map((d) => d.buffer as ArrayBuffer));
        return;
      }
      case 'simulate': {
        if (message.fault === 'nan-loss') {
          poisonNext = true;
          return;
        }
        if (!backend) throw new Error('the trainer is not configured yet; send the settings first');
        const lose = message.fault === 'lose-context';
        const drill = lose ? backend.simulateContextLoss : backend.simulateContextRestore;
        if (backend.kind !== 'webgl' || !drill) {
          throw new Error(`the ${backend.deviceName} backend has no GPU context to ${lose ? 'lose' : 'restore'}; choose the WebGL backend to try this drill`);
        }
        if (!lose && !contextLost) throw new Error('the GPU context is not lost, so there is nothing to restore');
        if (!drill.call(backend)) {
          throw new Error(`this browser cannot ${lose ? 'lose' : 'restore'} the context on purpose (WEBGL_lose_context is missing)`);
        }
        return;
      }
      default:
        throw new Error(`unknown message type ${JSON.stringify((message as { type?: unknown })?.type)}`);
    }
  }

  function enqueue(task: () => Promise<void>, requestId?: number, repliesItself = false): Promise<void> {
    const next = chain.then(task).then(
      () => {
        if (requestId !== undefined && !repliesItself) post({ type: 'ack', requestId });
      },
      (error: unknown) => {
        if (requestId !== undefined) post({ type: 'ack', requestId, error: errorText(error) });
        else fault('error', errorText(error));
      },
    );
    chain = next;
    return next;
  }

  return {
    handle(message) {
      // A snapshot's 'params' reply carries its id; every other request gets an 'ack'.
      const id = typeof message?.requestId === 'number' ? message.requestId : undefined;
      return enqueue(() => dispatch(message), id, message?.type === 'snapshot');
    },
    async idle() {
      for (;;) {
        const c = chain;
        await c;
        const l = loop;
        if (l) await l;
        if (c === chain && loop === null) return;
      }
    },
    get state() {
      return state;
    },
    dispose() {
      running = false;
      generation++;
      loop = null;
      disposeBackend();
    },
  };
}
