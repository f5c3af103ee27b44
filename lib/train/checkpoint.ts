import { ConvConfigError } from '../errors.ts';
import type { ParamsPayload, TrainSettings } from './protocol.ts';
import { paramsFromPayload } from './params-payload.ts';
import { NET_PRESETS, canonicalNet } from './net-model.ts';
import { checkSettings } from './settings.ts';

/**
 * The weights file ("*.unrolled"), little endian throughout:
 *
 * | offset | size | content |
 * | --- | --- | --- |
 * | 0 | 4 | magic `UNRL` (ASCII) |
 * | 4 | 4 | format version, uint32 (CHECKPOINT_VERSION) |
 * | 8 | 4 | header length H in bytes, uint32 |
 * | 12 | H | UTF-8 JSON header, padded with spaces so the data starts at a multiple of 4 |
 * | 12 + H | 4·Σ sizes | float32 values of every parameter, in header order, each row-major |
 *
 * Header: `{ net, names, shapes, step, epoch, settings?, created, accuracy? }` (net: the network's
 * text form, see lib/train/net-spec.ts; created: ISO 8601 time). Files written before the layer
 * editor name a preset instead (`preset: "seed-cnn"` or `"overlap-cnn"`, also in their settings)
 * and still load as that preset's network. Nothing follows the data.
 */
export const CHECKPOINT_MAGIC = 'UNRL';

/** The format version this code writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** The file name extension the page offers for downloads. */
export const CHECKPOINT_EXTENSION = '.unrolled';

/** What a checkpoint records besides the weights. */
export interface CheckpointMeta {
  /** Training steps taken when it was saved. */
  readonly step: number;
  /** Epochs completed (may be fractional, e.g. 1.5). */
  readonly epoch: number;
  /** The run's settings, when known. */
  readonly settings?: TrainSettings;
  /** When it was saved, ISO 8601. */
  readonly created: string;
  /** The last test (or quick-check) accuracy measured with these weights, in [0, 1], when known. */
  readonly accuracy?: number;
}

/** What is wrong with a file that did not load as a checkpoint. */
export type CheckpointProblem =
  'not-checkpoint' | 'version' | 'truncated' | 'header' | 'shapes' | 'non-finite' | 'too-large' | 'extra-bytes';

/**
 * The largest weight magnitude a checkpoint may hold: 10⁴. Trained weights of these models stay
 * below ~10 (He-initialised, updated at learning rates ≤ 1, with the divergence guard rolling a
 * blown-up run back), while weights near float32's limit (1e38) overflow the first forward pass to
 * ±Infinity; a file beyond the bound is damaged or hostile, and is refused naming the tensor.
 */
export const MAX_WEIGHT_MAGNITUDE = 1e4;

/** A weights file that cannot be loaded; the message says what is wrong and what to do. */
export class CheckpointError extends Error {
  readonly problem: CheckpointProblem;

  constructor(problem: CheckpointProblem, message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.problem = problem;
  }
}

const PREFIX = 12;
const REMEDY = 'Load a weights file saved by this page, or press Reset to start from fresh weights.';

/**
 * Encodes parameters and their metadata as a checkpoint file (the format above). Throws
 * ConvConfigError when the payload does not fit its preset or the metadata is invalid.
 */
export function encodeCheckpoint(payload: ParamsPayload, meta: CheckpointMeta): Uint8Array {
  paramsFromPayload(payload);
  checkMeta(meta);
  const header = {
    net: payload.net,
    names: [...payload.names],
    shapes: payload.shapes.map((s) => [...s]),
    step: meta.step,
    epoch: meta.epoch,
    ...(meta.settings ? { settings: meta.settings } : {}),
    created: meta.created,
    ...(meta.accuracy === undefined ? {} : { accuracy: meta.accuracy }),
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((PREFIX + json.length) / 4) * 4 - PREFIX;
  if (padded !== json.length) {
    const bytes = new Uint8Array(padded).fill(0x20);
    bytes.set(json);
    json = bytes;
  }
  const floats = payload.data.reduce((a, d) => a + d.length, 0);
  const out = new Uint8Array(PREFIX + json.length + 4 * floats);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, PREFIX);
  let at = PREFIX + json.length;
  for (const d of payload.data) {
    for (let k = 0; k < d.length; k++, at += 4) view.setFloat32(at, d[k], true);
  }
  return out;
}

