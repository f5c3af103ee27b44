import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { NET_BOUNDS, parseNet, printNet } from '../../lib/train/net-spec.ts';
import type { NetLayer } from '../../lib/train/net-spec.ts';
import { NET_PRESETS, canonicalNet, modelOfNet, netOfModel, netText } from '../../lib/train/net-model.ts';
import { OVERLAP_CNN, SEED_CNN } from '../../lib/train/model.ts';

function rejection(run: () => unknown): ConvConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConvConfigError);
    return error as ConvConfigError;
  }
  throw new Error('expected a ConvConfigError');
}

describe('the net= text form', () => {
  it('reads the example: three convs with ReLU, flatten, dense 64 with ReLU, linear dense 10 (the logits)', () => {
    expect(parseNet('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10')).toEqual([
      { kind: 'conv', outC: 16, k: 3, stride: 1, padding: 1, relu: true },
      { kind: 'conv', outC: 32, k: 3, stride: 2, padding: 1, relu: true },
      { kind: 'conv', outC: 32, k: 3, stride: 2, padding: 1, relu: true },
      { kind: 'flatten' },
      { kind: 'dense', units: 64, relu: true },
      { kind: 'dense', units: 10, relu: false },
    ]);
  });

  it('r and l override the default ReLU; print writes them only where they differ from it', () => {
    const layers = parseNet('c8k5s2p2l,c8k3s1p0r,f,d32l,d10r');
    expect(layers.map((l) => (l.kind === 'flatten' ? null : l.relu))).toEqual([false, true, null, false, true]);
    expect(printNet(layers)).toBe('c8k5s2p2l,c8k3s1p0,f,d32l,d10r');
    // An explicit default is accepted and dropped.
    expect(printNet(parseNet('c8k3s1p1r,f,d10l'))).toBe('c8k3s1p1,f,d10');
  });

  it('round-trips: print(parse(t)) = t for canonical texts, parse(print(layers)) = layers', () => {
    const texts = [
      'c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10',
      'f,d10',
      'c1k1s1p0,f,d10',
      'c8k5s2p2l,c16k5s2p0,f,d64l,d32,d10',
      'd10r',
      NET_PRESETS[0].net,
      NET_PRESETS[1].net,
    ];
    for (const text of texts) expect(printNet(parseNet(text))).toBe(text);
    const layers: NetLayer[] = [
      { kind: 'conv', outC: 4, k: 28, stride: 28, padding: 27, relu: false },
      { kind: 'flatten' },
      { kind: 'dense', units: 4096, relu: true },
      { kind: 'dense', units: 10, relu: true },
    ];
    expect(parseNet(printNet(layers))).toEqual(layers);
  });

  const errors: [string, string, string, string][] = [
    ['an empty text', '', 'net', 'net must list at least one layer (e.g. c16k3s1p1,f,d10), got ""'],
    ['blanks only', '   ', 'net', 'net must list at least one layer (e.g. c16k3s1p1,f,d10), got "   "'],
    [
      'an unknown layer',
      'c8k3s1p1,x5,d10',
      'net',
      'net layer 2 "x5" must be cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end',
    ],
    [
      'a conv missing its padding',
      'c8k3s1,f,d10',
      'net',
      'net layer 1 "c8k3s1" must be cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end',
    ],
    [
      'a negative number',
      'c8k3s-1p1,f,d10',
      'net',
      'net layer 1 "c8k3s-1p1" must be cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end',
    ],
    [
      'a fraction',
      'f,d6.5,d10',
      'net',
      'net layer 2 "d6.5" must be cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end',
    ],
    [
      'an empty layer between commas',
      'f,,d10',
      'net',
      'net layer 2 "" must be cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end',
    ],
    ['too many layers', Array(17).fill('f').join(','), 'net', 'net may have at most 16 layers, got 17'],
    ['too many channels', 'c513k3s1p1,f,d10', 'layers[0].outC', 'layers[0].outC must be an integer at most 512, got 513'],
    ['a kernel larger than the image', 'c8k29s1p1,f,d10', 'layers[0].k', 'layers[0].k must be an integer at most 28, got 29'],
    ['a stride too large', 'c8k3s29p1,f,d10', 'layers[0].stride', 'layers[0].stride must be an integer at most 28, got 29'],
    ['a padding too large', 'c8k3s1p28,f,d10', 'layers[0].padding', 'layers[0].padding must be an integer at most 27, got 28'],
    ['too many units', 'f,d5000,d10', 'layers[1].units', 'layers[1].units must be an integer at most 4096, got 5000'],
  ];
  for (const [name, text, parameter, message] of errors) {
    it(`refuses ${name}, naming ${parameter}`, () => {
      const error = rejection(() => parseNet(text));
      expect(error.parameter).toBe(parameter);
      expect(error.message).toBe(message);
    });
  }

  it('bounds are the ones named in the messages', () => {
    expect(NET_BOUNDS).toEqual({ layers: 16, outC: 512, k: 28, stride: 28, padding: 27, units: 4096 });
  });
});

describe('networks as models', () => {
  it('the presets are the seed and overlapping CNNs, layer for layer', () => {
    expect(NET_PRESETS.map((p) => p.net)).toEqual(['c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10', 'c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10']);
    expect(modelOfNet(NET_PRESETS[0].net).layers).toEqual(SEED_CNN.layers);
    expect(modelOfNet(NET_PRESETS[1].net).layers).toEqual(OVERLAP_CNN.layers);
    expect(netText(SEED_CNN)).toBe(NET_PRESETS[0].net);
  });

  it('fills in each layer’s input size from the shapes: 28×28 → 16×28×28 → 32×14×14 → 32×7×7 → 1568', () => {
    const model = modelOfNet('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10');
    expect(model.name).toBe('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10');
    expect(model.input).toEqual([1, 28, 28]);
    expect(model.classes).toBe(10);
    expect(model.layers.map((l) => (l.kind === 'conv' ? l.inC : l.kind === 'dense' ? l.in : null))).toEqual([1, 16, 32, null, 1568, 64]);
    expect(netOfModel(model)).toEqual(parseNet(model.name));
  });

  it('names the canonical form, and refuses what the engine refuses with its own message', () => {
    expect(canonicalNet('c16k3s1p1r,f,d10l')).toBe('c16k3s1p1,f,d10');
    expect(rejection(() => modelOfNet('c8k3s0p1,f,d10')).message).toBe('layers[0].stride must be a positive integer, got 0');
    expect(rejection(() => modelOfNet('f,d64')).message).toBe("preset.classes must equal the last layer's width 64, got 10");
  });
});
