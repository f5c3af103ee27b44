import { scaleLog } from 'd3-scale';
import { hasWideSpread } from './stats.ts';
import { BENCH_CASES } from './cases.ts';
import { PASSES } from './inputs.ts';
import type { BenchRun, MethodInfo } from './run.ts';
import { findCell } from './run.ts';
import { formatMs } from './format.ts';

/**
 * Layout of the speed lesson's chart (view-model): for every case and pass a group of horizontal
 * bars, one per method, each reaching the median time, with a whisker from min to max, on a
 * logarithmic time axis (the methods differ by orders of magnitude). Pixel positions only; the
 * component draws them.
 */

/** One method's bar. */
export interface ChartBar {
  readonly key: string;
  readonly methodId: string;
  readonly label: string;
  /** Screen-reader text, e.g. `im2col + GEMM: median 4.05 ms, min 3.9, max 4.4`. */
  readonly description: string;
  readonly median: number;
  /** Whether max > 3 × median (hasWideSpread): the bar is flagged like its table row. */
  readonly wideSpread: boolean;
  readonly min: number;
  readonly max: number;
  /** Pixels: bar end (median), whisker ends. */
  readonly xMedian: number;
  readonly xMin: number;
  readonly xMax: number;
  /** Top of the bar, its height and its width (from the axis start to the median). */
  readonly y: number;
  readonly height: number;
  readonly width: number;
  /** The whisker's line y, and its end caps' top and bottom. */
  readonly yMid: number;
  readonly capTop: number;
  readonly capBottom: number;
  /** Where the method's name goes (text baseline). */
  readonly labelX: number;
  readonly labelY: number;
}

/** A group heading (case and pass). */
export interface ChartGroup {
  readonly key: string;
  readonly label: string;
  readonly y: number;
}

/** A tick of the time axis. */
export interface ChartTick {
  readonly x: number;
  readonly label: string;
}

/** Everything the chart draws. `labels` says where method names sit: left of the bars, or above them on narrow screens. */
export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly labels: 'left' | 'above';
  readonly groups: readonly ChartGroup[];
  readonly bars: readonly ChartBar[];
  readonly ticks: readonly ChartTick[];
  /** The axis line's y, and the tick labels' baseline. */
  readonly axisY: number;
  readonly tickY: number;
}

/** Below this width the method names go above their bars. */
export const NARROW_CHART = 560;

const LABEL_COLUMN = 190;
const GROUP_GAP = 26;
const AXIS_SPACE = 30;

/** A time in ms as an axis label: `0.1 ms`, `10 ms`, `1 s`. */
export function tickLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * The chart for a run at `width` pixels, or null when nothing has been measured. Only cells with
 * statistics get a bar; the time axis spans whole decades around every min and max.
 */
export function chartLayout(run: BenchRun | null, methods: readonly MethodInfo[], width: number): ChartLayout | null {
  const w = Math.max(240, Math.floor(width));
  const labels = w < NARROW_CHART ? 'above' : 'left';
  const plotLeft = labels === 'left' ? LABEL_COLUMN : 8;
  const plotRight = w - 16;
  const rowHeight = labels === 'left' ? 22 : 36;
  const barHeight = 14;
  const found: { group: string; groupLabel: string; key: string; method: MethodInfo; min: number; median: number; max: number }[] = [];
  for (const c of BENCH_CASES) {
    for (const pass of PASSES) {
      for (const method of methods) {
        const stats = findCell(run, c.id, pass, method.id)?.stats;
        if (!stats) continue;
        found.push({
          group: `${c.id}/${pass}`,
          groupLabel: `${c.label} · ${pass}`,
          key: `${c.id}/${pass}/${method.id}`,
          method,
          min: stats.min,
          median: stats.median,
          max: stats.max,
        });
      }
    }
  }
  if (found.length === 0) return null;
  const floor = 0.01; // 10 µs: below any timer's resolution, keeps log(0) off the axis
  const lo = Math.max(floor, Math.min(...found.map((f) => f.min)));
  const hi = Math.max(lo * 10, Math.max(...found.map((f) => f.max)));
  const domain: [number, number] = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
  const x = scaleLog().domain(domain).range([plotLeft, plotRight]).clamp(true);
  const groups: ChartGroup[] = [];
  const bars: ChartBar[] = [];
  let y = 4;
  let current = '';
  for (const f of found) {
    if (f.group !== current) {
      current = f.group;
      y += groups.length > 0 ? 8 : 0;
      groups.push({ key: f.group, label: f.groupLabel, y: y + 14 });
      y += GROUP_GAP - 4;
    }
    const barY = labels === 'left' ? y + (rowHeight - barHeight) / 2 : y + rowHeight - barHeight - 3;
    bars.push({
      key: f.key,
      methodId: f.method.id,
      label: f.method.label,
      description: `${f.method.label}: median ${formatMs(f.median)} ms, min ${formatMs(f.min)}, max ${formatMs(f.max)}${hasWideSpread(f) ? ' (wide spread)' : ''}`,
      wideSpread: hasWideSpread(f),
      median: f.median,
      min: f.min,
      max: f.max,
      xMedian: x(Math.max(floor, f.median)),
      xMin: x(Math.max(floor, f.min)),
      xMax: x(Math.max(floor, f.max)),
      y: barY,
      height: barHeight,
      width: Math.max(1, x(Math.max(floor, f.median)) - plotLeft),
      yMid: barY + barHeight / 2,
      capTop: barY + 2,
      capBottom: barY + barHeight - 2,
      labelX: labels === 'left' ? plotLeft - 8 : plotLeft,
      labelY: labels === 'left' ? barY + barHeight - 3 : barY - 4,
    });
    y += rowHeight;
  }
  const axisY = y + 6;
  const decades: number[] = [];
  for (let v = domain[0]; v <= domain[1] * 1.0001; v *= 10) decades.push(Number(v.toPrecision(1)));
  const step = Math.ceil(decades.length / Math.max(2, Math.floor((plotRight - plotLeft) / 70)));
  const ticks = decades.filter((_, k) => k % step === 0).map((v) => ({ x: x(v), label: tickLabel(v) }));
  return { width: w, height: axisY + AXIS_SPACE, plotLeft, plotRight, labels, groups, bars, ticks, axisY, tickY: axisY + 16 };
}
