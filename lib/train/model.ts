import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { convGeometry } from '../geometry.ts';
import { conv2d } from '../ops/conv2d.ts';
import { conv2dBackward } from '../ops/conv2d-backward.ts';
import { relu, reluBackward } from '../ops/relu.ts';
import { dense, denseBackward } from '../ops/dense.ts';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from '../ops/softmax-cross-entropy.ts';

/** A convolution `[N, inC, H, W]` → `[N, outC, OH, OW]` with a k×k kernel, optionally followed by ReLU. */
export interface ConvLayer {
  readonly kind: 'conv';
  readonly inC: number;
  readonly outC: number;
  readonly k: number;
  readonly stride: number;
  readonly padding: number;
  readonly relu: boolean;
}

/** Reads `[N, C, H, W]` as `[N, C·H·W]` (NCHW order, so no data moves). */
export interface FlattenLayer {
  readonly kind: 'flatten';
}

/** A fully connected layer `[N, in]` → `[N, out]` (weights `[out, in]`), optionally followed by ReLU. */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly in: number;
  readonly out: number;
  readonly relu: boolean;
}

/** One layer of a model preset. */
export type LayerSpec = ConvLayer | FlattenLayer | DenseLayer;

/**
 * A model description: the input shape `[C, H, W]` of one example, the layers in order, and the
 * number of classes (the last layer's width). The loss is always softmax cross-entropy.
 */
export interface ModelPreset {
  readonly name: string;
  readonly input: readonly [number, number, number];
  readonly layers: readonly LayerSpec[];
  readonly classes: number;
}

/** One trainable parameter: its name (`conv1.w`, `dense2.b`, …) and its value. */
export interface Param {
  readonly name: string;
  readonly tensor: Tensor;
}

/** The shape and fan-in of one parameter, as the preset describes it. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Inputs feeding one output unit (`inC·k·k` or `in`); 0 for a bias. */
  readonly fanIn: number;
  readonly kind: 'weight' | 'bias';
}

/** A convolution with ReLU, the building block of the presets. */
export function convRelu(inC: number, outC: number, k: number, stride: number, padding: number): ConvLayer {
  return { kind: 'conv', inC, outC, k, stride, padding, relu: true };
}

/** A dense layer; `relu` false for the last (logits) layer. */
export function denseLayer(inputs: number, outputs: number, withRelu: boolean): DenseLayer {
  return { kind: 'dense', in: inputs, out: outputs, relu: withRelu };
}

/**
 * The size of one example after a stack of convolutions, `C·H·W` of the last one's output,
 * computed with convGeometry from the input `[C, H, W]`.
 */
