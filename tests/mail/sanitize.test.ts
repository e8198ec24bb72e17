// Mail HTML as our pages show it: nothing loads from the network (no tracking pixel), links that
// open a new window cannot reach back into ours.
import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml, srcsetUrls } from '../../src/mail/sanitize.js';

describe('sanitized mail HTML', () => {
  it('drops a srcset that loads from the network, and keeps one that is embedded', () => {
    const tracked = sanitizeMailHtml('<img srcset="http://tracker.example/x.png 1x" alt="logo">');
    expect(tracked).not.toContain('tracker.example');
    expect(tracked).toContain('alt="logo"');
    const mixed = sanitizeMailHtml('<img srcset="cid:logo@acme 1x, https://tracker.example/x.png 2x">');
    expect(mixed).not.toContain('tracker.example');
    const embedded = sanitizeMailHtml('<img srcset="cid:logo@acme 1x, data:image/png;base64,iVBORw0KGgo= 2x">');
    expect(embedded).toContain('srcset="cid:logo@acme 1x, data:image/png;base64,iVBORw0KGgo= 2x"');
  });

  it('keeps an image only from cid: or data: in src', () => {
    expect(sanitizeMailHtml('<img src="http://tracker.example/p.gif">')).not.toContain('tracker.example');
    expect(sanitizeMailHtml('<img src="cid:part1@acme">')).toContain('src="cid:part1@acme"');
    expect(sanitizeMailHtml('<img src="data:image/gif;base64,R0lGOD">')).toContain('src="data:image/gif;base64,R0lGOD"');
  });

  it('drops a src without a scheme: protocol-relative, backslashed or relative', () => {
    for (const src of ['//tracker.example/x.png', '\\\\tracker.example\\x.png', '/\\tracker.example/x.png', 'x.png', ' //tracker.example/x.png']) {
      const out = sanitizeMailHtml(`<img src="${src}" alt="p">`);
      expect(out, src).not.toContain('src=');
      expect(out).toContain('alt="p"');
    }
  });

  it('drops the background attribute on any element', () => {
    for (const tag of ['body', 'table', 'td', 'div']) {
      expect(sanitizeMailHtml(`<${tag} background="http://tracker.example/bg.png">x</${tag}>`)).not.toContain('tracker.example');
    }
  });

  it('drops style attributes and style elements, whose url() would load', () => {
    const html = sanitizeMailHtml('<div style="background-image:url(http://tracker.example/s.png)">x</div><style>p{background:url(http://tracker.example/t.png)}</style><p>y</p>');
    expect(html).not.toContain('tracker.example');
    expect(html).toContain('<p>y</p>');
  });

  it('drops <picture><source srcset> and keeps the embedded fallback image', () => {
    const html = sanitizeMailHtml('<picture><source srcset="http://tracker.example/p.webp" type="image/webp"><img src="cid:fallback@acme"></picture>');
    expect(html).not.toContain('tracker.example');
    expect(html).toContain('src="cid:fallback@acme"');
  });

  it('adds rel="noopener noreferrer" to links with a target, whatever rel they brought', () => {
    expect(sanitizeMailHtml('<a href="https://acme.example/" target="_blank">x</a>')).toBe('<a href="https://acme.example/" target="_blank" rel="noopener noreferrer">x</a>');
    expect(sanitizeMailHtml('<a href="https://acme.example/" target="_blank" rel="opener">x</a>')).toContain('rel="noopener noreferrer"');
    expect(sanitizeMailHtml('<a href="https://acme.example/">x</a>')).toBe('<a href="https://acme.example/">x</a>');
  });

  it('reads srcset URLs as the HTML standard does (commas inside a data: URL are no separator)', () => {
    expect(srcsetUrls('a.png 1x, data:image/png;base64,AA,BB 2x,c.png 300w')).toEqual(['a.png', 'data:image/png;base64,AA,BB', 'c.png']);
    expect(srcsetUrls('cid:a,')).toEqual(['cid:a']);
  });
});
