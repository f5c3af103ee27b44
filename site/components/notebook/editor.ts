/**
 * The cell editor, CodeMirror 6 with the JavaScript/TypeScript language, line numbers, bracket
 * matching, undo history, and token colors from CSS variables (so it follows the site's light and
 * dark schemes). Loaded with a dynamic import only when a reader focuses a cell. Its styles go into
 * a constructable stylesheet (adopted-styles.ts), which the site's Content-Security-Policy allows.
 * Shift+Enter (and Ctrl/Cmd+Enter) runs the cell; Tab is left to move focus, as on the rest of the page.
 */
import { EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine, highlightActiveLineGutter } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { typescriptLanguage } from '@codemirror/lang-javascript';
import { LanguageSupport, bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { classHighlighter } from '@lezer/highlight';
import { adoptEditorStyles } from './adopted-styles.ts';

/** What a mounted editor offers its cell. */
export interface CellEditor {
  /** Replaces the whole text (Reset), keeping the editor. */
  setText(text: string): void;
  focus(): void;
  destroy(): void;
}

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--cell-code-bg)', color: 'var(--cell-code-fg)', fontSize: '0.9rem' },
  '.cm-content': { fontFamily: 'var(--font-mono)', caretColor: 'var(--cell-code-fg)', padding: '0.6rem 0' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--cell-code-bg)', color: 'var(--muted)', border: 'none', borderRight: '1px solid var(--rule)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--cell-active-line)' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '-1px' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--cell-bracket)', outline: '1px solid var(--muted)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--cell-selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--cell-code-fg)' },
});

/**
 * Typing over a selection is done by CodeMirror itself: Chrome would delete the selection and wrap
 * the new text in a `<span style="…">` carrying the deleted text's colour (its "typing style"),
 * which the site's `style-src 'self'` blocks — with a violation report for every such keystroke —
 * before CodeMirror redraws the line from its state anyway. Composition (IME) input is left to the
 * browser.
 */
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (
      event.inputType !== 'insertText' ||
      event.data == null ||
      event.isComposing ||
      view.composing ||
      view.state.selection.ranges.every((r) => r.empty)
    )
      return false;
    event.preventDefault();
    view.dispatch(view.state.update(view.state.replaceSelection(event.data), { userEvent: 'input.type', scrollIntoView: true }));
    return true;
  },
});

/**
 * Mounts an editor holding `text` in `parent`. `label` is the editing area's accessible name;
 * `onChange` gets the whole text after every change, `onRun` is called on Shift+Enter.
 */
export function mountEditor(
  parent: HTMLElement,
  options: { text: string; label: string; onChange: (text: string) => void; onRun: () => void },
): CellEditor {
  const run = () => {
    options.onRun();
    return true;
  };
  adoptEditorStyles();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        new LanguageSupport(typescriptLanguage),
        syntaxHighlighting(classHighlighter),
        keymap.of([{ key: 'Shift-Enter', run }, { key: 'Mod-Enter', run }, ...defaultKeymap, ...historyKeymap]),
        // tabindex 0 states what contenteditable already does, so checkers see the scroller's focusable content.
        EditorView.contentAttributes.of({ 'aria-label': options.label, tabindex: '0' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange(u.state.doc.toString());
        }),
        typeOverSelection,
        theme,
      ],
    }),
  });
  return {
    setText(text) {
      if (view.state.doc.toString() !== text) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
