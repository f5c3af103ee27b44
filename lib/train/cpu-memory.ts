import { MAX_BUFFER_FLOATS } from '../buffer-limit.ts';
import { formatBytes } from '../format-bytes.ts';
import type { ModelPreset } from './model.ts';
import { presetShapes } from './model.ts';

/**
 * The memory the CPU backend may use for one training step's arrays (parameters, optimizer state,
 * activations, im2col matrices and gradients): 1 GiB, well inside what a browser worker can hold.
 */
export const CPU_MEMORY_BUDGET_BYTES = 2 ** 30;

/** What one layer's training step holds on the CPU, in float32 values. */
export interface LayerMemory {
  /** Every array the layer's forward and backward pass keep or make for a batch, plus its parameters ×4. */
  readonly floats: number;
  /** The largest single array: what it is and its shape. */
  readonly largest: { readonly what: string; readonly shape: readonly number[]; readonly floats: number };
}

const product = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/**
 * The arrays one training step on the CPU makes per layer of `preset` for `batch` images: a conv
 * keeps its im2col matrix `[C·k·k, N·OH·OW]` and makes its gradient of the same size, its
 * pre-activation, output and their gradients `[N, F, OH, OW]` and the input gradient; a dense
 * layer the same without im2col; flatten moves no data. Parameters count four times (values,
 * gradients, Adam's two moments). Throws ConvConfigError for an invalid preset.
 */
export function cpuLayerMemory(preset: ModelPreset, batch: number): LayerMemory[] {
  const shapes = presetShapes(preset);
  return preset.layers.map((layer, i): LayerMemory => {
    const input = i === 0 ? [...preset.input] : shapes[i - 1];
    const output = shapes[i];
    const activation = { what: 'output', shape: [batch, ...output], floats: batch * product(output) };
    if (layer.kind === 'flatten') return { floats: 0, largest: activation };
    const params = layer.kind === 'conv' ? layer.outC * (layer.inC * layer.k * layer.k + 1) : layer.out * (layer.in + 1);
    const arrays = [activation, { what: 'input gradient', shape: [batch, ...input], floats: batch * product(input) }];
    let floats = 4 * activation.floats + arrays[1].floats + 4 * params;
    if (layer.kind === 'conv') {
      const cols = [layer.inC * layer.k * layer.k, batch * output[1] * output[2]];
      arrays.push({ what: 'im2col matrix', shape: cols, floats: product(cols) });
      floats += 2 * product(cols);
    }
    const largest = arrays.reduce((a, b) => (b.floats > a.floats ? b : a));
    return { floats, largest };
  });
}

/**
 * Where the CPU backend cannot hold `preset` at `batch`: per layer, null or a sentence. A layer
 * with an array over the engine's per-buffer limit (MAX_BUFFER_FLOATS) says which; when every
 * array fits but the step needs more than CPU_MEMORY_BUDGET_BYTES in all, the layer that needs
 * the most says so, with the total.
 */
export function cpuMemoryProblems(preset: ModelPreset, batch: number): (string | null)[] {
  const memory = cpuLayerMemory(preset, batch);
  const problems = memory.map(({ largest }) =>
    largest.floats > MAX_BUFFER_FLOATS
      ? `at batch size ${batch} this layer's ${largest.what} [${largest.shape.join(', ')}] needs ${formatBytes(4 * largest.floats)}, more than the CPU engine's limit of ${formatBytes(4 * MAX_BUFFER_FLOATS)} per array`
      : null,
  );
  if (problems.some((p) => p !== null)) return problems;
  const total = 4 * memory.reduce((a, m) => a + m.floats, 0);
  if (total <= CPU_MEMORY_BUDGET_BYTES) return problems;
  const worst = memory.reduce((best, m, k) => (m.floats > memory[best].floats ? k : best), 0);
  problems[worst] =
    `at batch size ${batch} one training step needs ${formatBytes(total)} on the CPU, more than its budget of ${formatBytes(CPU_MEMORY_BUDGET_BYTES)}; this layer needs the most (${formatBytes(4 * memory[worst].floats)})`;
  return problems;
}
