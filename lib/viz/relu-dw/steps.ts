/**
 * The steps of the ReLU-mask-and-dW figure (lesson 6), one per statement its reference loops ran,
 * in loop order: the forward picture, one gate per δ_Z cell (reluBackwardLoops), then
 * convParamGradientLoops' row copies, bias terms and stores, weight terms and stores, and the
 * check against the engine. Pure.
 */
import type { FigureStep } from '../figure/spec.ts';
import type { ReluDwView } from './view.ts';
import {
  biasNarration,
  biasTermNarration,
  deltaEquation,
  doneNarration,
  forwardNarration,
  rowsNarration,
  storeNarration,
  termNarration,
} from './narration.ts';

/** The three stages of the figure. */
export type ReluDwStage = 'relu' | 'bias' | 'weight';

/** What a step runs: the statement of the reference loops (its cursor's mark), or the first and last pictures. */
export type ReluDwStepKind = 'forward' | 'gate' | 'rows' | 'bias-term' | 'bias' | 'term' | 'store' | 'done';

/** How much is computed once a step has run (progressive reveal): counts in loop order. */
export interface ReluDwProgress {
  /** δ_Z cells, flat NCHW. */
  delta: number;
  /** dY_row blocks, in `n·F + f` order. */
  rows: number;
  /** Biases db[0 … db−1]. */
  db: number;
  /** Weights, in `f·R + r` order. */
  dw: number;
}

/** One step: its statement, what it works on (−1 when unused), the code panel it belongs to, and the progress. */
export interface ReluDwStep extends FigureStep {
  kind: ReluDwStepKind;
  stage: ReluDwStage;
  /** The loop in the code panel: reluBackwardLoops ('relu') or convParamGradientLoops ('params'). */
  code: 'relu' | 'params';
  /** δ_Z cell (flat NCHW). */
  k: number;
  n: number;
  f: number;
  /** Weight r of filter f (column of X_colᵀ). */
  r: number;
  /** Window q (column of dY_row, row of X_colᵀ). */
  q: number;
  /** Term t of weight (f, r)'s dot product. */
  t: number;
  progress: ReluDwProgress;
}

const NONE = { k: -1, n: -1, f: -1, r: -1, q: -1, t: -1 };

/** The steps of a view (needs its replay, grids and labels; steps themselves are not read). */
export function reluDwSteps(view: ReluDwView): ReluDwStep[] {
  const progress: ReluDwProgress = { delta: 0, rows: 0, db: 0, dw: 0 };
  const steps: ReluDwStep[] = [
    {
      ...NONE,
      kind: 'forward',
      stage: 'relu',
      code: 'relu',
      progress: { ...progress },
      cursor: { mark: 'forward', vars: [] },
      narration: forwardNarration(view),
    },
  ];
  for (const { cursor, event } of view.replay.gates) {
    progress.delta += 1;
    steps.push({
      ...NONE,
      kind: 'gate',
      stage: 'relu',
      code: 'relu',
      k: event.k,
      n: event.n,
      f: event.f,
      progress: { ...progress },
      cursor,
      narration: deltaEquation(view, event.k),
    });
  }
  for (const { cursor, event: e } of view.replay.params) {
    const at = { ...NONE, n: e.n, f: e.f, r: e.r, q: e.q };
    if (e.kind === 'rows') {
      progress.rows += 1;
      steps.push({
        ...at,
        kind: 'rows',
        stage: 'bias',
        code: 'params',
        progress: { ...progress },
        cursor,
        narration: rowsNarration(view, e.n, e.f),
      });
    } else if (e.kind === 'bias-term') {
      steps.push({
        ...at,
        kind: 'bias-term',
        stage: 'bias',
        code: 'params',
        progress: { ...progress },
        cursor,
        narration: biasTermNarration(view, e.f, e.q, e.sum),
      });
    } else if (e.kind === 'bias') {
      progress.db += 1;
      steps.push({
        ...at,
        kind: 'bias',
        stage: 'bias',
        code: 'params',
        progress: { ...progress },
        cursor,
        narration: biasNarration(view, e.f),
      });
    } else if (e.kind === 'term') {
      // The loop adds one term per window, in window order: term t is window q.
      steps.push({
        ...at,
        t: e.q,
        kind: 'term',
        stage: 'weight',
        code: 'params',
        progress: { ...progress },
        cursor,
        narration: termNarration(view, e.f, e.r, e.q),
      });
    } else {
      progress.dw += 1;
      steps.push({
        ...at,
        kind: 'store',
        stage: 'weight',
        code: 'params',
        progress: { ...progress },
        cursor,
        narration: storeNarration(view, e.f, e.r),
      });
    }
  }
  steps.push({
    ...NONE,
    kind: 'done',
    stage: 'weight',
    code: 'params',
    progress: { ...progress },
    cursor: { mark: 'result', vars: [] },
    narration: doneNarration(view),
  });
  return steps;
}

/** The first step of each stage, for the jump buttons: ReLU mask, bias gradient, weight gradient. */
export function stageStarts(steps: readonly ReluDwStep[]): Record<ReluDwStage, number> {
  return {
    relu: 0,
    bias: steps.findIndex((s) => s.stage === 'bias'),
    weight: steps.findIndex((s) => s.stage === 'weight'),
  };
}
