import type { ConvGeometry } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import { ConvConfigError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { tensor } from '../tensor.ts';
import { createRng, randomIntegers } from '../random.ts';

/**
 * The reader-editable settings of a convolution example: input `N×C×H×W`, `F` filters of
 * `C×KH×KW`, and stride, padding and dilation (the same on both axes in the UI; the engine takes
 * them per axis). `x`, `w` and `dy` are the values, row-major in NCHW / [F, C, KH, KW] /
 * [N, F, OH, OW] (the upstream gradient, for the backward lessons), or null for the default values
 * (the seed's counting pattern: input 1, 2, 3, …; kernel 10, 11, 12, …; gradient 1, 2, 3, …).
 */
export interface ConvSettings {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  KH: number;
  KW: number;
  stride: number;
  padding: number;
  dilation: number;
  x: number[] | null;
  w: number[] | null;
  dy?: number[] | null;
}

/** A numeric setting the UI offers: its key in ConvSettings and in the URL, its label and range. */
export interface SettingField {
  key: NumericKey;
  param: string;
  label: string;
  min: number;
  max: number;
}

export type NumericKey = 'N' | 'C' | 'H' | 'W' | 'F' | 'KH' | 'KW' | 'stride' | 'padding' | 'dilation';

/** Every numeric setting with the range the visuals can draw legibly. */
export const SETTING_FIELDS: readonly SettingField[] = [
  { key: 'H', param: 'h', label: 'Input height', min: 1, max: 12 },
  { key: 'W', param: 'w', label: 'Input width', min: 1, max: 12 },
  { key: 'KH', param: 'kh', label: 'Kernel height', min: 1, max: 7 },
  { key: 'KW', param: 'kw', label: 'Kernel width', min: 1, max: 7 },
  { key: 'stride', param: 's', label: 'Stride', min: 1, max: 4 },
  { key: 'padding', param: 'p', label: 'Padding', min: 0, max: 3 },
  { key: 'dilation', param: 'd', label: 'Dilation', min: 1, max: 3 },
  { key: 'C', param: 'c', label: 'Channels', min: 1, max: 3 },
  { key: 'F', param: 'f', label: 'Filters', min: 1, max: 3 },
  { key: 'N', param: 'n', label: 'Batch', min: 1, max: 2 },
];

/** The seed's first example: a 3×3 input and a 2×2 kernel, stride 1, no padding. */
export const SEED_SETTINGS: ConvSettings = {
  N: 1,
  C: 1,
  H: 3,
  W: 3,
  F: 1,
  KH: 2,
  KW: 2,
  stride: 1,
  padding: 0,
  dilation: 1,
  x: null,
  w: null,
  dy: null,
};

/** A valid example built from settings: the tensors and the engine's geometry. */
export interface ConvExample {
  settings: ConvSettings;
  x: Tensor;
  w: Tensor;
  /** The upstream gradient, shaped like the output `[N, F, OH, OW]`. */
  dy: Tensor;
  geometry: ConvGeometry;
}

/** The example a visual shows plus the settings as typed and the engine's message when they are invalid. */
export interface ExampleState {
  settings: ConvSettings;
  example: ConvExample;
  error: string | null;
}

function fieldOf(key: NumericKey): SettingField {
  const field = SETTING_FIELDS.find((f) => f.key === key);
  if (!field) throw new ConvConfigError('key', `unknown setting ${key}`);
  return field;
}

function counting(length: number, start: number): number[] {
  return Array.from({ length }, (_, k) => start + k);
}

/**
 * Builds the tensors for settings, checking them with the engine. Throws ConvConfigError (from the
 * engine, or for a setting outside the UI's range — SETTING_FIELDS', or the `fields` a figure
 * offers instead, e.g. lesson 1's larger input) with a message fit to show the reader.
 */
export function buildExample(settings: ConvSettings, fields: readonly SettingField[] = SETTING_FIELDS): ConvExample {
  for (const field of fields) {
    const v = settings[field.key];
    if (!Number.isInteger(v) || v < field.min || v > field.max) {
      throw new ConvConfigError(
        field.key,
        `${field.label} must be an integer from ${field.min} to ${field.max}, got ${Number.isNaN(v) ? 'nothing' : v}`,
      );
    }
  }
  const { N, C, H, W, F, KH, KW, stride, padding, dilation } = settings;
  const xSize = N * C * H * W;
  const wSize = F * C * KH * KW;
  const xValues = settings.x && settings.x.length === xSize ? settings.x : counting(xSize, 1);
  const wValues = settings.w && settings.w.length === wSize ? settings.w : counting(wSize, 10);
  const x = tensor([N, C, H, W], xValues, 'x');
  const w = tensor([F, C, KH, KW], wValues, 'w');
  const geometry = convGeometry(x.shape, [KH, KW], { stride, padding, dilation });
  const dySize = N * F * geometry.OH * geometry.OW;
  const dyValues = settings.dy && settings.dy.length === dySize ? settings.dy : counting(dySize, 1);
  const dy = tensor([N, F, geometry.OH, geometry.OW], dyValues, 'dy');
  return { settings, x, w, dy, geometry };
}

/** The starting state for settings that are known to be valid (e.g. a visual's defaults). */
export function initialState(settings: ConvSettings): ExampleState {
  return { settings, example: buildExample(settings), error: null };
}

/**
 * Applies new settings: when the engine accepts them the example updates; when it refuses, the
 * last valid example stays and `error` carries the engine's message.
 */
export function applySettings(state: ExampleState, settings: ConvSettings): ExampleState {
  try {
    return { settings, example: buildExample(settings), error: null };
  } catch (err) {
    if (err instanceof ConvConfigError) return { settings, example: state.example, error: err.message };
    throw err;
  }
}

/**
 * Guards a settings change for one figure: when `next` is valid for the engine but `build` (the
 * figure's view-model) refuses it — typically because it is too large to draw — keeps `prev`'s
 * example and carries the figure's message; otherwise returns `next` unchanged.
 */
export function keepDrawable<V>(prev: ExampleState, next: ExampleState, build: (example: ConvExample) => V): ExampleState {
  if (next.error !== null || next.example === prev.example) return next;
  try {
    build(next.example);
    return next;
  } catch (err) {
    if (err instanceof ConvConfigError) return { settings: next.settings, example: prev.example, error: err.message };
    throw err;
  }
}

/**
 * Sets one numeric field from the text of its input. Changing a size keeps the typed values only
 * where they still fit (otherwise the defaults return).
 */
export function setNumber(state: ExampleState, key: NumericKey, text: string): ExampleState {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const next: ConvSettings = { ...state.settings, [key]: value };
  fieldOf(key);
  return applySettings(state, next);
}

const VALUE_LABELS = { x: 'input value', w: 'kernel value', dy: 'gradient value' } as const;

/**
 * Sets one input value (flat NCHW index), kernel value (flat [F, C, KH, KW] index) or upstream
 * gradient value (flat [N, F, OH, OW] index).
 */
export function setValue(state: ExampleState, which: 'x' | 'w' | 'dy', index: number, text: string): ExampleState {
  const value = Number(text);
  const label = VALUE_LABELS[which];
  if (text.trim() === '' || !Number.isFinite(value)) {
    return { ...state, error: `${label} must be a finite number, got ${JSON.stringify(text)}` };
  }
  const current = Array.from(state.example[which].data);
  if (!Number.isInteger(index) || index < 0 || index >= current.length) {
    return { ...state, error: `${label} index must be in [0, ${current.length - 1}], got ${index}` };
  }
  current[index] = value;
  return applySettings(state, { ...state.example.settings, [which]: current });
}

/**
 * New small random integers for the input (−5…9), the kernel (−3…5) and the upstream gradient
 * (−3…3), from `seed`.
 */
export function randomizeValues(state: ExampleState, seed: number): ExampleState {
  const { x, w, dy } = state.example;
  const rng = createRng(seed);
  const xs = Array.from(randomIntegers(x.shape, rng, -5, 9).data);
  const ws = Array.from(randomIntegers(w.shape, rng, -3, 5).data);
  const dys = Array.from(randomIntegers(dy.shape, rng, -3, 3).data);
  return applySettings(state, { ...state.example.settings, x: xs, w: ws, dy: dys });
}

function parseList(text: string): number[] | null {
  const parts = text.split(',');
  const values = parts.map((p) => Number(p));
  return values.every((v) => Number.isFinite(v)) && parts.every((p) => p.trim() !== '') ? values : null;
}

/**
 * Reads settings from a URL query. Keys are the fields' `param` names (`h`, `w`, `kh`, `kw`, `s`,
 * `p`, `d`, `c`, `f`, `n`) and `x`, `k`, `g` (input, kernel, upstream gradient) for comma-separated
 * values, each behind `prefix` (e.g.
 * `pe.h`). Anything unreadable or refused by the engine falls back to `defaults` and adds a notice
 * for the reader; this never throws.
 */
export function settingsFromQuery(
  query: URLSearchParams,
  defaults: ConvSettings,
  prefix = '',
): { settings: ConvSettings; notices: string[] } {
  const notices: string[] = [];
  const settings: ConvSettings = { ...defaults };
  let touched = false;
  for (const field of SETTING_FIELDS) {
    const raw = query.get(prefix + field.param);
    if (raw === null) continue;
    touched = true;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < field.min || v > field.max) {
      notices.push(`Ignored ${field.label.toLowerCase()} "${raw}" from the link: it must be an integer from ${field.min} to ${field.max}.`);
    } else {
      settings[field.key] = v;
    }
  }
  for (const [param, key, label] of [
    ['x', 'x', 'input values'],
    ['k', 'w', 'kernel values'],
    ['g', 'dy', 'gradient values'],
  ] as const) {
    const raw = query.get(prefix + param);
    if (raw === null) continue;
    touched = true;
    const values = parseList(raw);
    if (!values) notices.push(`Ignored the ${label} from the link: they must be numbers separated by commas.`);
    else settings[key] = values;
  }
  if (!touched) return { settings: defaults, notices };
  try {
    const example = buildExample(settings);
    const { N, C, H, W, F, KH, KW } = settings;
    if (settings.x && settings.x.length !== N * C * H * W)
      notices.push(`Ignored the input values from the link: ${N * C * H * W} were needed, ${settings.x.length} given.`);
    if (settings.w && settings.w.length !== F * C * KH * KW)
      notices.push(`Ignored the kernel values from the link: ${F * C * KH * KW} were needed, ${settings.w.length} given.`);
    const dySize = example.dy.data.length;
    if (settings.dy && settings.dy.length !== dySize)
      notices.push(`Ignored the gradient values from the link: ${dySize} were needed, ${settings.dy.length} given.`);
    return { settings: example.settings, notices };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    notices.push(`The link's settings were not valid (${message}); showing the defaults instead.`);
    return { settings: defaults, notices };
  }
}

/**
 * Writes settings into `query` (changing only this prefix's keys): fields that differ from
 * `defaults`, and the values when they were edited. Returns the same URLSearchParams.
 */
export function settingsToQuery(settings: ConvSettings, defaults: ConvSettings, query: URLSearchParams, prefix = ''): URLSearchParams {
  for (const field of SETTING_FIELDS) {
    const key = prefix + field.param;
    if (settings[field.key] === defaults[field.key]) query.delete(key);
    else query.set(key, String(settings[field.key]));
  }
  for (const [param, key] of [
    ['x', 'x'],
    ['k', 'w'],
    ['g', 'dy'],
  ] as const) {
    const values = settings[key];
    if (values) query.set(prefix + param, values.join(','));
    else query.delete(prefix + param);
  }
  return query;
}
