/**
 * Browser side of tests/bench/webgl-order.ts: times the speed lesson's two WebGL2 methods (shaders
 * alone, and with uploads and read-backs) on one case and pass, either in alternation (both rows
 * meet the same moments of the machine) or one cell after the other as the lesson does. Bundled
 * with esbuild and exposed as `window.webglOrder`.
 */
import { BENCH_CASES, createWebglMethod, makeCaseInputs, summarize } from '../../../lib/bench/index.ts';
import type { Pass } from '../../../lib/bench/index.ts';
import { createGpu } from '../../../lib/webgl/device.ts';
import { openComputeContext } from '../../../lib/webgl/probe.ts';

/**
 * Both methods' timings for case `caseId` and `pass` in one order: `alternate` (2 warm-ups each,
 * then one repetition of each in turn) or `sequential` (as lesson 10's runner does: each method's
 * cell on its own, 1 warm-up then all its repetitions, shaders alone first), each on a fresh context.
 */
async function time(c: { caseId: string; pass: Pass; reps: number; order: 'alternate' | 'sequential' }) {
  const opened = openComputeContext(new OffscreenCanvas(1, 1));
  if ('reason' in opened) throw new Error(opened.reason);
  const gpu = createGpu(opened.gl);
  const bench = BENCH_CASES.find((b) => b.id === c.caseId);
  if (!bench) throw new Error(`no bench case ${c.caseId}`);
  const inputs = makeCaseInputs(bench);
  const runs = {
    alone: await createWebglMethod(gpu, opened.deviceName, false).prepare(inputs, c.pass),
    transfers: await createWebglMethod(gpu, opened.deviceName, true).prepare(inputs, c.pass),
  };
  const times: { alone: number[]; transfers: number[] } = { alone: [], transfers: [] };
  const once = async (name: 'alone' | 'transfers') => {
    const t0 = performance.now();
    await runs[name].run();
    times[name].push(performance.now() - t0);
  };
  if (c.order === 'alternate') {
    for (const run of Object.values(runs)) for (let k = 0; k < 2; k++) await run.run();
    for (let k = 0; k < c.reps; k++) for (const name of ['alone', 'transfers'] as const) await once(name);
  } else {
    for (const name of ['alone', 'transfers'] as const) {
      await runs[name].run();
      for (let k = 0; k < c.reps; k++) await once(name);
    }
  }
  opened.gl.getExtension('WEBGL_lose_context')?.loseContext();
  for (const run of Object.values(runs)) run.dispose();
  return { device: opened.deviceName, alone: summarize(times.alone), transfers: summarize(times.transfers) };
}

(globalThis as unknown as { webglOrder: unknown }).webglOrder = { time };
