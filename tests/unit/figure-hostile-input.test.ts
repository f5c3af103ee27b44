import { describe, it, expect } from 'vitest';
import type { FigureSpec, FigureStep } from '../../lib/viz/figure/spec.ts';
import { drawFigure } from '../../lib/viz/figure/spec.ts';
import { readFigureQuery, readValueList, writeFigureQuery } from '../../lib/viz/figure/query.ts';
import { fieldText, withValue } from '../../lib/viz/figure/edit.ts';
import { FLOAT32_MAX } from '../../lib/viz/figure/float32.ts';
import { FIGURE_SPECS } from './helpers/figure-specs.ts';

/**
 * Hostile input, as tables, for every figure on the frame (FIGURE_SPECS; a check below makes sure
 * every `lib/viz/<figure>/spec.ts` exporting a FigureSpec is listed there). Link values (fields,
 * value lists, the step) that are wrong, huge or become ±∞ in float32 are ignored with a short
 * notice and dropped from the link written back; typed cells that become ±∞ in float32 are
 * refused naming the list and the float32 range.
 */
type AnySpec = FigureSpec<Record<string, unknown>, unknown, unknown, FigureStep>;

const SPECS: AnySpec[] = FIGURE_SPECS.map((f) => f.spec as AnySpec);

it('every FigureSpec exported by a lib/viz/*/spec.ts is in FIGURE_SPECS, so it runs through these tables', () => {
  const modules = import.meta.glob<Record<string, unknown>>('../../lib/viz/*/spec.ts', { eager: true });
  const found = Object.values(modules).flatMap((m) =>
    Object.values(m).filter((v) => typeof v === 'object' && v !== null && 'prefix' in v && 'fields' in v && 'example' in v),
  );
  expect(found.length).toBeGreaterThanOrEqual(8);
  for (const spec of found) expect(SPECS).toContain(spec);
});

/** Longest notice a hostile value may produce: the sentence plus ≤ 60 quoted characters. */
const MAX_NOTICE = 260;

/** Link values for a list of `size` numbers, each of which must be ignored. */
function hostileLists(size: number): { what: string; raw: string }[] {
  const ones = (k: number) => Array.from({ length: k }, () => '1');
  const withOne = (v: string) => [v, ...ones(size - 1)].join(',');
  return [
    { what: '1e308 (∞ in float32)', raw: withOne('1e308') },
    { what: '3.5e38 (∞ in float32)', raw: withOne('3.5e38') },
    { what: '-3.5e38 (−∞ in float32)', raw: withOne('-3.5e38') },
    { what: 'NaN', raw: withOne('NaN') },
    { what: 'Infinity', raw: withOne('Infinity') },
    { what: 'an empty entry', raw: [...ones(size - 1), ''].join(',') },
    { what: 'one value too many', raw: ones(size + 1).join(',') },
    { what: 'one value too few', raw: ones(Math.max(0, size - 1)).join(',') || 'x' },
    { what: '400,000 values', raw: ones(400_000).join(',') },
    { what: 'a 200,000-digit number', raw: withOne('9'.repeat(200_000)) },
  ];
}

const HOSTILE_FIELDS = ['1e308', '-1', '3.5', 'NaN', '', 'x'.repeat(200_000), '9'.repeat(100_000)];

