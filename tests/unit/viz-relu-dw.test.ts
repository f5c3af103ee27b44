import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BACKWARD_CODE_MARKS, MAX_DRAWN_ENTRIES, RELU_CODE_MARKS, RELU_DW_DEFAULTS, RELU_DW_PRESETS, RELU_DW_PREFIX,
  biasEquation, buildReluDwView, deltaChainTex, deltaEquation, forwardChainTex, guardDrawable, inputIndex,
  kernelIndex, reluDwFrame, reluDwPreset, reluDwSettingsFromQuery, reluDwToQuery, reluDwViewOf, stageStarts, stepFromQuery, upstreamIndex,
  weightEquation, windowLabel, weightLabel,
} from '../../lib/viz/relu-dw.ts';
import type { ReluDwView, WeightStep } from '../../lib/viz/relu-dw.ts';
import { applySettings, buildExample, initialState, settingsFromQuery } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2d, conv2dBackward, im2col, relu, reluBackward, reluMask } from '../../lib/index.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';
import { setGemmKernel } from '../../lib/gemm.ts';

// The traces and figures replay the reference (JS) kernel's float64 sums: the engine results they
// are compared with bit for bit come from that kernel too (the WASM kernel sums in float32).
setGemmKernel('js');

const f32 = (v: number) => Math.fround(v);

/** The engine's answers for a view's example, computed straight from lib/. */
function engineOf(view: ReluDwView) {
  const { x, w, dy, settings } = view.example;
  const opts = { stride: settings.stride, padding: settings.padding, dilation: settings.dilation };
  const z = conv2d(x, w, null, opts);
  const delta = reluBackward(dy, z);
  return { z, a: relu(z), mask: reluMask(z), delta, grads: conv2dBackward(delta, x, w, opts), cols: im2col(x, [view.KH, view.KW], opts) };
}

const flat = (planes: { grid: number[][] }[]) => planes.flatMap((p) => p.grid.flat());

