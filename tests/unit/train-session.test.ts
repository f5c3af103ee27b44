import { describe, it, expect } from 'vitest';
import type { BackendKind, BackendOptions, StepMetrics, TrainingBackend } from '../../lib/train/backend.ts';
import type { Param } from '../../lib/train/model.ts';
import { OVERLAP_CNN } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import type { DatasetPayload, FromWorker, ToWorker, TrainSettings, StepPoint } from '../../lib/train/protocol.ts';
import { DEFAULT_SETTINGS } from '../../lib/train/settings.ts';
import { createTrainingSession } from '../../lib/train/session.ts';
import type { BackendFactory, SessionOptions } from '../../lib/train/session.ts';

/**
 * A dataset whose image i carries its own index in its first two pixels (i mod 256, i div 256),
 * so a test can read back which examples each batch held. Labels are i mod 10.
 */
function indexedDataset(count: number): DatasetPayload {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images[i * 784] = i % 256;
    images[i * 784 + 1] = Math.floor(i / 256);
    images[i * 784 + 2] = 255;
    labels[i] = i % 10;
  }
  return { images, labels, count };
}

const indexOf = (x: Float32Array, b: number): number => Math.round(x[b * 784] * 255) + 256 * Math.round(x[b * 784 + 1] * 255);

/** A scripted backend: records every call, moves a fake clock, and answers with chosen metrics. */
class FakeBackend implements TrainingBackend {
  readonly kind: BackendKind;
  readonly deviceName: string;
  readonly batchSize: number;
  readonly batches: number[][] = [];
  readonly inputs: Float32Array[] = [];
  learningRates: number[] = [];
  stepsTaken = 0;
  inflight = 0;
  maxInflight = 0;
  disposed = false;
  listener: ((lost: boolean) => void) | null = null;
  /** Called for each step before it resolves; return a promise to hold the step. */
  hold: (() => Promise<void>) | null = null;
  preferredQueueDepth: number | undefined = undefined;
  failStep: Error | null = null;
  readonly startParams: readonly Param[];
  private readonly clock: { t: number };
  private readonly stepMs: number;

  constructor(kind: BackendKind, options: BackendOptions, clock: { t: number }, stepMs: number) {
    this.kind = kind;
    this.deviceName = kind === 'webgl' ? 'Fake GPU' : 'CPU (JavaScript engine)';
    this.batchSize = options.batchSize;
    this.startParams = options.params;
    this.clock = clock;
    this.stepMs = stepMs;
  }

  async trainStep(x: Float32Array, labels: Uint8Array): Promise<StepMetrics> {
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    this.inputs.push(x);
    this.batches.push(Array.from({ length: labels.length }, (_, b) => indexOf(x, b)));
    if (this.hold) await this.hold();
    this.inflight--;
    if (this.failStep) throw this.failStep;
    this.clock.t += this.stepMs;
    this.stepsTaken++;
    const finite = x.every((v) => Number.isFinite(v));
    return { loss: finite ? 1 / this.stepsTaken : Number.NaN, correct: labels.length / 2, count: labels.length, finite };
  }

  /** Logits that predict (index mod 10) for even indices and (index + 1) mod 10 for odd ones. */
  async logits(x: Float32Array, n: number): Promise<Float32Array> {
    const out = new Float32Array(n * 10);
    for (let b = 0; b < n; b++) {
      const i = indexOf(x, b);
      out[b * 10 + (i % 2 === 0 ? i % 10 : (i + 1) % 10)] = 1;
    }
    return out;
  }

  /** The starting parameters with conv1.b[0] replaced by the number of steps taken. */
  async getParams(): Promise<Param[]> {
    return this.startParams.map((p, k) => {
      const data = Float32Array.from(p.tensor.data);
      if (k === 1) data[0] = this.stepsTaken;
      return { name: p.name, tensor: { shape: [...p.tensor.shape], data } };
    });
  }

  async setParams(): Promise<void> {}

  setLearningRate(lr: number): void {
    this.learningRates.push(lr);
  }

  dispose(): void {
    this.disposed = true;
  }

  onContextChange(listener: (lost: boolean) => void): void {
    this.listener = listener;
  }
}

