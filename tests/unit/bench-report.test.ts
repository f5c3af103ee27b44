import { describe, it, expect } from 'vitest';
import { resultTables, seedRows, STAT_COLUMNS } from '../../lib/bench/tables.ts';
import { runToMarkdown, tableToMarkdown } from '../../lib/bench/markdown.ts';
import { SAVED_KEY, MAX_SAVED, addSaved, checkLabel, compareSaved, parseSaved, removeSaved } from '../../lib/bench/saved.ts';
import { chartLayout, tickLabel, NARROW_CHART } from '../../lib/bench/chart.ts';
import { agreementText, progressFraction, statusText } from '../../lib/bench/status.ts';
import {
  REPETITION_CHOICES,
  DEFAULT_REPETITIONS,
  budgetFor,
  readRepetitions,
  repetitionsFromQuery,
  warmupFor,
} from '../../lib/bench/protocol.ts';
import { PLANNED_METHODS } from '../../lib/bench/run.ts';
import type { BenchRun, MethodInfo } from '../../lib/bench/run.ts';
import type { CellResult } from '../../lib/bench/runner.ts';
import { BENCH_CASES, caseIm2colBytes, benchCase } from '../../lib/bench/cases.ts';
import { PASSES } from '../../lib/bench/inputs.ts';
import { summarize } from '../../lib/bench/stats.ts';
import { seedTable } from '../../lib/bench/seed-figures.ts';
import { ConvConfigError } from '../../lib/errors.ts';

const METHODS: MethodInfo[] = PLANNED_METHODS.slice(0, 2);

/** A run where nested loops take `slow` ms and im2col `fast` ms on every case and pass. */
function fakeRun(slow: number[], fast: number[], extra: Partial<BenchRun> = {}): BenchRun {
  const cells: CellResult[] = [];
  for (const c of BENCH_CASES) {
    for (const pass of PASSES) {
      cells.push({ caseId: c.id, pass, methodId: 'naive', status: 'done', times: slow, stats: summarize(slow), maxError: 1e-7 });
      cells.push({ caseId: c.id, pass, methodId: 'im2col', status: 'done', times: fast, stats: summarize(fast), maxError: 0 });
    }
  }
  return {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    environment: 'Test browser',
    webgl: 'not measured: test',
    repetitions: slow.length,
    warmup: 1,
    stopped: false,
    methods: METHODS,
    cells,
    ...extra,
  };
}

