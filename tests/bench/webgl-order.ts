/**
 * `npm run bench:webgl-order [-- --json]`: the speed lesson's two WebGL2 rows timed both ways.
 * Lesson 10 times its cells one after another, the shaders alone first; there a row with uploads
 * and read-backs has sometimes come out faster than the shaders alone. Here each case is timed both
 * ways in one process — one cell after the other as the lesson does, and repetition by repetition
 * in turn — in headless Chromium (SwiftShader without a GPU), on the seed CNN at batch 1 and 32 and
 * the AlexNet-sized layer; medians and means are printed with the load average. Nothing is
 * asserted: it is a measurement.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { chromiumLaunchOptions } from '../e2e/fixtures/chromium.ts';

const CASES = [
  ['seed-b1', 'forward'],
  ['seed-b1', 'backward'],
  ['seed-b32', 'forward'],
  ['seed-b32', 'backward'],
  ['alexnet', 'forward'],
] as const;
const REPS = 15;

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const entry = fileURLToPath(new URL('./harness/webgl-order.ts', import.meta.url));
  const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', write: false, target: 'es2022' });
  const browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><head><title>webgl order</title></head><body></body></html>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  const loadBefore = loadavg()[0];
  type Timed = {
    device: string;
    alone: { median: number; mean: number; max: number };
    transfers: { median: number; mean: number; max: number };
  };
  const rows = [];
  for (const [caseId, pass] of CASES) {
    for (const order of ['sequential', 'alternate'] as const) {
      const r = await page.evaluate(
        (arg) => (window as unknown as { webglOrder: { time(a: unknown): Promise<Timed> } }).webglOrder.time(arg),
        { caseId, pass, reps: REPS, order },
      );
      rows.push({ caseId, pass, order, device: r.device, alone: r.alone, transfers: r.transfers });
    }
  }
  await browser.close();
  const load = { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)) };
  if (json) {
    console.log(JSON.stringify({ reps: REPS, load, rows }, null, 2));
    return;
  }
  console.log(
    `WebGL2 rows of lesson 10, ${REPS} repetitions each: one cell after the other (1 warm-up, as the lesson) and alternating (2 warm-ups); load ${load.before} → ${load.after}; device: ${rows[0].device}`,
  );
  console.log('case                 order        alone median / mean   transfers median / mean   transfers/alone (medians)');
  for (const r of rows) {
    const f = (s: { median: number; mean: number }) => `${s.median.toFixed(1).padStart(7)} / ${s.mean.toFixed(1).padStart(7)} ms`;
    console.log(
      `${`${r.caseId} ${r.pass}`.padEnd(20)} ${r.order.padEnd(12)} ${f(r.alone)}   ${f(r.transfers)}     ${(r.transfers.median / r.alone.median).toFixed(2)}×`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
