import { describe, it, expect } from 'vitest';
import { readStepParam, writeStepParam } from '../../lib/viz/figure-query.ts';

const q = (s: string) => new URLSearchParams(s);

describe('readStepParam', () => {
  it('turns a 1-based step into a 0-based index, silently', () => {
    const notices: string[] = [];
    expect(readStepParam(q('xx.step=3'), 'xx.step', 4, notices)).toBe(2);
    expect(readStepParam(q('xx.step=1'), 'xx.step', 4, notices)).toBe(0);
    expect(readStepParam(q('xx.step=4'), 'xx.step', 4, notices)).toBe(3);
    expect(notices).toEqual([]);
  });

  it('gives 0 without a notice when the key is missing (other prefixes are not read)', () => {
    const notices: string[] = [];
    expect(readStepParam(q('yy.step=3'), 'xx.step', 4, notices)).toBe(0);
    expect(notices).toEqual([]);
  });

  it('gives 0 and the notice for garbage, 0, out of range, decimals and blanks', () => {
    for (const raw of ['zz', '0', '5', '2.5', '', ' ', '-1']) {
      const notices: string[] = [];
      expect(readStepParam(q(`xx.step=${encodeURIComponent(raw)}`), 'xx.step', 4, notices)).toBe(0);
      expect(notices).toEqual([`Ignored step "${raw}" from the link: it must be an integer from 1 to 4.`]);
    }
  });

  it('appends to the notices already there', () => {
    const notices = ['earlier'];
    readStepParam(q('xx.step=9'), 'xx.step', 2, notices);
    expect(notices).toEqual(['earlier', 'Ignored step "9" from the link: it must be an integer from 1 to 2.']);
  });
});

describe('writeStepParam', () => {
  it('writes the step 1-based and leaves other keys alone', () => {
    const query = q('a=1');
    expect(writeStepParam(query, 'xx.step', 2)).toBe(query);
    expect(query.toString()).toBe('a=1&xx.step=3');
  });

  it('removes the key at the first step', () => {
    expect(writeStepParam(q('a=1&xx.step=3'), 'xx.step', 0).toString()).toBe('a=1');
    expect(writeStepParam(q('xx.step=3'), 'xx.step', -1).toString()).toBe('');
  });

  it('round-trips with readStepParam', () => {
    for (const index of [0, 1, 5]) {
      const notices: string[] = [];
      expect(readStepParam(writeStepParam(q(''), 's', index), 's', 6, notices)).toBe(index);
      expect(notices).toEqual([]);
    }
  });
});
