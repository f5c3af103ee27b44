import type { NetLayer } from '../../train/net-spec.ts';

/** The number and switch fields of a row of the layer editor. */
export type NetField = 'outC' | 'k' | 'stride' | 'padding' | 'units' | 'relu';

/** The layer kinds the editor adds. */
export type NetLayerKind = NetLayer['kind'];

/** What Add puts in: conv 16 channels 3×3 stride 1 padding 1 + ReLU, flatten, dense 64 + ReLU. */
export const NEW_LAYER: Readonly<Record<NetLayerKind, NetLayer>> = Object.freeze({
  conv: { kind: 'conv', outC: 16, k: 3, stride: 1, padding: 1, relu: true },
  flatten: { kind: 'flatten' },
  dense: { kind: 'dense', units: 64, relu: true },
});

/**
 * Where Add puts a layer of `kind` so that a valid network stays valid when it can: a conv or a
 * flatten after the last conv (before the flatten), a dense layer just before the last layer
 * (the logits), or at the end of a network without those.
 */
export function insertIndex(layers: readonly NetLayer[], kind: NetLayerKind): number {
  if (kind === 'dense') return Math.max(0, layers.length - 1);
  const lastConv = layers.map((l) => l.kind).lastIndexOf('conv');
  if (lastConv >= 0) return lastConv + 1;
  const flatten = layers.findIndex((l) => l.kind !== 'conv');
  return flatten >= 0 ? flatten : layers.length;
}

/** `layers` with a new layer of `kind` (NEW_LAYER) at insertIndex. */
export function addLayer(layers: readonly NetLayer[], kind: NetLayerKind): NetLayer[] {
  const at = insertIndex(layers, kind);
  return [...layers.slice(0, at), { ...NEW_LAYER[kind] }, ...layers.slice(at)];
}

/** `layers` without row `index` (unchanged for an index out of range). */
export function removeLayer(layers: readonly NetLayer[], index: number): NetLayer[] {
  return layers.filter((_, k) => k !== index);
}

/** `layers` with row `index` moved by `delta` (−1 up, +1 down); unchanged when it would leave the list. */
export function moveLayer(layers: readonly NetLayer[], index: number, delta: -1 | 1): NetLayer[] {
  const to = index + delta;
  if (index < 0 || index >= layers.length || to < 0 || to >= layers.length) return [...layers];
  const next = [...layers];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

/**
 * `layers` with one field of row `index` set from the editor: `relu` from `'on'`/`'off'`, the
 * numbers from their text (an empty or non-numeric text gives NaN, which the engine then names).
 * A field the row's kind does not have leaves it unchanged.
 */
export function setLayerField(layers: readonly NetLayer[], index: number, field: NetField, text: string): NetLayer[] {
  return layers.map((layer, k) => {
    if (k !== index || layer.kind === 'flatten') return layer;
    if (field === 'relu') return { ...layer, relu: text === 'on' };
    if (!(field in layer)) return layer;
    return { ...layer, [field]: text.trim() === '' ? Number.NaN : Number(text) } as NetLayer;
  });
}
