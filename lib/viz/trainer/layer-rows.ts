import type { BackendChoice } from '../../train/protocol.ts';
import type { NetLayer } from '../../train/net-spec.ts';
import { printNet } from '../../train/net-spec.ts';
import { checkNetLayers, netModel } from '../../train/net-model.ts';
import { cpuMemoryProblems } from '../../train/cpu-memory.ts';
import { convGeometry } from '../../geometry.ts';
import { planModel, stageTextureProblem } from '../../webgl/model-plan.ts';
import { formatInteger } from './format.ts';

/** One row of the layer editor, as the engine's geometry sees it for the current batch size. */
export interface LayerRow {
  readonly layer: NetLayer;
  /** `conv 1→16, 3×3, stride 1, padding 1, ReLU`, `flatten`, `dense 1,568→64, ReLU`; input sizes `?` when unknown. */
  readonly title: string;
  /** The output of one image, `16 × 28 × 28` (C × H × W) or `1,568`; null when the layer is invalid or after one. */
  readonly output: string | null;
  /** Weights + biases; null when unknown. */
  readonly params: number | null;
  /** A conv's im2col matrix for the batch, `[C·k·k, N·OH·OW]` as `9 × 50,176`; null otherwise. */
  readonly im2col: string | null;
  /** Forward multiply-adds per image: `F·OH·OW·C·k·k` for a conv, `in·out` for dense; null when unknown. */
  readonly macs: number | null;
  /** The engine's ConvConfigError message for this layer, or null. */
  readonly error: string | null;
  /** Why the backend cannot hold this layer (texture size on WebGL2, memory on the CPU), or null. */
  readonly limit: string | null;
  /** True when `limit` stops training (false: Auto trains on the CPU instead). */
  readonly blocking: boolean;
}

/** Which backend the table checks limits for: the reader's choice and WebGL2's texture limit (null: no WebGL2). */
export interface BackendLimits {
  readonly choice: BackendChoice;
  readonly maxTextureSize: number | null;
}

/** The whole table: rows, totals and whether the network can train as it stands. */
export interface LayerTable {
  readonly rows: readonly LayerRow[];
  /** Sum of the rows' parameters (null when a row is invalid). */
  readonly totalParams: number | null;
  /** Forward multiply-adds per image (null when a row is invalid). */
  readonly totalMacs: number | null;
  /** The network's text form when the engine accepts every row, else null (the last valid one stays in use). */
  readonly net: string | null;
  /** True when Train must wait: an engine error or a blocking backend limit. */
  readonly blocked: boolean;
}

function convTitle(layer: { outC: number; k: number; stride: number; padding: number; relu: boolean }, inC: number | null): string {
  return `conv ${inC ?? '?'}→${layer.outC}, ${layer.k}×${layer.k}, stride ${layer.stride}, padding ${layer.padding}${layer.relu ? ', ReLU' : ''}`;
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? formatInteger(shape[0]) : shape.join(' × ');
}

/** Per row: the backend's limit message and whether it blocks, for a network the engine accepts. */
function backendLimits(layers: readonly NetLayer[], batch: number, backend: BackendLimits): { limit: string | null; blocking: boolean }[] {
  const model = netModel(layers);
  const none = layers.map(() => ({ limit: null as string | null, blocking: false }));
  const webglAvailable = backend.maxTextureSize !== null;
  if (backend.choice !== 'cpu' && webglAvailable) {
    const plan = planModel(model, batch);
    const texture = layers.map((_, k) => stageTextureProblem(plan, k, backend.maxTextureSize as number));
    if (texture.some((t) => t !== null)) {
      if (backend.choice === 'webgl') return texture.map((limit) => ({ limit, blocking: limit !== null }));
      const cpu = cpuMemoryProblems(model, batch);
      return texture.map((t, k) => {
        if (cpu[k]) return { limit: cpu[k], blocking: true };
        return t ? { limit: `${t}; Auto trains this network on the CPU instead`, blocking: false } : { limit: null, blocking: false };
      });
    }
    return none;
  }
  return cpuMemoryProblems(model, batch).map((limit) => ({ limit, blocking: limit !== null }));
}

/**
 * The layer editor's table for `layers` at `batch` images per step: each row's output shape,
 * parameters, im2col size and multiply-adds from the engine's own checks and geometry
 * (checkNetLayers, convGeometry), the engine's error on the first invalid row, and, for a
 * network the engine accepts, the chosen backend's limits on the row that exceeds them
 * (stageTextureProblem for WebGL2, cpuMemoryProblems for the CPU).
 */
export function layerTable(layers: readonly NetLayer[], batch: number, backend: BackendLimits): LayerTable {
  const checks = checkNetLayers(layers);
  const valid = layers.length > 0 && checks.every((c) => c.ok === true);
  const limits = valid ? backendLimits(layers, batch, backend) : null;
  const rows = layers.map((layer, i): LayerRow => {
    const check = checks[i];
    const known = check.ok === true ? check : null;
    const limit = limits?.[i] ?? { limit: null, blocking: false };
    const base = { layer, error: check.ok === false ? check.error.message : null, ...limit };
    if (layer.kind === 'flatten') {
      return {
        ...base,
        title: 'flatten',
        output: known ? shapeText(known.output) : null,
        params: known ? 0 : null,
        im2col: null,
        macs: known ? 0 : null,
      };
    }
    if (layer.kind === 'dense') {
      const inputs = known ? known.input[0] : null;
      return {
        ...base,
        title: `dense ${inputs === null ? '?' : formatInteger(inputs)}→${formatInteger(layer.units)}${layer.relu ? ', ReLU' : ''}`,
        output: known ? shapeText(known.output) : null,
        params: inputs === null ? null : inputs * layer.units + layer.units,
        im2col: null,
        macs: inputs === null ? null : inputs * layer.units,
      };
    }
    if (!known) return { ...base, title: convTitle(layer, null), output: null, params: null, im2col: null, macs: null };
    const [C, H, W] = known.input;
    const g = convGeometry([batch, C, H, W], [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
    const taps = C * layer.k * layer.k;
    return {
      ...base,
      title: convTitle(layer, C),
      output: shapeText(known.output),
      params: layer.outC * taps + layer.outC,
      im2col: `${formatInteger(taps)} × ${formatInteger(batch * g.OH * g.OW)}`,
      macs: layer.outC * g.OH * g.OW * taps,
    };
  });
  const sum = (key: 'params' | 'macs'): number | null => (valid ? rows.reduce((a, r) => a + (r[key] ?? 0), 0) : null);
  return {
    rows,
    totalParams: sum('params'),
    totalMacs: sum('macs'),
    net: valid ? printNet(layers) : null,
    blocked: !valid || rows.some((r) => r.blocking),
  };
}
