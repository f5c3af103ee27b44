import { ConvConfigError } from '../errors.ts';
import type { LayerSpec, ModelPreset } from './model.ts';
import { OVERLAP_CNN, SEED_CNN, checkLogitsLayer, layerOutputShape } from './model.ts';
import type { NetLayer } from './net-spec.ts';
import { checkNetBounds, parseNet, printNet } from './net-spec.ts';

/** The input every network of the trainer takes: one 28×28 grayscale image `[1, 28, 28]`. */
export const NET_INPUT: readonly [number, number, number] = [1, 28, 28];

/** The classes every network of the trainer predicts (the last layer's width). */
export const NET_CLASSES = 10;

/** What the engine says about one layer of a network: its output shape per image, or why it cannot be built. */
export type NetLayerCheck =
  | { readonly ok: true; readonly layer: LayerSpec; readonly input: readonly number[]; readonly output: readonly number[] }
  | { readonly ok: false; readonly error: ConvConfigError }
  /** A layer after the first invalid one: its input is unknown. */
  | { readonly ok: null };

/**
 * Checks `layers` one by one with the engine's own rules (NET_BOUNDS, then layerOutputShape:
 * convGeometry, channels, flatten, dense), each layer's input sizes (`inC`, `in`) taken from the
 * shape before it, starting at `input`. The first invalid layer gets its ConvConfigError and the
 * layers after it `{ ok: null }`. When every layer fits, the end is checked too (checkLogitsLayer:
 * a last dense layer without ReLU of width `classes`); its error goes on the last layer.
 */
export function checkNetLayers(
  layers: readonly NetLayer[],
  input: readonly [number, number, number] = NET_INPUT,
  classes = NET_CLASSES,
): NetLayerCheck[] {
  const checks: NetLayerCheck[] = [];
  let shape: readonly number[] = input;
  let failed = false;
  layers.forEach((layer, i) => {
    if (failed) {
      checks.push({ ok: null });
      return;
    }
    try {
      checkNetBounds(layer, i);
      const spec: LayerSpec =
        layer.kind === 'conv'
          ? { kind: 'conv', inC: shape[0], outC: layer.outC, k: layer.k, stride: layer.stride, padding: layer.padding, relu: layer.relu }
          : layer.kind === 'dense'
            ? { kind: 'dense', in: shape.length === 1 ? shape[0] : shape.reduce((a, d) => a * d, 1), out: layer.units, relu: layer.relu }
            : { kind: 'flatten' };
      const output = layerOutputShape(spec, shape, i);
      checks.push({ ok: true, layer: spec, input: shape, output });
      shape = output;
    } catch (error) {
      if (!(error instanceof ConvConfigError)) throw error;
      checks.push({ ok: false, error });
      failed = true;
    }
  });
  if (!failed && checks.length > 0) {
    try {
      checkLogitsLayer(
        checks.map((c) => (c as { layer: LayerSpec }).layer),
        classes,
      );
    } catch (error) {
      if (!(error instanceof ConvConfigError)) throw error;
      checks[checks.length - 1] = { ok: false, error };
    }
  }
  return checks;
}

/**
 * The model preset of `layers` (input NET_INPUT, NET_CLASSES classes), named by its text form.
 * Throws the first layer's ConvConfigError (see checkNetLayers), or one naming `net` for no layers.
 */
export function netModel(layers: readonly NetLayer[]): ModelPreset {
  if (layers.length === 0) throw new ConvConfigError('net', 'net must list at least one layer (e.g. c16k3s1p1,f,d10)');
  const checks = checkNetLayers(layers);
  const bad = checks.find((c) => c.ok === false);
  if (bad && bad.ok === false) throw bad.error;
  return {
    name: printNet(layers),
    input: NET_INPUT,
    layers: checks.map((c) => (c as { layer: LayerSpec }).layer),
    classes: NET_CLASSES,
  };
}

/** The layers of a model preset without their input sizes (the inverse of netModel). */
export function netOfModel(preset: ModelPreset): NetLayer[] {
  return preset.layers.map((layer): NetLayer => {
    if (layer.kind === 'conv')
      return { kind: 'conv', outC: layer.outC, k: layer.k, stride: layer.stride, padding: layer.padding, relu: layer.relu };
    if (layer.kind === 'dense') return { kind: 'dense', units: layer.out, relu: layer.relu };
    return { kind: 'flatten' };
  });
}

/** The text form of a model preset's architecture (`c32k2s2p0,…,d10` for the seed CNN). */
export function netText(preset: ModelPreset): string {
  return printNet(netOfModel(preset));
}

/**
 * The model of a network's text: parseNet, then netModel, named by the canonical text (so
 * `c16k3s1p1r,d10l` and `c16k3s1p1,d10` give the same model). Throws ConvConfigError.
 */
export function modelOfNet(text: string): ModelPreset {
  return netModel(parseNet(text));
}

/** The canonical text of a network (parsed, checked by the engine and printed again). Throws ConvConfigError. */
export function canonicalNet(text: string): string {
  return modelOfNet(text).name;
}

/** A starting point the editor offers: a name, its label and its network. */
export interface NetPreset {
  readonly name: 'seed-cnn' | 'overlap-cnn';
  readonly label: string;
  readonly net: string;
}

/** The two presets: the seed CNN (2×2 windows, stride 2: no overlap) and the overlapping 3×3 CNN. */
export const NET_PRESETS: readonly NetPreset[] = Object.freeze([
  { name: 'seed-cnn', label: 'Seed CNN', net: netText(SEED_CNN) },
  { name: 'overlap-cnn', label: 'Overlapping CNN', net: netText(OVERLAP_CNN) },
]);

/** The preset whose network is `net`, or null for one of the reader's own. */
export function presetOfNet(net: string): NetPreset | null {
  return NET_PRESETS.find((p) => p.net === net) ?? null;
}
