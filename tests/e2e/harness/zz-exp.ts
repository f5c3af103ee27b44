import { createGpu, openComputeContext, gemm, FRAGMENT_HEADER, declareMatrix } from '../../../lib/webgl/index.ts';
import type { GpuMatrix } from '../../../lib/webgl/index.ts';
import { createRng, randomUniform } from '../../../lib/random.ts';

const opened = openComputeContext(new OffscreenCanvas(1, 1));
if ('reason' in opened) throw new Error(opened.reason);
const gpu = createGpu(opened.gl);
const gl = opened.gl;

function sync(m: GpuMatrix) { gpu.readSync(m); }

function quadSource(a: GpuMatrix, b: GpuMatrix, K: number, unroll: boolean): string {
  // 4 rows per fragment, output rows split over 4 textures (row 4y + l in texture l, row y)
  let body = '';
  if (unroll) {
    for (let k = 0; k < K / 4; k++) {
      body += `{ int r = ${k * 4}; vec4 b0 = B_texel(r, t), b1 = B_texel(r+1, t), b2 = B_texel(r+2, t), b3 = B_texel(r+3, t);
      vec4 a0 = A_texel(i, ${k}), a1 = A_texel(i+1, ${k}), a2 = A_texel(i+2, ${k}), a3 = A_texel(i+3, ${k});
      c0 += a0.x*b0 + a0.y*b1 + a0.z*b2 + a0.w*b3; c1 += a1.x*b0 + a1.y*b1 + a1.z*b2 + a1.w*b3; c2 += a2.x*b0 + a2.y*b1 + a2.z*b2 + a2.w*b3; c3 += a3.x*b0 + a3.y*b1 + a3.z*b2 + a3.w*b3; }\n`;
    }
  } else {
    body = `for (int k = 0; k < ${K / 4}; k++) { int r = k * 4; vec4 b0 = B_texel(r, t), b1 = B_texel(r+1, t), b2 = B_texel(r+2, t), b3 = B_texel(r+3, t);
      vec4 a0 = A_texel(i, k), a1 = A_texel(i+1, k), a2 = A_texel(i+2, k), a3 = A_texel(i+3, k);
      c0 += a0.x*b0 + a0.y*b1 + a0.z*b2 + a0.w*b3; c1 += a1.x*b0 + a1.y*b1 + a1.z*b2 + a1.w*b3; c2 += a2.x*b0 + a2.y*b1 + a2.z*b2 + a2.w*b3; c3 += a3.x*b0 + a3.y*b1 + a3.z*b2 + a3.w*b3; }`;
  }
  return `${FRAGMENT_HEADER}
${declareMatrix('A', a.layout)}${declareMatrix('B', b.layout)}
layout(location = 0) out vec4 o0;
layout(location = 1) out vec4 o1;
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int i = p.y * 4; int t = p.x;
  vec4 c0 = vec4(0.0), c1 = vec4(0.0), c2 = vec4(0.0), c3 = vec4(0.0);
  ${body}
  o0 = c0; o1 = c1; o2 = c2; o3 = c3;
}`;
}

function singleSource(a: GpuMatrix, b: GpuMatrix, K: number, unroll: number): string {
  const body = `for (int k = 0; k < ${K / 4}; k += ${unroll}) {\n` + Array.from({ length: unroll }, (_, u) => `{ vec4 a = A_texel(i, k + ${u}); int r = (k + ${u}) * 4;
    acc += a.x * B_texel(r, t) + a.y * B_texel(r + 1, t) + a.z * B_texel(r + 2, t) + a.w * B_texel(r + 3, t); }`).join('\n') + '}';
  return `${FRAGMENT_HEADER}
${declareMatrix('A', a.layout)}${declareMatrix('B', b.layout)}
layout(location = 0) out vec4 o0;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int i = p.y; int t = p.x;
  vec4 acc = vec4(0.0);
  ${body}
  o0 = acc;
}`;
}

function time(label: string, reps: number, run: () => void, out: GpuMatrix): Record<string, number> {
  run(); sync(out);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) run();
  sync(out);
  const ms = (performance.now() - t0) / reps;
  return { [label]: Math.round(ms * 10) / 10 };
}

async function experiment(c: { M: number; K: number; N: number; reps: number }) {
  const { M, K, N, reps } = c;
  const rng = createRng(1);
  const a = gpu.matrix(M, K); gpu.upload(a, randomUniform([M * K], rng).data);
  const b = gpu.matrix(K, N); gpu.upload(b, randomUniform([K * N], rng).data);
  const out = gpu.matrix(M, N);
  const quads = [0, 1, 2, 3].map(() => gpu.matrix(M / 4, N));
  const results: Record<string, number> = {};
  const flops = 2 * M * N * K;
  Object.assign(results, time('current', reps, () => gemm(gpu, a, b, out), out));
  for (const u of [1, c.K / 4]) {
    const src = singleSource(a, b, K, u);
    Object.assign(results, time(`single unroll${u}`, reps, () => gpu.draw({ source: src, inputs: { A: a, B: b }, outputs: [out] }), out));
  }
  for (const unroll of [false, true]) {
    const src = quadSource(a, b, K, unroll);
    Object.assign(results, time(`quad MRT${unroll ? ' unrolled' : ''}`, reps, () => gpu.draw({ source: src, inputs: { A: a, B: b }, outputs: quads }), quads[0]));
  }
  const gflops: Record<string, number> = {};
  for (const [k, ms] of Object.entries(results)) gflops[k] = Math.round((flops / ms / 1e6) * 100) / 100;
  return { ms: results, gflops };
}
(globalThis as any).webglTrainer = { experiment };