describe('resultTables', () => {
  it('has forward b1, forward b32, backward b1, backward b32, then the AlexNet-sized layer', () => {
    const tables = resultTables(null, METHODS);
    expect(tables.map((t) => t.id)).toEqual(['forward-b1', 'forward-b32', 'backward-b1', 'backward-b32', 'alexnet']);
    expect(tables.map((t) => t.seedRows.length)).toEqual([6, 6, 6, 6, 0]);
    expect(tables.map((t) => t.hasBuffer)).toEqual([false, false, false, false, true]);
    expect(tables.map((t) => t.columnCount)).toEqual([8, 8, 8, 8, 9]);
  });

  it('before a run, the reader rows have no numbers and say so', () => {
    const [first] = resultTables(null, METHODS);
    expect(first.rows.map((r) => r.label)).toEqual(['Nested loops', 'im2col + GEMM, JS']);
    for (const row of first.rows) {
      for (const k of STAT_COLUMNS) expect(row.stats[k]).toBeNull();
      expect(row.speedup).toBeNull();
      expect(row.note).toBe('not run yet');
    }
  });

  it('fills the statistics from the run and divides the medians for the speed-up', () => {
    const tables = resultTables(fakeRun([10, 20, 30], [2, 4, 6]));
    const [naive, im2col] = tables[1].rows;
    expect(naive.stats).toEqual({ mean: 20, std: 10, min: 10, median: 20, max: 30 });
    expect(naive.runs).toBe(3);
    expect(naive.speedup).toBe(1);
    expect(im2col.speedup).toBe(5);
    expect(im2col.note).toBeUndefined();
    expect([naive.wideSpread, im2col.wideSpread]).toEqual([false, false]);
  });

  it('one slow run moves the mean, not the speed-up, and flags the row as a wide spread', () => {
    // im2col: 2, 2, 2, 2, 34 ms → mean 8.4, median 2; nested loops 10 ms every time.
    const [naive, im2col] = resultTables(fakeRun([10, 10, 10, 10, 10], [2, 2, 2, 2, 34]))[0].rows;
    expect(im2col.stats.mean).toBe(8.4);
    expect(im2col.speedup).toBe(5); // 10 / 2, where the means would say 1.19
    expect(im2col.wideSpread).toBe(true); // 34 > 3 × 2
    expect(naive.wideSpread).toBe(false);
  });

  it('shows the AlexNet-sized layer’s im2col buffer for the methods that build it, 0 for nested loops', () => {
    const alex = resultTables(fakeRun([10], [5])).at(-1)!;
    expect(alex.rows.map((r) => `${r.pass}/${r.label}`)).toEqual([
      'forward/Nested loops',
      'forward/im2col + GEMM, JS',
      'backward/Nested loops',
      'backward/im2col + GEMM, JS',
    ]);
    expect(alex.rows.map((r) => r.bufferMb)).toEqual(
      [0, 4.3923, 0, 4.3923].map((v) => (v === 0 ? 0 : caseIm2colBytes(benchCase('alexnet')) / 1e6)),
    );
  });

  it('groups the rows as shown: reader then seed, or one group per pass for the AlexNet-sized layer', () => {
    const tables = resultTables(fakeRun([10], [5]));
    expect(tables[0].groups.map((g) => [g.source, g.rows.length])).toEqual([
      ['reader', 2],
      ['seed', 6],
    ]);
    expect(tables[0].groups[1].title).toContain('University of Pisa');
    const alex = tables.at(-1)!;
    expect(alex.groups.map((g) => g.title)).toEqual(['Forward pass, in this browser', 'Backward pass, in this browser']);
    expect(alex.groups.flatMap((g) => g.rows)).toEqual(alex.rows);
    expect(alex.groups[1].rows.every((r) => r.pass === 'backward')).toBe(true);
  });

  it('converts the seed’s seconds to milliseconds and keeps its batch counts', () => {
    const rows = seedRows('backward', 32);
    const nested = rows[0];
    expect(nested.stats.mean).toBeCloseTo(70565.303, 6);
    expect(nested.runs).toBe(30);
    expect(rows[1].speedup).toBeCloseTo(70.565303 / 0.043744, 9);
    expect(seedRows('forward', 2)).toEqual([]);
    expect(rows.map((r) => r.label.endsWith('GPU'))).toEqual([false, false, false, false, true, true]);
    expect(seedTable('backward', 32)!.stats.cupy.mean * 1000).toBeCloseTo(rows[4].stats.mean!, 9);
  });

  it('marks stopped and failed cells in the note', () => {
    const run = fakeRun([10], [5]);
    const cells = run.cells.map((c) =>
      c.caseId === 'alexnet' && c.methodId === 'im2col' && c.pass === 'backward'
        ? { ...c, status: 'error' as const, stats: null, note: 'context lost' }
        : c.caseId === 'alexnet' && c.methodId === 'naive' && c.pass === 'backward'
          ? { ...c, status: 'stopped' as const }
          : c,
    );
    const alex = resultTables({ ...run, cells }).at(-1)!;
    expect(alex.rows[3].note).toBe('context lost');
    expect(alex.rows[2].note).toBe('stopped');
    expect(alex.rows[2].stats.mean).toBe(10);
  });
});

