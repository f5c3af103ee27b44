import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { convRelu, denseLayer, presetShapes } from '../../lib/train/model.ts';
import type { LayerSpec, ModelPreset } from '../../lib/train/model.ts';
import { parseNet } from '../../lib/train/net-spec.ts';
import { MAX_BUFFER_FLOATS } from '../../lib/buffer-limit.ts';
import { cpuLayerMemory } from '../../lib/train/cpu-memory.ts';
import { modelOfNet } from '../../lib/train/net-model.ts';
import { layerTable } from '../../lib/viz/trainer/layer-rows.ts';
import type { BackendLimits } from '../../lib/viz/trainer/layer-rows.ts';
import { addLayer, moveLayer, removeLayer, setLayerField } from '../../lib/viz/trainer/net-edit.ts';

const CPU: BackendLimits = { choice: 'cpu', maxTextureSize: null };
const table = (net: string, batch = 64, backend: BackendLimits = CPU) => layerTable(parseNet(net), batch, backend);

describe('the layer table of three networks, against hand-computed shapes, parameters, im2col and multiply-adds', () => {
  it('the example c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10 at batch 64', () => {
    const t = table('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10');
    // (28 + 2 − 3)/1 + 1 = 28; (28 + 2 − 3)/2 + 1 = 14 (floor); (14 + 2 − 3)/2 + 1 = 7; 32·7·7 = 1568.
    expect(t.rows.map((r) => r.output)).toEqual(['16 × 28 × 28', '32 × 14 × 14', '32 × 7 × 7', '1,568', '64', '10']);
    expect(t.rows.map((r) => r.params)).toEqual([16 * 9 + 16, 32 * 16 * 9 + 32, 32 * 32 * 9 + 32, 0, 1568 * 64 + 64, 64 * 10 + 10]);
    expect(t.rows.map((r) => r.im2col)).toEqual(['9 × 50,176', '144 × 12,544', '288 × 3,136', null, null, null]);
    expect(t.rows.map((r) => r.macs)).toEqual([16 * 784 * 9, 32 * 196 * 144, 32 * 49 * 288, 0, 1568 * 64, 640]);
    expect(t.totalParams).toBe(115_114);
    expect(t.totalMacs).toBe(1_568_640);
    expect(t.rows[1].title).toBe('conv 16→32, 3×3, stride 2, padding 1, ReLU');
    expect(t.rows[5].title).toBe('dense 64→10');
    expect(t.net).toBe('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10');
    expect(t.blocked).toBe(false);
    expect(t.rows.every((r) => r.error === null && r.limit === null)).toBe(true);
  });

  it('the seed CNN at batch 64', () => {
    const t = table('c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10');
    // 28 → 14 (k2 s2) → (14 + 2 − 2)/2 + 1 = 8 (p1) → 4; flatten 128·4·4 = 2048.
    expect(t.rows.map((r) => r.output)).toEqual(['32 × 14 × 14', '64 × 8 × 8', '128 × 4 × 4', '2,048', '250', '10']);
    expect(t.rows.map((r) => r.params)).toEqual([32 * 4 + 32, 64 * 32 * 4 + 64, 128 * 64 * 4 + 128, 0, 2048 * 250 + 250, 250 * 10 + 10]);
    expect(t.rows.map((r) => r.im2col)).toEqual(['4 × 12,544', '128 × 4,096', '256 × 1,024', null, null, null]);
    expect(t.totalParams).toBe(160 + 8256 + 32896 + 512250 + 2510);
    expect(t.totalMacs).toBe(32 * 196 * 4 + 64 * 64 * 128 + 128 * 16 * 256 + 2048 * 250 + 2500);
  });

  it('5×5 kernels with stride 2 and linear layers, c6k5s2p2l,c12k5s2p0,f,d32l,d10 at batch 16', () => {
    const t = table('c6k5s2p2l,c12k5s2p0,f,d32l,d10', 16);
    // (28 + 4 − 5)/2 + 1 = 14; (14 − 5)/2 + 1 = 5; 12·5·5 = 300.
    expect(t.rows.map((r) => r.output)).toEqual(['6 × 14 × 14', '12 × 5 × 5', '300', '32', '10']);
    expect(t.rows.map((r) => r.params)).toEqual([156, 1812, 0, 9632, 330]);
    expect(t.rows.map((r) => r.im2col)).toEqual(['25 × 3,136', '150 × 400', null, null, null]);
    expect(t.totalMacs).toBe(6 * 196 * 25 + 12 * 25 * 150 + 300 * 32 + 320);
    expect(t.rows[0].title).toBe('conv 1→6, 5×5, stride 2, padding 2');
    expect(t.rows[3].title).toBe('dense 300→32');
  });
});