describe.each(SPECS.map((spec) => [spec.label, spec] as const))('%s: hostile link values', (_label, spec) => {
  const clean = drawFigure(spec, spec.defaults);
  const cleanQuery = writeFigureQuery(spec, clean, 0, new URLSearchParams()).toString();

  it('is found by the glob (a FigureSpec with fields and values)', () => {
    expect(spec.fields.length).toBeGreaterThan(0);
  });

  for (const list of spec.values) {
    const size = list.size(spec.defaults);
    it.each(hostileLists(size))(`${list.label}: $what is ignored with a short notice, drops out of the link, quickly`, ({ raw }) => {
      const key = spec.prefix + list.param;
      const t0 = performance.now();
      const read = readFigureQuery(spec, new URLSearchParams([[key, raw]]));
      const ms = performance.now() - t0;
      expect(read.notices).toHaveLength(1);
      expect(read.notices[0]).toContain(`Ignored the ${list.label}`);
      expect(read.notices[0].length).toBeLessThan(MAX_NOTICE);
      expect(Array.from(list.current(read.drawn.example))).toEqual(Array.from(list.current(clean.example)));
      const written = writeFigureQuery(spec, read.drawn, read.index, new URLSearchParams([[key, raw]]));
      expect(written.toString()).toBe(cleanQuery);
      expect(ms).toBeLessThan(200);
    });
  }

  it('a list of 400,000 values is refused by its length before any parsing (well under 50 ms; parsing it took 1 s)', () => {
    const list = spec.values[0];
    const raw = Array.from({ length: 400_000 }, () => '1').join(',');
    const t0 = performance.now();
    const read = readValueList(raw, list.size(spec.defaults), list.label);
    expect(performance.now() - t0).toBeLessThan(50);
    expect('notice' in read && read.notice).toMatch(/799,999 characters, more than the [\d,]+ that \d+ values may take/);
  });

  for (const field of spec.fields) {
    it.each(HOSTILE_FIELDS.map((raw) => ({ raw, shown: raw.length > 12 ? `${raw.slice(0, 8)}… (${raw.length})` : JSON.stringify(raw) })))(
      `${field.label} = $shown is ignored, quoted in at most 60 characters, and dropped`,
      ({ raw }) => {
        const key = spec.prefix + field.param;
        const read = readFigureQuery(spec, new URLSearchParams([[key, raw]]));
        const notice = read.notices.find((n) => n.startsWith(`Ignored ${field.label.toLowerCase()}`));
        if (raw === '-1' && field.min <= -1) return; // a field that allows −1 (none today) would take it
        expect(notice).toBeDefined();
        expect(notice!.length).toBeLessThan(MAX_NOTICE);
        expect(read.drawn.settings[field.key]).toBe(spec.defaults[field.key]);
        expect(writeFigureQuery(spec, read.drawn, read.index, new URLSearchParams([[key, raw]])).toString()).toBe(cleanQuery);
      },
    );
  }

  it('a 100,000-character step is ignored with a notice quoting 60 characters, and dropped', () => {
    const key = `${spec.prefix}step`;
    const read = readFigureQuery(spec, new URLSearchParams([[key, '7'.repeat(100_000)]]));
    expect(read.notices).toHaveLength(1);
    expect(read.notices[0]).toContain('(100,000 characters)');
    expect(read.notices[0].length).toBeLessThan(MAX_NOTICE);
    expect(read.index).toBe(0);
    expect(writeFigureQuery(spec, read.drawn, read.index, new URLSearchParams([[key, 'x']])).has(key)).toBe(false);
  });
});

describe.each(SPECS.map((spec) => [spec.label, spec] as const))('%s: typed cells convert to float32 first', (_label, spec) => {
  const drawn = drawFigure(spec, spec.defaults);
  for (const list of spec.values) {
    const name = list.label.replace(/s$/, '');
    it.each(['1e308', '3.5e38', '-3.5e38', '1e39'])(
      `${list.label}: %s becomes ±∞ in float32 and is refused naming the list and the range`,
      (text) => {
        const edit = withValue(spec, drawn.settings, drawn.example, list.key as never, 0, text);
        expect(edit.ok).toBe(false);
        if (!edit.ok)
          expect(edit.error).toBe(
            `${name} ${text} is outside the float32 range ±3.4028235e38 (it would become ${text.startsWith('-') ? '-Infinity' : 'Infinity'})`,
          );
      },
    );
    it.each(['NaN', 'Infinity', 'abc', ''])(`${list.label}: %j is not a finite number`, (text) => {
      const edit = withValue(spec, drawn.settings, drawn.example, list.key as never, 0, text);
      expect(edit.ok).toBe(false);
      if (!edit.ok) expect(edit.error).toBe(`${name} must be a finite number, got ${JSON.stringify(text)}`);
    });
    it(`${list.label}: 3.4e38 (finite in float32) is taken and drawn`, () => {
      const edit = withValue(spec, drawn.settings, drawn.example, list.key as never, 0, '3.4e38');
      expect(edit.ok).toBe(true);
      if (edit.ok) expect(Math.fround(Number((edit.settings[list.key] as number[])[0]))).toBeLessThanOrEqual(FLOAT32_MAX);
    });
  }
});

describe('fieldText (number fields are not rewritten mid-typing)', () => {
  it('keeps "1e3" while it reads as 1000, so typing on gives 1e308, not 100008', () => {
    expect(fieldText(1000, '1e3')).toBe('1e3');
    expect(fieldText(1e308, '1e308')).toBe('1e308');
    expect(fieldText(1, '01')).toBe('01');
  });
  it('shows the value once it differs from the text (a preset, Reset) and blank for NaN', () => {
    expect(fieldText(5, '1e3')).toBe('5');
    expect(fieldText(4, undefined)).toBe('4');
    expect(fieldText(Number.NaN, '')).toBe('');
    expect(fieldText(Number.NaN, undefined)).toBe('');
  });
});