export function flattenSize(input: readonly [number, number, number], convs: readonly ConvLayer[]): number {
  let [c, h, w] = input;
  for (const layer of convs) {
    const g = convGeometry([1, c, h, w], [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
    [c, h, w] = [layer.outC, g.OH, g.OW];
  }
  return c * h * w;
}

/**
 * The seed CNN for MNIST `[1, 28, 28]`: conv 1→32 k2 s2 p0 (28→14), conv 32→64 k2 s2 p1 (14→8),
 * conv 64→128 k2 s2 p0 (8→4), each with ReLU; flatten 128·4·4 = 2048; dense 2048→250 + ReLU;
 * dense 250→10 (logits for softmax cross-entropy). Windows never overlap (k = s = 2).
 */
export const SEED_CNN: ModelPreset = {
  name: 'seed-cnn',
  input: [1, 28, 28],
  layers: [
    convRelu(1, 32, 2, 2, 0),
    convRelu(32, 64, 2, 2, 1),
    convRelu(64, 128, 2, 2, 0),
    { kind: 'flatten' },
    denseLayer(2048, 250, true),
    denseLayer(250, 10, false),
  ],
  classes: 10,
};

const OVERLAP_CONVS = [convRelu(1, 8, 3, 1, 1), convRelu(8, 16, 3, 2, 1), convRelu(16, 32, 3, 2, 1)] as const;
const OVERLAP_FLAT = flattenSize([1, 28, 28], OVERLAP_CONVS);

/**
 * A CNN for MNIST whose 3×3 windows overlap (stride 1 or 2, padding 1), so the backward pass's
 * col2im sums several contributions into each pixel: conv 1→8 s1 (28→28), conv 8→16 s2 (28→14),
 * conv 16→32 s2 (14→7), each with ReLU; flatten (32·7·7, computed via convGeometry); dense →64 +
 * ReLU; dense 64→10.
 */
export const OVERLAP_CNN: ModelPreset = {
  name: 'overlap-cnn',
  input: [1, 28, 28],
  layers: [...OVERLAP_CONVS, { kind: 'flatten' }, denseLayer(OVERLAP_FLAT, 64, true), denseLayer(64, 10, false)],
  classes: 10,
};

function positiveInteger(parameter: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConvConfigError(parameter, `${parameter} must be a positive integer, got ${describeValue(value)}`);
  }
}

/**
 * The shape of one example after `layer` (index `index` in the model), given the shape `shape`
 * coming in (`[C, H, W]` or `[features]`): convGeometry for a conv, `[C·H·W]` for flatten, `[out]`
 * for dense. Checks the layer's sizes and that its input matches (channels for conv, features for
 * dense). Throws ConvConfigError naming the field, e.g. `layers[4].in`, or convGeometry's error
 * when the kernel does not fit the padded input.
 */
export function layerOutputShape(layer: LayerSpec, shape: readonly number[], index: number): number[] {
  const at = `layers[${index}]`;
  if (layer?.kind === 'conv') {
    for (const key of ['inC', 'outC', 'k', 'stride'] as const) positiveInteger(`${at}.${key}`, layer[key]);
    if (!Number.isInteger(layer.padding) || layer.padding < 0) {
      throw new ConvConfigError(`${at}.padding`, `${at}.padding must be a non-negative integer, got ${describeValue(layer.padding)}`);
    }
    if (shape.length !== 3) {
      throw new ConvConfigError(at, `${at}: a conv layer needs an image [C, H, W] input, got ${describeValue(shape)} (conv after flatten)`);
    }
    if (layer.inC !== shape[0]) {
      throw new ConvConfigError(`${at}.inC`, `${at}.inC must equal the incoming channels ${shape[0]}, got ${layer.inC}`);
    }
    const g = convGeometry([1, ...shape], [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
    return [layer.outC, g.OH, g.OW];
  }
  if (layer?.kind === 'flatten') {
    if (shape.length !== 3) throw new ConvConfigError(at, `${at}: flatten needs an image [C, H, W] input, got ${describeValue(shape)}`);
    return [shape[0] * shape[1] * shape[2]];
  }
  if (layer?.kind === 'dense') {
    positiveInteger(`${at}.in`, layer.in);
    positiveInteger(`${at}.out`, layer.out);
    if (shape.length !== 1) {
      throw new ConvConfigError(at, `${at}: a dense layer needs a flat input (add a flatten layer), got ${describeValue(shape)}`);
    }
    if (layer.in !== shape[0]) {
      throw new ConvConfigError(`${at}.in`, `${at}.in must equal the incoming features ${shape[0]}, got ${layer.in}`);
    }
    return [layer.out];
  }
  throw new ConvConfigError(
    `${at}.kind`,
    `${at}.kind must be "conv", "flatten" or "dense", got ${describeValue((layer as { kind: unknown } | undefined)?.kind)}`,
  );
}

/**
 * Checks the end of a model: the last layer must be a dense layer without ReLU (the logits) whose
 * width is `classes`. Throws ConvConfigError (`layers` or `preset.classes`).
 */
export function checkLogitsLayer(layers: readonly LayerSpec[], classes: number): void {
  const last = layers[layers.length - 1];
  if (!last || last.kind !== 'dense' || last.relu) {
    throw new ConvConfigError(
      'layers',
      `the last layer must be a dense layer without ReLU (the logits), got ${describeValue(last ? last.kind : 'no layers')}`,
    );
  }
  if (last.out !== classes) {
    throw new ConvConfigError('preset.classes', `preset.classes must equal the last layer's width ${last.out}, got ${classes}`);
  }
}

/**
 * Checks a preset: positive integer sizes, each layer's input matching the previous output
 * (channels for conv, the flattened size for dense; see layerOutputShape), exactly one flatten
 * between the convs and the dense layers, and a last dense layer without ReLU whose width is
 * `classes` (checkLogitsLayer). Returns the shape of one example after each layer (without the
 * batch axis). Throws ConvConfigError naming the offending field, e.g. `layers[4].in`.
 */
export function presetShapes(preset: ModelPreset): number[][] {
  if (!preset || !Array.isArray(preset.layers) || !Array.isArray(preset.input) || preset.input.length !== 3) {
    throw new ConvConfigError('preset', `preset must have input [C, H, W] and a layers array, got ${describeValue(preset)}`);
  }
  preset.input.forEach((d, k) => positiveInteger(`preset.input[${k}]`, d));
  positiveInteger('preset.classes', preset.classes);
  let shape: number[] = [...preset.input];
  const shapes: number[][] = [];
  preset.layers.forEach((layer, i) => {
    shape = layerOutputShape(layer, shape, i);
    shapes.push(shape);
  });
  checkLogitsLayer(preset.layers, preset.classes);
  return shapes;
}

/**
 * The parameters a preset needs, in order: for each conv or dense layer its weight then its bias.
 * Conv weights are `[outC, inC, k, k]`, dense weights `[out, in]`, biases `[outC]` / `[out]`.
 * Names are `conv1.w`, `conv1.b`, …, `dense1.w`, … (counted per kind from 1).
 */
export function paramSpecs(preset: ModelPreset): ParamSpec[] {
  presetShapes(preset);
  const specs: ParamSpec[] = [];
  let convs = 0;
  let denses = 0;
  for (const layer of preset.layers) {
    if (layer.kind === 'conv') {
      const name = `conv${++convs}`;
      specs.push({
        name: `${name}.w`,
        shape: [layer.outC, layer.inC, layer.k, layer.k],
        fanIn: layer.inC * layer.k * layer.k,
        kind: 'weight',
      });
      specs.push({ name: `${name}.b`, shape: [layer.outC], fanIn: 0, kind: 'bias' });
    } else if (layer.kind === 'dense') {
      const name = `dense${++denses}`;
      specs.push({ name: `${name}.w`, shape: [layer.out, layer.in], fanIn: layer.in, kind: 'weight' });
      specs.push({ name: `${name}.b`, shape: [layer.out], fanIn: 0, kind: 'bias' });
    }
  }
  return specs;
}

/** Checks that `params` has the preset's names and shapes, in order. */
export function checkParams(params: readonly Param[], preset: ModelPreset): void {
  const specs = paramSpecs(preset);
  const isList = Array.isArray(params as unknown);
  if (!isList || params.length !== specs.length) {
    throw new ConvConfigError(
      'params',
      `params must list ${specs.length} parameters for ${preset.name}, got ${isList ? params.length : describeValue(params)}`,
    );
  }
  specs.forEach((spec, k) => {
    const p = params[k];
    const label = `params[${k}]`;
    if (!p || p.name !== spec.name) {
      throw new ConvConfigError('params', `${label} must be ${spec.name}, got ${describeValue(p ? p.name : p)}`);
    }
    assertTensor(spec.name, p.tensor, spec.shape.length, describeValue(spec.shape));
    if (p.tensor.shape.some((d, i) => d !== spec.shape[i])) {
      throw new ConvConfigError(
        'params',
        `${spec.name} must have shape ${describeValue(spec.shape)}, got ${describeValue(p.tensor.shape)}`,
      );
    }
  });
}

/** What one layer's forward pass keeps for the backward pass. */
export interface LayerCache {
  /** The layer's input. */
  readonly input: Tensor;
  /** The output before ReLU (conv and dense layers), null for flatten. */
  readonly pre: Tensor | null;
}

/** The forward pass's result: the logits `[N, classes]` and one cache per layer. */
export interface ForwardResult {
  readonly logits: Tensor;
  readonly caches: readonly LayerCache[];
}

function checkInput(x: Tensor, preset: ModelPreset): void {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const [, C, H, W] = x.shape;
  const [c, h, w] = preset.input;
  if (C !== c || H !== h || W !== w) {
    throw new ConvConfigError('x', `x must have shape [N, ${c}, ${h}, ${w}] for ${preset.name}, got ${describeValue(x.shape)}`);
  }
}

/**
 * Runs the model on a batch `x` `[N, C, H, W]` (the preset's input shape) and returns the logits
 * `[N, classes]` with, per layer, its input and pre-activation (what backward needs).
 * Throws ConvConfigError for parameters or an input that do not fit the preset.
 */
export function forward(params: readonly Param[], x: Tensor, preset: ModelPreset): ForwardResult {
  checkParams(params, preset);
  checkInput(x, preset);
  const caches: LayerCache[] = [];
  let a = x;
  let p = 0;
  for (const layer of preset.layers) {
    if (layer.kind === 'flatten') {
      caches.push({ input: a, pre: null });
      a = { shape: [a.shape[0], a.data.length / a.shape[0]], data: a.data };
      continue;
    }
    const w = params[p++].tensor;
    const b = params[p++].tensor;
    const pre = layer.kind === 'conv' ? conv2d(a, w, b, { stride: layer.stride, padding: layer.padding }) : dense(a, w, b);
    caches.push({ input: a, pre });
    a = layer.relu ? relu(pre) : pre;
  }
  return { logits: a, caches };
}

/**
 * The backward pass: given the gradient of the loss with respect to the logits `[N, classes]` and
 * the forward's result, returns the gradient of every parameter, in the order of `params`
 * (same shapes). Convolutions use conv2dBackward with method 'col2im'.
 */
export function backward(params: readonly Param[], forwardResult: ForwardResult, dlogits: Tensor, preset: ModelPreset): Tensor[] {
  const grads: Tensor[] = new Array(params.length);
  let p = params.length;
  let grad = dlogits;
  for (let i = preset.layers.length - 1; i >= 0; i--) {
    const layer = preset.layers[i];
    const cache = forwardResult.caches[i];
    if (layer.kind === 'flatten') {
      grad = { shape: cache.input.shape, data: grad.data };
      continue;
    }
    const dpre = layer.relu ? reluBackward(grad, cache.pre as Tensor) : grad;
    const w = params[p - 2].tensor;
    const g =
      layer.kind === 'conv'
        ? conv2dBackward(dpre, cache.input, w, { stride: layer.stride, padding: layer.padding }, { method: 'col2im' })
        : denseBackward(dpre, cache.input, w);
    grads[p - 2] = g.dw;
    grads[p - 1] = g.db;
    p -= 2;
    grad = g.dx;
  }
  return grads;
}

/** Loss, probabilities `[N, classes]` and the gradient of every parameter (order of `params`). */
export interface LossAndGradients {
  readonly loss: number;
  readonly probs: Tensor;
  readonly grads: Tensor[];
}

/**
 * Mean softmax cross-entropy of the model on `x` `[N, C, H, W]` with integer `labels` (N of them,
 * in [0, classes)), and its gradients. Throws ConvConfigError for non-finite logits (see
 * trainStep, which reports them instead).
 */
export function lossAndGradients(params: readonly Param[], x: Tensor, labels: ArrayLike<number>, preset: ModelPreset): LossAndGradients {
  const fwd = forward(params, x, preset);
  const { loss, probs } = softmaxCrossEntropy(fwd.logits, labels);
  const grads = backward(params, fwd, softmaxCrossEntropyBackward(probs, labels), preset);
  return { loss, probs, grads };
}

/** The predicted class of each row of logits `[N, K]`: the index of its largest entry (first on ties). */
export function argmaxRows(logits: Tensor): Int32Array {
  assertTensor('logits', logits, 2, '[N, K]');
  const [N, K] = logits.shape;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits.data[n * K + k] > logits.data[n * K + best]) best = k;
    out[n] = best;
  }
  return out;
}

/** The predicted class (0..classes−1) of every example of `x` `[N, C, H, W]`. */
export function predict(params: readonly Param[], x: Tensor, preset: ModelPreset): Int32Array {
  return argmaxRows(forward(params, x, preset).logits);
}