interface Harness {
  handle(message: ToWorker): Promise<void>;
  idle(): Promise<void>;
  messages: FromWorker[];
  of<T extends FromWorker['type']>(type: T): Extract<FromWorker, { type: T }>[];
  states(): string[];
  points(): StepPoint[];
  backends: FakeBackend[];
  factoryCalls: BackendKind[];
  clock: { t: number };
  progressTimes: number[];
}

function harness(options: { failWebgl?: (call: number) => boolean; stepMs?: number; session?: Partial<SessionOptions> } = {}): Harness {
  const clock = { t: 0 };
  const messages: FromWorker[] = [];
  const backends: FakeBackend[] = [];
  const factoryCalls: BackendKind[] = [];
  const progressTimes: number[] = [];
  let webglCalls = 0;
  const backendFactory: BackendFactory = (kind, backendOptions) => {
    factoryCalls.push(kind);
    if (kind === 'webgl' && options.failWebgl?.(webglCalls++)) {
      const error = new Error('no context') as Error & { reason: string };
      error.reason = 'EXT_color_buffer_float is missing';
      throw error;
    }
    const b = new FakeBackend(kind, backendOptions, clock, options.stepMs ?? 40);
    backends.push(b);
    return b;
  };
  const session = createTrainingSession({
    backendFactory,
    post: (message) => {
      messages.push(message);
      if (message.type === 'progress') progressTimes.push(clock.t);
    },
    now: () => clock.t,
    schedule: (task) => void setImmediate(task),
    ...options.session,
  });
  const of = <T extends FromWorker['type']>(type: T) => messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  return {
    handle: (m) => session.handle(m),
    idle: () => session.idle(),
    messages,
    of,
    states: () => of('state').map((m) => m.state),
    points: () => of('progress').flatMap((m) => m.points),
    backends,
    factoryCalls,
    clock,
    progressTimes,
  };
}

const SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  net: 'c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10',
  backend: 'cpu',
  batchSize: 16,
  epochs: 2,
  seed: 5,
};
const TRAIN = indexedDataset(100); // 6 full batches of 16, the last 4 digits dropped
const TEST = indexedDataset(20);

async function configured(h: Harness, settings: TrainSettings = SETTINGS): Promise<void> {
  await h.handle({ type: 'data', train: TRAIN, test: TEST });
  await h.handle({ type: 'configure', settings });
}

/** Waits until `predicate` holds, letting the session's loop run. */
async function until(predicate: () => boolean): Promise<void> {
  for (let k = 0; k < 10_000 && !predicate(); k++) await new Promise((r) => setImmediate(r));
  expect(predicate()).toBe(true);
}

