import type { DatasetPayload, FaultKind, FromWorker, StepPoint, TrainerState, TrainSettings } from './protocol.ts';
import type { Param } from './model.ts';
import type { StepMetrics, TrainingBackend } from './backend.ts';
import type { ThroughputMeter } from './throughput.ts';
import type { DivergenceGuard } from './divergence.ts';
import type { Snapshot } from './session-types.ts';
import { paramsToPayload } from './params-payload.ts';
import { batchAt, epochOrder } from './batches.ts';
import { evaluateDataset } from './evaluate.ts';
import { describeLoss, errorText, formatLossValue, isContextLoss } from './session-text.ts';

/**
 * The training session's mutable state that its loop shares: the data, settings and backend,
 * the position in the run (completed epochs, steps submitted and completed in the current one,
 * the epoch's order), the kept snapshots, and the loop's own flags.
 */
export interface SessionState {
  train: DatasetPayload | null;
  test: DatasetPayload | null;
  settings: TrainSettings | null;
  backend: TrainingBackend | null;
  meter: ThroughputMeter;
  epochIndex: number;
  submitted: number;
  completed: number;
  order: Uint32Array | null;
  snapshot: Snapshot | null;
  /** The last few snapshots, oldest first: where a rollback after a divergence goes back to. */
  history: Snapshot[];
  /** After a 'diverged' fault: the good snapshot a rollback (or the next Train) restores. */
  rollbackTo: Snapshot | null;
  lastValidated: number;
  loop: Promise<void> | null;
  generation: number;
  running: boolean;
  quietStop: boolean;
  poisonNext: boolean;
  points: StepPoint[];
}

/** What the loop needs from the session: its state, settings and the session's own helpers. */
export interface LoopContext {
  readonly s: SessionState;
  readonly guard: DivergenceGuard;
  readonly queueDepth: number | undefined;
  readonly progressInterval: number;
  readonly snapshotEvery: number;
  readonly validateEvery: number;
  readonly validationCount: number;
  readonly now: () => number;
  readonly post: (message: FromWorker, transfer?: Transferable[]) => void;
  perEpoch(): number;
  totalCompleted(): number;
  totalSubmitted(): number;
  postProgress(force: boolean, evenWithoutPoints?: boolean): void;
  keepSnapshot(params: Param[]): void;
  yieldNow(): Promise<void>;
  onContextChange(from: TrainingBackend, lost: boolean): void;
  fault(kind: FaultKind, message: string, step?: number): void;
  setState(next: TrainerState): void;
}

/** The first `validationCount` test digits (the quick check's fixed slice). */
function validationSlice(c: LoopContext): DatasetPayload | null {
  const { s } = c;
  if (!s.test || s.test.count === 0) return null;
  const count = Math.min(c.validationCount, s.test.count);
  return { images: s.test.images.subarray(0, count * 784), labels: s.test.labels.subarray(0, count), count };
}

/** Runs the quick check on the validation slice and posts it; false when the run moved on meanwhile. */
export async function validate(c: LoopContext, gen: number, active: TrainingBackend): Promise<boolean> {
  const { s } = c;
  const slice = validationSlice(c);
  s.lastValidated = c.totalCompleted();
  if (!slice) return true;
  const result = await evaluateDataset(active, slice, c.yieldNow);
  if (gen !== s.generation) return false;
  const spe = c.perEpoch();
  c.post(
    {
      type: 'validation',
      step: c.totalCompleted(),
      epoch: spe ? c.totalCompleted() / spe : 0,
      loss: result.loss,
      accuracy: result.accuracy,
      count: slice.count,
      predictions: result.predictions,
    },
    [result.predictions.buffer as ArrayBuffer],
  );
  return true;
}