describe('Markdown export', () => {
  it('writes one GitHub table per result table, with a header, an alignment row and a row per method', () => {
    const table = resultTables(fakeRun([10, 20, 30], [2, 4, 6]))[1];
    const lines = tableToMarkdown(table).split('\n');
    expect(lines[0]).toBe('### Forward pass, batch 32');
    const header = lines.indexOf('| measured by | method | mean ms | std ms | min ms | median ms | max ms | runs | speed-up | spread |');
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(lines[header + 2]).toBe('| this browser | Nested loops | 20.0 | 10.0 | 10.0 | 20.0 | 30.0 | 3 | 1.00× |  |');
    expect(lines[header + 3]).toBe('| this browser | im2col + GEMM, JS | 4.00 | 2.00 | 2.00 | 4.00 | 6.00 | 3 | 5.00× |  |');
    expect(lines[header + 4]).toBe('| seed slides | Nested loops (Python), CPU | 28798 | 263 | 28444 | 28751 | 29600 | 30 | 1.00× |  |');
    expect(lines.slice(header + 2).every((l) => l.split(' | ').length === 10)).toBe(true);
    // The seed's im2col row: median 0 s (its clock), max above it: flagged.
    expect(lines[header + 5]).toMatch(/^\| seed slides \| im2col.* \| wide \|$/);
  });

  it('a whole run: label, environment, WebGL line, every table, the buffer column and the credit', () => {
    const md = runToMarkdown(fakeRun([10], [5], { stopped: true }), '  Work laptop | Firefox ');
    expect(md.startsWith('## Unrolled speed benchmark: Work laptop | Firefox\n')).toBe(true);
    expect(md).toContain('- Environment: Test browser');
    expect(md).toContain('- WebGL2: not measured: test');
    expect(md).toContain('(stopped early)');
    expect(md.match(/^### /gm)).toHaveLength(5);
    expect(md).toContain('| this browser | forward · im2col + GEMM, JS | 5.00 | 0 | 5.00 | 5.00 | 5.00 | 1 | 2.00× | 4.39 |  |');
    expect(md).toContain('- Speed-up: median time of nested loops over the method’s median time');
    expect(md).toContain('University of Pisa');
  });

  it('escapes pipes inside cells', () => {
    const run = fakeRun([10], [5], { methods: [METHODS[0], { ...METHODS[1], label: 'a | b' }] });
    expect(tableToMarkdown(resultTables(run)[0])).toContain('| this browser | a \\| b |');
  });
});

describe('saved runs', () => {
  const run = fakeRun([10], [5]);

  it('add under a label, replace the same label, keep the newest MAX_SAVED', () => {
    let stored: string | null = null;
    stored = addSaved(stored, ' Laptop ', run, 't1');
    stored = addSaved(stored, 'Phone', run, 't2');
    stored = addSaved(stored, 'Laptop', fakeRun([20], [5]), 't3');
    const saved = parseSaved(stored);
    expect(saved.map((s) => [s.label, s.savedAt])).toEqual([
      ['Phone', 't2'],
      ['Laptop', 't3'],
    ]);
    expect(saved[1].run.cells[0].stats?.mean).toBe(20);
    for (let k = 0; k < MAX_SAVED + 3; k++) stored = addSaved(stored, `run ${k}`, run, `t${k}`);
    const kept = parseSaved(stored);
    expect(kept).toHaveLength(MAX_SAVED);
    expect(kept.at(-1)?.label).toBe(`run ${MAX_SAVED + 2}`);
    expect(parseSaved(removeSaved(stored, `run ${MAX_SAVED + 2}`))).toHaveLength(MAX_SAVED - 1);
    expect(SAVED_KEY).toBe('unrolled:speed-runs');
  });

  it('drops anything malformed instead of throwing', () => {
    expect(parseSaved(null)).toEqual([]);
    expect(parseSaved('not json')).toEqual([]);
    expect(parseSaved('{"a":1}')).toEqual([]);
    const good = JSON.parse(addSaved(null, 'ok', run, 't'));
    const broken = [
      { label: 'no run', savedAt: 't' },
      { label: '', savedAt: 't', run },
      { ...good[0], run: { ...run, cells: [{ caseId: 1 }] } },
      good[0],
    ];
    expect(parseSaved(JSON.stringify(broken)).map((s) => s.label)).toEqual(['ok']);
  });

  it('refuses an empty or too long label by name', () => {
    expect(() => checkLabel('   ')).toThrow(ConvConfigError);
    expect(() => addSaved(null, 'x'.repeat(61), run, 't')).toThrow(/label must be 1 to 60 characters/);
  });

  it('compares runs side by side: median and speed-up per case, pass and method', () => {
    const saved = parseSaved(addSaved(addSaved(null, 'A', fakeRun([10], [5]), 't1'), 'B', fakeRun([30], [3]), 't2'));
    const { columns, rows } = compareSaved(saved);
    expect(columns).toEqual(['A', 'B']);
    expect(rows).toHaveLength(BENCH_CASES.length * 2 * 2);
    const row = rows.find((r) => r.key === 'alexnet/forward/im2col')!;
    expect(row.label).toBe('AlexNet-sized layer, batch 1 · forward · im2col + GEMM, JS');
    expect(row.values).toEqual(['5.00 ms (2.00×)', '3.00 ms (10.0×)']);
    const skewed = compareSaved(parseSaved(addSaved(null, 'C', fakeRun([10, 10, 10], [1, 2, 30]), 't3')));
    expect(skewed.rows.find((r) => r.key === 'alexnet/forward/im2col')!.values).toEqual(['2.00 ms (5.00×)']);
  });
});

describe('chartLayout', () => {
  it('is null before any measurement', () => {
    expect(chartLayout(null, METHODS, 800)).toBeNull();
  });

  it('puts a bar per measured cell on a log axis spanning whole decades', () => {
    const layout = chartLayout(fakeRun([10, 100, 1000], [1, 2, 4]), METHODS, 800)!;
    expect(layout.bars).toHaveLength(BENCH_CASES.length * 2 * 2);
    expect(layout.groups).toHaveLength(BENCH_CASES.length * 2);
    expect(layout.labels).toBe('left');
    // Domain [1, 1000] over [plotLeft, plotRight]: 1 ms at the left edge, each decade a third further.
    const third = (layout.plotRight - layout.plotLeft) / 3;
    expect(layout.ticks.map((t) => t.label)).toEqual(['1 ms', '10 ms', '100 ms', '1 s']);
    layout.ticks.forEach((t, k) => expect(t.x).toBeCloseTo(layout.plotLeft + k * third, 6));
    const naive = layout.bars[0];
    expect(naive.xMedian).toBeCloseTo(layout.plotLeft + 2 * third, 6); // median 100 ms
    expect(naive.xMin).toBeCloseTo(layout.plotLeft + third, 6);
    expect(naive.xMax).toBeCloseTo(layout.plotRight, 6);
    expect(naive.width).toBeCloseTo(2 * third, 6);
    expect(naive.description).toBe('Nested loops: median 100 ms, min 10.0, max 1000 (wide spread)');
    expect(naive.wideSpread).toBe(true); // 1000 > 3 × 100
    expect(layout.bars[1].wideSpread).toBe(false); // im2col 1, 2, 4: 4 < 3 × 2
    const ys = layout.bars.map((b) => b.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(layout.height).toBeGreaterThan(ys.at(-1)!);
  });

  it('moves the method names above the bars on narrow screens', () => {
    const layout = chartLayout(fakeRun([10], [1]), METHODS, NARROW_CHART - 1)!;
    expect(layout.labels).toBe('above');
    expect(layout.bars.every((b) => b.labelY < b.y && b.labelX === layout.plotLeft)).toBe(true);
    expect(layout.plotRight).toBeLessThanOrEqual(layout.width);
  });

  it('labels ticks in ms below a second and in s above', () => {
    expect(tickLabel(0.1)).toBe('0.1 ms');
    expect(tickLabel(1000)).toBe('1 s');
    expect(tickLabel(10000)).toBe('10 s');
  });
});

describe('status and settings', () => {
  it('progress fraction, clamped', () => {
    expect(progressFraction(null)).toBe(0);
    expect(progressFraction({ done: 3, total: 12, current: '' })).toBe(0.25);
    expect(progressFraction({ done: 0, total: 0, current: '' })).toBe(0);
  });

  it('status text per phase', () => {
    expect(statusText('idle', null)).toMatch(/^Not run yet/);
    expect(statusText('running', { done: 2, total: 9, current: 'x' })).toBe('Running 2 of 9 repetitions: x');
    expect(statusText('done', null)).toMatch(/^Done\./);
    expect(statusText('stopped', null)).toMatch(/^Stopped\./);
    expect(statusText('error', null, 'boom')).toBe('The benchmark failed: boom');
  });

  it('agreement: the largest error when every method agrees, the culprits otherwise', () => {
    expect(agreementText(null)).toBe('');
    expect(agreementText(fakeRun([1], [1]))).toContain('to within 1.0e-7');
    const run = fakeRun([1], [1]);
    const bad = { ...run, cells: run.cells.map((c, k) => (k === 0 ? { ...c, maxError: 0.5 } : c)) };
    expect(agreementText(bad)).toBe('Check failed: naive (seed-b1, forward) disagreed with the CPU im2col result by more than 0.0001.');
  });

  it.each(['abc', '7', '', '3.0x', 'x'.repeat(100_000)])(
    'bench.reps=%s is ignored with a notice naming the choices and the default',
    (raw) => {
      const read = readRepetitions(new URLSearchParams({ 'bench.reps': raw }));
      expect(read.repetitions).toBe(DEFAULT_REPETITIONS);
      expect(read.notice).toMatch(/^Ignored bench\.reps ".*"( \(100,000 characters\))? from the link: it must be 3, 10 or 30; using 10\.$/);
      expect(read.notice!.length).toBeLessThan(180);
    },
  );

  it('bench.reps=30 or none: no notice', () => {
    expect(readRepetitions(new URLSearchParams('bench.reps=30'))).toEqual({ repetitions: 30, notice: null });
    expect(readRepetitions(new URLSearchParams(''))).toEqual({ repetitions: DEFAULT_REPETITIONS, notice: null });
  });

  it('a store holding more than MAX_SAVED runs (written by hand, another version) shows only the newest MAX_SAVED', () => {
    const run = JSON.parse(addSaved(null, 'x', fakeRun([1], [1]), 't'))[0].run;
    const many = JSON.stringify(Array.from({ length: 30 }, (_, k) => ({ label: `run ${k}`, savedAt: `t${k}`, run })));
    const shown = parseSaved(many);
    expect(shown).toHaveLength(MAX_SAVED);
    expect(shown[0].label).toBe(`run ${30 - MAX_SAVED}`);
    expect(shown.at(-1)?.label).toBe('run 29');
  });

  it('repetitions from the URL, warm-up and budget per setting', () => {
    expect(repetitionsFromQuery(new URLSearchParams('bench.reps=3'))).toBe(3);
    expect(repetitionsFromQuery(new URLSearchParams('bench.reps=7'))).toBe(DEFAULT_REPETITIONS);
    expect(repetitionsFromQuery(new URLSearchParams(''))).toBe(DEFAULT_REPETITIONS);
    expect(REPETITION_CHOICES[0]).toBe(3);
    expect(warmupFor(3)).toBe(1);
    expect(warmupFor(30)).toBe(2);
    expect(budgetFor(3)).toBe(1200);
  });
});