describe('a training session run to the end', () => {
  it('takes 6 steps per epoch for 2 epochs, posting progress, epochs and done', async () => {
    const h = harness();
    await configured(h);
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.states()).toEqual(['configuring', 'ready', 'training', 'done']);
    expect(h.of('backend')).toEqual([{ type: 'backend', kind: 'cpu', deviceName: 'CPU (JavaScript engine)' }]);
    const points = h.points();
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(points.map((p) => +p.epoch.toFixed(4))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((s) => +(s / 6).toFixed(4)));
    expect(points.every((p) => p.accuracy === 0.5)).toBe(true);
    expect(points.map((p) => p.loss)).toEqual(points.map((_, k) => 1 / (k + 1)));
    const last = h.of('progress').at(-1)!;
    expect(last).toMatchObject({ epoch: 2, stepInEpoch: 6, stepsPerEpoch: 6, step: 12, totalSteps: 12 });
    const epochs = h.of('epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // the fake classifies even indices right and odd ones wrong: 10 of the 20 test digits
    for (const e of epochs) {
      expect(e.testAccuracy).toBe(0.5);
      expect(Array.from(e.predictions)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i % 10 : (i + 1) % 10)));
      expect(e.params.net).toBe('c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10');
      expect(e.params.names[1]).toBe('conv1.b');
    }
    expect(epochs.map((e) => e.params.data[1][0])).toEqual([6, 12]);
  });

  it('feeds [B, 1, 28, 28] batches scaled to [0, 1], each epoch a fresh permutation without the last partial batch', async () => {
    const h = harness();
    await configured(h);
    await h.handle({ type: 'train' });
    await h.idle();
    const b = h.backends[0];
    expect(b.inputs.every((x) => x.length === 16 * 784 && x.every((v) => v >= 0 && v <= 1))).toBe(true);
    expect(b.inputs[0][2]).toBe(1);
    const epoch1 = b.batches.slice(0, 6).flat();
    const epoch2 = b.batches.slice(6).flat();
    for (const visited of [epoch1, epoch2]) {
      expect(visited).toHaveLength(96);
      expect(new Set(visited).size).toBe(96);
      expect(visited.every((i) => i >= 0 && i < 100)).toBe(true);
    }
    expect(epoch1).not.toEqual(epoch2);
    expect(epoch1).not.toEqual([...epoch1].sort((a, c) => a - c));
  });

  it('shuffles the same way for the same seed and differently for another', async () => {
    const orders: number[][] = [];
    for (const seed of [5, 5, 6]) {
      const h = harness();
      await configured(h, { ...SETTINGS, seed });
      await h.handle({ type: 'train' });
      await h.idle();
      orders.push(h.backends[0].batches.flat());
    }
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).not.toEqual(orders[0]);
  });

  it('measures images per second after the warm-up steps, and the epoch ETA from it', async () => {
    const h = harness({ stepMs: 40, session: { progressIntervalMs: 0 } });
    await configured(h, { ...SETTINGS, epochs: 1 });
    await h.handle({ type: 'train' });
    await h.idle();
    const progress = h.of('progress');
    // 3 warm-up completions are not timed; then 16 images every 40 ms = 400 images/s
    expect(progress.slice(0, 3).map((p) => p.imagesPerSecond)).toEqual([0, 0, 0]);
    expect(progress.slice(0, 3).map((p) => p.epochEtaSeconds)).toEqual([null, null, null]);
    expect(progress[3].imagesPerSecond).toBeCloseTo(400, 9);
    expect(progress[3].epochEtaSeconds).toBeCloseTo((2 * 16) / 400, 9);
    expect(progress[5].epochEtaSeconds).toBe(0);
  });

  it('posts progress at most every 125 ms, and every step exactly once', async () => {
    const h = harness({ stepMs: 30 });
    await h.handle({ type: 'data', train: indexedDataset(640), test: TEST });
    await h.handle({ type: 'configure', settings: { ...SETTINGS, epochs: 1 } });
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.points().map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, k) => k + 1));
    const gaps = h.progressTimes.slice(1, -1).map((t, k) => t - h.progressTimes[k]);
    expect(gaps.every((g) => g >= 125)).toBe(true);
    expect(h.progressTimes.length).toBeLessThanOrEqual(Math.ceil((40 * 30) / 125) + 2);
    expect(h.progressTimes.length).toBeGreaterThan(5);
  });

  it("keeps the backend's preferred number of WebGL steps in flight (1 if it has none), queueDepth overrides it, the CPU runs 1", async () => {
    const cases = [
      ['webgl', undefined, undefined, 1],
      ['webgl', undefined, 3, 3],
      ['webgl', 2, 3, 2],
      ['cpu', undefined, 3, 1],
      ['cpu', 3, undefined, 1],
    ] as const;
    for (const [backend, queueDepth, preferred, depth] of cases) {
      const h = harness({ session: queueDepth === undefined ? {} : { queueDepth } });
      await configured(h, { ...SETTINGS, backend, epochs: 1 });
      const b = h.backends[0];
      b.preferredQueueDepth = preferred;
      b.hold = () => new Promise((r) => setTimeout(r, 1));
      await h.handle({ type: 'train' });
      await h.idle();
      expect(b.maxInflight, `${backend}, queueDepth ${queueDepth}, preferred ${preferred}`).toBe(depth);
      expect(b.stepsTaken).toBe(6);
    }
  });
});