describe('the seed ReLU example (University of Pisa slides)', () => {
  const view = reluDwViewOf(RELU_DW_DEFAULTS);

  it('computes Z = −47 7 / 7 7, ReLU 0 7 / 7 7 and the mask 0 1 / 1 1', () => {
    expect(view.maps).toHaveLength(1);
    expect(view.maps[0].z).toEqual([[-47, 7], [7, 7]]);
    expect(view.maps[0].a).toEqual([[0, 7], [7, 7]]);
    expect(view.maps[0].mask).toEqual([[0, 1], [1, 1]]);
  });

  it('gates the upstream 1.23 3.59 / 4.65 0.81 into δ_Z = 0 3.59 / 4.65 0.81', () => {
    expect(view.maps[0].upstream).toEqual([[f32(1.23), f32(3.59)], [f32(4.65), f32(0.81)]]);
    expect(view.maps[0].delta).toEqual([[0, f32(3.59)], [f32(4.65), f32(0.81)]]);
  });

  it('narrates each gated cell with its arithmetic and the reason', () => {
    const deltas = view.steps.filter((s) => s.kind === 'delta').map((s) => s.narration);
    expect(deltas).toEqual([
      'δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)',
      'δ[0,1] = 3.59 · 1 = 3.59 (Z = 7 > 0, passes)',
      'δ[1,0] = 4.65 · 1 = 4.65 (Z = 7 > 0, passes)',
      'δ[1,1] = 0.81 · 1 = 0.81 (Z = 7 > 0, passes)',
    ]);
  });

  it('sums δ_Z into db = 9.05, the engine’s db', () => {
    expect(biasEquation(view, 0)).toBe('db[0] = 0 + 3.59 + 4.65 + 0.81 = 9.05');
    expect(view.db[0][0]).toBeCloseTo(9.05, 5);
    expect(view.db).toEqual([Array.from(engineOf(view).grads.db.data)]);
  });

  it('builds dW one weight at a time: dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05', () => {
    expect(weightEquation(view, 0, 3)).toBe('dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05');
    expect(weightEquation(view, 0, 0)).toBe('dW[0,0,0,0] = 0·1 + 3.59·1 + 4.65·1 + 0.81·10 = 16.34');
    expect(view.dw[0].grid.flat().map((v) => Number(v.toFixed(2)))).toEqual([16.34, 50.9, 41.36, 9.05]);
  });

  it('has a forward step, 4 δ steps, 1 bias step, the operands, 4 weight steps and the check', () => {
    expect(view.steps.map((s) => s.kind)).toEqual([
      'forward', 'delta', 'delta', 'delta', 'delta', 'bias', 'operands', 'weight', 'weight', 'weight', 'weight', 'done',
    ]);
    expect(stageStarts(view)).toEqual({ relu: 0, bias: 5, weight: 6 });
    expect(view.steps[0].narration).toContain('3 of 4 entries let the gradient through');
    expect(view.matchesEngine).toBe(true);
    expect(view.steps.at(-1)!.narration).toBe(
      "dW_row (1×4) read as [1, 1, 2, 2] is dW = 16.34 50.9 / 41.36 9.05 — equal, entry for entry, to the engine's conv2dBackward(δ_Z, x, w).dw",
    );
  });

  it('draws X_colᵀ as one row per window and the right pixel under each weight', () => {
    expect(view.colsT).toEqual([[1, 1, 1, 10], [1, 1, 10, 1], [1, 10, 1, 1], [10, 1, 1, 1]]);
    expect(view.windowLabels).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(view.weightLabels).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(view.copies[3].map((c) => [c.y, c.x])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
  });

  it('renders the seed chains as TeX from the engine’s numbers', () => {
    expect(forwardChainTex(view)).toContain('\\begin{bmatrix} -47 & 7 \\\\ 7 & 7 \\end{bmatrix}');
    expect(deltaChainTex(view)).toContain('\\begin{bmatrix} 0 & 3.59 \\\\ 4.65 & 0.81 \\end{bmatrix}');
  });
});

const settingsCases: [string, ConvSettings][] = [
  ['overlapping preset (stride 2 < kernel 3)', reluDwPreset('overlapping').settings],
  ['non-overlapping preset (stride 2 = kernel 2)', reluDwPreset('non-overlapping').settings],
  ['padding 1', { ...RELU_DW_DEFAULTS, padding: 1, dy: null }],
  ['dilation 2 on a 5×5 input', { ...RELU_DW_DEFAULTS, H: 5, W: 5, dilation: 2, x: [3, -1, 2, 0, 1, 4, 2, -3, 1, 0, -2, 5, 1, 2, 3, 0, 1, -1, 4, 2, 1, 3, 0, -2, 1], dy: null }],
  ['two channels, two filters, a batch of two, stride 2, padding 1', { N: 2, C: 2, H: 4, W: 5, F: 2, KH: 3, KW: 2, stride: 2, padding: 1, dilation: 1, x: null, w: [1, -2, 0, 3, -1, 2, 1, 0, -3, 2, 1, -1, 2, 0, 1, -2, 3, -1, 0, 1, -2, 1, 2, -1], dy: null }],
];

describe.each(settingsCases)('%s', (_name, settings) => {
  const view = reluDwViewOf(settings);
  const e = engineOf(view);

  it('shows the engine’s Z, ReLU, mask and δ_Z plane by plane', () => {
    expect(view.maps.flatMap((m) => m.z.flat())).toEqual(Array.from(e.z.data));
    expect(view.maps.flatMap((m) => m.a.flat())).toEqual(Array.from(e.a.data));
    expect(view.maps.flatMap((m) => m.mask.flat())).toEqual(Array.from(e.mask.data));
    expect(view.maps.flatMap((m) => m.delta.flat())).toEqual(Array.from(e.delta.data));
  });

  it('db and the GEMM’s dW equal conv2dBackward(δ_Z, x, w)', () => {
    expect(view.db[0]).toEqual(Array.from(e.grads.db.data));
    expect(flat(view.dw)).toEqual(Array.from(e.grads.dw.data));
    expect(view.matchesEngine).toBe(true);
    expect(view.steps.at(-1)!.narration).toContain('equal, entry for entry');
  });

  it('X_colᵀ is im2col(x) transposed, and every weight step replays its column', () => {
    const [R, Q] = e.cols.shape;
    expect(view.colsT).toEqual(Array.from({ length: Q }, (_, q) => Array.from({ length: R }, (_, r) => e.cols.data[r * Q + q])));
    const weights = view.steps.filter((s): s is WeightStep => s.kind === 'weight');
    expect(weights).toHaveLength(view.F * view.R);
    for (const s of weights) {
      expect(s.cell.terms.map((t) => t.b)).toEqual(view.colsT.map((row) => row[s.r]));
      expect(s.cell.terms.map((t) => t.a)).toEqual(view.dyRow[s.f]);
      expect(s.cell.sum).toBe(e.grads.dw.data[s.f * view.R + s.r]);
      expect(s.narration.startsWith(weightEquation(view, s.f, s.r))).toBe(true);
    }
  });

  it('marks, for each weight, the input pixels under it in every window', () => {
    const weights = view.steps.map((s, k) => [s, k] as const).filter(([s]) => s.kind === 'weight');
    for (const [s, k] of weights.slice(0, 3)) {
      const frame = reluDwFrame(view, k);
      const ws = s as WeightStep;
      let marked = 0;
      view.inputs.forEach((p, panel) => {
        p.values.forEach((row, y) => row.forEach((_, x) => { if (frame.inputMark(panel)(y, x) === 'source') marked++; }));
      });
      expect(marked).toBe(view.Q);
      expect(frame.colsTMark(0, ws.r)).toBe('source');
      expect(frame.dwRowMark(ws.f, ws.r)).toBe('active');
    }
  });
});

describe('frames', () => {
  const view = reluDwViewOf(RELU_DW_DEFAULTS);

  it('fills δ_Z cell by cell, then db, then dW weight by weight', () => {
    const start = reluDwFrame(view, 0);
    expect(start.deltaBlank(0)(0, 0)).toBe(true);
    expect(start.dbBlank(0, 0)).toBe(true);
    const second = reluDwFrame(view, 2);
    expect(second.deltaBlank(0)(0, 1)).toBe(false);
    expect(second.deltaBlank(0)(1, 0)).toBe(true);
    expect(second.mapMark(0)(0, 1)).toBe('active');
    expect(second.inputMark(0)(0, 1)).toBe('source');
    expect(second.inputMark(0)(0, 0)).toBeUndefined();
    const bias = reluDwFrame(view, 5);
    expect(bias.dbBlank(0, 0)).toBe(false);
    expect(bias.dbMark(0, 0)).toBe('active');
    expect(bias.mapMark(0)(1, 1)).toBe('source');
    expect(bias.dwRowBlank(0, 0)).toBe(true);
    const w11 = reluDwFrame(view, 10);
    expect(w11.weight?.r).toBe(3);
    expect(w11.kernelMark(0)(1, 1)).toBe('active');
    expect(w11.dwMark(0)(1, 1)).toBe('target');
    expect(w11.dwBlank(0)(1, 1)).toBe(false);
    expect(reluDwFrame(view, 9).dwBlank(0)(1, 1)).toBe(true);
    expect(reluDwFrame(view, 99).index).toBe(view.steps.length - 1);
  });

  it('traces a pointed-at cell instead of the step’s', () => {
    const frame = reluDwFrame(view, 1, { kind: 'weight', f: 0, r: 1 });
    expect(frame.weight?.r).toBe(1);
    expect(frame.mapMark(0)(0, 0)).toBe('source');
    const cell = reluDwFrame(view, 8, { kind: 'map', map: 0, oh: 1, ow: 1 });
    expect(cell.weight?.r).toBe(1);
    expect(cell.kernelMark(0)(0, 1)).toBe('source');
    expect(reluDwFrame(view, 2, { kind: 'map', map: 0, oh: 0, ow: 0 }).weight).toBeNull();
    expect(cell.mapMark(0)(1, 1)).toBe('active');
    expect(cell.colsTMark(3, 0)).toBe('source');
    expect(reluDwFrame(view, 8, { kind: 'weight', f: 5, r: 0 }).weight?.r).toBe(1);
  });
});

describe('editing, limits and URL state', () => {
  const view = reluDwViewOf({ ...RELU_DW_DEFAULTS, padding: 1, C: 2, F: 2, x: null, w: null, dy: null });

  it('maps cells of the drawn grids to flat indices of x, w and the upstream gradient', () => {
    expect(inputIndex(view, 0, 0, 0)).toBeNull();
    expect(inputIndex(view, 1, 1, 1)).toBe(9);
    expect(inputIndex(view, 1, 3, 3)).toBe(17);
    expect(kernelIndex(view, 3, 1, 0)).toBe(14);
    expect(upstreamIndex(view, 1, 2, 3)).toBe(16 + 11);
  });

  it('refuses an X_colᵀ too large to draw, keeping the last picture', () => {
    const big: ConvSettings = { ...RELU_DW_DEFAULTS, N: 2, C: 3, H: 12, W: 12, KH: 3, KW: 3, x: null, w: null, dy: null };
    expect(() => reluDwViewOf(big)).toThrow(ConvConfigError);
    expect(() => reluDwViewOf(big)).toThrow(`more than the ${MAX_DRAWN_ENTRIES}`);
    const start = initialState(RELU_DW_DEFAULTS);
    const guarded = guardDrawable(start, applySettings(start, big));
    expect(guarded.example).toBe(start.example);
    expect(guarded.error).toContain('X_colᵀ would be');
  });

  it('keeps the engine’s message for an invalid geometry', () => {
    const start = initialState(RELU_DW_DEFAULTS);
    const next = guardDrawable(start, applySettings(start, { ...RELU_DW_DEFAULTS, KH: 5 }));
    expect(next.example).toBe(start.example);
    expect(next.error).toMatch(/does not fit/);
  });

  it('writes only what differs from the defaults, and reads it back', () => {
    expect(reluDwToQuery(RELU_DW_DEFAULTS, 0, new URLSearchParams()).toString()).toBe('');
    const settings = reluDwPreset('overlapping').settings;
    const query = reluDwToQuery(settings, 6, new URLSearchParams('other=1'));
    expect(query.get('other')).toBe('1');
    expect(query.get(`${RELU_DW_PREFIX}s`)).toBe('2');
    expect(query.get(`${RELU_DW_PREFIX}step`)).toBe('7');
    expect(query.get(`${RELU_DW_PREFIX}g`)).toBeNull();
    const read = settingsFromQuery(query, RELU_DW_DEFAULTS, RELU_DW_PREFIX);
    expect(read.notices).toEqual([]);
    expect(buildExample(read.settings).x.data).toEqual(buildExample(settings).x.data);
    expect(stepFromQuery(query, 20)).toEqual({ index: 6, notice: null });
    expect(stepFromQuery(new URLSearchParams('rd.step=zz'), 20).notice).toContain('Ignored step "zz"');
  });

  it('reads a link without notices about the defaults’ own values', () => {
    expect(reluDwSettingsFromQuery(new URLSearchParams('')).settings).toBe(RELU_DW_DEFAULTS);
    const padded = reluDwSettingsFromQuery(new URLSearchParams('rd.p=1'));
    expect(padded.notices).toEqual([]);
    const ex = buildExample(padded.settings);
    expect(Array.from(ex.x.data)).toEqual(RELU_DW_DEFAULTS.x);
    expect(Array.from(ex.dy.data)).toEqual(Array.from({ length: 16 }, (_, k) => k + 1));
    const wrong = reluDwSettingsFromQuery(new URLSearchParams('rd.p=1&rd.g=1,2'));
    expect(wrong.notices).toEqual(['Ignored the gradient values from the link: 16 were needed, 2 given.']);
    const unreadable = reluDwSettingsFromQuery(new URLSearchParams('rd.g=1,x&rd.f=1'));
    expect(unreadable.settings.dy).toEqual(RELU_DW_DEFAULTS.dy);
    expect(unreadable.notices).toHaveLength(1);
    const garbage = reluDwSettingsFromQuery(new URLSearchParams('rd.h=banana&rd.s=0'));
    expect(garbage.settings).toEqual(RELU_DW_DEFAULTS);
    expect(garbage.notices).toHaveLength(2);
    const invalid = reluDwSettingsFromQuery(new URLSearchParams('rd.kh=7'));
    expect(invalid.settings).toBe(RELU_DW_DEFAULTS);
    expect(invalid.notices[0]).toContain('showing the defaults instead');
  });

  it('offers the three presets', () => {
    expect(RELU_DW_PRESETS.map((p) => p.label)).toEqual(['Seed ReLU example', 'Overlapping windows', 'Non-overlapping windows']);
    expect(RELU_DW_DEFAULTS.dy).toEqual([1.23, 3.59, 4.65, 0.81]);
    expect(() => reluDwPreset('nope' as 'seed')).toThrow();
  });

  it('labels windows and weights with image and channel when there are several', () => {
    expect(windowLabel(5, 2, 2, 2)).toBe('1:0,1');
    expect(weightLabel(5, 2, 2, 2)).toBe('1:0,1');
    expect(deltaEquation(view, 0)).toMatch(/^image 0, filter 0: δ\[0,0\]|^filter 0: δ\[0,0\]/);
  });
});

describe('code panel marks', () => {
  it('name lines that exist exactly once in the engine’s reluBackward and conv2dBackward', () => {
    const root = join(import.meta.dirname, '..', '..');
    const relu = readFileSync(join(root, 'lib/ops/relu.ts'), 'utf8');
    const backward = readFileSync(join(root, 'lib/ops/conv2d-backward.ts'), 'utf8');
    expect(Object.keys(extractSnippet(relu, 'lib/ops/relu.ts', 'reluBackward', RELU_CODE_MARKS).marks)).toEqual(['mask']);
    const snippet = extractSnippet(backward, 'lib/ops/conv2d-backward.ts', 'conv2dBackward', BACKWARD_CODE_MARKS);
    expect(Object.keys(snippet.marks).sort()).toEqual(['db', 'dbSum', 'dw', 'dyRows', 'im2col', 'result']);
    const view = buildReluDwView(buildExample(RELU_DW_DEFAULTS));
    for (const step of view.steps) for (const m of step.marks) expect(step.code === 'relu' ? RELU_CODE_MARKS : BACKWARD_CODE_MARKS).toHaveProperty(m);
  });
});
