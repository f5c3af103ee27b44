import type { BackendChoice, FaultKind, RunPosition, ToWorker, TrainerState } from './protocol.ts';
import type { BackendOptions, TrainingBackend } from './backend.ts';
import type { ModelPreset, Param } from './model.ts';
import { initParams } from './init.ts';
import { checkEpochs, checkLearningRate, checkSettings } from './settings.ts';
import { paramsFromPayload, paramsToPayload } from './params-payload.ts';
import { modelOfNet } from './net-model.ts';
import { checkDataset, stepsPerEpoch } from './batches.ts';
import { createThroughputMeter } from './throughput.ts';
import { createDivergenceGuard } from './divergence.ts';
import type { SessionOptions, TrainingSession } from './session-types.ts';
import { errorText, idOf, notConfigured } from './session-text.ts';
import type { LoopContext, SessionState } from './session-loop.ts';
import { runLoop, validate } from './session-loop.ts';

export type { BackendFactory, SessionOptions, TrainingSession } from './session-types.ts';

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
  const s: SessionState = {
    train: null,
    test: null,
    settings: null,
    backend: null,
    meter: createThroughputMeter(warmup),
    epochIndex: 0,
    submitted: 0,
    completed: 0,
    order: null,
    snapshot: null,
    history: [],
    rollbackTo: null,
    lastValidated: -1,
    loop: null,
    generation: 0,
    running: false,
    quietStop: false,
    poisonNext: false,
    points: [],
  };
  let preset: ModelPreset | null = null;

  // Position in the run: completed epochs, steps submitted and completed in the current epoch.
  /** The last few snapshots, oldest first: where a rollback after a divergence goes back to. */
  const guard = createDivergenceGuard();
  /** After a 'diverged' fault: the good snapshot a rollback (or the next Train) restores. */

  let chain: Promise<void> = Promise.resolve();
  let contextLost = false;
  let resumeAfterRestore = false;
  let lastProgressAt = Number.NEGATIVE_INFINITY;

  const yieldNow = (): Promise<void> => new Promise((resolve) => schedule(resolve));

  function setState(next: TrainerState): void {
    state = next;
    post({ type: 'state', state: next });
  }

  function fault(kind: FaultKind, message: string, step?: number): void {
    post(step === undefined ? { type: 'fault', fault: kind, message } : { type: 'fault', fault: kind, message, step });
  }

  const perEpoch = (): number => (s.train && s.settings ? stepsPerEpoch(s.train.count, s.settings.batchSize) : 0);
  const totalCompleted = (): number => s.epochIndex * perEpoch() + s.completed;
  const totalSubmitted = (): number => s.epochIndex * perEpoch() + s.submitted;

  function postProgress(force: boolean, evenWithoutPoints = false): void {
    if (!s.settings || !s.backend) return;
    const t = now();
    if (!force && t - lastProgressAt < progressInterval) return;
    if (force && s.points.length === 0 && !evenWithoutPoints) return;
    lastProgressAt = t;
    const spe = perEpoch();
    post({
      type: 'progress',
      epoch: Math.min(s.epochIndex + 1, s.settings.epochs),
      stepInEpoch: s.completed,
      stepsPerEpoch: spe,
      step: totalCompleted(),
      totalSteps: spe * s.settings.epochs,
      imagesPerSecond: s.meter.imagesPerSecond,
      epochEtaSeconds: s.meter.etaSeconds(spe - s.completed, s.backend.batchSize),
      points: s.points,
    });
    s.points = [];
  }

  function keepSnapshot(params: Param[]): void {
    s.snapshot = { params, step: totalCompleted(), epoch: s.epochIndex, stepInEpoch: s.completed };
    s.history = [...s.history.filter((h) => h.step < s.snapshot!.step), s.snapshot].slice(-4);
  }

  /** Moves the run to `position` (a restored checkpoint's step), keeping it inside the planned epochs' steps. */
  function applyPosition(position: RunPosition): void {
    const spe = perEpoch();
    const step = Number.isInteger(position.step) && position.step > 0 ? position.step : 0;
    if (!spe || step === 0) return;
    s.epochIndex = Math.floor(step / spe);
    s.submitted = s.completed = step % spe;
  }

  /** Puts back the good weights kept before a divergence and moves the run to their step. */
  async function rollback(): Promise<void> {
    const good = s.rollbackTo;
    if (!good) throw new Error('there is nothing to roll back to: the loss has not diverged');
    if (!s.backend) throw notConfigured();
    await s.backend.setParams(good.params);
    s.rollbackTo = null;
    guard.reset();
    s.epochIndex = good.epoch;
    s.submitted = s.completed = good.stepInEpoch;
    s.order = null;
    s.points = [];
    s.snapshot = good;
    s.history = s.history.filter((h) => h.step <= good.step);
    post({ type: 'rolled-back', step: good.step, epoch: good.epoch, stepInEpoch: good.stepInEpoch });
    postProgress(true, true);
    setState(good.step > 0 ? 'paused' : 'ready');
  }

  function disposeBackend(): void {
    const old = s.backend;
    s.backend = null;
    if (old) {
      try {
        old.dispose();
      } catch {
        // A backend whose context is gone may fail to free; nothing more to do.
      }
    }
  }

  function onContextChange(from: TrainingBackend, lost: boolean): void {
    if (from !== s.backend) return;
    if (lost) {
      if (contextLost) return;
      contextLost = true;
      resumeAfterRestore = state === 'training';
      s.generation++; // abandons the loop: its pending steps may never complete
      s.running = false;
      s.loop = null;
      postProgress(true);
      const at = s.snapshot ? s.snapshot.step : 0;
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
    if (!s.settings || !preset) throw new Error('configure the trainer first');
    const backendOptions: BackendOptions = { preset, batchSize: s.settings.batchSize, optimizer: s.settings.optimizer, params };
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
    s.backend = b;
    b.onContextChange?.((lost) => onContextChange(b, lost));
    s.meter = createThroughputMeter(warmup);
    post(
      fallbackReason
        ? { type: 'backend', kind: b.kind, deviceName: b.deviceName, fallbackReason }
        : { type: 'backend', kind: b.kind, deviceName: b.deviceName },
    );
  }

  function resetPosition(): void {
    s.epochIndex = 0;
    s.submitted = 0;
    s.completed = 0;
    s.order = null;
    s.points = [];
    s.poisonNext = false;
    s.history = [];
    s.rollbackTo = null;
    s.lastValidated = -1;
    guard.reset();
  }

  async function stopLoop(quiet: boolean): Promise<void> {
    s.running = false;
    const current = s.loop;
    if (current) {
      s.quietStop = quiet;
      await current;
      s.quietStop = false;
    }
  }

  async function restoreAfterContextLoss(): Promise<void> {
    if (!contextLost || !s.settings || !s.snapshot) return;
    const kept = s.snapshot;
    disposeBackend();
    contextLost = false;
    s.epochIndex = kept.epoch;
    s.submitted = s.completed = kept.stepInEpoch;
    s.order = null;
    s.points = [];
    const wanted = s.settings.backend;
    await buildBackend(kept.params, wanted);
    const where = s.backend?.kind === 'cpu' && wanted !== 'cpu' ? 'on the CPU' : 'on the GPU';
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
    s.running = true;
    setState('training');
    const gen = ++s.generation;
    const current = runLoop(c, gen);
    s.loop = current;
  }

  async function dispatch(message: ToWorker): Promise<void> {
    switch (message?.type) {
      case 'data': {
        const nextTrain = checkDataset(message.train, 'train');
        const nextTest = checkDataset(message.test, 'test');
        const wasTraining = state === 'training';
        await stopLoop(false);
        s.train = nextTrain;
        s.test = nextTest;
        s.submitted = s.completed = 0;
        s.order = null;
        if (wasTraining) startLoop();
        return;
      }
      case 'configure': {
        const next = checkSettings(message.settings);
        const nextPreset = modelOfNet(next.net);
        const params = message.params ? paramsFromPayload(message.params, nextPreset) : initParams(nextPreset, next.seed);
        await stopLoop(true);
        s.generation++;
        disposeBackend();
        contextLost = false;
        resumeAfterRestore = false;
        s.settings = next;
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
          if (s.backend && !(await validate(c, s.generation, s.backend))) return;
        }
        setState(s.epochIndex >= next.epochs ? 'done' : 'ready');
        return;
      }
      case 'rollback':
        await rollback();
        return;
      case 'more-epochs': {
        if (!s.settings || !s.backend) throw notConfigured();
        if (state !== 'done') throw new Error('more epochs can be added once the planned ones are done');
        const epochs = checkEpochs(Math.max(s.settings.epochs, s.epochIndex) + message.epochs);
        s.settings = { ...s.settings, epochs };
        startLoop();
        return;
      }
      case 'train': {
        if (!s.settings || !s.backend) {
          if (contextLost) {
            resumeAfterRestore = true;
            return;
          }
          throw notConfigured();
        }
        if (!s.train) throw new Error('no training data yet; load MNIST first');
        if (contextLost) {
          resumeAfterRestore = true;
          fault(
            'context-lost',
            'The GPU context is still lost; training resumes when the browser restores it. Reset starts again from fresh weights.',
          );
          return;
        }
        if (perEpoch() === 0) {
          throw new Error(`the training set has ${s.train.count} digits, fewer than one batch of ${s.settings.batchSize}`);
        }
        if (state === 'training') return;
        if (s.rollbackTo) await rollback();
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
        if (!s.settings || !preset) throw notConfigured();
        await stopLoop(true);
        s.generation++;
        disposeBackend();
        contextLost = false;
        resumeAfterRestore = false;
        resetPosition();
        const params = initParams(preset, s.settings.seed);
        setState('configuring');
        await buildBackend(params, s.settings.backend);
        keepSnapshot(params);
        setState('ready');
        return;
      }
      case 'set-learning-rate': {
        const lr = checkLearningRate(message.learningRate);
        if (!s.settings) throw notConfigured();
        s.settings = { ...s.settings, optimizer: { ...s.settings.optimizer, learningRate: lr } };
        s.backend?.setLearningRate(lr);
        return;
      }
      case 'snapshot': {
        if (!s.settings) throw notConfigured();
        // The live backend's weights, or the last kept ones while the GPU context is lost.
        const live = contextLost ? null : s.backend;
        if (!live && !s.snapshot) throw new Error('no weights to send yet');
        const per = perEpoch();
        const step = live ? totalSubmitted() : s.snapshot!.step;
        const epoch = live ? (per ? step / per : 0) : s.snapshot!.epoch + (per ? s.snapshot!.stepInEpoch / per : 0);
        const params = paramsToPayload(s.settings.net, live ? await live.getParams() : s.snapshot!.params);
        post(
          { type: 'params', step, epoch, params, ...idOf(message), ...(message.quiet === true ? { quiet: true } : {}) },
          params.data.map((d) => d.buffer as ArrayBuffer),
        );
        return;
      }
      case 'simulate': {
        if (message.fault === 'nan-loss') {
          s.poisonNext = true;
          return;
        }
        if (!s.backend) throw notConfigured();
        const lose = message.fault === 'lose-context';
        const drill = lose ? s.backend.simulateContextLoss : s.backend.simulateContextRestore;
        if (s.backend.kind !== 'webgl' || !drill) {
          throw new Error(
            `the ${s.backend.deviceName} backend has no GPU context to ${lose ? 'lose' : 'restore'}; choose the WebGL backend to try this drill`,
          );
        }
        if (!lose && !contextLost) throw new Error('the GPU context is not lost, so there is nothing to restore');
        if (!drill.call(s.backend)) {
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

  // What the loop (session-loop.ts) shares with the session: the state and the session's helpers.
  const c: LoopContext = {
    ...{ s, guard, queueDepth: options.queueDepth, progressInterval, snapshotEvery, validateEvery, validationCount, now, post },
    ...{ perEpoch, totalCompleted, totalSubmitted, postProgress, keepSnapshot, yieldNow, onContextChange, fault, setState },
  };

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
        const l = s.loop;
        if (l) await l;
        if (c === chain && s.loop === null) return;
      }
    },
    get state() {
      return state;
    },
    dispose() {
      s.running = false;
      s.generation++;
      s.loop = null;
      disposeBackend();
    },
  };
}