describe('the session state machine', () => {
  it('pauses promptly, resumes where it stopped, and visits the same batches as an uninterrupted run', async () => {
    const straight = harness();
    await configured(straight);
    await straight.handle({ type: 'train' });
    await straight.idle();

    const h = harness();
    await configured(h);
    await h.handle({ type: 'train' });
    await until(() => h.backends[0].stepsTaken >= 4);
    await h.handle({ type: 'pause' });
    const pausedAt = h.backends[0].stepsTaken;
    expect(h.states().at(-1)).toBe('paused');
    await new Promise((r) => setTimeout(r, 20));
    expect(h.backends[0].stepsTaken).toBe(pausedAt);
    expect(pausedAt).toBeLessThan(12);
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.states()).toEqual(['configuring', 'ready', 'training', 'paused', 'training', 'done']);
    expect(h.backends[0].batches).toEqual(straight.backends[0].batches);
    expect(h.points().map((p) => p.step)).toEqual(straight.points().map((p) => p.step));
  });

  it('reset goes back to fresh parameters on a fresh backend at step 0', async () => {
    const h = harness();
    await configured(h);
    await h.handle({ type: 'train' });
    await until(() => h.backends[0].stepsTaken >= 3);
    await h.handle({ type: 'reset' });
    expect(h.backends).toHaveLength(2);
    expect(h.backends[0].disposed).toBe(true);
    expect(h.states().slice(-2)).toEqual(['configuring', 'ready']);
    const fresh = initParams(OVERLAP_CNN, SETTINGS.seed);
    h.backends[1].startParams.forEach((p, k) => expect(p.tensor.data).toEqual(fresh[k].tensor.data));
    await h.handle({ type: 'snapshot' });
    expect(h.of('params').at(-1)!.step).toBe(0);
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.backends[1].stepsTaken).toBe(12);
    expect(h.states().at(-1)).toBe('done');
  });

  it('configure with params restores them instead of initialising', async () => {
    const h = harness();
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    const params = initParams(OVERLAP_CNN, 99);
    const { paramsToPayload } = await import('../../lib/train/params-payload.ts');
    await h.handle({ type: 'configure', settings: SETTINGS, params: paramsToPayload(SETTINGS.net, params) });
    h.backends[0].startParams.forEach((p, k) => expect(p.tensor.data).toEqual(params[k].tensor.data));
    expect(h.of('fault')).toEqual([]);
  });

  it('answers snapshot with a params message, and changes the learning rate in place', async () => {
    const h = harness();
    await configured(h);
    await h.handle({ type: 'set-learning-rate', learningRate: 0.01 });
    expect(h.backends[0].learningRates).toEqual([0.01]);
    await h.handle({ type: 'set-learning-rate', learningRate: 2 });
    expect(h.of('fault').at(-1)).toEqual({ type: 'fault', fault: 'error', message: 'learningRate must be a number in [1e-6, 1], got 2' });
    await h.handle({ type: 'train' });
    await h.idle();
    await h.handle({ type: 'snapshot' });
    const p = h.of('params').at(-1)!;
    expect(p.step).toBe(12);
    expect(p.params.data[1][0]).toBe(12);
  });

  it('reports misuse as error faults, never as rejections', async () => {
    const h = harness();
    await h.handle({ type: 'train' });
    await h.handle({ type: 'configure', settings: { ...SETTINGS, batchSize: 7 } });
    await h.handle({ type: 'bogus' } as unknown as ToWorker);
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    const faults = h.of('fault');
    expect(faults.map((f) => f.fault)).toEqual(['error', 'error', 'error', 'error']);
    expect(faults[0].message).toMatch(/not configured yet/);
    expect(faults[1].message).toMatch(/batchSize must be one of 16, 32, 64, 128, got 7/);
    expect(faults[2].message).toMatch(/unknown message type "bogus"/);
    expect(faults[3].message).toMatch(/no training data yet/);
  });

  it('checks the data it is sent, naming the field', async () => {
    const h = harness();
    await h.handle({ type: 'data', train: { ...TRAIN, images: TRAIN.images.subarray(1) }, test: TEST });
    await h.handle({ type: 'data', train: TRAIN, test: { ...TEST, labels: Uint8Array.from(TEST.labels, (v, k) => (k === 3 ? 10 : v)) } });
    await h.handle({ type: 'data', train: indexedDataset(8), test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    expect(h.of('fault').map((f) => f.message)).toEqual([
      'train.images must be a Uint8Array of 100·784 = 78400 pixels, got 78399',
      'test.labels must be digits 0..9, got 10 at 3',
      'the training set has 8 digits, fewer than one batch of 16',
    ]);
  });

  it('turns a failing step into an error fault and can train again', async () => {
    const h = harness();
    await configured(h);
    h.backends[0].failStep = new Error('device exploded');
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.of('fault').at(-1)!.message).toMatch(/Training stopped: device exploded/);
    expect(h.states().at(-1)).toBe('fault');
    h.backends[0].failStep = null;
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.states().at(-1)).toBe('done');
  });
});

