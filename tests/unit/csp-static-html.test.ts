import { describe, expect, it } from 'vitest';
import { parse } from 'parse5';
import katex from 'katex';
import { normalizeStyle, rewriteStaticHtml, styleClassName, styleClassesCss } from '../../lib/cli/csp/static-html.ts';

const page = (body: string, head = '') => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/** Every element's tag, attributes and text, in document order: what a browser builds from the page. */
function tree(html: string): string[] {
  const out: string[] = [];
  type Node = { nodeName: string; tagName?: string; attrs?: { name: string; value: string }[]; value?: string; childNodes?: Node[] };
  const walk = (node: Node) => {
    if (node.tagName)
      out.push(
        `<${node.tagName} ${node
          .attrs!.map((a) => `${a.name}=${a.value}`)
          .sort()
          .join(' ')}>`,
      );
    else if (node.nodeName === '#text') out.push(node.value!);
    for (const c of node.childNodes ?? []) walk(c);
  };
  walk(parse(html) as unknown as Node);
  return out;
}

describe('rewriteStaticHtml', () => {
  it('moves an inline script into a file, keeping its place and type', () => {
    const r = rewriteStaticHtml(
      page('<p>a</p><script>window.x = 1 < 2;</script><script type="module">import "./m.js"</script><script src="/y.js"></script>'),
    );
    const names = [...r.files.keys()];
    expect(names).toHaveLength(2);
    expect(r.files.get(names[0])).toBe('window.x = 1 < 2;');
    expect(r.html).toContain(
      `<p>a</p><script src="/${names[0]}"></script><script type="module" src="/${names[1]}"></script><script src="/y.js"></script>`,
    );
    expect(r.problems).toEqual([]);
  });

  it('leaves JSON data blocks alone and names files by content (same script, same file)', () => {
    const r = rewriteStaticHtml(page('<script>a()</script><script type="application/json">{"a":1}</script><script>a()</script>'));
    expect(r.files.size).toBe(1);
    expect(r.html).toContain('<script type="application/json">{"a":1}</script>');
  });

  it('moves a <style> block into a linked file', () => {
    const r = rewriteStaticHtml(page('<style>astro-island{display:contents}</style><p>x</p>'));
    const [name] = [...r.files.keys()];
    expect(name).toMatch(/^_astro\/inline\.[0-9a-f]{10}\.css$/);
    expect(r.files.get(name)).toBe('astro-island{display:contents}');
    expect(r.html).toContain(`<link rel="stylesheet" href="/${name}"><p>x</p>`);
  });

  it("turns style attributes into classes, merged with the element's own, and nothing else changes", () => {
    const html = page(
      '<span class="strut" style="height:0.6444em;"></span><span style="top:-2.55em; margin-left: 0"></span><em title="a &quot;q&quot; &amp; b">t</em>',
    );
    const r = rewriteStaticHtml(html);
    const a = styleClassName('height:0.6444em');
    const b = styleClassName('top:-2.55em;margin-left: 0');
    expect(r.html).toContain(`<span class="strut ${a}"></span><span class="${b}"></span>`);
    expect(r.styleClasses).toEqual(
      new Map([
        [a, 'height:0.6444em'],
        [b, 'top:-2.55em;margin-left: 0'],
      ]),
    );
    const before = tree(html).map((n) => n.replace(/ style=[^ >]*( [^ >]*)?/, ''));
    expect(tree(r.html).filter((n) => !n.includes('st-'))).toEqual(before.filter((n) => !n.startsWith('<span')));
  });

  it('gives the same class to the same declarations however they are spaced', () => {
    expect(styleClassName('height: 1em ; top:0')).toBe(styleClassName('height: 1em;top:0;'));
    expect(normalizeStyle(' a:1 ;; b:url("x;y") ;')).toBe('a:1;b:url("x;y")');
  });

  it("writes each class's declarations with !important, ranking them like an inline style", () => {
    const css = styleClassesCss(
      new Map([
        ['st-b', 'top:-1em;left:url("a;b")'],
        ['st-a', 'color:red !important'],
      ]),
    );
    expect(css).toBe('.st-a{color:red !important}\n.st-b{top:-1em!important;left:url("a;b")!important}\n');
  });

  it('reports, and leaves, style attributes inside islands, inline handlers and javascript: URLs', () => {
    const r = rewriteStaticHtml(
      page(
        '<astro-island><template><b style="x:1"></b></template><div style="--heat: red"></div></astro-island><a href="javascript:alert(1)" onclick="f()">x</a>',
      ),
    );
    expect(r.problems).toEqual([
      'style attribute in an island: <b style="x:1">',
      'style attribute in an island: <div style="--heat: red">',
      'javascript: URL: <a href="javascript:alert(1)" onclick="f()">',
      'inline event handler onclick: <a href="javascript:alert(1)" onclick="f()">',
    ]);
    expect(r.html).toContain('<div style="--heat: red">');
  });

  it("rewrites all of KaTeX's style attributes and keeps its markup otherwise intact", () => {
    const math = katex.renderToString(String.raw`\frac{\partial L}{\partial x} = \sum_{k=0}^{K-1} \tilde{x}_{k}`, {
      displayMode: true,
      output: 'html',
    });
    const styles = [...math.matchAll(/style="([^"]*)"/g)].map((m) => m[1]);
    expect(styles.length).toBeGreaterThan(5);
    const r = rewriteStaticHtml(page(math));
    expect(r.html).not.toMatch(/style="/);
    expect(new Set(r.styleClasses.values())).toEqual(new Set(styles.map(normalizeStyle).filter(Boolean)));
    expect(r.html.replace(/ st-[0-9a-f]{10}| class="st-[0-9a-f]{10}"/g, '')).toBe(page(math).replace(/ style="[^"]*"/g, ''));
  });
});