/** The engine's own message for a hand-built model (independent of the editor's conversion). */
function engineMessage(layers: LayerSpec[]): string {
  const model: ModelPreset = { name: 'hand-built', input: [1, 28, 28], layers, classes: 10 };
  try {
    presetShapes(model);
  } catch (error) {
    expect(error).toBeInstanceOf(ConvConfigError);
    return (error as ConvConfigError).message;
  }
  throw new Error('the engine accepted the model');
}

describe('invalid rows carry the engine’s message; later rows wait; Train is blocked', () => {
  const cases: [string, string, number, LayerSpec[]][] = [
    ['a 7×7 kernel on a 4×4 map', 'c8k7s7p0,c8k7s1p0,f,d10', 1, [convRelu(1, 8, 7, 7, 0), convRelu(8, 8, 7, 1, 0)]],
    ['stride 0', 'c8k3s0p1,f,d10', 0, [convRelu(1, 8, 3, 0, 1)]],
    ['kernel 0', 'c8k0s1p1,f,d10', 0, [convRelu(1, 8, 0, 1, 1)]],
    ['0 out channels', 'c0k3s1p1,f,d10', 0, [convRelu(1, 0, 3, 1, 1)]],
    ['a dense layer before flatten', 'c8k3s1p1,d64,f,d10', 1, [convRelu(1, 8, 3, 1, 1), denseLayer(8 * 28 * 28, 64, true)]],
    ['a conv after flatten', 'f,c8k3s1p1,d10', 1, [{ kind: 'flatten' }, convRelu(784, 8, 3, 1, 1)]],
    ['two flattens', 'f,f,d10', 1, [{ kind: 'flatten' }, { kind: 'flatten' }]],
    [
      'a last layer whose width is not 10',
      'c8k3s1p1,f,d12',
      2,
      [convRelu(1, 8, 3, 1, 1), { kind: 'flatten' }, denseLayer(6272, 12, false)],
    ],
    ['a last layer with ReLU', 'f,d10r', 1, [{ kind: 'flatten' }, denseLayer(784, 10, true)]],
    ['a last layer that is not dense', 'c8k3s1p1,f', 1, [convRelu(1, 8, 3, 1, 1), { kind: 'flatten' }]],
  ];
  for (const [name, net, row, engineLayers] of cases) {
    it(`${name}: row ${row + 1}`, () => {
      const t = table(net);
      expect(t.rows[row].error).toBe(engineMessage(engineLayers));
      expect(t.rows.filter((r) => r.error !== null)).toHaveLength(1);
      for (const later of t.rows.slice(row + 1)) expect(later.output).toBeNull();
      expect(t.blocked).toBe(true);
      expect(t.net).toBeNull();
      expect(t.totalParams).toBeNull();
    });
  }

  it('a number above the editor’s bounds names the field', () => {
    const t = layerTable(setLayerField(parseNet('f,d64,d10'), 1, 'units', '5000'), 64, CPU);
    expect(t.rows[1].error).toBe('layers[1].units must be an integer at most 4096, got 5000');
    expect(layerTable(setLayerField(parseNet('c8k3s1p1,f,d10'), 0, 'k', ''), 64, CPU).rows[0].error).toBe(
      'layers[0].k must be an integer at most 28, got NaN',
    );
  });
});