describe('backend choice and faults', () => {
  it('auto tries WebGL first; a failing factory falls back to the CPU with the reason', async () => {
    const ok = harness();
    await configured(ok, { ...SETTINGS, backend: 'auto' });
    expect(ok.of('backend')).toEqual([{ type: 'backend', kind: 'webgl', deviceName: 'Fake GPU' }]);
    const failing = harness({ failWebgl: () => true });
    await configured(failing, { ...SETTINGS, backend: 'webgl' });
    expect(failing.factoryCalls).toEqual(['webgl', 'cpu']);
    const [message] = failing.of('backend');
    expect(message.kind).toBe('cpu');
    expect(message.fallbackReason).toMatch(/WebGL2 is not available \(EXT_color_buffer_float is missing\); training on the CPU instead/);
    const cpu = harness();
    await configured(cpu, { ...SETTINGS, backend: 'cpu' });
    expect(cpu.factoryCalls).toEqual(['cpu']);
  });

  it('a non-finite loss (simulated NaN batch) pauses with a fault suggesting a lower learning rate; Train resumes', async () => {
    const h = harness();
    await configured(h);
    await h.handle({ type: 'simulate', fault: 'nan-loss' });
    await h.handle({ type: 'train' });
    await h.idle();
    expect(Number.isNaN(h.backends[0].inputs[0][0])).toBe(true);
    expect(h.backends[0].inputs.slice(1).every((x) => !Number.isNaN(x[0]))).toBe(true);
    expect(h.states().slice(-2)).toEqual(['training', 'fault']);
    const [f] = h.of('fault');
    expect(f.fault).toBe('non-finite');
    expect(f.message).toMatch(/loss became NaN at step 1/);
    expect(f.message).toMatch(/lower learning rate than 0\.001/);
    expect(f.message).toMatch(/Reset/);
    expect(h.backends[0].stepsTaken).toBe(1);
    await h.handle({ type: 'train' });
    await h.idle();
    expect(h.states().at(-1)).toBe('done');
    expect(h.backends[0].stepsTaken).toBe(12);
  });

  it('a lost context pauses, keeps the last snapshot, and on restore resumes from it on a new backend', async () => {
    const h = harness({ session: { snapshotEvery: 5 } });
    await configured(h, { ...SETTINGS, backend: 'webgl', epochs: 3 });
    await h.handle({ type: 'train' });
    const first = h.backends[0];
    await until(() => first.stepsTaken >= 8);
    first.listener!(true);
    expect(h.states().at(-1)).toBe('fault');
    const lost = h.of('fault').at(-1)!;
    expect(lost.fault).toBe('context-lost');
    expect(lost.message).toMatch(/weights from step 6 are kept/); // epoch 1 ended at step 6
    expect(lost.step).toBe(6);
    const takenBeforeLoss = first.stepsTaken;
    await new Promise((r) => setTimeout(r, 10));
    expect(first.stepsTaken).toBeLessThanOrEqual(takenBeforeLoss + 3);
    first.listener!(false);
    await until(() => h.of('fault').some((f) => f.fault === 'context-restored'));
    expect(h.backends).toHaveLength(2);
    expect(first.disposed).toBe(true);
    const second = h.backends[1];
    expect(second.startParams[1].tensor.data[0]).toBe(6); // the snapshot's weights
    expect(h.of('fault').at(-1)).toMatchObject({
      step: 6,
      message: expect.stringMatching(/resumes on the GPU from the weights kept at step 6/),
    });
    // after the restore, step numbers go on from the kept weights' step
    const restoredAt = h.messages.findIndex((m) => m.type === 'fault' && m.fault === 'context-restored');
    await h.idle();
    expect(h.states().at(-1)).toBe('done');
    // the new backend finishes epochs 2 and 3 (12 steps); the step numbers continue from 6
    expect(second.stepsTaken).toBe(12);
    expect(
      h
        .of('epoch')
        .map((e) => e.epoch)
        .at(-1),
    ).toBe(3);
    expect(h.points().at(-1)!.step).toBe(18);
    const after = h.messages.slice(restoredAt).flatMap((m) => (m.type === 'progress' ? m.points.map((p) => p.step) : []));
    expect(after).toEqual(Array.from({ length: 12 }, (_, k) => 7 + k));
  });

  it('a step rejected with WebGLContextLostError before the lost event is the same context-lost fault, and resumes', async () => {
    const h = harness({ session: { snapshotEvery: 2 } });
    await configured(h, { ...SETTINGS, backend: 'webgl', epochs: 1 });
    const first = h.backends[0];
    await h.handle({ type: 'train' });
    await until(() => first.stepsTaken >= 3);
    const lost = new Error('trainStep: the WebGL context was lost');
    lost.name = 'WebGLContextLostError';
    first.failStep = lost;
    await until(() => h.states().at(-1) === 'fault');
    first.listener!(true); // the event arrives late: nothing more happens
    expect(h.of('fault').map((f) => f.fault)).toEqual(['context-lost']);
    first.listener!(false);
    await until(() => h.of('fault').some((f) => f.fault === 'context-restored'));
    await h.idle();
    expect(h.states().at(-1)).toBe('done');
    expect(h.backends[1].stepsTaken + h.backends[1].startParams[1].tensor.data[0]).toBe(6);
  });

  it('snapshots every 50 steps by default, between epochs too', async () => {
    const h = harness();
    await h.handle({ type: 'data', train: indexedDataset(16 * 60), test: TEST });
    await h.handle({ type: 'configure', settings: { ...SETTINGS, backend: 'webgl', epochs: 1 } });
    await h.handle({ type: 'train' });
    const b = h.backends[0];
    await until(() => b.stepsTaken >= 53);
    b.listener!(true);
    expect(h.of('fault').at(-1)!.message).toMatch(/weights from step 50 are kept/);
    await h.handle({ type: 'snapshot' });
    expect(h.of('params').at(-1)!.step).toBe(50);
    expect(h.of('params').at(-1)!.params.data[1][0]).toBe(50);
  });

  it('when the WebGL factory fails after a context loss, training continues on the CPU and says why', async () => {
    const h = harness({ failWebgl: (call) => call > 0, session: { snapshotEvery: 2 } });
    await configured(h, { ...SETTINGS, backend: 'auto' });
    await h.handle({ type: 'train' });
    await until(() => h.backends[0].stepsTaken >= 3);
    h.backends[0].listener!(true);
    h.backends[0].listener!(false);
    await until(() => h.of('backend').length === 2);
    const fallback = h.of('backend')[1];
    expect(fallback.kind).toBe('cpu');
    expect(fallback.fallbackReason).toMatch(/EXT_color_buffer_float is missing/);
    await h.idle();
    expect(h.of('fault').at(-1)!.message).toMatch(/resumes on the CPU/);
    expect(h.states().at(-1)).toBe('done');
    expect(h.backends[1].kind).toBe('cpu');
  });

  it('simulated context loss goes through the backend, and is refused on the CPU with a clear message', async () => {
    const h = harness();
    await configured(h, { ...SETTINGS, backend: 'webgl' });
    const b = h.backends[0] as FakeBackend & { simulateContextLoss?: () => boolean; simulateContextRestore?: () => boolean };
    b.simulateContextLoss = () => {
      b.listener!(true);
      return true;
    };
    b.simulateContextRestore = () => {
      b.listener!(false);
      return true;
    };
    await h.handle({ type: 'simulate', fault: 'lose-context' });
    expect(h.of('fault').at(-1)!.fault).toBe('context-lost');
    await h.handle({ type: 'simulate', fault: 'restore-context' });
    await until(() => h.of('fault').some((f) => f.fault === 'context-restored'));
    expect(h.states().at(-1)).toBe('ready');

    const cpu = harness();
    await configured(cpu);
    await cpu.handle({ type: 'simulate', fault: 'lose-context' });
    const f = cpu.of('fault').at(-1)!;
    expect(f.fault).toBe('error');
    expect(f.message).toMatch(/CPU \(JavaScript engine\) backend has no GPU context to lose; choose the WebGL backend/);
  });
});
