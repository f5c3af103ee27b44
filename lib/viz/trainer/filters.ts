import type { ModelPreset, Param } from '../../train/model.ts';
import { checkParams, forward } from '../../train/model.ts';
import type { Tensor } from '../../tensor.ts';
import { relu } from '../../ops/relu.ts';
import { ConvConfigError, describeValue } from '../../errors.ts';
import { grayLevels, maxAbs } from './gray.ts';

/** A small image to draw: `width × height` gray levels in [0, 1], row-major, and its label. */
export interface GrayTile {
  readonly width: number;
  readonly height: number;
  readonly levels: Float32Array;
  readonly label: string;
}

/** The first layer's kernels as tiles, and the |w| that maps to black/white. */
export interface FilterTiles {
  readonly tiles: readonly GrayTile[];
  /** Largest |w| over all the first layer's kernels. */
  readonly scale: number;
  /** e.g. `32 kernels 2×2, gray = 0, white = +0.71, black = −0.71`. */
  readonly legend: string;
}

/** Feature maps of one conv layer (after ReLU) for one image, and their common scale. */
export interface FeatureMaps {
  readonly maps: readonly GrayTile[];
  /** The largest activation over all maps (white). */
  readonly scale: number;
  readonly legend: string;
}

/** True when the model starts with a conv layer, whose filters and feature maps the view can show. */
export function showsFilters(preset: ModelPreset): boolean {
  return preset?.layers?.[0]?.kind === 'conv';
}

function firstConv(preset: ModelPreset) {
  const layer = preset.layers[0];
  if (!layer || layer.kind !== 'conv') {
    throw new ConvConfigError('preset', `preset ${describeValue(preset?.name)} must start with a conv layer to show its filters`);
  }
  return layer;
}

/**
 * The first conv layer's kernels `[F, 1, k, k]` (the first parameter) as F signed gray tiles on
 * one shared scale (the largest |w|), so the tiles can be compared: mid-gray is 0. For a
 * multi-channel input the channels are shown side by side.
 */
export function filterTiles(params: readonly Param[], preset: ModelPreset): FilterTiles {
  checkParams(params, preset);
  const layer = firstConv(preset);
  const w = params[0].tensor;
  const [F, C, KH, KW] = w.shape;
  const scale = maxAbs(w.data);
  const tiles: GrayTile[] = [];
  for (let f = 0; f < F; f++) {
    const levels = new Float32Array(C * KH * KW);
    // Channels side by side: tile width C·KW.
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < KH; i++) {
        for (let j = 0; j < KW; j++) levels[i * C * KW + c * KW + j] = w.data[((f * C + c) * KH + i) * KW + j];
      }
    }
    tiles.push({ width: C * KW, height: KH, levels: grayLevels(levels, scale, true), label: `filter ${f + 1}` });
  }
  const s = Number(scale.toPrecision(2));
  return {
    tiles,
    scale,
    legend: `${F} kernels ${layer.k}×${layer.k}: mid-gray is 0, white +${s}, black −${s}.`,
  };
}

/** Gray tiles of the F planes of one activation `[1, F, OH, OW]` on one shared scale (white = its largest value). */
function mapsOf(y: Tensor, what: string): FeatureMaps {
  const [, F, OH, OW] = y.shape;
  const scale = maxAbs(y.data);
  const maps: GrayTile[] = [];
  for (let f = 0; f < F; f++) {
    const plane = y.data.subarray(f * OH * OW, (f + 1) * OH * OW);
    maps.push({ width: OW, height: OH, levels: grayLevels(plane, scale, false), label: `${what} map ${f + 1}` });
  }
  return {
    maps,
    scale,
    legend: `${F} maps ${OH}×${OW} after ReLU: black is 0, white ${Number(scale.toPrecision(2))} (the largest activation).`,
  };
}

function checkImage(preset: ModelPreset, image: Float32Array): Tensor {
  const [C, H, W] = preset.input;
  if (!(image instanceof Float32Array) || image.length !== C * H * W) {
    throw new ConvConfigError(
      'image',
      `image must be a Float32Array of ${C}·${H}·${W} = ${C * H * W} values, got ${image instanceof Float32Array ? image.length : describeValue(image)}`,
    );
  }
  return { shape: [1, C, H, W], data: image };
}

/** One conv layer's feature maps: its position among the layers (1-based) and a title. */
export interface LayerMaps extends FeatureMaps {
  readonly layer: number;
  /** e.g. `Layer 2: conv 2×2 stride 2, 64 maps 8×8`. */
  readonly title: string;
  /** How large to draw its tiles: maps of 12 px and more large, of 7 and more medium, else small. */
  readonly tile: 'large' | 'medium' | 'small';
}

/**
 * The feature maps of every conv layer (after ReLU) for one image, from the engine's own forward
 * pass (lib/train forward: its per-layer caches), each layer on its own scale.
 */
export function layerFeatureMaps(params: readonly Param[], preset: ModelPreset, image: Float32Array): LayerMaps[] {
  const x = checkImage(preset, image);
  const { caches } = forward(params, x, preset);
  const out: LayerMaps[] = [];
  preset.layers.forEach((layer, k) => {
    const pre = caches[k].pre;
    if (layer.kind !== 'conv' || !pre) return;
    const maps = mapsOf(relu(pre), `layer ${k + 1}`);
    const [, F, OH, OW] = pre.shape;
    const tile = OW >= 12 ? 'large' : OW >= 7 ? 'medium' : 'small';
    out.push({
      ...maps,
      layer: k + 1,
      tile,
      title: `Layer ${k + 1}: conv ${layer.k}×${layer.k} stride ${layer.stride}${layer.padding ? ` padding ${layer.padding}` : ''}, ${F} maps ${OH}×${OW}`,
    });
  });
  return out;
}
