import { ConvConfigError, describeValue } from '../errors.ts';

/**
 * A network as the reader writes it: the layers without their input sizes (those follow from the
 * shapes; see netModel). The compact text form (the `net=` URL parameter, the weights file) is
 *
 * ```
 * net   := layer ("," layer)*
 * layer := "c" OUT "k" K "s" S "p" P [act]   conv: OUT channels, K×K kernel, stride S, padding P
 *        | "f"                               flatten
 *        | "d" UNITS [act]                   dense layer of UNITS units
 * act   := "r" | "l"                         ReLU after the layer / linear (no ReLU)
 * ```
 *
 * Numbers are decimal integers. Without `act`, every conv and dense layer has a ReLU except the
 * last layer, which is linear (the logits); printNet writes `act` only where it differs from that
 * default. E.g. `c16k3s1p1,c32k3s2p1,f,d64,d10`.
 */
export type NetLayer = NetConv | NetFlatten | NetDense;

/** A convolution: `outC` channels, a `k`×`k` kernel, `stride`, `padding`, optionally ReLU. */
export interface NetConv {
  readonly kind: 'conv';
  readonly outC: number;
  readonly k: number;
  readonly stride: number;
  readonly padding: number;
  readonly relu: boolean;
}

/** Flatten `[C, H, W]` to `[C·H·W]`. */
export interface NetFlatten {
  readonly kind: 'flatten';
}

/** A dense layer of `units` outputs, optionally ReLU. */
export interface NetDense {
  readonly kind: 'dense';
  readonly units: number;
  readonly relu: boolean;
}

/**
 * Upper bounds a network's text may ask for (the lower bounds, and whether the sizes fit together,
 * are the engine's to check: see netModel). They keep a typed or linked number from asking for an
 * absurd allocation before any limit of a backend is looked at.
 */
export const NET_BOUNDS = Object.freeze({ layers: 16, outC: 512, k: 28, stride: 28, padding: 27, units: 4096 });

const CONV = /^c(\d+)k(\d+)s(\d+)p(\d+)([rl]?)$/;
const DENSE = /^d(\d+)([rl]?)$/;
const SYNTAX =
  'cOUTkKsSpP (conv, e.g. c16k3s1p1), f (flatten) or dUNITS (dense, e.g. d64), with an optional r (ReLU) or l (linear) at the end';

/**
 * Checks the upper bounds of layer `index` (NET_BOUNDS) and that its numbers are integers.
 * Throws ConvConfigError naming the field, e.g. `layers[2].units must be an integer at most 4096, got 5000`.
 */
export function checkNetBounds(layer: NetLayer, index: number): void {
  const at = `layers[${index}]`;
  const fields = layer.kind === 'conv' ? (['outC', 'k', 'stride', 'padding'] as const) : layer.kind === 'dense' ? (['units'] as const) : [];
  for (const key of fields) {
    const value = (layer as unknown as Record<string, unknown>)[key];
    const max = NET_BOUNDS[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value > max) {
      throw new ConvConfigError(`${at}.${key}`, `${at}.${key} must be an integer at most ${max}, got ${describeValue(value)}`);
    }
  }
}

/** The ReLU a conv or dense layer at `index` of `count` layers has when its text says nothing. */
function defaultRelu(index: number, count: number): boolean {
  return index !== count - 1;
}

/**
 * Reads the text form (see NetLayer). Throws ConvConfigError (parameter `net`, or `layers[i].field`
 * for a number above NET_BOUNDS) for an empty text, more than NET_BOUNDS.layers layers, a token
 * that is not a layer, or a number too large.
 */
export function parseNet(text: string): NetLayer[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConvConfigError('net', `net must list at least one layer (e.g. c16k3s1p1,f,d10), got ${describeValue(text)}`);
  }
  const tokens = text.trim().split(',');
  if (tokens.length > NET_BOUNDS.layers) {
    throw new ConvConfigError('net', `net may have at most ${NET_BOUNDS.layers} layers, got ${tokens.length}`);
  }
  return tokens.map((raw, i): NetLayer => {
    const token = raw.trim();
    const conv = CONV.exec(token);
    const dense = DENSE.exec(token);
    const act = (flag: string | undefined): boolean => (flag === 'r' ? true : flag === 'l' ? false : defaultRelu(i, tokens.length));
    let layer: NetLayer;
    if (conv)
      layer = {
        kind: 'conv',
        outC: Number(conv[1]),
        k: Number(conv[2]),
        stride: Number(conv[3]),
        padding: Number(conv[4]),
        relu: act(conv[5]),
      };
    else if (dense) layer = { kind: 'dense', units: Number(dense[1]), relu: act(dense[2]) };
    else if (token === 'f') layer = { kind: 'flatten' };
    else throw new ConvConfigError('net', `net layer ${i + 1} ${JSON.stringify(token)} must be ${SYNTAX}`);
    checkNetBounds(layer, i);
    return layer;
  });
}

/** The text form of `layers` (see NetLayer), `act` written only where it differs from the default. */
export function printNet(layers: readonly NetLayer[]): string {
  return layers
    .map((layer, i) => {
      if (layer.kind === 'flatten') return 'f';
      const act = layer.relu === defaultRelu(i, layers.length) ? '' : layer.relu ? 'r' : 'l';
      return layer.kind === 'conv' ? `c${layer.outC}k${layer.k}s${layer.stride}p${layer.padding}${act}` : `d${layer.units}${act}`;
    })
    .join(',');
}
