/**
 * The layer editor's state: the network being edited (possibly invalid) and its table from
 * lib/viz/trainer layerTable (shapes, parameters, im2col sizes, the engine's errors and the
 * backend's limits, for the batch size and backend `context` gives). Every edit that leaves a
 * network the engine accepts and the backend can hold is handed to `onnet` (the run's settings);
 * otherwise the last valid network stays in use and Train waits (`table.blocked`).
 */
import type { NetLayer } from '../../../lib/train/net-spec.ts';
import { parseNet } from '../../../lib/train/net-spec.ts';
import { NET_PRESETS } from '../../../lib/train/net-model.ts';
import type { NetPreset } from '../../../lib/train/net-model.ts';
import { layerTable } from '../../../lib/viz/trainer/layer-rows.ts';
import type { BackendLimits, LayerTable } from '../../../lib/viz/trainer/layer-rows.ts';
import { addLayer, moveLayer, removeLayer, setLayerField } from '../../../lib/viz/trainer/net-edit.ts';
import type { NetField, NetLayerKind } from '../../../lib/viz/trainer/net-edit.ts';

/** What the table depends on besides the layers: the batch size and the backend's limits. */
export interface NetEditorContext {
  readonly batch: number;
  readonly backend: BackendLimits;
}

export class NetEditor {
  layers: NetLayer[] = $state.raw(parseNet(NET_PRESETS[0].net));
  readonly table: LayerTable = $derived.by(() => {
    const { batch, backend } = this.context();
    return layerTable(this.layers, batch, backend);
  });

  private readonly context: () => NetEditorContext;
  private readonly onnet: (net: string) => void;

  constructor(context: () => NetEditorContext, onnet: (net: string) => void) {
    this.context = context;
    this.onnet = onnet;
  }

  /** Shows `net` (text form, already valid: from the URL, a checkpoint or the settings) without handing it on. */
  show(net: string): void {
    this.layers = parseNet(net);
  }

  /** Starts from a preset's network. */
  start(preset: NetPreset): void {
    this.change(parseNet(preset.net));
  }

  add(kind: NetLayerKind): void {
    this.change(addLayer(this.layers, kind));
  }

  remove(index: number): void {
    this.change(removeLayer(this.layers, index));
  }

  move(index: number, delta: -1 | 1): void {
    this.change(moveLayer(this.layers, index, delta));
  }

  edit(index: number, field: NetField, text: string): void {
    this.change(setLayerField(this.layers, index, field, text));
  }

  private change(layers: NetLayer[]): void {
    this.layers = layers;
    const { net, blocked } = this.table;
    if (net !== null && !blocked) this.onnet(net);
  }
}
