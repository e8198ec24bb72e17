// Turns ECharts' server-side SVG into markup a page can inline under our CSP (style-src 'self':
// no <style>, no style attributes) and a screen reader can use: a name and description on the
// root, a link or tooltip on each bar and point, no per-process ids, no ECharts bookkeeping.

/** Text for an XML text node or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A mark (bar or point) that ECharts tagged with its series and data index (`ssr: true`). */
export interface MarkDecoration {
  /** Read by screen readers and shown as a tooltip: "Gold, KW 12: 96,2 %". */
  label: string;
  href?: string | undefined;
}

export interface SvgDecoration {
  title: string;
  description: string;
  /** Prefix for the SVG's own ids (clip paths), so two charts inlined in one page never share one. */
  idPrefix: string;
  mark?: (seriesIndex: number, dataIndex: number) => MarkDecoration | undefined;
}

// zrender writes one element per line and never puts our strings into an attribute (only colours,
// numbers and our font list), so these patterns see attributes without '>' or stray quotes.
const prolog = /^\s*<\?xml[^>]*\?>\s*/;
const styleElement = /<style\b[^>]*>[\s\S]*?<\/style>\s*/g;
const styleAttribute = / style="([^"]*)"/g;
const zrenderClass = / class="zr\d+-cls-\d+"/g;
const zrenderId = /\bzr\d+-/g;
const taggedPath = /<path\b([^>]*)><\/path>/g;
const metaAttribute = / ecmeta_[a-z_]+="[^"]*"/g;
const hoverTarget = / pointer-events="visible"/g;

const meta = (attributes: string, name: string) => new RegExp(` ecmeta_${name}="([^"]*)"`).exec(attributes)?.[1];

/** `style="font-size:12px;font-family:…"` as presentation attributes, which a CSP does not block. */
function presentationAttributes(declarations: string): string {
  return declarations
    .split(';')
    .map((declaration) => declaration.split(/:(.*)/s).map((part) => part.trim()))
    .filter(([property, value]) => property && value && /^font-[a-z]+$/.test(property))
    .map(([property, value]) => ` ${property}="${escapeXml(value ?? '')}"`)
    .join('');
}

/** Only links within this site or to http(s); never `javascript:` or `data:`. */
export function isSafeHref(href: string): boolean {
  // As a browser reads it: tabs and newlines anywhere and leading control characters do not count.
  const url = href.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https';
}

function decorateMark(path: string, attributes: string, decoration: SvgDecoration): string {
  if (meta(attributes, 'silent') === 'true') return path.replace(/^<path\b/, '<path pointer-events="none"');
  if (!decoration.mark || meta(attributes, 'ssr_type') !== 'chart') return path;
  const seriesIndex = Number(meta(attributes, 'series_index'));
  const dataIndex = Number(meta(attributes, 'data_index'));
  const mark = Number.isInteger(seriesIndex) && Number.isInteger(dataIndex) ? decoration.mark(seriesIndex, dataIndex) : undefined;
  if (!mark) return path;
  const label = escapeXml(mark.label);
  if (mark.href !== undefined && isSafeHref(mark.href)) {
    return `<a href="${escapeXml(mark.href)}" aria-label="${label}"><title>${label}</title>${path}</a>`;
  }
  return path.replace(/<\/path>$/, `<title>${label}</title></path>`);
}

const hasLinks = (svg: string) => svg.includes('<a href=');

export function decorateSvg(raw: string, decoration: SvgDecoration): string {
  const body = raw
    .replace(prolog, '')
    .replace(styleElement, '')
    .replace(styleAttribute, (_, declarations: string) => presentationAttributes(declarations))
    .replace(zrenderClass, '')
    .replace(zrenderId, `${decoration.idPrefix}-`)
    .replace(taggedPath, (path, attributes: string) => decorateMark(path, attributes, decoration))
    .replace(metaAttribute, '')
    // Only bars and points take the pointer: a click on a value label reaches the bar.
    .replace(hoverTarget, '')
    .replace(/<text\b/g, '<text pointer-events="none"');
  // role="img" makes its children presentational, which would hide the links from screen
  // readers; a chart with links is a group of named links instead.
  const role = hasLinks(body) ? 'group' : 'img';
  const title = escapeXml(decoration.title);
  return body.replace(
    /^<svg\b([^>]*)>/,
    (_, attributes: string) => `<svg${attributes} role="${role}" aria-label="${title}" class="report-chart"><title>${title}</title><desc>${escapeXml(decoration.description)}</desc>`,
  );
}

/** FNV-1a, base 36: a short id that stays the same for the same chart. */
export function stableId(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
