import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { readyTfjsCpu } from './helpers/tfjs-cpu.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import type { BackwardMethod } from '../../lib/ops/check-conv.ts';
import type { ConvOptions } from '../../lib/geometry.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

/*
 * TensorFlow.js as an oracle. TF.js is NHWC with filters [KH, KW, C, F], so tensors are transposed
 * on the way in and out. Its conv2d refuses a stride and a dilation both above 1, and its conv2d
 * gradient refuses any dilation above 1, so the gradients (and the forward when both are above 1)
 * go through the equivalent undilated kernel: the dilated kernel written out with dh−1, dw−1 zeros
 * between taps. The gradient of that kernel, read at the taps, is dw.
 */

interface Case {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  seed: number;
}

function makeCases(count: number, seed: number): Case[] {
  const rng = createRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const cases: Case[] = [];
  for (let k = 0; k < count; k++) {
    const [KH, KW, dh, dw, ph, pw] = [int(1, 4), int(1, 4), int(1, 3), int(1, 3), int(0, 2), int(0, 2)];
    cases.push({
      N: int(1, 2),
      C: int(1, 3),
      F: int(1, 4),
      KH,
      KW,
      sh: int(1, 3),
      sw: int(1, 3),
      ph,
      pw,
      dh,
      dw,
      H: Math.max(1, dh * (KH - 1) + 1 - 2 * ph) + int(0, 6),
      W: Math.max(1, dw * (KW - 1) + 1 - 2 * pw) + int(0, 6),
      seed: int(0, 2 ** 30),
    });
  }
  return cases;
}

const label = (c: Case) =>
  `x=[${c.N},${c.C},${c.H},${c.W}] w=[${c.F},${c.C},${c.KH},${c.KW}] s=[${c.sh},${c.sw}] p=[${c.ph},${c.pw}] d=[${c.dh},${c.dw}]`;

/** NCHW engine tensor → NHWC TF tensor. */
const toNhwc = (t: Tensor) => tf.transpose(tf.tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]);
/** NHWC TF tensor → NCHW values. */
const fromNhwc = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]).dataSync() as Float32Array;

/** w [F, C, KH, KW] → TF filter [EKH, EKW, C, F] with zeros between the taps (dilation written out). */
function dilatedFilter(w: Tensor, dh: number, dw: number): tf.Tensor4D {
  const [F, C, KH, KW] = w.shape;
  const EKH = dh * (KH - 1) + 1;
  const EKW = dw * (KW - 1) + 1;
  const out = new Float32Array(EKH * EKW * C * F);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          out[((kh * dh * EKW + kw * dw) * C + c) * F + f] = w.data[((f * C + c) * KH + kh) * KW + kw];
        }
      }
    }
  }
  return tf.tensor4d(out, [EKH, EKW, C, F]);
}

/** Reads the taps of a TF filter-shaped gradient [EKH, EKW, C, F] back into [F, C, KH, KW]. */
function tapsOf(g: tf.Tensor, F: number, C: number, KH: number, KW: number, dh: number, dw: number): Float32Array {
  const EKW = dw * (KW - 1) + 1;
  const data = g.dataSync();
  const out = new Float32Array(F * C * KH * KW);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          out[((f * C + c) * KH + kh) * KW + kw] = data[((kh * dh * EKW + kw * dw) * C + c) * F + f];
        }
      }
    }
  }
  return out;
}

/** Largest |a − e| / (atol + rtol·|e|); ≤ 1 means within tolerance (NaN never is). */
function worst(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-4): number {
  expect(actual.length).toBe(expected.length);
  let w = 0;
  for (let k = 0; k < actual.length; k++) {
    const e = Math.abs(actual[k] - expected[k]) / (atol + rtol * Math.abs(expected[k]));
    if (Number.isNaN(e)) return Infinity;
    if (e > w) w = e;
  }
  return w;
}

beforeAll(async () => {
  await readyTfjsCpu();
  tf.tidy(() => tf.conv2d(tf.zeros([1, 1, 1, 1]) as tf.Tensor4D, tf.zeros([1, 1, 1, 1]) as tf.Tensor4D, 1, 'valid'));
});

const cases = makeCases(32, 31337);

describe.each(cases.map((c) => [label(c), c] as const))('TF.js parity %s', (_name, c) => {
  const rng = createRng(c.seed);
  const x = randomUniform([c.N, c.C, c.H, c.W], rng);
  const w = randomUniform([c.F, c.C, c.KH, c.KW], rng);
  const b = randomUniform([c.F], rng);
  const opts: ConvOptions = { stride: [c.sh, c.sw], padding: [c.ph, c.pw], dilation: [c.dh, c.dw] };
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [c.ph, c.ph],
    [c.pw, c.pw],
    [0, 0],
  ];
  const strides: [number, number] = [c.sh, c.sw];

  it('forward (with bias) matches tf.conv2d', () => {
    const y = conv2d(x, w, b, opts);
    const expected = tf.tidy(() => {
      const xT = toNhwc(x) as tf.Tensor4D;
      const native = (c.sh === 1 && c.sw === 1) || (c.dh === 1 && c.dw === 1);
      const filter = native
        ? (tf.transpose(tf.tensor4d(w.data, [c.F, c.C, c.KH, c.KW]), [2, 3, 1, 0]) as tf.Tensor4D)
        : dilatedFilter(w, c.dh, c.dw);
      const dilations: [number, number] = native ? [c.dh, c.dw] : [1, 1];
      const out = tf.add(tf.conv2d(xT, filter, strides, pad, 'NHWC', dilations), tf.tensor1d(b.data));
      return fromNhwc(out);
    });
    expect(y.shape[0] * y.shape[1] * y.shape[2] * y.shape[3]).toBe(expected.length);
    expect(worst(y.data, expected)).toBeLessThanOrEqual(1);
  });

  it.each(['col2im', 'dilated'] as BackwardMethod[])("dx, dw (method '%s') match tf.grads of Σ dy·conv2d", (method) => {
    const y = conv2d(x, w, null, opts);
    const dy = randomUniform(y.shape, createRng(c.seed + 1));
    const grads = conv2dBackward(dy, x, w, opts, { method });
    const [dxT, dwT] = tf.tidy(() => {
      const f = (xT: tf.Tensor, wT: tf.Tensor) => tf.conv2d(xT as tf.Tensor4D, wT as tf.Tensor4D, strides, pad, 'NHWC', [1, 1]);
      const [gx, gw] = tf.grads(f)([toNhwc(x), dilatedFilter(w, c.dh, c.dw)], toNhwc(dy));
      return [fromNhwc(gx), tapsOf(gw, c.F, c.C, c.KH, c.KW, c.dh, c.dw)];
    });
    expect(worst(grads.dx.data, dxT)).toBeLessThanOrEqual(1);
    expect(worst(grads.dw.data, dwT)).toBeLessThanOrEqual(1);
  });
});

it('the cases cover stride > kernel, dilation > 1 with stride > 1, and rectangular everything', () => {
  expect(cases.some((c) => c.sh > c.KH || c.sw > c.KW)).toBe(true);
  expect(cases.some((c) => (c.dh > 1 || c.dw > 1) && (c.sh > 1 || c.sw > 1))).toBe(true);
  expect(cases.some((c) => (c.dh > 1 || c.dw > 1) && c.sh === 1 && c.sw === 1)).toBe(true);
  expect(cases.some((c) => c.KH !== c.KW && c.sh !== c.sw && c.ph !== c.pw && c.H !== c.W)).toBe(true);
});
