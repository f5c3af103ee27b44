/**
 * Engine benchmark: `npm run bench` (a readable table) or `npm run --silent bench -- --json` (JSON
 * only on stdout; `--silent` keeps npm's own banner out). `--quick` shortens every measurement (a
 * smoke run, numbers less steady). Progress goes to stderr; the exit code is 1 if a check fails.
 *
 * It times the bare GEMM at 512³ on both kernels (the JS reference and WebAssembly SIMD). For each
 * convolution case it times the direct loop (conv2dNaive), im2col + GEMM (conv2d) on each kernel
 * and TF.js's WASM backend (XNNPACK, SIMD128, one thread) forward; backward, conv2dBackward's
 * 'col2im' method on each kernel against TF.js WASM's dx + dw + db (its Conv2D filter gradient is
 * missing, so dw goes through Conv3DBackpropFilterV2 on a depth-1 volume) and the 'dilated' method
 * (WASM kernel); and it reports the size of the matrix each method unrolls. Timings of one table
 * row alternate between the methods, run by run, so that load changes hit them alike; every timing
 * is a median (and min) over several runs after warm-up runs. Each op is checked against its
 * partner (naive vs both im2col kernels vs TF.js forward, col2im vs dilated vs TF.js dx) so a fast
 * wrong answer cannot go unnoticed. The load average is printed with the figures.
 */
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  conv2d,
  conv2dNaive,
  conv2dBackward,
  convGeometry,
  createRng,
  gemmInto,
  im2colBytes,
  randomUniform,
  wasmGemmVariant,
  withGemmKernel,
} from '../../lib/index.ts';
import type { ConvGeometry, GemmKernel, Tensor } from '../../lib/index.ts';

interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

interface BenchCase {
  label: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  padding: number;
}

const CASES: BenchCase[] = [
  { label: 'seed conv1, batch 32', x: [32, 1, 28, 28], w: [32, 1, 2, 2], stride: 2, padding: 0 },
  { label: 'seed conv2, batch 32', x: [32, 32, 14, 14], w: [64, 32, 2, 2], stride: 2, padding: 1 },
  { label: 'seed conv3, batch 32', x: [32, 64, 8, 8], w: [128, 64, 2, 2], stride: 2, padding: 0 },
  { label: 'AlexNet conv1, batch 1', x: [1, 3, 227, 227], w: [96, 3, 11, 11], stride: 4, padding: 0 },
  { label: '3×3 s1 p1 64→64, batch 1', x: [1, 64, 56, 56], w: [64, 64, 3, 3], stride: 1, padding: 1 },
];

const GEMM_SIZE = 512;

const args = new Set(process.argv.slice(2));
const asJson = args.has('--json');
const quick = args.has('--quick');
/** Time spent on the timed runs of one measurement (warm-up comes on top). */
const BUDGET_MS = quick ? 200 : 1500;
const MIN_RUNS = quick ? 2 : 3;
const MAX_RUNS = 25;
const SLOW_MS = 2000;
const SLOW_RUNS = 2;
/** Naive vs im2col outputs (and col2im vs dilated dx) must agree to this, relative to their size. */
const CHECK_RTOL = 1e-4;

