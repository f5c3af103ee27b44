import type { Attachment } from 'svelte/attachments';

/**
 * Sets CSS properties on an element through CSSOM (`el.style.setProperty`), as a Svelte
 * attachment: `<td {@attach cssProps({ '--heat': colour, width: '40%' })}>`. A `style="…"`
 * attribute or a `style:` directive reaches the page as an attribute in the server's HTML, which a
 * strict `style-src 'self'` (site/csp.ts) blocks; CSSOM is allowed. Names are CSS property names
 * (`background-color`, `--heat`); a null or undefined value removes the property. The attachment
 * runs again when the values it reads change; on the server it renders nothing, so the element
 * gets these properties when its island hydrates.
 */
export function cssProps(props: Record<string, string | number | null | undefined>): Attachment<HTMLElement | SVGElement> {
  return (el) => {
    for (const [name, value] of Object.entries(props)) {
      if (value == null) el.style.removeProperty(name);
      else el.style.setProperty(name, String(value));
    }
  };
}
