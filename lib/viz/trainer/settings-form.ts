import type { BackendChoice, TrainSettings } from '../../train/protocol.ts';
import { BATCH_SIZES } from '../../train/protocol.ts';
import { checkSettings } from '../../train/settings.ts';
import { ConvConfigError } from '../../errors.ts';

/** The settings form's fields, one per control. */
export type SettingField = 'net' | 'backend' | 'optimizer' | 'learningRate' | 'momentum' | 'batchSize' | 'epochs' | 'seed';

/** The form's state: the last valid settings, and the message of the field whose edit was refused. */
export interface SettingsFormState {
  readonly settings: TrainSettings;
  /** The refused edit: which field, the text typed and the engine's message; null when all is valid. */
  readonly error: { readonly field: SettingField; readonly text: string; readonly message: string } | null;
}

/** The select options of the form's choice fields: value and visible text. */
export const SETTING_OPTIONS = {
  backend: [
    { value: 'auto', text: 'Auto' },
    { value: 'webgl', text: 'WebGL2 (GPU)' },
    { value: 'cpu', text: 'CPU (worker)' },
  ],
  optimizer: [
    { value: 'adam', text: 'Adam' },
    { value: 'sgd', text: 'SGD' },
  ],
  batchSize: BATCH_SIZES.map((b) => ({ value: String(b), text: String(b) })),
} as const;

function numberFrom(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The settings with one field replaced by the parsed `text` (not yet checked). */
function withField(s: TrainSettings, field: SettingField, text: string): TrainSettings {
  switch (field) {
    case 'net':
      return { ...s, net: text };
    case 'backend':
      return { ...s, backend: text as BackendChoice };
    case 'optimizer':
      return { ...s, optimizer: { ...s.optimizer, kind: text as 'sgd' | 'adam' } };
    case 'learningRate':
      return { ...s, optimizer: { ...s.optimizer, learningRate: numberFrom(text) } };
    case 'momentum':
      return { ...s, optimizer: { ...s.optimizer, momentum: numberFrom(text) } };
    case 'batchSize':
      return { ...s, batchSize: numberFrom(text) };
    case 'epochs':
      return { ...s, epochs: numberFrom(text) };
    case 'seed':
      return { ...s, seed: numberFrom(text) };
  }
}

/**
 * Applies one edit from the form: the field's text is parsed and the whole settings checked with
 * lib/train checkSettings. Valid: the new settings, no error. Invalid: the last valid settings are
 * kept and the error carries the engine's message for that field (shown inline).
 */
export function editSetting(state: SettingsFormState, field: SettingField, text: string): SettingsFormState {
  try {
    return { settings: checkSettings(withField(state.settings, field, text)), error: null };
  } catch (error) {
    if (!(error instanceof ConvConfigError)) throw error;
    return { settings: state.settings, error: { field, text, message: text.trim() === '' ? EMPTY_FIELD_MESSAGE[field] : error.message } };
  }
}

/** What an empty number field says, in the reader's words (the engine's message would name NaN). */
export const EMPTY_FIELD_MESSAGE: Readonly<Record<SettingField, string>> = {
  net: 'Network: add at least one layer',
  backend: 'Backend: choose one',
  optimizer: 'Optimizer: choose one',
  learningRate: 'Learning rate: enter a number between 0 and 1 (0 excluded), e.g. 0.001',
  momentum: 'Momentum: enter a number from 0 up to 1 (1 excluded), e.g. 0.9',
  batchSize: 'Batch size: choose one',
  epochs: 'Epochs: enter a whole number from 1 to 50',
  seed: 'Seed: enter a whole number from 0 to 4,294,967,295',
};

/** True when `a` and `b` differ in any field other than the learning rate (those need a new model). */
export function needsRebuild(a: TrainSettings, b: TrainSettings): boolean {
  return (
    a.net !== b.net ||
    a.backend !== b.backend ||
    a.optimizer.kind !== b.optimizer.kind ||
    a.optimizer.momentum !== b.optimizer.momentum ||
    a.batchSize !== b.batchSize ||
    a.epochs !== b.epochs ||
    a.seed !== b.seed
  );
}