function log(line: string): void {
  if (!asJson) process.stderr.write(`${line}\n`);
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `fn` for warm-up (at least once, up to three times while under a quarter of the budget),
 * then enough timed runs to fill the budget (between MIN_RUNS and MAX_RUNS). An op whose first run
 * took longer than SLOW_MS (seconds of work, where compilation is noise) is not warmed up further:
 * that run counts as the first of SLOW_RUNS timed runs, to keep the whole bench short.
 * Returns the timing and the last result.
 */
function measure<T>(fn: () => T): { timing: Timing; result: T } {
  let t0 = performance.now();
  let result = fn();
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  let runs: number;
  if (firstMs > SLOW_MS) {
    times.push(firstMs);
    runs = SLOW_RUNS;
  } else {
    let lastMs = firstMs;
    let warmMs = firstMs;
    for (let warm = 1; warm < 3 && warmMs < BUDGET_MS / 4; warm++) {
      t0 = performance.now();
      result = fn();
      lastMs = performance.now() - t0;
      warmMs += lastMs;
    }
    runs = Math.min(MAX_RUNS, Math.max(MIN_RUNS, Math.round(BUDGET_MS / Math.max(lastMs, 0.01))));
  }
  while (times.length < runs) {
    t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  times.sort((p, q) => p - q);
  return { timing: { medianMs: median(times), minMs: times[0], runs }, result };
}

/**
 * Times several functions alternately: each is warmed up (as in measure), then every round runs
 * each function once in turn, until the budget (shared) is spent, between MIN_RUNS and MAX_RUNS
 * rounds. Returns each one's timing and last result, by name.
 */
function measureAlternating<K extends string, T>(fns: Record<K, () => T>): Record<K, { timing: Timing; result: T }> {
  const names = Object.keys(fns) as K[];
  const results = {} as Record<K, T>;
  const times = {} as Record<K, number[]>;
  let roundMs = 0;
  for (const name of names) {
    let lastMs = 0;
    for (let warm = 0; warm < 3; warm++) {
      const t0 = performance.now();
      results[name] = fns[name]();
      lastMs = performance.now() - t0;
      if (lastMs > BUDGET_MS / 8) break;
    }
    roundMs += lastMs;
    times[name] = [];
  }
  const rounds = Math.min(MAX_RUNS, Math.max(MIN_RUNS, Math.round((2 * BUDGET_MS) / Math.max(roundMs, 0.01))));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const t0 = performance.now();
      results[name] = fns[name]();
      times[name].push(performance.now() - t0);
    }
  }
  const out = {} as Record<K, { timing: Timing; result: T }>;
  for (const name of names) {
    const sorted = times[name].sort((p, q) => p - q);
    out[name] = { timing: { medianMs: median(sorted), minMs: sorted[0], runs: rounds }, result: results[name] };
  }
  return out;
}

function on<T>(kernel: GemmKernel, fn: () => T): () => T {
  return () => withGemmKernel(kernel, fn);
}

