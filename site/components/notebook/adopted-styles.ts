import { StyleModule } from 'style-mod';

/**
 * CodeMirror styles itself through style-mod, which writes its rules into a `<style>` element when
 * the editor is in a document (a constructable stylesheet only in a shadow root). The site's
 * `style-src 'self'` (site/csp.ts) blocks that element and the editor would be unstyled;
 * constructable stylesheets are not blocked. So, for documents, StyleModule.mount is replaced by
 * one that keeps the modules in style-mod's order and writes their rules into one CSSStyleSheet
 * adopted by the document. The rules sit in a cascade layer, so that — as with style-mod's
 * `<style>` at the top of `<head>` — every page stylesheet still wins over them. Call once,
 * before the first EditorView.
 */
export function adoptEditorStyles(): void {
  if (patched) return;
  patched = true;
  const original = StyleModule.mount.bind(StyleModule);
  StyleModule.mount = (root, modules, options) => {
    if (!(root instanceof Document)) return original(root, modules, options);
    let set = sets.get(root);
    if (!set) {
      set = { sheet: new CSSStyleSheet(), modules: [] };
      sets.set(root, set);
    }
    if (placeModules(set.modules, Array.isArray(modules) ? modules : [modules as StyleModule])) {
      set.sheet.replaceSync(`@layer codemirror {\n${set.modules.map((m) => m.getRules()).join('\n')}\n}`);
    }
    if (!root.adoptedStyleSheets.includes(set.sheet)) root.adoptedStyleSheets = [set.sheet, ...root.adoptedStyleSheets];
  };
}

let patched = false;
const sets = new WeakMap<Document, { sheet: CSSStyleSheet; modules: StyleModule[] }>();

/**
 * style-mod's ordering: every module of `wanted` ends up after the ones before it in `wanted`
 * (a module already mounted too early is moved); returns whether `mounted` changed.
 */
function placeModules(mounted: StyleModule[], wanted: readonly StyleModule[]): boolean {
  let changed = false;
  let j = 0;
  for (const mod of wanted) {
    let index = mounted.indexOf(mod);
    if (index > -1 && index < j) {
      mounted.splice(index, 1);
      changed = true;
      j--;
      index = -1;
    }
    if (index === -1) {
      mounted.splice(j++, 0, mod);
      changed = true;
    } else {
      j = index + 1;
    }
  }
  return changed;
}