async function endEpoch(c: LoopContext, gen: number, active: TrainingBackend): Promise<boolean> {
  const { s } = c;
  c.postProgress(true);
  const testSet = s.test ?? { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  let reportedAt = Number.NEGATIVE_INFINITY;
  const evaluation = await evaluateDataset(active, testSet, async (done) => {
    const t = c.now();
    if (t - reportedAt >= c.progressInterval || done === testSet.count) {
      reportedAt = t;
      c.post({ type: 'testing', done, total: testSet.count });
    }
    await c.yieldNow();
  });
  if (gen !== s.generation) return false;
  const params = await active.getParams();
  if (gen !== s.generation) return false;
  s.epochIndex++;
  s.submitted = s.completed = 0;
  s.order = null;
  c.keepSnapshot(params);
  const payload = paramsToPayload(s.settings!.net, params);
  c.post(
    {
      type: 'epoch',
      epoch: s.epochIndex,
      testAccuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      predictions: evaluation.predictions,
      params: payload,
    },
    [evaluation.predictions.buffer as ArrayBuffer, ...payload.data.map((d) => d.buffer as ArrayBuffer)],
  );
  s.lastValidated = c.totalCompleted();
  s.meter.restart();
  return true;
}

/**
 * The training loop of generation `gen`: keeps up to the backend's queue depth of steps in flight,
 * takes the kept snapshots and quick checks when due, ends epochs (full test, weights), watches
 * the loss (divergence, non-finite) and turns every way it stops into the session's state and
 * fault messages. Returns early, silently, once the generation has moved on.
 */
export async function runLoop(c: LoopContext, gen: number): Promise<void> {
  const { s } = c;
  const active = s.backend!;
  const run = s.settings!;
  const data = s.train!;
  const depth = active.kind === 'webgl' ? Math.max(1, c.queueDepth ?? active.preferredQueueDepth ?? 1) : 1;
  const inflight: Promise<StepMetrics>[] = [];
  let nonFinite: { step: number; loss: number } | null = null;
  let diverged: { step: number; loss: number; bestLoss: number; firstBadStep: number } | null = null;
  let finished = false;
  let failure: unknown = null;
  s.meter.restart();
  try {
    const spe = c.perEpoch();
    for (;;) {
      if (gen !== s.generation) return;
      if (!s.order) s.order = epochOrder(data.count, run.seed, s.epochIndex);
      const snapshotDue = (): boolean => {
        const total = c.totalSubmitted();
        return total > 0 && total % c.snapshotEvery === 0 && (s.snapshot?.step ?? -1) < total;
      };
      const validationDue = (): boolean => {
        const total = c.totalSubmitted();
        return c.validateEvery > 0 && total > 0 && total % c.validateEvery === 0 && s.submitted < spe && s.lastValidated < total;
      };
      while (s.running && inflight.length < depth && s.submitted < spe && !snapshotDue() && !validationDue()) {
        const batch = batchAt(data, s.order, s.submitted, active.batchSize);
        if (s.poisonNext) {
          batch.x[0] = Number.NaN;
          s.poisonNext = false;
        }
        const step = active.trainStep(batch.x, batch.y);
        step.catch(() => {}); // observed below; this keeps an abandoned step from an unhandled rejection
        inflight.push(step);
        s.submitted++;
      }
      if (inflight.length === 0) {
        if (s.completed === spe) {
          if (!(await endEpoch(c, gen, active))) return;
          if (s.epochIndex >= run.epochs) {
            finished = true;
            break;
          }
          if (!s.running) break;
          continue;
        }
        if (s.running && snapshotDue()) {
          const params = await active.getParams();
          if (gen !== s.generation) return;
          c.keepSnapshot(params);
          continue;
        }
        if (s.running && validationDue()) {
          c.postProgress(true);
          if (!(await validate(c, gen, active))) return;
          s.meter.restart();
          continue;
        }
        break;
      }
      const metrics = await inflight.shift()!;
      if (gen !== s.generation) return;
      s.completed++;
      s.meter.record(c.now(), metrics.count);
      const step = c.totalCompleted();
      s.points.push({
        step,
        epoch: s.epochIndex + s.completed / spe,
        loss: metrics.loss,
        accuracy: metrics.count > 0 ? metrics.correct / metrics.count : 0,
      });
      const blowUp: ReturnType<typeof c.guard.record> = diverged || nonFinite ? null : c.guard.record(step, metrics.loss);
      if (blowUp && (metrics.finite || blowUp.firstBadStep < step)) {
        diverged = { step, loss: metrics.loss, bestLoss: blowUp.bestLoss, firstBadStep: blowUp.firstBadStep };
        s.running = false;
      } else if (!metrics.finite && !nonFinite && !diverged) {
        nonFinite = { step, loss: metrics.loss };
        s.running = false;
      }
      c.postProgress(false);
      await c.yieldNow();
    }
  } catch (error) {
    failure = error;
  }
  if (gen !== s.generation) return;
  if (failure && isContextLoss(failure) && active === s.backend) {
    // The context went before its 'webglcontextlost' event arrived: the same fault path.
    c.onContextChange(active, true);
    return;
  }
  s.loop = null;
  s.running = false;
  s.submitted = s.completed; // steps that failed or never reported are taken again on the next Train
  c.postProgress(true);
  if (failure) {
    c.fault('error', `Training stopped: ${errorText(failure)}. Press Train to try again, or Reset.`);
    c.setState('fault');
  } else if (finished) {
    c.setState('done');
  } else if (diverged) {
    const good = [...s.history].reverse().find((h) => h.step < diverged!.firstBadStep) ?? s.history[0] ?? s.snapshot;
    s.rollbackTo = good;
    const at = good ? good.step : 0;
    c.fault(
      'diverged',
      `The loss is exploding: lower the learning rate. It rose from ${formatLossValue(diverged.bestLoss)} to ${formatLossValue(diverged.loss)} by step ${diverged.step}, ` +
        `so training is paused. Roll back to the weights kept at step ${at}, lower the learning rate (now ${run.optimizer.learningRate}) and press Resume.`,
      at,
    );
    c.setState('fault');
  } else if (nonFinite) {
    c.fault(
      'non-finite',
      `The loss became ${describeLoss(nonFinite.loss)} at step ${nonFinite.step}, so training is paused (that step did not change the weights). ` +
        `Try a lower learning rate than ${run.optimizer.learningRate}, or press Reset to start again from fresh weights.`,
    );
    c.setState('fault');
  } else if (!s.quietStop) {
    c.setState('paused');
  }
}
