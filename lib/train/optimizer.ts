import { ConvConfigError, describeValue } from '../errors.ts';

/**
 * An optimizer updates parameters in place from their gradients, one step per call. `params[k]`
 * and `grads[k]` are flat Float32Arrays of the same length; the state (velocities, moments) is
 * kept per index k, so the same list must be passed on every step.
 */
export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Steps taken so far. */
  readonly steps: number;
  /** The learning rate the next step uses. */
  readonly learningRate: number;
  step(params: readonly Float32Array[], grads: readonly Float32Array[]): void;
  /**
   * Changes the learning rate for the following steps, keeping the state (velocities, moments and
   * Adam's step count for the bias correction). Throws ConvConfigError unless positive and finite.
   */
  setLearningRate(lr: number): void;
}

/** SGD settings: learning rate (> 0) and momentum in [0, 1) (default 0). */
export interface SgdOptions {
  lr: number;
  momentum?: number;
}

/** Adam settings: learning rate (> 0), β1 and β2 in [0, 1) (defaults 0.9, 0.999), ε > 0 (default 1e-8). */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

function checkPositive(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConvConfigError(parameter, `${parameter} must be a positive finite number, got ${describeValue(value)}`);
  }
  return value;
}

function checkUnitInterval(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new ConvConfigError(parameter, `${parameter} must be a number in [0, 1), got ${describeValue(value)}`);
  }
  return value;
}

/** Checks the lists handed to step and allocates per-parameter state on the first call. */
function checkLists(params: readonly Float32Array[], grads: readonly Float32Array[], state: Float64Array[][], slots: number): void {
  if (!Array.isArray(params) || !Array.isArray(grads) || params.length !== grads.length) {
    throw new ConvConfigError(
      'grads',
      `grads must be a list with one gradient per parameter (${Array.isArray(params) ? params.length : describeValue(params)}), got ${Array.isArray(grads) ? grads.length : describeValue(grads)}`,
    );
  }
  for (let k = 0; k < params.length; k++) {
    if (!(params[k] instanceof Float32Array) || !(grads[k] instanceof Float32Array)) {
      throw new ConvConfigError('params', `params[${k}] and grads[${k}] must be Float32Arrays`);
    }
    if (grads[k].length !== params[k].length) {
      throw new ConvConfigError('grads', `grads[${k}] must have the length of params[${k}] (${params[k].length}), got ${grads[k].length}`);
    }
  }
  if (state.length === 0) {
    for (const p of params) state.push(Array.from({ length: slots }, () => new Float64Array(p.length)));
  }
  if (state.length !== params.length || params.some((p, k) => p.length !== state[k][0].length)) {
    throw new ConvConfigError(
      'params',
      `params must be the same list on every step (lengths ${describeValue(state.map((s) => s[0].length))}), got lengths ${describeValue(params.map((p) => p.length))}`,
    );
  }
}

/**
 * SGD with (heavy-ball) momentum μ: `v ← μ·v + g`, `p ← p − lr·v` (v starts at 0, so μ = 0 is
 * plain SGD). State kept in float64. Throws ConvConfigError for lr ≤ 0 or momentum outside [0, 1).
 */
export function createSgd(options: SgdOptions): Optimizer {
  let lr = checkPositive('lr', options?.lr);
  const momentum = checkUnitInterval('momentum', options.momentum ?? 0);
  const state: Float64Array[][] = [];
  let steps = 0;
  return {
    kind: 'sgd',
    get steps() {
      return steps;
    },
    get learningRate() {
      return lr;
    },
    setLearningRate(value) {
      lr = checkPositive('lr', value);
    },
    step(params, grads) {
      checkLists(params, grads, state, 1);
      for (let k = 0; k < params.length; k++) {
        const p = params[k];
        const g = grads[k];
        const v = state[k][0];
        for (let i = 0; i < p.length; i++) {
          v[i] = momentum * v[i] + g[i];
          p[i] -= lr * v[i];
        }
      }
      steps++;
    },
  };
}

/**
 * Adam: `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, and with bias correction at step t (from 1)
 * `m̂ = m / (1 − β1ᵗ)`, `v̂ = v / (1 − β2ᵗ)`, `p ← p − lr·m̂ / (√v̂ + ε)`. Moments kept in float64.
 * Throws ConvConfigError for lr or ε not positive, or β1, β2 outside [0, 1).
 */
export function createAdam(options: AdamOptions): Optimizer {
  let lr = checkPositive('lr', options?.lr);
  const beta1 = checkUnitInterval('beta1', options.beta1 ?? 0.9);
  const beta2 = checkUnitInterval('beta2', options.beta2 ?? 0.999);
  const eps = checkPositive('eps', options.eps ?? 1e-8);
  const state: Float64Array[][] = [];
  let steps = 0;
  return {
    kind: 'adam',
    get steps() {
      return steps;
    },
    get learningRate() {
      return lr;
    },
    setLearningRate(value) {
      lr = checkPositive('lr', value);
    },
    step(params, grads) {
      checkLists(params, grads, state, 2);
      const t = steps + 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let k = 0; k < params.length; k++) {
        const p = params[k];
        const g = grads[k];
        const [m, v] = state[k];
        for (let i = 0; i < p.length; i++) {
          m[i] = beta1 * m[i] + (1 - beta1) * g[i];
          v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
          p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
        }
      }
      steps = t;
    },
  };
}
