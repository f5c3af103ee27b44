import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { OVERLAP_CNN, SEED_CNN, paramSpecs } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { paramsFromPayload, paramsToPayload } from '../../lib/train/params-payload.ts';
import { netText } from '../../lib/train/net-model.ts';

const SEED = 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10';
const OVERLAP = 'c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10';
import type { ParamsPayload } from '../../lib/train/protocol.ts';

function rejection(run: () => unknown): ConvConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConvConfigError);
    return error as ConvConfigError;
  }
  throw new Error('expected a ConvConfigError');
}

describe('params payload', () => {
  it('lists names and shapes in paramSpecs order and round-trips the values exactly', () => {
    for (const preset of [SEED_CNN, OVERLAP_CNN]) {
      const params = initParams(preset, 3);
      const payload = paramsToPayload(netText(preset), params);
      const specs = paramSpecs(preset);
      expect(payload.names).toEqual(specs.map((s) => s.name));
      expect(payload.shapes).toEqual(specs.map((s) => s.shape));
      const back = paramsFromPayload(payload);
      expect(back.map((p) => p.name)).toEqual(specs.map((s) => s.name));
      back.forEach((p, k) => expect(p.tensor.data).toEqual(params[k].tensor.data));
    }
  });

  it('copies in both directions, so buffers can be transferred or mutated', () => {
    const params = initParams(OVERLAP_CNN, 1);
    const payload = paramsToPayload(OVERLAP, params);
    expect(payload.data[0].buffer).not.toBe(params[0].tensor.data.buffer);
    const back = paramsFromPayload(payload);
    payload.data[0][0] = 123;
    expect(back[0].tensor.data[0]).not.toBe(123);
  });

  it('refuses parameters of another preset', () => {
    expect(() => paramsToPayload(SEED, initParams(OVERLAP_CNN, 1))).toThrow(ConvConfigError);
  });

  const good = (): ParamsPayload => paramsToPayload(OVERLAP, initParams(OVERLAP_CNN, 2));
  const cases: [string, (p: ParamsPayload) => unknown, string, RegExp][] = [
    [
      'a missing entry',
      (p) => ({ ...p, names: p.names.slice(1) }),
      'params.names',
      /must list 10 entries for c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10, got 9/,
    ],
    [
      'a renamed parameter',
      (p) => ({ ...p, names: p.names.map((n, k) => (k === 2 ? 'conv9.w' : n)) }),
      'params.names[2]',
      /must be "conv2.w" for c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10, got "conv9.w"/,
    ],
    [
      'a wrong shape',
      (p) => ({ ...p, shapes: p.shapes.map((s, k) => (k === 0 ? [8, 1, 2, 2] : s)) }),
      'params.shapes[0]',
      /\(conv1.w\) must be \[8, 1, 3, 3\] for c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10, got \[8, 1, 2, 2\]/,
    ],
    [
      'short data',
      (p) => ({ ...p, data: p.data.map((d, k) => (k === 1 ? d.subarray(1) : d)) }),
      'params.data[1]',
      /\(conv1.b\) must be a Float32Array of 8 values, got 7 values/,
    ],
    [
      'data as plain numbers',
      (p) => ({ ...p, data: p.data.map((d, k) => (k === 1 ? Array.from(d) : d)) }),
      'params.data[1]',
      /must be a Float32Array/,
    ],
    [
      'another network',
      (p) => ({ ...p, net: SEED }),
      'params.shapes[0]',
      /\(conv1.w\) must be \[32, 1, 2, 2\] for c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10, got \[8, 1, 3, 3\]/,
    ],
    [
      'a network the engine refuses',
      (p) => ({ ...p, net: 'c8k3s1p1,d10' }),
      'layers[1]',
      /a dense layer needs a flat input \(add a flatten layer\)/,
    ],
  ];
  for (const [name, corrupt, parameter, message] of cases) {
    it(`rejects ${name}, naming ${parameter}`, () => {
      const error = rejection(() => paramsFromPayload(corrupt(good()) as ParamsPayload));
      expect(error.message).toMatch(message);
      expect(error.parameter).toBe(parameter);
    });
  }

  it('refuses a payload for another network than the model being built', () => {
    const error = rejection(() => paramsFromPayload(good(), SEED_CNN));
    expect(error.parameter).toBe('params.net');
    expect(error.message).toBe(`params.net must be "${SEED}" (the network being built), got "${OVERLAP}"`);
  });
});
