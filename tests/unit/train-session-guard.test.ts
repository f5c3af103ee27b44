import { describe, it, expect } from 'vitest';
import type { BackendOptions, StepMetrics, TrainingBackend } from '../../lib/train/backend.ts';
import type { Param } from '../../lib/train/model.ts';
import type { DatasetPayload, FromWorker, ToWorker, TrainSettings } from '../../lib/train/protocol.ts';
import { DEFAULT_SETTINGS } from '../../lib/train/settings.ts';
import { createTrainingSession } from '../../lib/train/session.ts';
import type { SessionOptions } from '../../lib/train/session.ts';
import { createDivergenceGuard } from '../../lib/train/divergence.ts';
import { initParams } from '../../lib/train/init.ts';
import { SEED_CNN } from '../../lib/train/model.ts';
import { paramsToPayload } from '../../lib/train/params-payload.ts';

/**
 * The session's guard against a diverging loss (pause, say so, roll back to good weights), its
 * quick checks on a fixed validation slice, the full test pass's progress, restored positions,
 * "one more epoch" and request ids, against a scripted backend whose weights are one counter.
 */

/** Digits whose label is i mod 10; image i carries i in its first pixel. */
function dataset(count: number): DatasetPayload {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images[i * 784] = i;
    labels[i] = i % 10;
  }
  return { images, labels, count };
}

/** A backend whose "weights" are the number of updates applied; `lossAt(update)` scripts the loss. */
class ScriptedBackend implements TrainingBackend {
  readonly kind = 'cpu' as const;
  readonly deviceName = 'Scripted CPU';
  readonly batchSize: number;
  updates = 0;
  readonly restored: number[] = [];
  private readonly template: readonly Param[];
  private readonly lossAt: (update: number) => number;
  constructor(options: BackendOptions, lossAt: (update: number) => number) {
    this.lossAt = lossAt;
    this.batchSize = options.batchSize;
    this.template = options.params;
    this.updates = options.params[1].tensor.data[0];
  }
  async trainStep(_x: Float32Array, labels: Uint8Array): Promise<StepMetrics> {
    const loss = this.lossAt(this.updates + 1);
    const finite = Number.isFinite(loss);
    if (finite) this.updates++;
    return { loss, correct: 0, count: labels.length, finite };
  }
  /** Predicts digit (i mod 10) for even i and (i + 1) mod 10 for odd i, with logit 1 on that class. */
  async logits(x: Float32Array, n: number): Promise<Float32Array> {
    const out = new Float32Array(n * 10);
    for (let b = 0; b < n; b++) {
      const i = Math.round(x[b * 784] * 255);
      out[b * 10 + (i % 2 === 0 ? i % 10 : (i + 1) % 10)] = 1;
    }
    return out;
  }
  async getParams(): Promise<Param[]> {
    return this.template.map((p, k) => {
      const data = Float32Array.from(p.tensor.data);
      if (k === 1) data[0] = this.updates;
      return { name: p.name, tensor: { shape: [...p.tensor.shape], data } };
    });
  }
  async setParams(params: readonly Param[]): Promise<void> {
    this.updates = params[1].tensor.data[0];
    this.restored.push(this.updates);
  }
  setLearningRate(): void {}
  dispose(): void {}
}

function harness(lossAt: (update: number) => number, session: Partial<SessionOptions> = {}) {
  const messages: FromWorker[] = [];
  const backends: ScriptedBackend[] = [];
  const s = createTrainingSession({
    backendFactory: (_kind, options) => {
      const b = new ScriptedBackend(options, lossAt);
      backends.push(b);
      return b;
    },
    post: (m) => messages.push(m),
    now: () => 0,
    progressIntervalMs: 0,
    schedule: (task) => void setImmediate(task),
    ...session,
  });
  const of = <T extends FromWorker['type']>(type: T) => messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  return {
    handle: (m: ToWorker) => s.handle(m),
    idle: () => s.idle(),
    messages,
    of,
    backends,
    states: () => of('state').map((m) => m.state),
  };
}

const SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  net: 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10',
  backend: 'cpu',
  batchSize: 16,
  epochs: 2,
  seed: 3,
};
const TRAIN = dataset(160); // 10 steps per epoch
const TEST = dataset(40);
/** Mean cross-entropy of a one-hot logit row (1 on the predicted class): right → log(9 + e) − 1, wrong → log(9 + e). */
const CE_RIGHT = Math.log(9 + Math.E) - 1;
const CE_WRONG = Math.log(9 + Math.E);

describe('the divergence guard', () => {
  it('fires after 3 steps above 10× the running minimum and above 10, naming the first of them', () => {
    const g = createDivergenceGuard();
    const seen = [2.3, 1.5, 1.2, 14, 30, 80].map((loss, k) => g.record(k + 1, loss));
    expect(seen.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(seen[5]).toEqual({ firstBadStep: 4, bestLoss: 1.2, loss: 80 });
  });

  it('does not fire on a spike that comes back down, nor on a loss ≤ 10', () => {
    const g = createDivergenceGuard();
    for (const [k, loss] of [0.5, 20, 30, 0.6, 40, 9, 9.5, 9.9, 9.9].entries()) expect(g.record(k + 1, loss)).toBeNull();
  });

  it('fires at once on a non-finite loss', () => {
    const g = createDivergenceGuard();
    g.record(1, 2);
    expect(g.record(2, Number.NaN)).toMatchObject({ firstBadStep: 2 });
  });
});

describe('a session whose loss explodes', () => {
  // Healthy for 6 updates, then the loss climbs by 10³ per update (finite all along).
  const exploding = (u: number) => (u <= 6 ? 2 / u : 10 ** (3 * (u - 6)));

  it('pauses with "The loss is exploding: lower the learning rate" and a rollback step before the climb', async () => {
    const h = harness(exploding, { snapshotEvery: 2, validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    await h.idle();
    const fault = h.of('fault').at(-1)!;
    expect(fault.fault).toBe('diverged');
    expect(fault.message).toMatch(/^The loss is exploding: lower the learning rate\./);
    // The climb starts at update 7 (loss 1000 > 10 × 0.333…); snapshots every 2 steps: step 6 is the last good one.
    expect(fault.step).toBe(6);
    expect(h.states().at(-1)).toBe('fault');
    const steps = h.of('progress').flatMap((p) => p.points.map((q) => q.step));
    expect(Math.max(...steps)).toBe(9); // 3 steps over the threshold
  });

  it('rolls back to the good weights and step, and Resume after a lower rate goes on from them', async () => {
    const h = harness(exploding, { snapshotEvery: 2, validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    await h.idle();
    await h.handle({ type: 'rollback' });
    expect(h.backends[0].restored).toEqual([6]);
    expect(h.of('rolled-back')).toEqual([{ type: 'rolled-back', step: 6, epoch: 0, stepInEpoch: 6 }]);
    expect(h.states().at(-1)).toBe('paused');
    await h.handle({ type: 'pause' });
    const before = h.of('progress').length;
    await h.handle({ type: 'set-learning-rate', learningRate: 0.001 });
    await h.handle({ type: 'train' });
    for (let k = 0; k < 50; k++) await new Promise((r) => setImmediate(r));
    await h.handle({ type: 'pause' });
    await h.idle();
    const next = h
      .of('progress')
      .slice(before)
      .flatMap((p) => p.points);
    expect(next[0].step).toBe(7);
  });

  it('Resume without a rollback first puts the good weights back', async () => {
    const h = harness(exploding, { snapshotEvery: 2, validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    await h.idle();
    await h.handle({ type: 'train' });
    await h.handle({ type: 'pause' });
    await h.idle();
    expect(h.backends[0].restored).toEqual([6]);
    expect(h.of('rolled-back').map((m) => m.step)).toEqual([6]);
  });

  it('a rollback without a divergence is refused by name', async () => {
    const h = harness(() => 1, { validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'rollback', requestId: 9 });
    expect(h.of('ack')).toEqual([{ type: 'ack', requestId: 9, error: 'there is nothing to roll back to: the loss has not diverged' }]);
  });
});

describe('quick checks, test progress, positions and requests', () => {
  it('checks the first 20 test digits every 4 steps: loss and accuracy from the logits, predictions per digit', async () => {
    const h = harness(() => 1, { validateEvery: 4, validationCount: 20 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS });
    await h.handle({ type: 'train' });
    await h.idle();
    const v = h.of('validation');
    // Global steps 4, 8, 12, 16 (not 20, an epoch's end, where the full test runs instead).
    expect(v.map((m) => m.step)).toEqual([4, 8, 12, 16]);
    expect(v[0].epoch).toBeCloseTo(0.4, 12);
    for (const m of v) {
      expect(m.count).toBe(20);
      expect(m.accuracy).toBe(0.5);
      expect(m.loss).toBeCloseTo((CE_RIGHT + CE_WRONG) / 2, 6);
      expect(Array.from(m.predictions)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i % 10 : (i + 1) % 10)));
    }
    const epochs = h.of('epoch');
    expect(epochs[0].testLoss).toBeCloseTo((CE_RIGHT + CE_WRONG) / 2, 6);
  });

  it('reports the full test pass as it goes, ending at all 40 digits', async () => {
    const h = harness(() => 1, { validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: { ...SETTINGS, epochs: 1 } });
    await h.handle({ type: 'train' });
    await h.idle();
    const testing = h.of('testing');
    expect(testing.map((t) => t.done)).toEqual([16, 32, 40]);
    expect(testing.every((t) => t.total === 40)).toBe(true);
    const order = h.messages.map((m) => m.type);
    expect(order.lastIndexOf('testing')).toBeLessThan(order.indexOf('epoch'));
  });

  it('a restored position goes on counting from its step, checks the restored weights, and more epochs continue', async () => {
    const h = harness(() => 1, { validateEvery: 0, validationCount: 20 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    const params = initParams(SEED_CNN, 1);
    params[1].tensor.data[0] = 20;
    await h.handle({
      type: 'configure',
      settings: SETTINGS,
      params: paramsToPayload(SETTINGS.net, params),
      position: { step: 20, epoch: 2 },
    });
    // 20 steps = 2 epochs of 10: the run is done; the page sees the step and a quick check.
    expect(h.of('progress').at(-1)).toMatchObject({ step: 20, epoch: 2, stepInEpoch: 0 });
    expect(h.of('validation').map((v) => v.step)).toEqual([20]);
    expect(h.states().at(-1)).toBe('done');
    await h.handle({ type: 'more-epochs', epochs: 1 });
    await h.idle();
    const steps = h.of('progress').flatMap((p) => p.points.map((q) => q.step));
    expect(steps).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(h.of('epoch').map((e) => e.epoch)).toEqual([3]);
    expect(h.states().at(-1)).toBe('done');
    expect(h.backends[0].updates).toBe(30);
  });

  it('a snapshot request is answered by params with its id and the epoch; other requests get an ack', async () => {
    const h = harness(() => 1, { validateEvery: 0 });
    await h.handle({ type: 'data', train: TRAIN, test: TEST });
    await h.handle({ type: 'configure', settings: SETTINGS, requestId: 1 });
    await h.handle({ type: 'snapshot', requestId: 2 });
    await h.handle({ type: 'snapshot' });
    expect(h.of('ack')).toEqual([{ type: 'ack', requestId: 1 }]);
    const params = h.of('params');
    expect(params.map((p) => p.requestId)).toEqual([2, undefined]);
    expect(params[0]).toMatchObject({ step: 0, epoch: 0 });
    expect(params.map((p) => p.quiet)).toEqual([undefined, undefined]);
    await h.handle({ type: 'snapshot', quiet: true, requestId: 3 });
    expect(h.of('params').at(-1)).toMatchObject({ requestId: 3, quiet: true, step: 0 });
  });
});
