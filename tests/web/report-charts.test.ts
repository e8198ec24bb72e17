// The report charts: SVG that is safe to inline (escaped labels, no script, no style), named for
// screen readers, with drill-down links on the bars, values written per language, the target
// line, an empty state, the same output for the same input, and the mail's PNG with real text.
import { describe, expect, it } from 'vitest';
import { barChart, formatValue, lineChart, palette, seriesColours, svgToPng, tierColours, type BarChartSpec, type LineChartSpec } from '../../src/web/reports/charts.js';

const nbsp = '\u00a0';

const compliance = (language: 'de' | 'en', extra: Partial<BarChartSpec> = {}): BarChartSpec => ({
  language,
  title: language === 'de' ? 'SLA-Einhaltung je Vertragsstufe' : 'SLA compliance by tier',
  description: language === 'de' ? 'Erfüllte Ziele in KW 12' : 'Targets met in week 12',
  format: 'percent',
  categories: language === 'de' ? ['Silber', 'Gold', 'Platin'] : ['Silver', 'Gold', 'Platinum'],
  series: [{ name: language === 'de' ? 'Reaktionszeit' : 'Response time', values: [0.962, 0.9, 1] }],
  target: { value: 0.95 },
  ...extra,
});

const weeks: LineChartSpec = {
  language: 'en',
  title: 'Compliance by week',
  description: 'Weeks 10 to 13, one line per contract tier',
  format: 'percent',
  categories: ['W10', 'W11', 'W12', 'W13'],
  series: [
    { name: 'Silver', key: 'silver', values: [0.9, 0.92, null, 0.95] },
    { name: 'Gold', key: 'gold', values: [0.95, 0.96, 0.97, 0.99] },
    { name: 'Platinum', key: 'platinum', values: [0.99, 0.98, 1, 0.97] },
  ],
  target: { value: 0.95 },
};

