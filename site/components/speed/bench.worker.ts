/// <reference lib="webworker" />
/**
 * The speed lesson's benchmark worker: runs every method (nested loops, im2col + GEMM on the CPU
 * with the JS and the WebAssembly SIMD kernel,
 * and the WebGL2 shaders on an OffscreenCanvas) on every case, off the page's thread, and posts
 * progress and results (see lib/bench/protocol.ts). A 'stop' message ends the run after the
 * repetition in progress: the runner yields to the message queue after every repetition.
 */
import { BENCH_CASES, availableCpuMethods, createWebglMethod, referenceResults, runBenchmark } from '../../../lib/bench/index.ts';
import type { BenchMethod, BenchRun, FromBenchWorker, MethodInfo, ToBenchWorker } from '../../../lib/bench/index.ts';
import { createGpu } from '../../../lib/webgl/device.ts';
import type { Gpu } from '../../../lib/webgl/device.ts';
import { openComputeContext } from '../../../lib/webgl/probe.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let stopRequested = false;
let running = false;
let gpu: { gpu: Gpu; deviceName: string } | { reason: string } | null = null;

function post(message: FromBenchWorker): void {
  scope.postMessage(message);
}

/** The WebGL2 device, opened once on an OffscreenCanvas, or why there is none. */
function openGpu(): { gpu: Gpu; deviceName: string } | { reason: string } {
  if (gpu && 'gpu' in gpu && !gpu.gpu.gl.isContextLost()) return gpu;
  if (typeof OffscreenCanvas === 'undefined') return (gpu = { reason: 'OffscreenCanvas is not available in this browser’s workers' });
  try {
    const opened = openComputeContext(new OffscreenCanvas(1, 1));
    gpu = 'reason' in opened ? opened : { gpu: createGpu(opened.gl), deviceName: opened.deviceName };
  } catch (err) {
    gpu = { reason: err instanceof Error ? err.message : String(err) };
  }
  return gpu;
}

async function run(repetitions: number, warmup: number, budgetMs: number, withWebgl: boolean): Promise<void> {
  const methods: BenchMethod[] = availableCpuMethods();
  let webgl = 'not measured (switched off)';
  if (withWebgl) {
    const device = openGpu();
    if ('gpu' in device) {
      methods.push(createWebglMethod(device.gpu, device.deviceName), createWebglMethod(device.gpu, device.deviceName, true));
      webgl = device.deviceName;
    } else {
      webgl = `not measured: ${device.reason}`;
    }
  }
  const infos: MethodInfo[] = methods.map((m) => ({ id: m.id, label: m.label, usesIm2col: m.usesIm2col }));
  post({ type: 'methods', methods: infos, webgl });
  const startedAt = new Date().toISOString();
  const outcome = await runBenchmark({
    cases: BENCH_CASES,
    methods,
    repetitions,
    warmup,
    budgetMs,
    shouldStop: () => stopRequested,
    onProgress: (progress) => post({ type: 'progress', progress }),
    onCell: (cell) => post({ type: 'cell', cell }),
    reference: referenceResults,
  });
  const result: BenchRun = {
    version: 1,
    startedAt,
    environment: scope.navigator.userAgent,
    webgl,
    repetitions,
    warmup,
    stopped: outcome.stopped,
    methods: infos,
    cells: outcome.cells,
  };
  post({ type: 'done', run: result });
}

scope.onmessage = (event: MessageEvent<ToBenchWorker>) => {
  const message = event.data;
  if (message.type === 'stop') {
    stopRequested = true;
    return;
  }
  if (message.type === 'run') {
    if (running) return;
    running = true;
    stopRequested = false;
    run(message.repetitions, message.warmup, message.budgetMs, message.webgl)
      .catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = false;
      });
  }
};