function checkMeta(meta: CheckpointMeta): void {
  if (!Number.isInteger(meta?.step) || meta.step < 0)
    throw new ConvConfigError('meta.step', `meta.step must be a non-negative integer, got ${meta?.step}`);
  if (typeof meta.epoch !== 'number' || !(meta.epoch >= 0))
    throw new ConvConfigError('meta.epoch', `meta.epoch must be a non-negative number, got ${meta.epoch}`);
  if (typeof meta.created !== 'string')
    throw new ConvConfigError('meta.created', `meta.created must be an ISO 8601 string, got ${String(meta.created)}`);
  if (meta.settings !== undefined) checkSettings(meta.settings);
  if (meta.accuracy !== undefined && !(typeof meta.accuracy === 'number' && meta.accuracy >= 0 && meta.accuracy <= 1)) {
    throw new ConvConfigError('meta.accuracy', `meta.accuracy must be a number in [0, 1], got ${String(meta.accuracy)}`);
  }
}

/** The network of a preset named by a file from before the layer editor, else undefined. */
function legacyNet(name: unknown): string | undefined {
  return NET_PRESETS.find((p) => p.name === name)?.net;
}

/** Settings from before the layer editor (`preset` instead of `net`) with their preset's network. */
function legacySettings(settings: unknown): unknown {
  if (typeof settings !== 'object' || settings === null || 'net' in settings) return settings;
  const { preset, ...rest } = settings as Record<string, unknown>;
  return { ...rest, net: legacyNet(preset) ?? preset };
}

