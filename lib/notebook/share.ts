/** The longest `#…` a shared notebook link may carry (characters after `#nb=`). */
export const MAX_SHARE_CHARS = 16_000;
const PREFIX = 'nb=';

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let k = 0; k < bytes.length; k += 0x8000) bin += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** A shared link's hash, or why there is none: the notebook was too long for a link. */
export type ShareResult = { ok: true; hash: string } | { ok: false; reason: string };

/**
 * The cells' code as a URL hash `#nb=<base64url of deflate-raw(JSON of the sources)>`.
 * Refuses (ok: false, saying how long it would be) past MAX_SHARE_CHARS.
 */
export async function encodeNotebook(sources: readonly string[]): Promise<ShareResult> {
  const json = new TextEncoder().encode(JSON.stringify(sources));
  const packed = toBase64Url(await through(json, new CompressionStream('deflate-raw')));
  if (packed.length > MAX_SHARE_CHARS) {
    return {
      ok: false,
      reason: `This notebook is too long for a link: it compresses to ${packed.length} characters, over the ${MAX_SHARE_CHARS} a shared link may carry. Shorten or delete some cells.`,
    };
  }
  return { ok: true, hash: `#${PREFIX}${packed}` };
}

/**
 * The cells' code from a hash made by encodeNotebook; null when the hash holds no notebook.
 * Throws Error (saying the link is damaged) when it does but cannot be read.
 */
export async function decodeNotebook(hash: string): Promise<string[] | null> {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith(PREFIX)) return null;
  try {
    const bytes = await through(fromBase64Url(h.slice(PREFIX.length)), new DecompressionStream('deflate-raw'));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) throw new Error('not a list of cells');
    return value;
  } catch (err) {
    throw new Error(`This shared notebook link is damaged and cannot be read (${(err as Error).message}).`, { cause: err });
  }
}
