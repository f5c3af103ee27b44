import { describe, it, expect } from 'vitest';
import { runBenchmark, planCells, MIN_REPETITIONS } from '../../lib/bench/runner.ts';
import type { CellResult, Progress } from '../../lib/bench/runner.ts';
import type { BenchMethod, MethodId } from '../../lib/bench/method.ts';
import type { LayerInputs, Pass } from '../../lib/bench/inputs.ts';
import { BENCH_CASES, benchCase } from '../../lib/bench/cases.ts';
import { tensor } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { ConvConfigError } from '../../lib/errors.ts';

/**
 * A scripted clock and method: every run advances the clock by the next duration of `durations`
 * (cycling), so the runner's timings are known exactly; `value` is what read() returns.
 */
function scripted(
  id: MethodId,
  durations: number[],
  clock: { t: number },
  log: string[],
  options: { passes?: Pass[]; value?: number; failOn?: number } = {},
): BenchMethod {
  let k = 0;
  return {
    id,
    label: `method ${id}`,
    description: 'scripted',
    usesIm2col: false,
    passes: options.passes ?? ['forward', 'backward'],
    prepare(inputs: readonly LayerInputs[], pass: Pass) {
      log.push(`prepare ${id} ${pass} ${inputs.length}`);
      return {
        run() {
          if (options.failOn !== undefined && k === options.failOn) throw new Error(`${id} broke`);
          clock.t += durations[k++ % durations.length];
          log.push(`run ${id}`);
        },
        read: (): Tensor[] => [tensor([1], [options.value ?? 1])],
        dispose: () => log.push(`dispose ${id}`),
      };
    },
  };
}

const noInputs = (): LayerInputs[] => [];
const immediate = () => Promise.resolve();

