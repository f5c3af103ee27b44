import { describe, it, expect } from 'vitest';
import { OVERLAP_CNN, SEED_CNN } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { paramsToPayload } from '../../lib/train/params-payload.ts';
import {
  CHECKPOINT_VERSION,
  CheckpointError,
  MAX_WEIGHT_MAGNITUDE,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../../lib/train/checkpoint.ts';
import type { CheckpointMeta, CheckpointProblem } from '../../lib/train/checkpoint.ts';
import { DEFAULT_SETTINGS } from '../../lib/train/settings.ts';
import { modelOfNet } from '../../lib/train/net-model.ts';

const SEED = 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10';
const OVERLAP = 'c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10';
const META: CheckpointMeta = {
  step: 250,
  epoch: 1.5,
  settings: { ...DEFAULT_SETTINGS, net: OVERLAP, seed: 7 },
  created: '2025-01-02T03:04:05.000Z',
};
const payload = paramsToPayload(OVERLAP, initParams(OVERLAP_CNN, 7));
const file = encodeCheckpoint(payload, META);

function problem(bytes: Uint8Array): CheckpointError {
  try {
    decodeCheckpoint(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error('decodeCheckpoint accepted a damaged file');
}

/** Rewrites the JSON header of a checkpoint (keeping the data) via its documented layout. */
function withHeader(bytes: Uint8Array, change: (header: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  const json = new TextEncoder().encode(JSON.stringify(change(header)));
  const out = new Uint8Array(12 + json.length + (bytes.length - 12 - length));
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(12 + length), 12 + json.length);
  return out;
}

describe('checkpoint files', () => {
  it('refuse weights holding NaN or Infinity, naming the tensor and the entry', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const p = paramsToPayload(OVERLAP, initParams(OVERLAP_CNN, 3));
      p.data[2][5] = bad;
      const error = problem(encodeCheckpoint(p, META));
      expect(error.problem).toBe('non-finite');
      expect(error.message).toContain(`The weights in this file are damaged: ${p.names[2]} holds ${bad} at entry 5`);
    }
  });

  // Damaged weights, as a table: where the bad values go (one entry, or a whole tensor) and what
  // the refusal says. Every row names the tensor and the entry; none loads as "Loaded …".
  const DAMAGED_WEIGHTS: {
    what: string;
    tensor: number;
    fill: (values: Float32Array) => void;
    entry: number;
    problem: CheckpointProblem;
    says: string;
  }[] = [
    {
      what: 'every weight of a tensor 1e38',
      tensor: 0,
      fill: (v) => v.fill(1e38),
      entry: 0,
      problem: 'too-large',
      says: 'weights of this model stay within ±10,000',
    },
    {
      what: 'one weight −3e38',
      tensor: 1,
      fill: (v) => {
        v[3] = -3e38;
      },
      entry: 3,
      problem: 'too-large',
      says: '-3',
    },
    {
      what: 'one weight 10,001',
      tensor: 3,
      fill: (v) => {
        v[0] = 10_001;
      },
      entry: 0,
      problem: 'too-large',
      says: 'holds 10001 at entry 0',
    },
    {
      what: 'one weight −Infinity',
      tensor: 2,
      fill: (v) => {
        v[1] = Number.NEGATIVE_INFINITY;
      },
      entry: 1,
      problem: 'non-finite',
      says: 'every weight must be a finite number',
    },
    {
      what: 'a whole tensor NaN',
      tensor: 2,
      fill: (v) => v.fill(Number.NaN),
      entry: 0,
      problem: 'non-finite',
      says: 'holds NaN at entry 0',
    },
  ];
  it.each(DAMAGED_WEIGHTS)('refuse $what, naming the tensor and the entry', ({ tensor, fill, entry, problem: kind, says }) => {
    const p = paramsToPayload(OVERLAP, initParams(OVERLAP_CNN, 3));
    fill(p.data[tensor]);
    const error = problem(encodeCheckpoint(p, META));
    expect(error.problem).toBe(kind);
    expect(error.message).toContain(`The weights in this file are damaged: ${p.names[tensor]} holds`);
    expect(error.message).toContain(`at entry ${entry}`);
    expect(error.message).toContain(says);
  });

  it(`load weights of magnitude exactly ${MAX_WEIGHT_MAGNITUDE} (the documented bound is inclusive)`, () => {
    const p = paramsToPayload(OVERLAP, initParams(OVERLAP_CNN, 3));
    p.data[0][0] = MAX_WEIGHT_MAGNITUDE;
    p.data[0][1] = -MAX_WEIGHT_MAGNITUDE;
    expect(decodeCheckpoint(encodeCheckpoint(p, META)).params.data[0][1]).toBe(-MAX_WEIGHT_MAGNITUDE);
  });

  it('follow the documented layout: "UNRL", version, header length, JSON header, float32 LE data', () => {
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('UNRL');
    const view = new DataView(file.buffer);
    expect(view.getUint32(4, true)).toBe(CHECKPOINT_VERSION);
    const length = view.getUint32(8, true);
    expect((12 + length) % 4).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(12, 12 + length)));
    expect(header).toMatchObject({
      net: OVERLAP,
      names: payload.names,
      shapes: payload.shapes,
      step: 250,
      epoch: 1.5,
      created: META.created,
    });
    const floats = payload.data.reduce((a, d) => a + d.length, 0);
    expect(file.length).toBe(12 + length + 4 * floats);
    // the first weight, read by hand as little-endian float32
    expect(view.getFloat32(12 + length, true)).toBe(payload.data[0][0]);
    const lastData = payload.data[payload.data.length - 1];
    expect(view.getFloat32(file.length - 4, true)).toBe(lastData[lastData.length - 1]);
  });

  it('round-trip the weights bit for bit with their metadata', () => {
    const own = 'c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10';
    for (const [preset, net] of [
      [SEED_CNN, SEED],
      [OVERLAP_CNN, OVERLAP],
      [modelOfNet(own), own],
    ] as const) {
      const p = paramsToPayload(net, initParams(preset, 11));
      const { params, meta } = decodeCheckpoint(encodeCheckpoint(p, { step: 0, epoch: 0, created: 'now' }));
      expect(params.net).toBe(net);
      expect(params.names).toEqual(p.names);
      expect(params.shapes).toEqual(p.shapes);
      params.data.forEach((d, k) => expect(d).toEqual(p.data[k]));
      expect(meta).toEqual({ step: 0, epoch: 0, created: 'now' });
    }
    expect(decodeCheckpoint(file).meta).toEqual(META);
  });

  it('read a file from before the layer editor (preset names, in the header and its settings) as that preset’s network', () => {
    const legacy = withHeader(file, (h) => {
      const { net: _net, ...rest } = h;
      const { net: _settingsNet, ...settings } = h.settings as Record<string, unknown>;
      return { ...rest, preset: 'overlap-cnn', settings: { ...settings, preset: 'overlap-cnn' } };
    });
    const { params, meta } = decodeCheckpoint(legacy);
    expect(params.net).toBe(OVERLAP);
    expect(meta.settings?.net).toBe(OVERLAP);
  });

  it('decode from a view at an odd offset inside a larger buffer', () => {
    const big = new Uint8Array(file.length + 3);
    big.set(file, 1);
    const view = big.subarray(1, 1 + file.length);
    expect(decodeCheckpoint(view).params.data[3]).toEqual(payload.data[3]);
  });

  const corruptions: [string, () => Uint8Array, CheckpointProblem, RegExp][] = [
    [
      'a PNG',
      () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0]),
      'not-checkpoint',
      /not an Unrolled weights file: it does not start with "UNRL"/,
    ],
    ['an empty file', () => new Uint8Array(0), 'not-checkpoint', /does not start with "UNRL"/],
    ['a file cut inside the preamble', () => file.slice(0, 9), 'truncated', /truncated: 9 bytes, shorter than its 12-byte preamble/],
    [
      'version 2',
      () => {
        const b = file.slice();
        new DataView(b.buffer).setUint32(4, 2, true);
        return b;
      },
      'version',
      /format version 2; this page reads version 1/,
    ],
    ['a file cut inside the header', () => file.slice(0, 40), 'truncated', /truncated: its header needs/],
    [
      'a file cut inside the weights',
      () => file.slice(0, file.length - 10),
      'truncated',
      /truncated: the weights need .* bytes but only .* follow the header/,
    ],
    [
      'bytes after the weights',
      () => {
        const b = new Uint8Array(file.length + 5);
        b.set(file);
        return b;
      },
      'extra-bytes',
      /has 5 bytes after the weights/,
    ],
    [
      'garbage in the header',
      () => {
        const b = file.slice();
        b[12] = 0x7b;
        b[13] = 0x7b;
        return b;
      },
      'header',
      /header is unreadable/,
    ],
    [
      'an unknown preset',
      () => withHeader(file, (h) => ({ ...h, net: undefined, preset: 'resnet' })),
      'header',
      /names no network this page knows \("resnet"\)/,
    ],
    [
      'a network the engine refuses',
      () => withHeader(file, (h) => ({ ...h, net: 'c8k9s1p0,c8k9s1p0,c8k9s1p0,c8k9s1p0,f,d10' })),
      'header',
      /network "c8k9s1p0,.*", which this page cannot build: kernel 9×9 does not fit the padded input 4×4/,
    ],
    [
      'a shape that does not match the network',
      () => withHeader(file, (h) => ({ ...h, shapes: (h.shapes as number[][]).map((s, k) => (k === 0 ? [3, 3, 1, 8] : s)) })),
      'shapes',
      /do not fit the network c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10: params.shapes\[0\] \(conv1.w\) must be \[8, 1, 3, 3\]/,
    ],
    [
      'weights of another network under its text',
      () => withHeader(file, (h) => ({ ...h, net: SEED })),
      'shapes',
      /do not fit the network c32k2s2p0/,
    ],
    [
      'invalid settings',
      () => withHeader(file, (h) => ({ ...h, settings: { ...DEFAULT_SETTINGS, batchSize: 3 } })),
      'header',
      /settings are invalid \(batchSize must be one of/,
    ],
  ];
  for (const [name, make, kind, message] of corruptions) {
    it(`reject ${name} (${kind}) with a message that says what to do`, () => {
      const error = problem(make());
      expect(error.problem).toBe(kind);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/Load a weights file saved by this page|press Reset/);
    });
  }

  it('refuse to encode weights that do not fit their preset', () => {
    expect(() => encodeCheckpoint({ ...payload, net: SEED }, META)).toThrow(/c32k2s2p0/);
    expect(() => encodeCheckpoint(payload, { ...META, step: -1 })).toThrow(/meta.step/);
  });
});
