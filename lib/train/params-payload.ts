import { ConvConfigError, describeValue } from '../errors.ts';
import type { ModelPreset, Param } from './model.ts';
import { checkParams, paramSpecs } from './model.ts';
import { modelOfNet, netText } from './net-model.ts';
import type { ParamsPayload } from './protocol.ts';

/**
 * Packs parameters (paramSpecs order, checked against the network `net`, text form) for another
 * thread or a file: the canonical network text, names, shapes and a copy of each tensor's data,
 * so the payload's buffers can be transferred.
 */
export function paramsToPayload(net: string, params: readonly Param[]): ParamsPayload {
  const model = modelOfNet(net);
  checkParams(params, model);
  return {
    net: model.name,
    names: params.map((p) => p.name),
    shapes: params.map((p) => [...p.tensor.shape]),
    data: params.map((p) => Float32Array.from(p.tensor.data)),
  };
}

/**
 * Unpacks a payload into parameters (copies of its data), checked against `preset` (by default the
 * model of the payload's network): the same network, count, names, shapes in paramSpecs order,
 * and Float32Array data of the right length. Throws ConvConfigError naming the field, e.g.
 * `params.shapes[4]`.
 */
export function paramsFromPayload(payload: ParamsPayload, preset?: ModelPreset): Param[] {
  if (typeof payload !== 'object' || payload === null) {
    throw new ConvConfigError('params', `params must be a payload { net, names, shapes, data }, got ${describeValue(payload)}`);
  }
  const model = preset ?? modelOfNet(payload.net);
  const net = netText(model);
  if (payload.net !== net) {
    throw new ConvConfigError('params.net', `params.net must be "${net}" (the network being built), got ${describeValue(payload.net)}`);
  }
  const specs = paramSpecs(model);
  for (const key of ['names', 'shapes', 'data'] as const) {
    const list = payload[key] as unknown;
    if (!Array.isArray(list) || list.length !== specs.length) {
      throw new ConvConfigError(
        `params.${key}`,
        `params.${key} must list ${specs.length} entries for ${net}, got ${Array.isArray(list) ? list.length : describeValue(list)}`,
      );
    }
  }
  const params = specs.map((spec, k): Param => {
    const name = payload.names[k];
    if (name !== spec.name) {
      throw new ConvConfigError(`params.names[${k}]`, `params.names[${k}] must be "${spec.name}" for ${net}, got ${describeValue(name)}`);
    }
    const shape = payload.shapes[k];
    if (!Array.isArray(shape) || shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      throw new ConvConfigError(
        `params.shapes[${k}]`,
        `params.shapes[${k}] (${spec.name}) must be ${describeValue(spec.shape)} for ${net}, got ${describeValue(shape)}`,
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
