import { describe, it, expect } from 'vitest';
import { decodeNotebook, encodeNotebook, MAX_SHARE_CHARS } from '../../lib/notebook/share.ts';
import { editsKey, loadEdits, saveEdit } from '../../lib/notebook/edits.ts';
import type { KeyValueStorage } from '../../lib/notebook/edits.ts';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('shared notebook links', () => {
  it('round-trips cells with any characters through a URL-safe hash', async () => {
    const cells = ['const x = tensor([1, 1, 3, 3])\nx', '// ünïcødé ✓ 3×3 \'quotes\' "double" `tick`', ''];
    const r = await encodeNotebook(cells);
    if (!r.ok) throw new Error(r.reason);
    expect(r.hash).toMatch(/^#nb=[A-Za-z0-9_-]+$/);
    expect(await decodeNotebook(r.hash)).toEqual(cells);
  });

  it('compresses repetitive code', async () => {
    const cells = Array.from({ length: 20 }, () => 'const y = conv2d(x, w, null, { stride: 2, padding: 1 });');
    const r = await encodeNotebook(cells);
    if (!r.ok) throw new Error(r.reason);
    expect(r.hash.length).toBeLessThan(JSON.stringify(cells).length / 4);
  });

  it('refuses a notebook whose link would be too long, saying so', async () => {
    let seed = 1;
    const noise = Array.from({ length: MAX_SHARE_CHARS }, () => String.fromCharCode(33 + ((seed = (seed * 48271) % 2147483647) % 90))).join(
      '',
    );
    const r = await encodeNotebook([noise]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/too long for a link: it compresses to \d+ characters, over the 16000/);
  });

  it('reads a hash without a notebook as none, and a damaged one as an error', async () => {
    expect(await decodeNotebook('')).toBeNull();
    expect(await decodeNotebook('#section-2')).toBeNull();
    await expect(decodeNotebook('#nb=AAAA')).rejects.toThrow(/damaged/);
  });
});

describe('kept edits', () => {
  it('keeps an edited cell per page, forgets it on reset, and removes the key when none is left', () => {
    const s = memoryStorage();
    saveEdit(s, '/lessons/01/', '2', 'const a = 1');
    saveEdit(s, '/lessons/02/', '1', 'other page');
    expect(loadEdits(s, '/lessons/01/')).toEqual({ '2': 'const a = 1' });
    saveEdit(s, '/lessons/01/', '2', null);
    expect(loadEdits(s, '/lessons/01/')).toEqual({});
    expect(s.data.has(editsKey('/lessons/01/'))).toBe(false);
    expect(loadEdits(s, '/lessons/02/')).toEqual({ '1': 'other page' });
  });

  it('reads garbage or a refusing storage as no edits', () => {
    const s = memoryStorage();
    s.data.set(editsKey('/p/'), '{not json');
    expect(loadEdits(s, '/p/')).toEqual({});
    s.data.set(editsKey('/p/'), JSON.stringify({ a: 'x', b: 3 }));
    expect(loadEdits(s, '/p/')).toEqual({ a: 'x' });
    const full: KeyValueStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(() => saveEdit(full, '/p/', '1', 'x')).not.toThrow();
    expect(loadEdits(null, '/p/')).toEqual({});
  });
});
