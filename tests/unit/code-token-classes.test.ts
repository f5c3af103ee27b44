import { describe, expect, it } from 'vitest';
import { codeToHtml } from 'shiki';
import { CODE_THEMES, shikiTokenClasses, tokenClassesCss, tokenClassName } from '../../site/components/code/token-classes.ts';

const SAMPLE = `// comment
/** doc @param x the input */
export async function f<T extends object>(x: number, s = 'str', r = /a+\\d/g): Promise<T> {
  const m = new Map<string, number>([['a', 1]]);
  label: for (let k = 0; k < 3n; k++) { if (k) continue label; }
  try { return \`t\${x}\` as unknown as T; } catch (e) { throw new Error(String(e)); } finally { void 0; }
}
class A { #p = 1; static q?: boolean = true; get v() { return this.#p ?? null; } }`;

type Hast = { type: string; value?: string; properties?: Record<string, unknown>; children?: Hast[] };

/** `--shiki-…` property → value (lower case), from a declaration list. */
function declarations(text: string): Map<string, string> {
  return new Map(
    text
      .split(';')
      .filter((d) => d.includes(':'))
      .map((d) => [
        d.slice(0, d.indexOf(':')).trim(),
        d
          .slice(d.indexOf(':') + 1)
          .trim()
          .toLowerCase(),
      ]),
  );
}

/** Every non-space character of the code with the light and dark colours it is drawn in: "x #24292e/#e1e4e8". */
function colouredText(root: Hast, own: (props: Record<string, unknown>) => Map<string, string>): string[] {
  const out: string[] = [];
  const walk = (node: Hast, inherited: Map<string, string>) => {
    if (node.type === 'text') {
      for (const ch of node.value!) if (/\S/.test(ch)) out.push(`${ch} ${inherited.get('--shiki-light')}/${inherited.get('--shiki-dark')}`);
      return;
    }
    const here = node.properties ? new Map([...inherited, ...own(node.properties)]) : inherited;
    for (const c of node.children ?? []) walk(c, here);
  };
  walk(root, new Map());
  return out;
}

/** The rules of the stylesheet, class name → declaration. */
function rules(): Map<string, string> {
  return new Map([...tokenClassesCss().matchAll(/^\.([\w-]+)\{([^}]*)\}$/gm)].map((m) => [m[1], m[2]]));
}

describe('Shiki token classes', () => {
  it('replace every style attribute Shiki writes, and every character keeps its colours in both themes', async () => {
    // One highlighting: what Shiki wrote (styles) is read before the transformer runs, what it left (classes) after.
    const css = rules();
    let fromStyle: string[] = [];
    let fromClasses: string[] = [];
    const classed = await codeToHtml(SAMPLE, {
      lang: 'ts',
      themes: CODE_THEMES,
      defaultColor: false,
      transformers: [
        {
          root(root) {
            fromStyle = colouredText(root as Hast, (p) => declarations(String(p.style ?? '')));
          },
        },
        shikiTokenClasses(),
        {
          root(root) {
            fromClasses = colouredText(root as Hast, (p) =>
              declarations(
                [p.class ?? p.className ?? '']
                  .flat()
                  .join(' ')
                  .split(' ')
                  .map((c) => css.get(c) ?? '')
                  .join(';'),
              ),
            );
          },
        },
      ],
    });
    expect(classed).not.toMatch(/style="/);
    expect(fromStyle.length).toBe(SAMPLE.replace(/\s/g, '').length);
    expect(new Set(fromStyle.map((c) => c.split(' ')[1])).size).toBeGreaterThan(6);
    expect(fromClasses).toEqual(fromStyle);
  });

  it('keep the classes Shiki gives the <pre> in the same attribute', async () => {
    const html = await codeToHtml('let a = 1', {
      lang: 'ts',
      themes: CODE_THEMES,
      defaultColor: false,
      transformers: [shikiTokenClasses()],
    });
    expect(html).toMatch(
      /^<pre class="shiki shiki-themes github-light github-dark sk-light-24292e sk-dark-e1e4e8 sk-light-bg-fff sk-dark-bg-24292e"/,
    );
    expect(html.match(/class=/g)!.length).toBe(html.match(/<(pre|span)[ >]/g)!.filter((t) => t !== '<span>').length);
  });

  it('name a declaration by its property and lower-case value', () => {
    expect(tokenClassName('--shiki-light', '#D73A49')).toBe('sk-light-d73a49');
    expect(tokenClassName('--shiki-dark-text-decoration', 'underline line-through')).toBe('sk-dark-text-decoration-underline_line_through');
  });
});
