// Article bodies: Markdown rendered by marked, then sanitized (marked passes raw HTML through), and
// the plain text the search indexes and quotes in its snippets.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** What an article body may show: text structure, links, code, tables; no scripts, styles, forms or remote images. */
const allowed: sanitizeHtml.IOptions = {
  allowedTags: ['h2', 'h3', 'h4', 'p', 'br', 'hr', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'kbd'],
  allowedAttributes: { a: ['href', 'title', 'rel'], th: ['align'], td: ['align'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // A heading 1 is the page's own title: the body's headings start at level 2.
  transformTags: { h1: 'h2', a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
  disallowedTagsMode: 'discard',
};

export interface RenderedBody {
  html: string;
  text: string;
}

export function renderMarkdown(markdown: string): RenderedBody {
  const html = sanitizeHtml(marked.parse(markdown) as string, allowed);
  return { html, text: plainText(html) };
}

/** The text of sanitized HTML, blocks on lines of their own. */
export function plainText(html: string): string {
  const spaced = html.replace(/<\/(p|h[1-6]|li|pre|blockquote|tr|th|td)>|<br\s*\/?>/g, (m) => `${m}\n`);
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} });
  return decodeEntities(text)
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ' })[e] ?? '');
}