/** The text nodes of an SVG, unescaped back for comparison. */
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
const links = (svg: string) => [...svg.matchAll(/<a href="([^"]*)" aria-label="([^"]*)"><title>[^<]*<\/title><path\b[^>]*><\/path><\/a>/g)].map((m) => ({ href: m[1]!.replace(/&#38;/g, '&'), label: m[2]! }));

describe('formatValue', () => {
  it('writes percentages and counts per language', () => {
    expect(formatValue(0.962, 'percent', 'de')).toBe(`96,2${nbsp}%`);
    expect(formatValue(0.962, 'percent', 'en')).toBe('96.2%');
    expect(formatValue(0.95, 'percent', 'de')).toBe(`95${nbsp}%`);
    expect(formatValue(1234, 'count', 'de')).toBe('1.234');
    expect(formatValue(1234, 'count', 'en')).toBe('1,234');
  });
});

describe('barChart', () => {
  it('draws the categories, the values and the percent axis in German', () => {
    const svg = barChart(compliance('de'));
    const words = texts(svg);
    expect(words).toEqual(expect.arrayContaining(['Silber', 'Gold', 'Platin', `96,2${nbsp}%`, `90${nbsp}%`, `100${nbsp}%`, `0${nbsp}%`, 'SLA-Einhaltung je Vertragsstufe']));
  });

  it('draws them in English', () => {
    const words = texts(barChart(compliance('en')));
    expect(words).toEqual(expect.arrayContaining(['Silver', 'Gold', 'Platinum', '96.2%', '90%', '100%', '0%']));
  });

  it('draws the target as a dashed line with its label', () => {
    const svg = barChart(compliance('de'));
    expect(texts(svg)).toContain(`Ziel 95${nbsp}%`);
    expect(svg).toMatch(/<path pointer-events="none" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+"[^>]*stroke="#1b1f24"[^>]*stroke-dasharray/);
    expect(texts(barChart(compliance('en', { target: { value: 0.95, label: 'Contract' } })))).toContain('Contract 95%');
    const withoutTarget = barChart(compliance('de', { target: undefined }));
    expect(withoutTarget).not.toContain('stroke-dasharray');
    expect(texts(withoutTarget).filter((t) => t.startsWith('Ziel'))).toEqual([]);
  });

  it('counts with thousands separators, stacked', () => {
    const svg = barChart({
      language: 'de',
      title: 'Verletzungen',
      description: 'Je Woche und Stufe',
      format: 'count',
      stacked: true,
      categories: ['KW 1', 'KW 2'],
      series: [
        { name: 'Silber', values: [1200, 800] },
        { name: 'Gold', values: [300, 400] },
      ],
    });
    expect(texts(svg)).toEqual(expect.arrayContaining(['KW 1', 'KW 2', '1.200', '800', '300', '400', 'Silber', 'Gold']));
  });

  it('escapes hostile labels everywhere, and keeps script and style out', () => {
    const hostile = '<script>alert(1)</script>"&\'';
    const svg = barChart({
      ...compliance('en', { href: () => `/reports?x="><script>&'` }),
      title: hostile,
      description: hostile,
      categories: [hostile, 'Gold'],
      series: [
        { name: hostile, values: [0.5, 0.6] },
        { name: 'B', values: [0.7, 0.8] },
      ],
      target: { value: 0.95, label: hostile },
    });
    expect(svg).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(svg).not.toContain(hostile);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;');
    expect(texts(svg)).toContain(hostile);
    // Every attribute value is a closed, quoted string without markup in it.
    for (const tag of svg.match(/<[a-z][^>]*>/gi) ?? []) expect(tag).toMatch(/^<[a-z]+(?: [a-z:_-]+="[^"<>]*")* ?>$/i);
    expect(svg).toContain('<a href="/reports?x=&#34;&#62;&#60;script&#62;&#38;&#39;"');
  });

  it('wraps each bar in a link to its drill-down, named for screen readers', () => {
    const svg = barChart({
      ...compliance('de'),
      series: [
        { name: 'Reaktion', values: [0.962, 0.9, 1] },
        { name: 'Lösung', values: [0.8, null, 0.99] },
      ],
      href: (category, series) => (category === 2 && series === 0 ? undefined : `/reports/compliance?tier=${category}&measure=${series}`),
    });
    expect(links(svg)).toEqual([
      { href: '/reports/compliance?tier=0&measure=0', label: `Reaktion, Silber: 96,2${nbsp}%` },
      { href: '/reports/compliance?tier=1&measure=0', label: `Reaktion, Gold: 90${nbsp}%` },
      { href: '/reports/compliance?tier=0&measure=1', label: `Lösung, Silber: 80${nbsp}%` },
      { href: '/reports/compliance?tier=2&measure=1', label: `Lösung, Platin: 99${nbsp}%` },
    ]);
    // The bar without a link still names itself as a tooltip.
    expect(svg).toContain(`<title>Reaktion, Platin: 100${nbsp}%</title></path>`);
    // A group of links, not an image: role="img" would hide its links from screen readers.
    expect(svg).toMatch(/^<svg [^>]*role="group" aria-label="SLA-Einhaltung je Vertragsstufe"/);
  });

  it('never links to a script or data URL', () => {
    const svg = barChart(compliance('en', { href: (i) => ['javascript:alert(1)', ' java\tscript:alert(1)', 'data:text/html,x'][i] }));
    expect(links(svg)).toEqual([]);
    expect(svg).not.toMatch(/javascript|data:text/);
    expect(links(barChart(compliance('en', { href: () => 'https://example.org/r?a=1' })))).toHaveLength(3);
  });

  it('is an image with a name and a description, without prolog or ECharts bookkeeping', () => {
    const svg = barChart(compliance('en'));
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg).not.toContain('<?xml');
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="SLA compliance by tier"[^>]*><title>SLA compliance by tier<\/title><desc>Targets met in week 12<\/desc>/);
    expect(svg).toMatch(/width="640" height="320"[^>]*viewBox="0 0 640 320"/);
    expect(svg).not.toMatch(/ecmeta_|zr\d+-|class="zr/);
    expect(barChart(compliance('en', { width: 480, height: 240 }))).toMatch(/width="480" height="240"/);
    expect(barChart(compliance('en', { showTitle: false }))).not.toMatch(/<text[^>]*>SLA compliance by tier<\/text>/);
  });

  it('gives the same output for the same chart, whatever was drawn before', () => {
    const first = lineChart(weeks);
    barChart(compliance('de'));
    lineChart({ ...weeks, title: 'Other' });
    expect(lineChart(weeks)).toBe(first);
    // Its own ids (clip paths) are its own: another chart on the same page has others.
    const ids = (svg: string) => [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(first).length).toBeGreaterThan(0);
    expect(ids(lineChart({ ...weeks, title: 'Other' }))).not.toEqual(expect.arrayContaining(ids(first)));
  });

  it('draws one category', () => {
    const svg = barChart(compliance('en', { categories: ['Gold'], series: [{ name: 'Response', values: [0.97] }], href: () => '/r/gold' }));
    expect(texts(svg)).toEqual(expect.arrayContaining(['Gold', '97%']));
    expect(links(svg)).toEqual([{ href: '/r/gold', label: 'Gold: 97%' }]);
  });

  it('shows an empty state for no categories, no series or no values', () => {
    for (const spec of [compliance('de', { categories: [], series: [] }), compliance('de', { series: [] }), compliance('de', { series: [{ name: 'R', values: [null, null, null] }] })]) {
      const svg = barChart(spec);
      expect(texts(svg)).toEqual(['Keine Daten', 'SLA-Einhaltung je Vertragsstufe']);
      expect(svg).toMatch(/role="img" aria-label="SLA-Einhaltung je Vertragsstufe"[^>]*><title>[^<]*<\/title><desc>Erfüllte Ziele in KW 12 \(Keine Daten\)<\/desc>/);
      expect(svg).not.toContain('<a ');
    }
    expect(texts(barChart(compliance('en', { categories: [], emptyText: 'No incidents ended this week' })))).toContain('No incidents ended this week');
  });

  it('leaves out what is not a number, and values past the categories', () => {
    const svg = barChart(compliance('en', { series: [{ name: 'R', values: [Number.NaN, 0.9, Number.POSITIVE_INFINITY, 0.5] }], href: (i) => `/r/${i}` }));
    expect(svg).not.toMatch(/NaN|Infinity|∞/);
    expect(links(svg)).toEqual([{ href: '/r/1', label: 'Gold: 90%' }]);
    expect(texts(barChart(compliance('en', { series: [{ name: 'R', values: [Number.NaN] }] })))).toContain('No data');
  });

  it('draws zeros as data, not as an empty state', () => {
    const svg = barChart({ language: 'en', title: 'Breaches', description: 'd', format: 'count', categories: ['W1', 'W2'], series: [{ name: 'All', values: [0, 0] }] });
    expect(texts(svg)).toEqual(expect.arrayContaining(['W1', 'W2', '0']));
    expect(texts(svg)).not.toContain('No data');
  });
});

describe('lineChart', () => {
  it('draws one line per tier with the weeks, the axis values and the target', () => {
    const svg = lineChart(weeks);
    expect(texts(svg)).toEqual(expect.arrayContaining(['W10', 'W11', 'W12', 'W13', 'Silver', 'Gold', 'Platinum', 'Target 95%', '100%', '90%']));
    for (const colour of [tierColours.silver, tierColours.gold, tierColours.platinum]) expect(svg).toContain(`stroke="${colour}"`);
  });

  it('writes German values and links each point', () => {
    const svg = lineChart({ ...weeks, language: 'de', href: (week, tier) => `/reports/weeks/${week}?tier=${tier}` });
    expect(texts(svg)).toEqual(expect.arrayContaining([`Ziel 95${nbsp}%`, `100${nbsp}%`]));
    const all = links(svg);
    expect(all).toHaveLength(11); // 12 points, one of them missing
    expect(all).toContainEqual({ href: '/reports/weeks/0?tier=1', label: `Gold, W10: 95${nbsp}%` });
    expect(all.map((l) => l.href)).not.toContain('/reports/weeks/2?tier=0');
  });

  it('draws one week, and an empty state without weeks', () => {
    expect(texts(lineChart({ ...weeks, categories: ['W13'], series: [{ name: 'Gold', values: [0.99] }] }))).toContain('W13');
    expect(texts(lineChart({ ...weeks, categories: [] }))).toContain('No data');
  });
});

describe('colours', () => {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

  it('have at least AA contrast against white (text and white labels on bars)', () => {
    for (const colour of [...palette, ...Object.values(tierColours)]) expect(contrastWithWhite(colour), colour).toBeGreaterThanOrEqual(4.5);
  });

  it('are fixed per tier, in any order and language, and distinct otherwise', () => {
    expect(seriesColours([{ name: 'Platin', values: [] }, { name: 'Silber', values: [] }, { name: 'Gold', values: [] }])).toEqual([tierColours.platinum, tierColours.silver, tierColours.gold]);
    expect(seriesColours([{ name: 'Premium', key: 'gold', values: [] }])).toEqual([tierColours.gold]);
    const others = seriesColours(['A', 'B', 'C'].map((name) => ({ name, values: [] })));
    expect(new Set(others).size).toBe(3);
  });
});

describe('svgToPng', () => {
  const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const widthOf = (png: Uint8Array) => new DataView(png.buffer, png.byteOffset).getUint32(16);
  const heightOf = (png: Uint8Array) => new DataView(png.buffer, png.byteOffset).getUint32(20);

  it('gives a PNG of the chart at its own size, or scaled to a width', () => {
    const svg = barChart(compliance('de', { href: (i) => `/r/${i}` }));
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(pngSignature);
    expect([widthOf(png), heightOf(png)]).toEqual([640, 320]);
    const sharp = svgToPng(svg, { width: 1280 });
    expect([widthOf(sharp), heightOf(sharp)]).toEqual([1280, 640]);
  });

  it('draws the text (real fonts are found)', () => {
    const svg = lineChart(weeks);
    const withoutText = svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, '');
    expect(withoutText).not.toContain('<text');
    const png = svgToPng(svg);
    expect(Buffer.from(png).equals(Buffer.from(svgToPng(withoutText)))).toBe(false);
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('renders the empty state', () => {
    const png = svgToPng(barChart(compliance('en', { categories: [] })));
    expect([...png.subarray(0, 8)]).toEqual(pngSignature);
    expect(Buffer.from(png).equals(Buffer.from(svgToPng(barChart(compliance('en', { categories: [], emptyText: ' ' })))))).toBe(false);
  });
});
