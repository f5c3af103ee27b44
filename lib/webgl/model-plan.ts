import type { ConvGeometry } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import type { ModelPreset } from '../train/model.ts';
import { presetShapes } from '../train/model.ts';
import { matrixLayout } from './layout.ts';

/**
 * A conv layer on the GPU for a batch of N: input CNHW `[C, N·H·W]`, `cols` `[C·KH·KW, N·OH·OW]`,
 * output `[F, N·OH·OW]` = `W_row[F, C·KH·KW] × cols` (+ bias, ReLU), already the next layer's CNHW.
 */
export interface ConvStage {
  readonly kind: 'conv';
  readonly geometry: ConvGeometry;
  readonly outC: number;
  readonly relu: boolean;
  /** Index of the weight in paramSpecs order (the bias is `param + 1`). */
  readonly param: number;
}

/** Flatten: CNHW `[C, N·HW]` → `[C·HW, N]` (one column per example, NCHW flatten order). */
export interface FlattenStage {
  readonly kind: 'flatten';
  readonly C: number;
  readonly HW: number;
}

/** A dense layer kept transposed: `hᵀ[out, N] = W[out, in] × xᵀ[in, N] + b` (then ReLU). */
export interface DenseStage {
  readonly kind: 'dense';
  readonly in: number;
  readonly out: number;
  readonly relu: boolean;
  readonly param: number;
}

export type Stage = ConvStage | FlattenStage | DenseStage;

/** Everything the GPU trainer allocates for one preset and batch size, by shape. */
export interface ModelPlan {
  readonly batchSize: number;
  /** The input `[C, H, W]` of one example; the batch is uploaded as CNHW `[C, N·H·W]`. */
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly stages: readonly Stage[];
  /** Each parameter as a matrix: conv weights `[F, C·KH·KW]`, dense weights `[out, in]`, biases `[1, F]`. */
  readonly paramMatrices: readonly (readonly [number, number])[];
}

/**
 * The GPU plan of `preset` for `batchSize` examples per step: one stage per layer with its
 * geometry, and the matrix shape of each parameter. Throws ConvConfigError for an invalid preset
 * (see presetShapes) or a batch size that is not a positive integer.
 */
export function planModel(preset: ModelPreset, batchSize: number): ModelPlan {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConvConfigError('batchSize', `batchSize must be a positive integer, got ${describeValue(batchSize)}`);
  }
  presetShapes(preset);
  const N = batchSize;
  let [C, H, W] = preset.input;
  const stages: Stage[] = [];
  const paramMatrices: [number, number][] = [];
  for (const layer of preset.layers) {
    if (layer.kind === 'conv') {
      const geometry = convGeometry([N, C, H, W], [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
      stages.push({ kind: 'conv', geometry, outC: layer.outC, relu: layer.relu, param: paramMatrices.length });
      paramMatrices.push([layer.outC, C * layer.k * layer.k], [1, layer.outC]);
      [C, H, W] = [layer.outC, geometry.OH, geometry.OW];
    } else if (layer.kind === 'flatten') {
      stages.push({ kind: 'flatten', C, HW: H * W });
    } else {
      stages.push({ kind: 'dense', in: layer.in, out: layer.out, relu: layer.relu, param: paramMatrices.length });
      paramMatrices.push([layer.out, layer.in], [1, layer.out]);
    }
  }
  return { batchSize, input: preset.input, classes: preset.classes, stages, paramMatrices };
}

/**
 * The matrix shapes the trainer allocates for stage `index` of `plan`: a conv's im2col matrix
 * (and its gradient) `[C·KH·KW, N·OH·OW]`, output `[F, N·OH·OW]` and input gradient `[C, N·H·W]`;
 * a flatten's `[C·HW, N]` and `[C, N·HW]`; a dense layer's `[out, N]` and `[in, N]`; then the
 * stage's weight and bias matrices.
 */
export function stageShapes(plan: ModelPlan, index: number): [number, number][] {
  const N = plan.batchSize;
  const stage = plan.stages[index];
  const shapes: [number, number][] = [];
  if (stage.kind === 'conv') {
    const g = stage.geometry;
    const P = N * g.OH * g.OW;
    shapes.push([g.C * g.KH * g.KW, P], [stage.outC, P], [g.C, N * g.H * g.W]);
  } else if (stage.kind === 'flatten') {
    shapes.push([stage.C * stage.HW, N], [stage.C, N * stage.HW]);
  } else {
    shapes.push([stage.out, N], [stage.in, N]);
  }
  if (stage.kind !== 'flatten') shapes.push([...plan.paramMatrices[stage.param]], [...plan.paramMatrices[stage.param + 1]]);
  return shapes;
}

/**
 * Every matrix shape the trainer allocates for `plan`: input, labels, logits, then each stage's
 * (stageShapes). (Duplicates are fine.)
 */
export function planShapes(plan: ModelPlan): [number, number][] {
  const N = plan.batchSize;
  const [C0, H0, W0] = plan.input;
  const shapes: [number, number][] = [
    [C0, N * H0 * W0],
    [1, N],
    [plan.classes, N],
  ];
  plan.stages.forEach((_, k) => shapes.push(...stageShapes(plan, k)));
  return shapes;
}

function shapesProblem(shapes: readonly (readonly [number, number])[], maxTextureSize: number): string | null {
  for (const [rows, cols] of shapes) {
    try {
      matrixLayout(rows, cols, maxTextureSize);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return null;
}

/**
 * Checks that every matrix of `plan` fits textures of at most `maxTextureSize` texels a side
 * (rows may wrap); returns the first problem as a sentence naming the batch size and the limit,
 * or null when all fit.
 */
export function textureLimitProblem(plan: ModelPlan, maxTextureSize: number): string | null {
  const why = shapesProblem(planShapes(plan), maxTextureSize);
  return why === null ? null : `batch size ${plan.batchSize} does not fit this device's texture limit of ${maxTextureSize} texels: ${why}`;
}

/**
 * The texture problem of stage `index` alone (its matrices, see stageShapes), as a sentence naming
 * the batch size and the limit, or null when they fit: what the layer editor says on that layer's row.
 */
export function stageTextureProblem(plan: ModelPlan, index: number, maxTextureSize: number): string | null {
  const why = shapesProblem(stageShapes(plan, index), maxTextureSize);
  return why === null
    ? null
    : `at batch size ${plan.batchSize} this layer does not fit WebGL2's texture limit of ${maxTextureSize} texels on this device: ${why}`;
}