/** The header's network in canonical form; CheckpointError ('header') when there is none this page can build. */
function headerNet(header: Record<string, unknown>): string {
  const text = header.net ?? legacyNet(header.preset);
  if (typeof text !== 'string') {
    throw new CheckpointError(
      'header',
      `The weights file names no network this page knows (${JSON.stringify(header.net ?? header.preset ?? null)}). ${REMEDY}`,
    );
  }
  try {
    return canonicalNet(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CheckpointError(
      'header',
      `The weights file is for the network ${JSON.stringify(text)}, which this page cannot build: ${detail}. ${REMEDY}`,
    );
  }
}

function describeSize(bytes: number): string {
  return bytes === 1 ? '1 byte' : `${bytes.toLocaleString('en-US')} bytes`;
}

/**
 * Reads a checkpoint file. Throws CheckpointError when it is not one (`not-checkpoint`), was
 * written by another format version (`version`), is cut short (`truncated`), has an unreadable
 * header (`header`), holds weights whose names or shapes do not match the preset (`shapes`), a
 * weight that is NaN or ±Infinity (`non-finite`) or beyond ±MAX_WEIGHT_MAGNITUDE (`too-large`),
 * or has bytes after the data (`extra-bytes`).
 */
export function decodeCheckpoint(bytes: Uint8Array): { params: ParamsPayload; meta: CheckpointMeta } {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError('not-checkpoint', `This is not a weights file (expected bytes). ${REMEDY}`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (bytes.length < 4 || magic !== CHECKPOINT_MAGIC) {
    throw new CheckpointError(
      'not-checkpoint',
      `This is not an Unrolled weights file: it does not start with "${CHECKPOINT_MAGIC}". ${REMEDY}`,
    );
  }
  if (bytes.length < PREFIX) {
    throw new CheckpointError(
      'truncated',
      `The weights file is truncated: ${describeSize(bytes.length)}, shorter than its ${PREFIX}-byte preamble. ${REMEDY}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      'version',
      `The weights file has format version ${version}; this page reads version ${CHECKPOINT_VERSION}. Save the weights again with this page, or ${REMEDY.charAt(0).toLowerCase()}${REMEDY.slice(1)}`,
    );
  }
  const headerLength = view.getUint32(8, true);
  if (PREFIX + headerLength > bytes.length) {
    throw new CheckpointError(
      'truncated',
      `The weights file is truncated: its header needs ${describeSize(headerLength)} but only ${describeSize(bytes.length - PREFIX)} follow. ${REMEDY}`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('not an object');
  } catch (error) {
    throw new CheckpointError(
      'header',
      `The weights file's header is unreadable (${error instanceof Error ? error.message : String(error)}). ${REMEDY}`,
    );
  }
  const net = headerNet(header);
  const shapes = header.shapes;
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0))) {
    throw new CheckpointError('header', `The weights file's header lists no valid shapes. ${REMEDY}`);
  }
  const sizes = (shapes as number[][]).map((s) => s.reduce((a, d) => a * d, 1));
  const floats = sizes.reduce((a, s) => a + s, 0);
  const start = PREFIX + headerLength;
  const expected = start + 4 * floats;
  if (bytes.length < expected) {
    throw new CheckpointError(
      'truncated',
      `The weights file is truncated: the weights need ${describeSize(4 * floats)} but only ${describeSize(bytes.length - start)} follow the header (was the download interrupted?). ${REMEDY}`,
    );
  }
  if (bytes.length > expected) {
    throw new CheckpointError(
      'extra-bytes',
      `The weights file has ${describeSize(bytes.length - expected)} after the weights; it is damaged. ${REMEDY}`,
    );
  }
  let at = start;
  const data = sizes.map((size) => {
    const values = new Float32Array(size);
    for (let k = 0; k < size; k++, at += 4) values[k] = view.getFloat32(at, true);
    return values;
  });
  const params: ParamsPayload = { net, names: header.names as string[], shapes: shapes as number[][], data };
  try {
    paramsFromPayload(params);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CheckpointError('shapes', `The weights in this file do not fit the network ${net}: ${detail}. ${REMEDY}`);
  }
  // NaN, ±Infinity or a huge weight would load, then wreck the first step: refuse it, naming the tensor.
  data.forEach((values, k) => {
    const at = values.findIndex((v) => !(Math.abs(v) <= MAX_WEIGHT_MAGNITUDE));
    if (at < 0) return;
    const v = values[at];
    if (!Number.isFinite(v)) {
      throw new CheckpointError(
        'non-finite',
        `The weights in this file are damaged: ${params.names[k]} holds ${v} at entry ${at}; every weight must be a finite number. ${REMEDY}`,
      );
    }
    throw new CheckpointError(
      'too-large',
      `The weights in this file are damaged: ${params.names[k]} holds ${v} at entry ${at}; weights of this model stay within ±${MAX_WEIGHT_MAGNITUDE.toLocaleString('en-US')}. ${REMEDY}`,
    );
  });
  let settings: TrainSettings | undefined;
  if (header.settings !== undefined) {
    try {
      settings = checkSettings(legacySettings(header.settings));
    } catch (error) {
      throw new CheckpointError(
        'header',
        `The weights file's settings are invalid (${error instanceof Error ? error.message : String(error)}). ${REMEDY}`,
      );
    }
  }
  const step = Number.isInteger(header.step) && (header.step as number) >= 0 ? (header.step as number) : 0;
  const epoch = typeof header.epoch === 'number' && header.epoch >= 0 ? header.epoch : 0;
  const created = typeof header.created === 'string' ? header.created : '';
  const accuracy = typeof header.accuracy === 'number' && header.accuracy >= 0 && header.accuracy <= 1 ? { accuracy: header.accuracy } : {};
  return { params, meta: settings ? { step, epoch, settings, created, ...accuracy } : { step, epoch, created, ...accuracy } };
}
