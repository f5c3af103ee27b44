import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readyTfjsCpu } from './helpers/tfjs-cpu.ts';
import { conv2dTranspose } from '../../lib/ops/conv2d-transpose.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

/*
 * TensorFlow.js's conv2dTranspose as an oracle, where it supports the case: dilation 1, a
 * symmetric numeric padding, and an output padding below the stride (TF.js takes the output
 * shape instead of an output padding). TF.js is NHWC with the filter as [KH, KW, outC, inC]:
 * for our x [N, F, H, W] and w [F, C, KH, KW], filter[kh][kw][c][f] = w[f][c][kh][kw].
 */

beforeAll(readyTfjsCpu);

function cases(count: number) {
  const rng = createRng(2026);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const out = [];
  while (out.length < count) {
    const c = {
      N: int(1, 2),
      F: int(1, 3),
      C: int(1, 3),
      H: int(1, 5),
      W: int(1, 5),
      K: int(1, 4),
      s: int(1, 3),
      p: int(0, 2),
      op: 0,
      seed: int(0, 1e9),
    };
    c.op = int(0, c.s - 1);
    const OH = (c.H - 1) * c.s - 2 * c.p + c.K + c.op;
    const OW = (c.W - 1) * c.s - 2 * c.p + c.K + c.op;
    // TF.js derives the input size from the output shape; it must be the forward size of that output.
    const fwdH = Math.floor((OH + 2 * c.p - c.K) / c.s) + 1;
    const fwdW = Math.floor((OW + 2 * c.p - c.K) / c.s) + 1;
    if (OH >= 1 && OW >= 1 && fwdH === c.H && fwdW === c.W && c.K > c.p) out.push({ ...c, OH, OW });
  }
  return out;
}

describe('conv2dTranspose against tf.conv2dTranspose', () => {
  it.each(
    cases(30).map((c) => [`x=[${c.N},${c.F},${c.H},${c.W}] w=[${c.F},${c.C},${c.K},${c.K}] s=${c.s} p=${c.p} op=${c.op}`, c] as const),
  )('%s', (_name, c) => {
    const rng = createRng(c.seed);
    const x = randomUniform([c.N, c.F, c.H, c.W], rng);
    const w = randomUniform([c.F, c.C, c.K, c.K], rng);
    const ours = conv2dTranspose(x, w, null, { stride: c.s, padding: c.p, outputPadding: c.op });
    const expected = tf.tidy(() => {
      const xT = tf.transpose(tf.tensor4d(x.data, [c.N, c.F, c.H, c.W]), [0, 2, 3, 1]) as tf.Tensor4D;
      const filter = tf.transpose(tf.tensor4d(w.data, [c.F, c.C, c.K, c.K]), [2, 3, 1, 0]) as tf.Tensor4D;
      const y = tf.conv2dTranspose(xT, filter, [c.N, c.OH, c.OW, c.C], c.s, c.p);
      return tf.transpose(y, [0, 3, 1, 2]).dataSync() as Float32Array;
    });
    expect(ours.shape).toEqual([c.N, c.C, c.OH, c.OW]);
    for (let k = 0; k < expected.length; k++) expect(ours.data[k]).toBeCloseTo(expected[k], 4);
  });
});
