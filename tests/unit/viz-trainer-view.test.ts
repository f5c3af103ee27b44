import { describe, it, expect } from 'vitest';
import { clearProgress, initialTrainerView, reduceTrainerMessage } from '../../lib/viz/trainer/trainer-view.ts';
import type { TrainerView } from '../../lib/viz/trainer/trainer-view.ts';
import { STATE_TEXT, backendText, faultText, primaryAction, statusReadout } from '../../lib/viz/trainer/status.ts';
import { SETTING_OPTIONS, editSetting, needsRebuild } from '../../lib/viz/trainer/settings-form.ts';
import { BACKEND_CHOICES, OPTIMIZER_KINDS } from '../../lib/train/settings.ts';
import { BATCH_SIZES } from '../../lib/train/protocol.ts';
import { emaSmooth } from '../../lib/viz/trainer/smoothing.ts';
import { DEFAULT_SETTINGS } from '../../lib/train/settings.ts';
import type { FromWorker, ParamsPayload } from '../../lib/train/protocol.ts';

const payload: ParamsPayload = { net: 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10', names: [], shapes: [], data: [] };
const run = (messages: FromWorker[], from: TrainerView = initialTrainerView()) => messages.reduce(reduceTrainerMessage, from);
const progress = (step: number, losses: number[], extra: Partial<Extract<FromWorker, { type: 'progress' }>> = {}): FromWorker => ({
  type: 'progress',
  epoch: 1,
  stepInEpoch: step,
  stepsPerEpoch: 125,
  step,
  totalSteps: 250,
  imagesPerSecond: 211.6,
  epochEtaSeconds: 30,
  points: losses.map((loss, k) => ({
    step: step - losses.length + k + 1,
    epoch: (step - losses.length + k + 1) / 125,
    loss,
    accuracy: 0.5,
  })),
  ...extra,
});

describe('the page view of the worker messages', () => {
  it('accumulates progress points and keeps the last speed when a message has none', () => {
    const v = run([progress(2, [2.3, 2.2]), progress(3, [2.1], { imagesPerSecond: 0 })]);
    expect(v.points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(v.step).toBe(3);
    expect(v.imagesPerSecond).toBe(211.6);
  });

  it('records each epoch once (a repeated epoch replaces the earlier result) with predictions and params', () => {
    const preds = new Uint8Array([1, 2]);
    const v = run([
      progress(125, [1]),
      { type: 'epoch', epoch: 1, testAccuracy: 0.9, testLoss: 0.3, predictions: preds, params: payload },
      { type: 'epoch', epoch: 1, testAccuracy: 0.91, testLoss: 0.28, predictions: preds, params: payload },
    ]);
    expect(v.tests).toEqual([{ epoch: 1, accuracy: 0.91, loss: 0.28, step: 125 }]);
    expect(v.predictions).toBe(preds);
    expect(v.predictionsEpoch).toBe(1);
    expect(v.params).toBe(payload);
    expect(v.paramsStep).toBe(125);
  });

  it('remembers a snapshot and the backend with its fallback reason', () => {
    const v = run([
      {
        type: 'backend',
        kind: 'cpu',
        deviceName: 'CPU (JavaScript engine)',
        fallbackReason: 'WebGL2 is not available (no EXT_color_buffer_float).',
      },
      { type: 'params', step: 40, epoch: 0.32, params: payload },
    ]);
    expect(v.params).toBe(payload);
    expect(v.paramsStep).toBe(40);
    expect(backendText(v, DEFAULT_SETTINGS)).toBe(
      'CPU worker · CPU (JavaScript engine) — WebGL2 is not available (no EXT_color_buffer_float).',
    );
    expect(backendText(run([{ type: 'backend', kind: 'webgl', deviceName: 'ANGLE (SwiftShader)' }]), DEFAULT_SETTINGS)).toBe(
      'WebGL2 · Software GPU (SwiftShader) — the CPU is about as fast here',
    );
  });

  it('a quiet snapshot (kept for a save only) leaves the weights shown as they were', () => {
    const newer = { ...payload };
    const v = run([
      { type: 'params', step: 40, epoch: 0.32, params: payload },
      { type: 'params', step: 60, epoch: 0.48, params: newer, quiet: true },
    ]);
    expect(v.params).toBe(payload);
    expect(v.paramsStep).toBe(40);
  });

  it('a fault stays until training runs again; context loss is tracked until restored', () => {
    let v = run([
      { type: 'state', state: 'training' },
      { type: 'fault', fault: 'context-lost', message: 'The WebGL context was lost.' },
    ]);
    expect(v.contextLost).toBe(true);
    expect(v.fault?.fault).toBe('context-lost');
    v = run([{ type: 'state', state: 'paused' }], v);
    expect(v.fault?.fault).toBe('context-lost');
    v = run([{ type: 'fault', fault: 'context-restored', message: 'The WebGL context was restored.' }], v);
    expect(v.contextLost).toBe(false);
    // The "restored" note survives the automatic resume.
    v = run([{ type: 'state', state: 'training' }], v);
    expect(v.fault?.fault).toBe('context-restored');
    v = run(
      [
        { type: 'fault', fault: 'non-finite', message: 'loss is not a number' },
        { type: 'state', state: 'fault' },
      ],
      v,
    );
    expect(v.fault?.fault).toBe('non-finite');
    expect(run([{ type: 'state', state: 'training' }], v).fault).toBeNull();
  });

  it('clearProgress forgets the run but keeps the backend', () => {
    const v = run([{ type: 'backend', kind: 'webgl', deviceName: 'GPU' }, progress(5, [1, 1, 1, 1, 1])]);
    const c = clearProgress(v);
    expect(c.points).toEqual([]);
    expect(c.step).toBe(0);
    expect(c.backend).toEqual(v.backend);
  });
});

describe('status readouts', () => {
  it('before training: waiting, no numbers, Train disabled until the model exists', () => {
    const r = statusReadout(initialTrainerView(), DEFAULT_SETTINGS);
    expect(r).toMatchObject({
      state: 'Waiting for data',
      epoch: '0 of 2',
      step: '0',
      imagesPerSecond: '—',
      loss: '—',
      testAccuracy: '—',
      eta: 'not started',
    });
    expect(primaryAction('idle')).toEqual({ label: 'Train', message: 'train', disabled: true });
    expect(primaryAction('ready').disabled).toBe(false);
    expect(primaryAction('done')).toEqual({ label: 'Train 1 more epoch', message: 'more', disabled: false });
  });

  it('while training: epoch, step, integer speed, smoothed loss, progress and ETA', () => {
    const v = run([{ type: 'state', state: 'training' }, progress(3, [2.4, 2.2, 2.0])]);
    const r = statusReadout(v, DEFAULT_SETTINGS);
    expect(r.state).toBe(STATE_TEXT.training);
    expect(r.epoch).toBe('1 of 2');
    expect(r.step).toBe('3 of 250');
    expect(r.imagesPerSecond).toBe('212');
    expect(r.loss).toBe(emaSmooth([2.4, 2.2, 2.0], 0.9)[2].toFixed(3));
    expect(r.progress).toEqual({ value: 3, max: 125 });
    expect(r.eta).toBe('about 30 s left in this epoch');
    expect(primaryAction('training')).toEqual({ label: 'Pause', message: 'pause', disabled: false });
  });

  it('a non-finite last loss reads as words; the test accuracy shows after an epoch', () => {
    const v = run([
      progress(2, [1.0, NaN]),
      { type: 'epoch', epoch: 1, testAccuracy: 0.9734, testLoss: 0.1, predictions: new Uint8Array(0), params: payload },
    ]);
    const r = statusReadout(v, DEFAULT_SETTINGS);
    expect(r.loss).toBe('not a number');
    expect(r.testAccuracy).toBe('97.3%');
  });

  it('paused and faulted runs resume; nothing to press while the model is being built', () => {
    expect(primaryAction('paused')).toEqual({ label: 'Resume', message: 'train', disabled: false });
    expect(primaryAction('fault')).toEqual({ label: 'Resume', message: 'train', disabled: false });
    expect(primaryAction('configuring').disabled).toBe(true);
  });

  it('fault headlines name the fault in words the page promises', () => {
    expect(faultText({ fault: 'non-finite', message: 'The loss became NaN at step 3' }).title).toMatch(/not a number or infinite/);
    expect(faultText({ fault: 'non-finite', message: 'x' }).advice).toMatch(/Reset/);
    // No second suggestion when the worker's message already offers one.
    expect(faultText({ fault: 'non-finite', message: 'Try a lower learning rate, or press Reset.' }).advice).toBe('');
    expect(faultText({ fault: 'context-lost', message: 'The GPU context was lost' }).title).toBe('The WebGL context was lost.');
    expect(faultText({ fault: 'context-restored', message: 'back' }).title).toMatch(/restored/);
    expect(faultText({ fault: 'error', message: 'boom' }).detail).toBe('boom');
  });
});

describe('settings form', () => {
  const start = { settings: DEFAULT_SETTINGS, error: null };

  it('applies a valid edit', () => {
    const s = editSetting(start, 'learningRate', '0.01');
    expect(s.error).toBeNull();
    expect(s.settings.optimizer.learningRate).toBe(0.01);
    expect(editSetting(start, 'batchSize', '128').settings.batchSize).toBe(128);
    expect(editSetting(start, 'net', 'c8k3s1p1r,f,d10').settings.net).toBe('c8k3s1p1,f,d10');
    expect(editSetting(start, 'net', 'c8k3s1p1,d10').error?.message).toBe(
      'layers[1]: a dense layer needs a flat input (add a flatten layer), got [8, 28, 28]',
    );
  });

  it('refuses an invalid edit with the engine message and keeps the last valid settings', () => {
    const s = editSetting(editSetting(start, 'epochs', '3'), 'epochs', '99');
    expect(s.settings.epochs).toBe(3);
    expect(s.error).toEqual({ field: 'epochs', text: '99', message: 'epochs must be an integer in [1, 50], got 99' });
    // An empty field is named in the reader's words, not as NaN.
    expect(editSetting(start, 'learningRate', '').error?.message).toBe(
      'Learning rate: enter a number between 0 and 1 (0 excluded), e.g. 0.001',
    );
    expect(editSetting(start, 'learningRate', '2').error?.message).toBe('optimizer.learningRate must be a number in [1e-6, 1], got 2');
    expect(editSetting(start, 'momentum', '1').error?.field).toBe('momentum');
  });

  it('offers exactly the choices the engine accepts', () => {
    const values = (list: readonly { value: string }[]) => list.map((o) => o.value).sort();
    expect(values(SETTING_OPTIONS.backend)).toEqual([...BACKEND_CHOICES].sort());
    expect(values(SETTING_OPTIONS.optimizer)).toEqual([...OPTIMIZER_KINDS].sort());
    expect(SETTING_OPTIONS.batchSize.map((o) => Number(o.value))).toEqual([...BATCH_SIZES]);
  });

  it('only the learning rate can change without rebuilding the model', () => {
    const lr = editSetting(start, 'learningRate', '0.02').settings;
    expect(needsRebuild(DEFAULT_SETTINGS, lr)).toBe(false);
    expect(needsRebuild(DEFAULT_SETTINGS, editSetting(start, 'seed', '2').settings)).toBe(true);
  });
});