describe('backend limits, on the row that causes them', () => {
  it('WebGL2: an im2col matrix [4608, 50176] needs 2 texture rows per row, 9216 > 8192: refused on its conv row', () => {
    const net = 'c512k3s1p1,c512k3s1p1,f,d10';
    const webgl = table(net, 64, { choice: 'webgl', maxTextureSize: 8192 });
    expect(webgl.rows.map((r) => r.limit === null)).toEqual([true, false, true, true]);
    expect(webgl.rows[1].limit).toBe(
      "at batch size 64 this layer does not fit WebGL2's texture limit of 8192 texels on this device: a 4608×50176 matrix needs 9216 texture rows (2 per matrix row), more than the device's limit of 8192",
    );
    expect(webgl.rows[1].blocking).toBe(true);
    expect(webgl.blocked).toBe(true);
    expect(webgl.net).toBe(net);
    // Auto would fall back to the CPU, whose 1 GiB budget this step exceeds too: the CPU's reason, blocking.
    const auto = table(net, 64, { choice: 'auto', maxTextureSize: 8192 });
    expect(auto.rows[1].limit).toMatch(/on the CPU, more than its budget of 1.07 GB/);
    expect(auto.blocked).toBe(true);
  });

  it('Auto: a network beyond WebGL2’s textures but within the CPU’s budget is said, and trains on the CPU', () => {
    // With WebGL2's minimum limit 2048: conv 2's im2col [576, 50176] needs 7 texture rows a row, 4032 > 2048.
    const net = 'c64k3s1p1,c64k3s1p1,f,d10';
    const auto = table(net, 64, { choice: 'auto', maxTextureSize: 2048 });
    expect(auto.rows[1].limit).toMatch(
      /texture limit of 2048 texels on this device: a 576×50176 matrix needs 4032 texture rows \(7 per matrix row\).*; Auto trains this network on the CPU instead$/,
    );
    expect(auto.rows[1].blocking).toBe(false);
    expect(auto.blocked).toBe(false);
    expect(table(net, 64, { choice: 'webgl', maxTextureSize: 2048 }).blocked).toBe(true);
    expect(table(net, 64, CPU).rows.every((r) => r.limit === null)).toBe(true);
    // Without WebGL2 at all, Auto means the CPU.
    expect(table(net, 64, { choice: 'auto', maxTextureSize: null }).blocked).toBe(false);
  });

  it('WebGL2: a flattened 16×28×28 activation [12544, 64] folds into the texture and trains', () => {
    expect(table('c16k3s1p1,f,d10', 64, { choice: 'webgl', maxTextureSize: 8192 }).blocked).toBe(false);
  });

  it('CPU: an im2col matrix over the engine’s per-array limit is refused on its conv row', () => {
    const t = table('c512k3s1p1,c512k3s1p1,f,d10', 128, CPU);
    // 512·3·3 = 4608 rows × 128·28·28 = 100,352 columns = 462,422,016 floats > 2^28.
    expect(4608 * 100352).toBeGreaterThan(MAX_BUFFER_FLOATS);
    expect(t.rows[1].limit).toBe(
      "at batch size 128 this layer's im2col matrix [4608, 100352] needs 1.85 GB, more than the CPU engine's limit of 1.07 GB per array",
    );
    expect(t.rows.map((r) => r.blocking)).toEqual([false, true, false, false]);
    expect(t.blocked).toBe(true);
  });

  it('CPU: a step over the 1 GiB budget is said on the layer that needs the most', () => {
    const net = 'c64k3s1p1,c64k3s1p1,c64k3s1p1,f,d10';
    const t = table(net, 128, CPU);
    // conv 2 by hand: output, pre-activation and their gradients 4·(128·64·784), input gradient
    // 128·64·784, parameters ×4, im2col and its gradient 2·(576·100,352).
    const act = 128 * 64 * 784;
    const conv2 = 4 * act + act + 4 * (64 * 577) + 2 * 576 * 100352;
    expect(cpuLayerMemory(modelOfNet(net), 128)[1].floats).toBe(conv2);
    expect(t.rows.map((r) => r.limit !== null)).toEqual([false, true, false, false, false]);
    expect(t.rows[1].limit).toMatch(
      /^at batch size 128 one training step needs .* GB on the CPU, more than its budget of 1.07 GB; this layer needs the most \(/,
    );
    // Batch 16 fits.
    expect(table(net, 16, CPU).blocked).toBe(false);
  });
});

describe('editing the list', () => {
  it('Add puts a conv after the last conv and a dense before the logits; Move and Remove keep the rest', () => {
    const start = parseNet('c8k3s1p1,f,d10');
    expect(addLayer(start, 'conv').map((l) => l.kind)).toEqual(['conv', 'conv', 'flatten', 'dense']);
    expect(addLayer(start, 'dense').map((l) => l.kind)).toEqual(['conv', 'flatten', 'dense', 'dense']);
    expect(layerTable(addLayer(addLayer(start, 'conv'), 'dense'), 64, CPU).net).toBe('c8k3s1p1,c16k3s1p1,f,d64,d10');
    expect(moveLayer(start, 0, 1).map((l) => l.kind)).toEqual(['flatten', 'conv', 'dense']);
    expect(moveLayer(start, 0, -1)).toEqual(start);
    expect(removeLayer(start, 0).map((l) => l.kind)).toEqual(['flatten', 'dense']);
    expect(setLayerField(start, 0, 'relu', 'off')[0]).toMatchObject({ relu: false });
    expect(setLayerField(start, 2, 'units', '12')[2]).toEqual({ kind: 'dense', units: 12, relu: false });
  });
});