describe('runBenchmark', () => {
  it('times each repetition alone, excluding warm-up runs, and summarises them', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    // Warm-up takes 100 (excluded), then 4, 6, 8.
    const method = scripted('naive', [100, 4, 6, 8], clock, log);
    const { cells, stopped } = await runBenchmark({
      cases: [benchCase('seed-b1')],
      methods: [method],
      passes: ['forward'],
      repetitions: 3,
      warmup: 1,
      now: () => clock.t,
      yieldControl: immediate,
      inputs: noInputs,
    });
    expect(stopped).toBe(false);
    expect(cells).toHaveLength(1);
    expect(cells[0].times).toEqual([4, 6, 8]);
    expect(cells[0].stats).toMatchObject({ n: 3, mean: 6, min: 4, median: 6, max: 8 });
    expect(cells[0].status).toBe('done');
    expect(log).toEqual(['prepare naive forward 0', 'run naive', 'run naive', 'run naive', 'run naive', 'dispose naive']);
  });

  it('plans case by case, forward then backward, method by method', () => {
    const methods = [scripted('naive', [1], { t: 0 }, []), scripted('im2col', [1], { t: 0 }, [])];
    const plan = planCells(BENCH_CASES, ['forward', 'backward'], methods).map((p) => `${p.c.id}/${p.pass}/${p.method.id}`);
    expect(plan.slice(0, 5)).toEqual([
      'seed-b1/forward/naive',
      'seed-b1/forward/im2col',
      'seed-b1/backward/naive',
      'seed-b1/backward/im2col',
      'seed-b32/forward/naive',
    ]);
    expect(plan).toHaveLength(BENCH_CASES.length * 2 * 2);
  });

  it('builds each case’s inputs once, reports progress up to the total, and yields after every run', async () => {
    const clock = { t: 0 };
    const built: string[] = [];
    const progress: Progress[] = [];
    let yields = 0;
    const methods = [scripted('naive', [2], clock, []), scripted('im2col', [1], clock, [])];
    await runBenchmark({
      cases: BENCH_CASES.slice(0, 2),
      methods,
      repetitions: 2,
      warmup: 1,
      now: () => clock.t,
      yieldControl: async () => {
        yields++;
      },
      inputs: (c) => {
        built.push(c.id);
        return [];
      },
      onProgress: (p) => progress.push(p),
    });
    expect(built).toEqual(['seed-b1', 'seed-b32']);
    const total = 2 * 2 * 2 * 3; // cases × passes × methods × (warm-up + repetitions)
    expect(yields).toBe(total);
    expect(progress.every((p) => p.total === total)).toBe(true);
    const dones = progress.map((p) => p.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ done: total, total, current: 'Done' });
    expect(progress.some((p) => p.current === 'Seed CNN conv layers, batch 32 · backward · method im2col')).toBe(true);
  });

  it('stops after the repetition in progress and marks the rest stopped', async () => {
    const clock = { t: 0 };
    let runs = 0;
    const methods = [scripted('naive', [5], clock, []), scripted('im2col', [1], clock, [])];
    const cells: CellResult[] = [];
    const outcome = await runBenchmark({
      cases: [benchCase('seed-b1')],
      methods,
      repetitions: 4,
      warmup: 0,
      now: () => clock.t,
      yieldControl: immediate,
      inputs: noInputs,
      shouldStop: () => ++runs >= 2,
      onCell: (c) => cells.push(c),
    });
    expect(outcome.stopped).toBe(true);
    expect(outcome.cells.map((c) => c.status)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(outcome.cells[0].times).toEqual([5, 5]);
    expect(outcome.cells[0].stats?.n).toBe(2);
    expect(outcome.cells.slice(1).every((c) => c.stats === null)).toBe(true);
    expect(cells).toEqual(outcome.cells);
  });

  it('skips a pass a method cannot time and records a method that throws, then goes on', async () => {
    const clock = { t: 0 };
    const methods = [
      scripted('naive', [3], clock, []),
      scripted('webgl', [1], clock, [], { passes: ['forward'] }),
      scripted('im2col', [1], clock, [], { failOn: 1 }),
    ];
    const { cells } = await runBenchmark({
      cases: [benchCase('alexnet')],
      methods,
      repetitions: 2,
      warmup: 0,
      now: () => clock.t,
      yieldControl: immediate,
      inputs: noInputs,
    });
    const by = (pass: string, id: string) => cells.find((c) => c.pass === pass && c.methodId === id)!;
    expect(by('backward', 'webgl')).toMatchObject({ status: 'skipped', stats: null, note: 'method webgl does not time the backward pass' });
    expect(by('forward', 'im2col')).toMatchObject({ status: 'error', note: 'im2col broke', stats: null });
    expect(by('backward', 'naive').stats?.mean).toBe(3);
  });

  it('ends a cell early once its budget is spent, after at least MIN_REPETITIONS runs', async () => {
    const clock = { t: 0 };
    const progress: Progress[] = [];
    const { cells } = await runBenchmark({
      cases: [benchCase('seed-b1')],
      methods: [scripted('naive', [40], clock, []), scripted('im2col', [1], clock, [])],
      passes: ['forward'],
      repetitions: 10,
      warmup: 1,
      budgetMs: 50,
      now: () => clock.t,
      yieldControl: immediate,
      inputs: noInputs,
      onProgress: (p) => progress.push(p),
    });
    expect(MIN_REPETITIONS).toBe(2);
    expect(cells[0].times).toEqual([40, 40]); // 40 < 50 goes on, 80 > 50 stops
    expect(cells[0].status).toBe('done');
    expect(cells[1].times).toHaveLength(10); // 10 ms in all: within budget
    const dones = progress.map((p) => p.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(progress.at(-1)?.done).toBe(22);
  });

  it('compares each method’s last result with the reference, computed once per case and pass', async () => {
    const clock = { t: 0 };
    let references = 0;
    const { cells } = await runBenchmark({
      cases: [benchCase('seed-b1')],
      methods: [scripted('naive', [1], clock, [], { value: 2 }), scripted('im2col', [1], clock, [], { value: 2.5 })],
      passes: ['forward'],
      repetitions: 1,
      warmup: 0,
      now: () => clock.t,
      yieldControl: immediate,
      inputs: noInputs,
      reference: () => {
        references++;
        return [tensor([1], [2])];
      },
    });
    expect(references).toBe(1);
    expect(cells.map((c) => c.maxError)).toEqual([0, 0.25]);
  });

  it('refuses bad counts and an empty method list by name', async () => {
    const base = { cases: [benchCase('seed-b1')], methods: [scripted('naive', [1], { t: 0 }, [])], inputs: noInputs };
    await expect(runBenchmark({ ...base, repetitions: 0 })).rejects.toThrow('repetitions must be an integer from 1 to 1000, got 0');
    await expect(runBenchmark({ ...base, repetitions: 2, warmup: -1 })).rejects.toThrow(ConvConfigError);
    await expect(runBenchmark({ ...base, repetitions: 2, budgetMs: 0 })).rejects.toThrow(/budgetMs must be a positive number/);
    await expect(runBenchmark({ ...base, methods: [], repetitions: 2 })).rejects.toThrow(/methods must be a non-empty list/);
  });
});
