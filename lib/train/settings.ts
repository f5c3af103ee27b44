import { ConvConfigError, describeValue } from '../errors.ts';
import type { BackendChoice, TrainSettings } from './protocol.ts';
import { BATCH_SIZES } from './protocol.ts';
import { clipText } from '../clip-text.ts';
import { NET_PRESETS, canonicalNet } from './net-model.ts';

/** The backend choices: WebGL2 when available ('auto'), WebGL2 only, or the CPU engine. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgl', 'cpu'];

/** The optimizers the trainer offers. */
export const OPTIMIZER_KINDS: readonly ('sgd' | 'adam')[] = ['sgd', 'adam'];

/** The most passes over the training set one run may ask for. */
export const MAX_EPOCHS = 50;

/** The largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

/**
 * The settings a fresh page starts with: the seed CNN on the best backend available, Adam with
 * learning rate 0.001 (momentum 0.9, used if the reader switches to SGD), batch 64, 2 epochs, seed 1.
 */
export const DEFAULT_SETTINGS: TrainSettings = Object.freeze({
  net: NET_PRESETS[0].net,
  backend: 'auto',
  optimizer: Object.freeze({ kind: 'adam', learningRate: 0.001, momentum: 0.9 }),
  batchSize: 64,
  epochs: 2,
  seed: 1,
});

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConvConfigError(field, `${field} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/**
 * The learning rates a run may use, [1e-6, 1]: below 1e-6 a float32 weight update (lr·gradient) is
 * lost in rounding for the weights this trainer learns (|w| ≈ 0.01..1, gradients ≲ 1), so such a
 * rate trains nothing (and 1e-320 is a denormal); above 1 the seed CNN diverges at once.
 */
export const MIN_LEARNING_RATE = 1e-6;
/** The largest learning rate (see MIN_LEARNING_RATE). */
export const MAX_LEARNING_RATE = 1;

/** Checks a learning rate: a number in [1e-6, 1]. Throws ConvConfigError naming `learningRate`. */
export function checkLearningRate(value: unknown, field = 'learningRate'): number {
  if (typeof value !== 'number' || !(value >= MIN_LEARNING_RATE && value <= MAX_LEARNING_RATE)) {
    throw new ConvConfigError(field, `${field} must be a number in [1e-6, 1], got ${describeValue(value)}`);
  }
  return value;
}

function integerIn(field: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new ConvConfigError(field, `${field} must be an integer in [${lo}, ${hi}], got ${describeValue(value)}`);
  }
  return value;
}

/** An epoch count: an integer in [1, MAX_EPOCHS] (ConvConfigError naming `epochs` otherwise). */
export function checkEpochs(value: unknown): number {
  return integerIn('epochs', value, 1, MAX_EPOCHS);
}

/**
 * Checks every field of a training run's settings and returns a fresh, frozen copy:
 * net a network the engine can build (canonicalNet; stored in canonical form), backend one of BACKEND_CHOICES, optimizer.kind one of
 * OPTIMIZER_KINDS, optimizer.learningRate in [1e-6, 1], optimizer.momentum in [0, 1), batchSize one of
 * BATCH_SIZES, epochs an integer in [1, 50], seed an integer in [0, 2³²−1]. Throws ConvConfigError
 * whose `parameter` is the field's path (e.g. `optimizer.momentum`) and whose message gives the
 * value and the allowed range.
 */
export function checkSettings(settings: unknown): TrainSettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new ConvConfigError('settings', `settings must be an object, got ${describeValue(settings)}`);
  }
  const s = settings as Record<string, unknown>;
  const net = canonicalNet(s.net as string);
  const backend = oneOf('backend', s.backend, BACKEND_CHOICES);
  if (typeof s.optimizer !== 'object' || s.optimizer === null) {
    throw new ConvConfigError(
      'optimizer',
      `optimizer must be an object { kind, learningRate, momentum }, got ${describeValue(s.optimizer)}`,
    );
  }
  const o = s.optimizer as Record<string, unknown>;
  const kind = oneOf('optimizer.kind', o.kind, OPTIMIZER_KINDS);
  const learningRate = checkLearningRate(o.learningRate, 'optimizer.learningRate');
  if (typeof o.momentum !== 'number' || !(o.momentum >= 0 && o.momentum < 1)) {
    throw new ConvConfigError('optimizer.momentum', `optimizer.momentum must be a number in [0, 1), got ${describeValue(o.momentum)}`);
  }
  const momentum = o.momentum;
  if (!(BATCH_SIZES as readonly unknown[]).includes(s.batchSize)) {
    throw new ConvConfigError('batchSize', `batchSize must be one of ${BATCH_SIZES.join(', ')}, got ${describeValue(s.batchSize)}`);
  }
  const batchSize = s.batchSize as number;
  const epochs = integerIn('epochs', s.epochs, 1, MAX_EPOCHS);
  const seed = integerIn('seed', s.seed, 0, MAX_SEED);
  return Object.freeze({ net, backend, optimizer: Object.freeze({ kind, learningRate, momentum }), batchSize, epochs, seed });
}

/** One query parameter that could not be used: its key, the text given and why. */
export interface SettingsProblem {
  readonly key: string;
  readonly value: string;
  readonly message: string;
}

/** The URL query keys, one per settings field. */
export const SETTINGS_QUERY_KEYS = ['net', 'preset', 'backend', 'optimizer', 'lr', 'momentum', 'batch', 'epochs', 'seed'] as const;

/** The network of a preset named in an older link; ConvConfigError for another name. */
function presetNet(name: string): string {
  const preset = NET_PRESETS.find((p) => p.name === name);
  if (!preset)
    throw new ConvConfigError(
      'preset',
      `preset must be one of ${NET_PRESETS.map((p) => `"${p.name}"`).join(', ')}, got ${describeValue(name)}`,
    );
  return preset.net;
}

/**
 * The longest query value read: every valid value is far shorter (`overlap-cnn`, `0.000123`), so
 * a longer one is refused by its length before it is parsed or quoted.
 */
export const MAX_QUERY_VALUE_CHARS = 64;

/** The longest `net` value read: 16 layers of the longest tokens (`c512k28s28p27r`) and their commas. */
export const MAX_NET_QUERY_CHARS = 16 * 15;

function readNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * Reads settings from a URL query (`?net=c16k3s1p1,f,d10&backend=cpu&optimizer=sgd&lr=0.01&
 * momentum=0.9&batch=32&epochs=3&seed=7`). Missing keys keep `defaults`; a key whose value is
 * invalid keeps the default too and is reported in `problems` (with the checkSettings message;
 * a value longer than its limit — MAX_QUERY_VALUE_CHARS, or MAX_NET_QUERY_CHARS for `net` — is
 * refused unread, and `value` quotes at most 60 characters of it), so a mistyped link still opens
 * a working page. Unknown keys are ignored; `preset=seed-cnn` or `preset=overlap-cnn` (older
 * links) stands for that preset's network when there is no `net`.
 */
export function settingsFromQuery(
  query: URLSearchParams,
  defaults: TrainSettings = DEFAULT_SETTINGS,
): { settings: TrainSettings; problems: SettingsProblem[] } {
  let settings = checkSettings(defaults);
  const problems: SettingsProblem[] = [];
  const apply = (key: string, change: (text: string) => TrainSettings): void => {
    const text = query.get(key);
    if (text === null) return;
    const limit = key === 'net' ? MAX_NET_QUERY_CHARS : MAX_QUERY_VALUE_CHARS;
    if (text.length > limit) {
      const message = `${key} must be at most ${limit} characters, got ${text.length.toLocaleString('en-US')}`;
      problems.push({ key, value: clipText(text), message });
      return;
    }
    try {
      settings = checkSettings(change(text));
    } catch (error) {
      if (!(error instanceof ConvConfigError)) throw error;
      problems.push({ key, value: clipText(text), message: error.message });
    }
  };
  if (!query.has('net')) apply('preset', (t) => ({ ...settings, net: presetNet(t) }));
  apply('net', (t) => ({ ...settings, net: t }));
  apply('backend', (t) => ({ ...settings, backend: t as BackendChoice }));
  apply('optimizer', (t) => ({ ...settings, optimizer: { ...settings.optimizer, kind: t as 'sgd' | 'adam' } }));
  apply('lr', (t) => ({ ...settings, optimizer: { ...settings.optimizer, learningRate: readNumber(t) } }));
  apply('momentum', (t) => ({ ...settings, optimizer: { ...settings.optimizer, momentum: readNumber(t) } }));
  apply('batch', (t) => ({ ...settings, batchSize: readNumber(t) }));
  apply('epochs', (t) => ({ ...settings, epochs: readNumber(t) }));
  apply('seed', (t) => ({ ...settings, seed: readNumber(t) }));
  return { settings, problems };
}

/**
 * Writes settings as URL query parameters (the keys settingsFromQuery reads), leaving out the
 * fields equal to `defaults` so shared links stay short. Throws ConvConfigError for invalid settings.
 */
export function settingsToQuery(settings: TrainSettings, defaults: TrainSettings = DEFAULT_SETTINGS): URLSearchParams {
  const s = checkSettings(settings);
  const query = new URLSearchParams();
  const put = (key: string, value: string | number, fallback: string | number): void => {
    if (value !== fallback) query.set(key, String(value));
  };
  put('net', s.net, defaults.net);
  put('backend', s.backend, defaults.backend);
  put('optimizer', s.optimizer.kind, defaults.optimizer.kind);
  put('lr', s.optimizer.learningRate, defaults.optimizer.learningRate);
  put('momentum', s.optimizer.momentum, defaults.optimizer.momentum);
  put('batch', s.batchSize, defaults.batchSize);
  put('epochs', s.epochs, defaults.epochs);
  put('seed', s.seed, defaults.seed);
  return query;
}
