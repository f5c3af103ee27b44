/**
 * Engine benchmark: `npm run bench` (a readable table) or `npm run --silent bench -- --json` (JSON
 * only on stdout; `--silent` keeps npm's own banner out). `--quick` shortens every measurement (a
 * smoke run, numbers less steady). Progress goes to stderr; the exit code is 1 if a check fails.
 *
 * For each convolution case it times the direct loop (conv2dNaive) against im2col + GEMM (conv2d),
 * and the two backward methods of conv2dBackward ('col2im' and 'dilated': both compute dw and db
 * the same way and differ in dx), and reports the size of the matrix each method unrolls. It also times the bare GEMM at 512³. Every timing is a
 * median (and min) over several runs after warm-up runs; each op is checked against its partner
 * (naive vs im2col forward, col2im vs dilated dx) so a fast wrong answer cannot go unnoticed.
 */
import os from 'node:os';
import {
  conv2d,
  conv2dNaive,
  conv2dBackward,
  convGeometry,
  createRng,
  gemmInto,
  im2colBytes,
  randomUniform,
} from '../../lib/index.ts';
import type { ConvGeometry, Tensor } from '../../lib/index.ts';

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

function benchGemm(): { size: number; timing: Timing; gflops: number; gflopsBest: number } {
  const rng = createRng(1);
  const S = GEMM_SIZE;
  const a = randomUniform([S, S], rng).data;
  const b = randomUniform([S, S], rng).data;
  const c = new Float32Array(S * S);
  const { timing } = measure(() => gemmInto(S, S, S, a, false, b, false, c));
  const flops = 2 * S * S * S;
  return { size: S, timing, gflops: flops / (timing.medianMs * 1e6), gflopsBest: flops / (timing.minMs * 1e6) };
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

  log(`  ${spec.label}: forward naive…`);
  const naive = measure(() => conv2dNaive(x, w, b, opts));
  log(`  ${spec.label}: forward im2col…`);
  const fast = measure(() => conv2d(x, w, b, opts));
  const dy = randomUniform([N, F, OH, OW], rng);
  log(`  ${spec.label}: backward col2im…`);
  const viaCol2im = measure(() => conv2dBackward(dy, x, w, opts, { method: 'col2im' }));
  log(`  ${spec.label}: backward dilated…`);
  const viaDilated = measure(() => conv2dBackward(dy, x, w, opts, { method: 'dilated' }));

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
      im2col: fast.timing,
      speedup: naive.timing.medianMs / fast.timing.medianMs,
      im2colGflops: flops / (fast.timing.medianMs * 1e6),
      naiveGflops: flops / (naive.timing.medianMs * 1e6),
    },
    backward: {
      col2im: viaCol2im.timing,
      dilated: viaDilated.timing,
      dilatedOverCol2im: viaDilated.timing.medianMs / viaCol2im.timing.medianMs,
    },
    check: {
      forwardMaxAbsDiff: maxAbsDiff(naive.result.data, fast.result.data),
      forwardMaxAbs: maxAbs(naive.result.data),
      dxMaxAbsDiff: maxAbsDiff(viaCol2im.result.dx.data, viaDilated.result.dx.data),
      dxMaxAbs: maxAbs(viaCol2im.result.dx.data),
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

function printReport(gemm: ReturnType<typeof benchGemm>, cases: CaseResult[], seconds: number): void {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push(`Engine benchmark — Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), single-threaded`);
  out.push(`Times in ms: median (min) over the timed runs, after warm-up; ops slower than ${SLOW_MS / 1000} s: ${SLOW_RUNS} runs, the first one included.`);
  out.push('');
  out.push(
    `GEMM ${gemm.size}×${gemm.size}×${gemm.size}: ${formatTiming(gemm.timing)} ms → ${gemm.gflops.toFixed(2)} GFLOP/s median, ${gemm.gflopsBest.toFixed(2)} best (${gemm.timing.runs} runs)`,
  );
  out.push('');
  out.push('Forward: direct loops (conv2dNaive) vs im2col + GEMM (conv2d)');
  out.push(
    table(
      ['case', 'x → y', 'naive ms', 'im2col ms', 'speed-up', 'GFLOP/s', 'im2col matrix', 'max |Δ|'],
      cases.map((c) => [
        c.label,
        `[${c.x.join(',')}] → [${c.output.join(',')}] k${c.w[2]} s${c.stride} p${c.padding}`,
        formatTiming(c.forward.naive),
        formatTiming(c.forward.im2col),
        `${c.forward.speedup.toFixed(2)}×`,
        c.forward.im2colGflops.toFixed(2),
        formatBytes(c.im2colBytes),
        c.check.forwardMaxAbsDiff.toExponential(1),
      ]),
    ),
  );
  out.push('');
  out.push("Backward (dx, dw, db): conv2dBackward method 'col2im' vs 'dilated'");
  out.push(
    table(
      ['case', 'col2im ms', 'dilated ms', 'dilated / col2im', 'dilated matrix', 'max |Δdx|'],
      cases.map((c) => [
        c.label,
        formatTiming(c.backward.col2im),
        formatTiming(c.backward.dilated),
        `${c.backward.dilatedOverCol2im.toFixed(2)}×`,
        formatBytes(c.dilatedColsBytes),
        c.check.dxMaxAbsDiff.toExponential(1),
      ]),
    ),
  );
  out.push('');
  out.push(`Total ${seconds.toFixed(1)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function main(): void {
  const started = performance.now();
  log(`GEMM ${GEMM_SIZE}³…`);
  const gemm = benchGemm();
  const cases: CaseResult[] = [];
  for (const spec of CASES) {
    log(`${spec.label}`);
    cases.push(benchCase(spec));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const c of cases) {
    const forwardOk = c.check.forwardMaxAbsDiff <= CHECK_RTOL * Math.max(1, c.check.forwardMaxAbs);
    const dxOk = c.check.dxMaxAbsDiff <= CHECK_RTOL * Math.max(1, c.check.dxMaxAbs);
    if (!forwardOk || !dxOk) {
      process.stderr.write(
        `check failed for ${c.label}: forward max |Δ| ${c.check.forwardMaxAbsDiff}, dx max |Δ| ${c.check.dxMaxAbsDiff}\n`,
      );
      process.exitCode = 1;
    }
  }
  if (asJson) {
    const cpus = os.cpus();
    const report = {
      node: process.version,
      cpu: cpus[0]?.model ?? null,
      cores: cpus.length,
      quick,
      gemm,
      cases,
      seconds,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    printReport(gemm, cases, seconds);
  }
}

main();
