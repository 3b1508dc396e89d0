import { oneLine } from '../format.js';

// Every interpolation is text unless it was built as markup by `html` itself.

/** Markup known to be safe: made only in this module, so data can never become markup by accident. */
class Html {
  constructor(readonly text: string) {}
}

export type { Html };

export type Content = Html | string | number | readonly Content[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as it must appear inside an element or a quoted attribute, on one line and in its own order. */
export function escapeHtml(text: string): string {
  return oneLine(text).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

function render(content: Content): string {
  if (content instanceof Html) return content.text;
  if (typeof content === 'string') return escapeHtml(content);
  if (typeof content === 'number') return String(content);
  return content.map(render).join('');
}

export function html(strings: TemplateStringsArray, ...values: readonly Content[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

/** The page's own style sheet, never data: a style element's text is not parsed for entities, so it goes in as written. */
export function styleElement(css: string): Html {
  return new Html(`<style>${css}</style>`);
}
