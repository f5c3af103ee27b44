import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import { im2colBytes } from '../im2col/im2col.ts';
import { SEED_CNN } from '../train/model.ts';
import type { ConvLayer } from '../train/model.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

/**
 * The workloads of the speed lesson: the seed CNN's three convolutions (Pisa slides) at batch 1
 * and 32, and the AlexNet-sized layer of the book chapter "Making faster". Pure data and geometry.
 */

/** One convolution to time: input `[N, C, H, W]`, kernel `[F, C, K, K]`, stride and padding on both axes. */
export interface BenchLayer {
  readonly name: string;
  readonly x: readonly [number, number, number, number];
  readonly w: readonly [number, number, number, number];
  readonly stride: number;
  readonly padding: number;
}

/** A timed workload: its layers run one after the other in every repetition. */
export interface BenchCase {
  readonly id: 'seed-b1' | 'seed-b32' | 'alexnet';
  /** What the tables call it, e.g. `Seed CNN, 3 conv layers, batch 32`. */
  readonly label: string;
  /** Which group of tables it belongs to. */
  readonly group: 'seed' | 'large';
  readonly batch: number;
  readonly layers: readonly BenchLayer[];
}

/** The seed CNN's convolutions at batch `n`, shapes followed through convGeometry from the preset's input. */
export function seedLayers(n: number): BenchLayer[] {
  if (!Number.isInteger(n) || n < 1) throw new ConvConfigError('batch', `batch must be a positive integer, got ${describeValue(n)}`);
  const convs = SEED_CNN.layers.filter((l): l is ConvLayer => l.kind === 'conv');
  let [c, h, w] = SEED_CNN.input;
  return convs.map((layer, k) => {
    const x = [n, c, h, w] as const;
    const g = convGeometry(x, [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
    [c, h, w] = [layer.outC, g.OH, g.OW];
    return { name: `conv${k + 1}`, x, w: [layer.outC, layer.inC, layer.k, layer.k] as const, stride: layer.stride, padding: layer.padding };
  });
}

/** AlexNet's first layer: one 227×227 RGB image, 96 filters of 11×11×3, stride 4, no padding. */
export const ALEXNET_LAYER: BenchLayer = { name: 'AlexNet conv1', x: [1, 3, 227, 227], w: [96, 3, 11, 11], stride: 4, padding: 0 };

/** Every case, in the order they run and are shown. */
export const BENCH_CASES: readonly BenchCase[] = [
  { id: 'seed-b1', label: 'Seed CNN conv layers, batch 1', group: 'seed', batch: 1, layers: seedLayers(1) },
  { id: 'seed-b32', label: 'Seed CNN conv layers, batch 32', group: 'seed', batch: 32, layers: seedLayers(32) },
  { id: 'alexnet', label: 'AlexNet-sized layer, batch 1', group: 'large', batch: 1, layers: [ALEXNET_LAYER] },
];

/** The case with this id; throws ConvConfigError naming the known ids otherwise. */
export function benchCase(id: string): BenchCase {
  const found = BENCH_CASES.find((c) => c.id === id);
  if (!found) {
    throw new ConvConfigError('case', `case must be one of ${BENCH_CASES.map((c) => c.id).join(', ')}, got ${describeValue(id)}`);
  }
  return found;
}

/** A layer's options for the engine. */
export function layerOptions(layer: BenchLayer): ConvOptions {
  return { stride: layer.stride, padding: layer.padding };
}

/** A layer's geometry from the engine (throws the engine's ConvConfigError for a layer that cannot exist). */
export function layerGeometry(layer: BenchLayer): ConvGeometry {
  if (layer.x[1] !== layer.w[1]) {
    throw new ConvConfigError('w', `kernel channels must equal input channels ${layer.x[1]}, got ${layer.w[1]}`);
  }
  return convGeometry(layer.x, [layer.w[2], layer.w[3]], layerOptions(layer));
}

/** The output shape `[N, F, OH, OW]` of a layer. */
export function layerOutputShape(layer: BenchLayer): [number, number, number, number] {
  const g = layerGeometry(layer);
  return [g.N, layer.w[0], g.OH, g.OW];
}

/** Multiply-adds of a layer's forward pass: `F · C·KH·KW · N·OH·OW`. */
export function layerMacs(layer: BenchLayer): number {
  const g = layerGeometry(layer);
  return layer.w[0] * g.C * g.KH * g.KW * g.N * g.OH * g.OW;
}

/** Bytes of a layer's im2col matrix `[C·KH·KW, N·OH·OW]` in float32 (the engine's im2colBytes). */
export function layerIm2colBytes(layer: BenchLayer): number {
  return im2colBytes(layerGeometry(layer));
}

/**
 * The im2col buffer a case needs: the largest of its layers' matrices (each layer's matrix is
 * freed before the next one is built), in bytes.
 */
export function caseIm2colBytes(c: BenchCase): number {
  return Math.max(...c.layers.map(layerIm2colBytes));
}

/** Multiply-adds of a case's forward pass, every layer summed. */
export function caseMacs(c: BenchCase): number {
  return c.layers.reduce((sum, l) => sum + layerMacs(l), 0);
}

/** Bytes in megabytes (10⁶ bytes), the unit of the lesson's tables. */
export function toMegabytes(bytes: number): number {
  return bytes / 1e6;
}