/** TF.js's WASM backend, loading its .wasm files from node_modules (no network). */
async function readyTfjsWasm(): Promise<void> {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}${path.sep}`);
  const warn = console.warn;
  console.warn = () => {};
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js WASM backend failed to initialise');
    await tf.ready();
  } finally {
    console.warn = warn;
  }
}

/** An NCHW engine tensor as an NHWC TF.js tensor (outside every timing). */
function toNhwc(t: Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** An NHWC TF.js result read back as NCHW floats. */
function fromNhwc(t: tf.Tensor4D): Float32Array {
  return tf.tidy(() => tf.transpose(t, [0, 3, 1, 2])).dataSync() as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    if (!(d <= worst)) worst = d; // NaN makes it NaN
  }
  return worst;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

/** Bytes of the matrix the dilated method unrolls: im2col of the padded, dilated dy for the full convolution. */
function dilatedColsBytes(g: ConvGeometry & { F: number }): number {
  return 4 * g.F * g.KH * g.KW * g.N * g.HP * g.WP;
}

function benchGemm() {
  const rng = createRng(1);
  const S = GEMM_SIZE;
  const a = randomUniform([S, S], rng).data;
  const b = randomUniform([S, S], rng).data;
  const cJs = new Float32Array(S * S);
  const cWasm = new Float32Array(S * S);
  const t = measureAlternating({
    js: on('js', () => gemmInto(S, S, S, a, false, b, false, cJs)),
    wasm: on('wasm', () => gemmInto(S, S, S, a, false, b, false, cWasm)),
  });
  const flops = 2 * S * S * S;
  const rate = (timing: Timing) => ({ timing, gflops: flops / (timing.medianMs * 1e6), gflopsBest: flops / (timing.minMs * 1e6) });
  return {
    size: S,
    js: rate(t.js.timing),
    wasm: rate(t.wasm.timing),
    wasmOverJs: t.js.timing.medianMs / t.wasm.timing.medianMs,
    maxAbsDiff: maxAbsDiff(cJs, cWasm),
  };
}

function benchCase(spec: BenchCase) {
  const rng = createRng(2);
  const x: Tensor = randomUniform(spec.x, rng);
  const w: Tensor = randomUniform(spec.w, rng, -0.5, 0.5);
  const b: Tensor = randomUniform([spec.w[0]], rng);
  const opts = { stride: spec.stride, padding: spec.padding };
  const g = { ...convGeometry(spec.x, [spec.w[2], spec.w[3]], opts), F: spec.w[0] };
  const [N, F, OH, OW] = [g.N, g.F, g.OH, g.OW];
  const flops = 2 * F * g.C * g.KH * g.KW * N * OH * OW;

  const pad = spec.padding;
  const xT = toNhwc(x);
  const wT = tf.tidy(() => tf.transpose(tf.tensor4d(w.data, spec.w), [2, 3, 1, 0])) as tf.Tensor4D; // [KH, KW, C, F]
  const bT = tf.tensor1d(b.data);
  const tfPad = pad === 0 ? 'valid' : pad;

  log(`  ${spec.label}: forward naive…`);
  const naive = measure(() => conv2dNaive(x, w, b, opts));
  log(`  ${spec.label}: forward im2col (JS, WASM) and TF.js WASM, alternating…`);
  const forward = measureAlternating<'js' | 'wasm' | 'tfjs', Float32Array>({
    js: on('js', () => conv2d(x, w, b, opts).data),
    wasm: on('wasm', () => conv2d(x, w, b, opts).data),
    tfjs: () => {
      const y = tf.tidy(() => tf.add(tf.conv2d(xT, wT, spec.stride, tfPad), bT)) as tf.Tensor4D;
      const out = y.dataSync() as Float32Array; // NHWC, compared after the timing
      y.dispose();
      return out;
    },
  });
  const tfjsForward = tf.tidy(() => fromNhwc(tf.add(tf.conv2d(xT, wT, spec.stride, tfPad), bT) as tf.Tensor4D));

  const dy = randomUniform([N, F, OH, OW], rng);
  const dyT = toNhwc(dy);
  const xPadded =
    pad === 0
      ? xT
      : (tf.pad(xT, [
          [0, 0],
          [pad, pad],
          [pad, pad],
          [0, 0],
        ]) as tf.Tensor4D);
  const tfjsBackward = () =>
    tf.tidy(() => {
      const dx = tf.conv2dTranspose(dyT, wT, [N, g.H, g.W, g.C], spec.stride, tfPad);
      // dw: TF.js WASM has no Conv2DBackpropFilter; its 3-D one on a depth-1 volume gives it.
      const dw5 = tf
        .engine()
        .runKernel(
          'Conv3DBackpropFilterV2',
          { x: tf.expandDims(xPadded, 1), dy: tf.expandDims(dyT, 1) },
          { strides: [1, spec.stride, spec.stride], pad: 'valid', filterShape: [1, g.KH, g.KW, g.C, F] },
        ) as tf.Tensor;
      const db = tf.sum(dyT, [0, 1, 2]);
      const grads = { dx: dx.dataSync() as Float32Array, dw: dw5.dataSync() as Float32Array, db: db.dataSync() as Float32Array };
      return { grads, dxNchw: fromNhwc(dx as tf.Tensor4D) };
    });
  log(`  ${spec.label}: backward col2im (JS, WASM) and TF.js WASM, alternating…`);
  const backward = measureAlternating<'js' | 'wasm' | 'tfjs', Float32Array>({
    js: on('js', () => conv2dBackward(dy, x, w, opts, { method: 'col2im' }).dx.data),
    wasm: on('wasm', () => conv2dBackward(dy, x, w, opts, { method: 'col2im' }).dx.data),
    tfjs: () => tfjsBackward().grads.dx,
  });
  const tfjsDx = tfjsBackward().dxNchw;
  // The engine refuses a dilated backward whose matrix passes its buffer limit (AlexNet conv1: 2.2 GiB).
  const dilatedRefused =
    dilatedColsBytes(g) > 4 * 2 ** 28 ? `its matrix needs ${formatBytes(dilatedColsBytes(g))}, over the engine's 1 GiB buffer limit` : null;
  log(`  ${spec.label}: backward dilated (WASM)${dilatedRefused ? ` skipped: ${dilatedRefused}` : '…'}`);
  const viaDilated = dilatedRefused ? null : measure(on('wasm', () => conv2dBackward(dy, x, w, opts, { method: 'dilated' })));
  tf.dispose([xT, wT, bT, dyT, xPadded]);

  const gflops = (t: Timing) => flops / (t.medianMs * 1e6);
  return {
    label: spec.label,
    x: spec.x,
    w: spec.w,
    stride: spec.stride,
    padding: spec.padding,
    output: [N, F, OH, OW],
    flops,
    im2colBytes: im2colBytes(g),
    dilatedColsBytes: dilatedColsBytes(g),
    forward: {
      naive: naive.timing,
      im2colJs: forward.js.timing,
      im2colWasm: forward.wasm.timing,
      tfjsWasm: forward.tfjs.timing,
      wasmOverJs: forward.js.timing.medianMs / forward.wasm.timing.medianMs,
      wasmOverTfjs: forward.wasm.timing.medianMs / forward.tfjs.timing.medianMs,
      naiveGflops: gflops(naive.timing),
      im2colJsGflops: gflops(forward.js.timing),
      im2colWasmGflops: gflops(forward.wasm.timing),
      tfjsGflops: gflops(forward.tfjs.timing),
    },
    backward: {
      col2imJs: backward.js.timing,
      col2imWasm: backward.wasm.timing,
      tfjsWasm: backward.tfjs.timing,
      dilated: viaDilated?.timing ?? null,
      dilatedRefused,
      wasmOverJs: backward.js.timing.medianMs / backward.wasm.timing.medianMs,
      tfjsOverWasm: backward.tfjs.timing.medianMs / backward.wasm.timing.medianMs,
      dilatedOverCol2im: viaDilated ? viaDilated.timing.medianMs / backward.wasm.timing.medianMs : null,
    },
    check: {
      forwardMaxAbs: maxAbs(naive.result.data),
      forwardJsMaxAbsDiff: maxAbsDiff(naive.result.data, forward.js.result),
      forwardWasmMaxAbsDiff: maxAbsDiff(naive.result.data, forward.wasm.result),
      forwardTfjsMaxAbsDiff: maxAbsDiff(naive.result.data, tfjsForward),
      dxMaxAbs: maxAbs(backward.js.result),
      dxWasmMaxAbsDiff: maxAbsDiff(backward.js.result, backward.wasm.result),
      dxDilatedMaxAbsDiff: viaDilated ? maxAbsDiff(backward.js.result, viaDilated.result.dx.data) : 0,
      dxTfjsMaxAbsDiff: maxAbsDiff(backward.js.result, tfjsDx),
    },
  };
}

