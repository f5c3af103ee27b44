import { ConvConfigError, describeValue } from '../errors.ts';
import type { ModelPreset, Param } from './model.ts';
import { OVERLAP_CNN, SEED_CNN, checkParams, paramSpecs } from './model.ts';
import type { ParamsPayload, PresetName } from './protocol.ts';

const PRESETS: Readonly<Record<PresetName, ModelPreset>> = { 'seed-cnn': SEED_CNN, 'overlap-cnn': OVERLAP_CNN };

/** The model preset with this name ('seed-cnn' → SEED_CNN, 'overlap-cnn' → OVERLAP_CNN). */
export function presetByName(name: PresetName): ModelPreset {
  if (typeof name !== 'string' || !Object.hasOwn(PRESETS, name)) {
    throw new ConvConfigError('preset', `preset must be one of ${Object.keys(PRESETS).map((k) => `"${k}"`).join(', ')}, got ${describeValue(name)}`);
  }
  return PRESETS[name];
}

/**
 * Packs parameters (paramSpecs order, checked against the preset) for another thread or a file:
 * names, shapes and a copy of each tensor's data, so the payload's buffers can be transferred.
 */
export function paramsToPayload(preset: PresetName, params: readonly Param[]): ParamsPayload {
  checkParams(params, presetByName(preset));
  return {
    preset,
    names: params.map((p) => p.name),
    shapes: params.map((p) => [...p.tensor.shape]),
    data: params.map((p) => Float32Array.from(p.tensor.data)),
  };
}

/**
 * Unpacks a payload into parameters (copies of its data), checked against `preset` (by default the
 * preset the payload names): the same count, names, shapes in paramSpecs order, and Float32Array
 * data of the right length. Throws ConvConfigError naming the field, e.g. `params.shapes[4]`.
 */
export function paramsFromPayload(payload: ParamsPayload, preset?: ModelPreset): Param[] {
  if (typeof payload !== 'object' || payload === null) {
    throw new ConvConfigError('params', `params must be a payload { preset, names, shapes, data }, got ${describeValue(payload)}`);
  }
  const model = preset ?? presetByName(payload.preset);
  if (payload.preset !== model.name) {
    throw new ConvConfigError('params.preset', `params.preset must be "${model.name}" (the model being built), got ${describeValue(payload.preset)}`);
  }
  const specs = paramSpecs(model);
  for (const key of ['names', 'shapes', 'data'] as const) {
    const list = payload[key] as unknown;
    if (!Array.isArray(list) || list.length !== specs.length) {
      throw new ConvConfigError(
        `params.${key}`,
        `params.${key} must list ${specs.length} entries for ${model.name}, got ${Array.isArray(list) ? list.length : describeValue(list)}`,
      );
    }
  }
  const params = specs.map((spec, k): Param => {
    const name = payload.names[k];
    if (name !== spec.name) {
      throw new ConvConfigError(`params.names[${k}]`, `params.names[${k}] must be "${spec.name}" for ${model.name}, got ${describeValue(name)}`);
    }
    const shape = payload.shapes[k];
    if (!Array.isArray(shape) || shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      throw new ConvConfigError(
        `params.shapes[${k}]`,
        `params.shapes[${k}] (${spec.name}) must be ${describeValue(spec.shape)} for ${model.name}, got ${describeValue(shape)}`,
      );
    }
    const data = payload.data[k];
    const size = spec.shape.reduce((a, d) => a * d, 1);
    if (!(data instanceof Float32Array) || data.length !== size) {
      throw new ConvConfigError(
        `params.data[${k}]`,
        `params.data[${k}] (${spec.name}) must be a Float32Array of ${size} values, got ${data instanceof Float32Array ? `${data.length} values` : describeValue(data)}`,
      );
    }
    return { name: spec.name, tensor: { shape: [...spec.shape], data: Float32Array.from(data) } };
  });
  return params;
}
