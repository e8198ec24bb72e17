// Mail HTML made safe to show in our pages: no scripts, styles or event handlers, and nothing
// that loads from the network when the page opens. A remote image in a customer's mail is a
// tracking pixel (it tells the sender who read it and when, from where), so an image may only
// come from the mail itself (`cid:`) or be inline data (`data:`), in every attribute that loads.
import sanitizeHtml from 'sanitize-html';

const embedded = /^\s*(cid|data):/i;

/** The URLs of a srcset, read as the HTML standard does: a URL runs to whitespace (a data: URL keeps its commas). */
export function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let i = 0;
  while (i < srcset.length) {
    while (i < srcset.length && /[\s,]/.test(srcset[i]!)) i += 1;
    const start = i;
    while (i < srcset.length && !/\s/.test(srcset[i]!)) i += 1;
    const url = srcset.slice(start, i);
    if (!url) break;
    if (url.endsWith(',')) {
      urls.push(url.replace(/,+$/, ''));
      continue;
    }
    // Descriptors ("1x", "300w") up to the next comma outside parentheses.
    let depth = 0;
    for (; i < srcset.length; i += 1) {
      const ch = srcset[i];
      if (ch === '(') depth += 1;
      else if (ch === ')') depth -= 1;
      else if (ch === ',' && depth <= 0) break;
    }
    urls.push(url);
  }
  return urls;
}

/** Whether every image a srcset names is embedded in the mail. */
export function srcsetIsEmbedded(srcset: string): boolean {
  const urls = srcsetUrls(srcset);
  return urls.length > 0 && urls.every((url) => embedded.test(url));
}

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img'],
    // Spelled out rather than the library's defaults: no `style` (CSS url() loads), no
    // `background` (it loads an image on any element), no <picture>/<source>.
    allowedAttributes: { a: ['href', 'name', 'target', 'rel'], img: ['src', 'srcset', 'alt', 'title', 'width', 'height'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    // sanitize-html looks a srcset's schemes up under the attribute's name, not the tag's.
    allowedSchemesByTag: { img: ['cid', 'data'], srcset: ['cid', 'data'] },
    // "//tracker.example/x.png" would load from the network with the page's own scheme.
    allowProtocolRelative: false,
    transformTags: {
      // And whatever the library's lookup does in a later version: no srcset with a remote image.
      // A src without a scheme (a relative path, a UNC path with backslashes) would load from our own origin or the network: only cid: and data: stay.
      img: (tagName, attribs) => {
        const { srcset, src, ...rest } = attribs;
        return {
          tagName,
          attribs: {
            ...rest,
            ...(src !== undefined && embedded.test(src) ? { src } : {}),
            ...(srcset !== undefined && srcsetIsEmbedded(srcset) ? { srcset } : {}),
          },
        };
      },
      // A link that opens a new window must not hand the new page our window (window.opener) or our address (Referer).
      a: (tagName, attribs) => {
        const { rel: _rel, ...rest } = attribs;
        return { tagName, attribs: attribs.target !== undefined ? { ...rest, rel: 'noopener noreferrer' } : rest };
      },
    },
  });
}