type CaseResult = ReturnType<typeof benchCase>;

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

function formatTiming(t: Timing): string {
  const digits = t.medianMs < 10 ? 2 : 1;
  return `${t.medianMs.toFixed(digits)} (${t.minMs.toFixed(digits)})`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
  return [line(header), widths.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function loadText(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
}

function printReport(gemm: ReturnType<typeof benchGemm>, cases: CaseResult[], seconds: number, loadBefore: string): void {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push(`Engine benchmark — Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), single-threaded`);
  out.push(
    `WASM kernel: ${wasmGemmVariant()} build; TF.js ${tf.version_core} WASM backend, SIMD, 1 thread. Load average (1, 5, 15 min): ${loadBefore} before, ${loadText()} after.`,
  );
  out.push(
    `Times in ms: median (min) over the timed runs, after warm-up; a row's methods alternate run by run; ops slower than ${SLOW_MS / 1000} s: ${SLOW_RUNS} runs, the first one included.`,
  );
  out.push('');
  out.push(
    `GEMM ${gemm.size}×${gemm.size}×${gemm.size} (${gemm.js.timing.runs} runs each, max |Δ| JS vs WASM ${gemm.maxAbsDiff.toExponential(1)})`,
  );
  out.push(
    table(
      ['kernel', 'ms', 'GFLOP/s median', 'best'],
      [
        ['JS (float64 sums)', formatTiming(gemm.js.timing), gemm.js.gflops.toFixed(2), gemm.js.gflopsBest.toFixed(2)],
        ['WASM SIMD (float32)', formatTiming(gemm.wasm.timing), gemm.wasm.gflops.toFixed(2), gemm.wasm.gflopsBest.toFixed(2)],
      ],
    ),
  );
  out.push(`WASM / JS: ${gemm.wasmOverJs.toFixed(2)}× faster`);
  out.push('');
  out.push('Forward: direct loops (conv2dNaive), im2col + GEMM (conv2d) on each kernel, TF.js WASM (conv2d + bias)');
  out.push(
    table(
      [
        'case',
        'x → y',
        'naive ms',
        'im2col JS ms',
        'im2col WASM ms',
        'TF.js WASM ms',
        'WASM/JS',
        'WASM time / TF.js',
        'WASM GFLOP/s',
        'im2col matrix',
      ],
      cases.map((c) => [
        c.label,
        `[${c.x.join(',')}] → [${c.output.join(',')}] k${c.w[2]} s${c.stride} p${c.padding}`,
        formatTiming(c.forward.naive),
        formatTiming(c.forward.im2colJs),
        formatTiming(c.forward.im2colWasm),
        formatTiming(c.forward.tfjsWasm),
        `${c.forward.wasmOverJs.toFixed(2)}×`,
        `${c.forward.wasmOverTfjs.toFixed(2)}×`,
        c.forward.im2colWasmGflops.toFixed(2),
        formatBytes(c.im2colBytes),
      ]),
    ),
  );
  out.push('');
  out.push("Backward (dx, dw, db): conv2dBackward 'col2im' on each kernel, TF.js WASM (dx + dw + db), 'dilated' (WASM kernel)");
  out.push(
    table(
      [
        'case',
        'col2im JS ms',
        'col2im WASM ms',
        'TF.js WASM ms',
        'WASM/JS',
        'TF.js / WASM',
        'dilated ms',
        'dilated / col2im',
        'dilated matrix',
      ],
      cases.map((c) => [
        c.label,
        formatTiming(c.backward.col2imJs),
        formatTiming(c.backward.col2imWasm),
        formatTiming(c.backward.tfjsWasm),
        `${c.backward.wasmOverJs.toFixed(2)}×`,
        `${c.backward.tfjsOverWasm.toFixed(2)}×`,
        c.backward.dilated ? formatTiming(c.backward.dilated) : 'refused',
        c.backward.dilatedOverCol2im ? `${c.backward.dilatedOverCol2im.toFixed(2)}×` : '—',
        formatBytes(c.dilatedColsBytes),
      ]),
    ),
  );
  for (const c of cases) if (c.backward.dilatedRefused) out.push(`dilated on ${c.label}: refused, ${c.backward.dilatedRefused}.`);
  out.push('');
  out.push('Checks, max |Δ| (forward against conv2dNaive, dx against col2im on the JS kernel)');
  out.push(
    table(
      ['case', 'fwd JS', 'fwd WASM', 'fwd TF.js', 'dx WASM', 'dx dilated', 'dx TF.js'],
      cases.map((c) => [
        c.label,
        c.check.forwardJsMaxAbsDiff.toExponential(1),
        c.check.forwardWasmMaxAbsDiff.toExponential(1),
        c.check.forwardTfjsMaxAbsDiff.toExponential(1),
        c.check.dxWasmMaxAbsDiff.toExponential(1),
        c.backward.dilated ? c.check.dxDilatedMaxAbsDiff.toExponential(1) : '—',
        c.check.dxTfjsMaxAbsDiff.toExponential(1),
      ]),
    ),
  );
  out.push('');
  out.push(`Total ${seconds.toFixed(1)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const loadBefore = loadText();
  await readyTfjsWasm();
  const started = performance.now();
  log(`GEMM ${GEMM_SIZE}³, JS and WASM alternating…`);
  const gemm = benchGemm();
  const cases: CaseResult[] = [];
  for (const spec of CASES) {
    log(`${spec.label}`);
    cases.push(benchCase(spec));
  }
  const seconds = (performance.now() - started) / 1000;
  const within = (diff: number, scale: number) => diff <= CHECK_RTOL * Math.max(1, scale);
  if (!within(gemm.maxAbsDiff, GEMM_SIZE)) {
    process.stderr.write(`check failed for GEMM: JS vs WASM max |Δ| ${gemm.maxAbsDiff}\n`);
    process.exitCode = 1;
  }
  for (const c of cases) {
    const k = c.check;
    const forwardOk = [k.forwardJsMaxAbsDiff, k.forwardWasmMaxAbsDiff, k.forwardTfjsMaxAbsDiff].every((d) => within(d, k.forwardMaxAbs));
    const dxOk = [k.dxWasmMaxAbsDiff, k.dxDilatedMaxAbsDiff, k.dxTfjsMaxAbsDiff].every((d) => within(d, k.dxMaxAbs));
    if (!forwardOk || !dxOk) {
      process.stderr.write(`check failed for ${c.label}: ${JSON.stringify(k)}\n`);
      process.exitCode = 1;
    }
  }
  if (asJson) {
    const cpus = os.cpus();
    const report = {
      node: process.version,
      cpu: cpus[0]?.model ?? null,
      cores: cpus.length,
      wasmVariant: wasmGemmVariant(),
      tfjs: tf.version_core,
      loadAverage: { before: loadBefore, after: loadText() },
      quick,
      gemm,
      cases,
      seconds,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    printReport(gemm, cases, seconds, loadBefore);
  }
}

await main();
