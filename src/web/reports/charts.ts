// The charts of the report pages and the weekly report mail: ECharts draws them as SVG on the
// server (no JavaScript in the browser); the mail gets the same SVG as a PNG, drawn by resvg.
import { existsSync } from 'node:fs';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  type GraphicComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TitleComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ContractTier, Language } from '../../domain/enums.js';
import { decorateSvg, stableId } from './svg.js';

use([BarChart, LineChart, GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, SVGRenderer]);

/** `percent`: the values are fractions (0.962 is drawn as "96,2 %"); `count`: whole numbers. */
export type ValueFormat = 'percent' | 'count';

export interface ChartSeries {
  /** As the legend and screen readers name it ("Gold", "Platin"). */
  name: string;
  /** Picks the colour, so a series keeps its colour in every chart: a contract tier, or any stable key; defaults to the name. */
  key?: ContractTier | (string & {});
  /** One value per category; null where there is nothing to measure (no ended targets that week). */
  values: readonly (number | null)[];
}

export interface ChartTarget {
  /** In the chart's format: 0.95 for the contracted 95 %. */
  value: number;
  /** Defaults to "Ziel" / "Target"; the value is written after it. */
  label?: string;
}

export interface ChartSpec {
  language: Language;
  /** The chart's accessible name (and its drawn heading unless `showTitle` is false). */
  title: string;
  /** What the chart shows, for screen readers: period, measure, the main finding. */
  description: string;
  categories: readonly string[];
  series: readonly ChartSeries[];
  format: ValueFormat;
  /** A horizontal reference line, such as the contracted compliance target. */
  target?: ChartTarget;
  /** The drill-down page of one bar or point; undefined for none. */
  href?: (categoryIndex: number, seriesIndex: number) => string | undefined;
  /** Pixels; default 640 × 320. */
  width?: number;
  height?: number;
  /** Draw the title into the chart (the mail wants it; a page with its own heading may not). Default true. */
  showTitle?: boolean;
  /** Shown instead of the chart when there is no value at all; defaults to "Keine Daten" / "No data". */
  emptyText?: string;
}

export interface BarChartSpec extends ChartSpec {
  /** Stack the series on each other (counts per tier); default side by side. */
  stacked?: boolean;
  /** Write each bar's value on it; default true. */
  valueLabels?: boolean;
}

/** Trends over time: the categories are periods (weeks), one line per series. */
export type LineChartSpec = ChartSpec;

export interface PngOptions {
  /** Pixels; the SVG is scaled to it (twice the SVG's width gives a sharp image in mail). Default the SVG's own width. */
  width?: number;
}

// web.css: --ink, --muted, --line, the input border, --paper, and its font stack (single quotes:
// zrender writes it into an attribute without escaping). Every series colour has at least 5:1
// contrast against white, so white labels on bars and coloured text on the page both pass WCAG AA.
const ink = '#1b1f24';
const muted = '#4d5661';
const line = '#d4d9df';
const axis = '#8a939c';
const paper = '#ffffff';
const fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** Fixed colours of the contract tiers, by key and by their English and German names. */
export const tierColours: Record<ContractTier, string> = { silver: '#66707a', gold: '#8a6400', platinum: '#4a3fb0' };
const tierNames: Record<string, ContractTier> = { silver: 'silver', silber: 'silver', gold: 'gold', platinum: 'platinum', platin: 'platinum' };
/** Other series take these in order, skipping any colour a tier in the same chart has. */
export const palette = ['#0b5cad', '#8a4b00', '#00707a', '#a3195b', '#1d6b35', '#6a3d9a', '#5f6770', '#7a5c00'] as const;

export function seriesColours(series: readonly ChartSeries[]): string[] {
  const tierOf = (s: ChartSeries) => tierNames[(s.key ?? s.name).trim().toLowerCase()];
  const taken = new Set(series.map(tierOf).filter((tier) => tier !== undefined).map((tier) => tierColours[tier]));
  const free = palette.filter((colour) => !taken.has(colour));
  let next = 0;
  return series.map((s) => {
    const tier = tierOf(s);
    return tier ? tierColours[tier] : (free[next++ % free.length] ?? palette[0]);
  });
}

const words: Record<Language, { target: string; empty: string }> = {
  de: { target: 'Ziel', empty: 'Keine Daten' },
  en: { target: 'Target', empty: 'No data' },
};

// As in format.ts: German as in Germany, English as in Britain. Built once per locale and format.
const numberFormats = new Map<string, Intl.NumberFormat>();
/** "96,2 %" / "96.2%" (the German space is a no-break space), "1.234" / "1,234". */
export function formatValue(value: number, format: ValueFormat, language: Language): string {
  const key = `${language}|${format}`;
  let f = numberFormats.get(key);
  if (!f) {
    const tag = language === 'de' ? 'de-DE' : 'en-GB';
    f = new Intl.NumberFormat(tag, format === 'percent' ? { style: 'percent', maximumFractionDigits: 1 } : { maximumFractionDigits: 0 });
    numberFormats.set(key, f);
  }
  return f.format(value);
}

type Option = ComposeOption<
  BarSeriesOption | LineSeriesOption | GraphicComponentOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TitleComponentOption
>;
type Kind = 'bar' | 'line';
const defaultSize = { width: 640, height: 320 };
/** Lines differ in their points' shape too, for readers who cannot tell the colours apart and for grey print. */
const symbols = ['circle', 'rect', 'diamond', 'triangle'] as const;

const text = (size: number, colour = muted) => ({ fontFamily, fontSize: size, color: colour });
/** A white edge around text that may cross a line (the target, grid lines). */
const halo = { textBorderColor: paper, textBorderWidth: 3 };
const emptyText = (spec: ChartSpec) => spec.emptyText ?? words[spec.language].empty;
/** A series' value for a category, or null where there is none (also for NaN and values past the categories). */
const valueAt = (series: ChartSeries, categoryIndex: number): number | null => {
  const value = series.values[categoryIndex];
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
};
const valuesOf = (spec: ChartSpec, series: ChartSeries) => spec.categories.map((_, i) => valueAt(series, i));
const isEmpty = (spec: ChartSpec) => !spec.series.some((s) => valuesOf(spec, s).some((v) => v !== null));

function titleOption(spec: ChartSpec): TitleComponentOption | undefined {
  if (spec.showTitle === false) return undefined;
  return { text: spec.title, left: 8, top: 8, textStyle: { ...text(16, ink), fontWeight: 600, width: (spec.width ?? defaultSize.width) - 16, overflow: 'truncate' } };
}

function emptyOption(spec: ChartSpec): Option {
  const title = titleOption(spec);
  return {
    animation: false,
    backgroundColor: paper,
    ...(title ? { title } : {}),
    graphic: { type: 'text', left: 'center', top: 'middle', style: { text: emptyText(spec), fill: muted, fontSize: 14, fontFamily } },
  };
}

const numbers = (values: readonly (number | null)[]) => values.filter((v): v is number => v !== null);

/**
 * The value axis: bars start at zero; percent lines start just below their lowest value or the
 * target, in steps of 5 or 10 points, and end at 100 % unless a value lies above.
 */
function valueAxis(spec: ChartSpec, kind: Kind): { min: number; max?: number; interval?: number; minInterval?: number } {
  const values = numbers(spec.series.flatMap((s) => valuesOf(spec, s)));
  if (spec.format === 'count') return { min: Math.min(0, ...values), minInterval: 1 };
  const highest = Math.max(...values, spec.target?.value ?? 0);
  const lowest = kind === 'bar' ? 0 : Math.max(0, Math.floor((Math.min(...values, spec.target?.value ?? 1) - 0.05) * 10) / 10);
  if (highest > 1) return { min: lowest };
  const span = 1 - lowest;
  return { min: lowest, max: 1, interval: span <= 0.3 ? 0.05 : span <= 0.6 ? 0.1 : 0.2 };
}

/** The tallest stack of bars: a segment much smaller than it has no room for its label. */
function tallestStack(spec: ChartSpec): number {
  const stacks = spec.categories.map((_, i) => numbers(spec.series.map((s) => valueAt(s, i))).reduce((sum, v) => sum + Math.max(0, v), 0));
  return Math.max(0, ...stacks);
}

function targetLine(spec: ChartSpec): MarkLineComponentOption | undefined {
  const target = spec.target;
  if (!target) return undefined;
  const label = `${target.label ?? words[spec.language].target} ${formatValue(target.value, spec.format, spec.language)}`;
  return {
    silent: true,
    // Above the grid, below the bars' value labels (which ECharts draws at z 2 with their bars).
    z: 2,
    symbol: 'none',
    lineStyle: { color: ink, type: 'dashed', width: 1.5 },
    label: { formatter: label, position: 'insideEndTop', ...text(12, ink), ...halo },
    data: [{ yAxis: target.value }],
  };
}

function chartOption(spec: ChartSpec & Partial<BarChartSpec>, kind: Kind): Option {
  const colours = seriesColours(spec.series);
  const title = titleOption(spec);
  const legend = spec.series.length > 1;
  const format = (value: number) => formatValue(value, spec.format, spec.language);
  const stacked = kind === 'bar' && spec.stacked === true;
  const marks = targetLine(spec);
  const smallest = stacked ? tallestStack(spec) * 0.06 : -Infinity;
  const series = spec.series.map((s, index): BarSeriesOption | LineSeriesOption => {
    const colour = colours[index] ?? palette[0];
    const common = { name: s.name, data: valuesOf(spec, s), ...(index === 0 && marks ? { markLine: marks } : {}) };
    if (kind === 'line') {
      return { ...common, type: 'line', clip: false, symbol: symbols[index % symbols.length], symbolSize: 9, color: colour, lineStyle: { color: colour, width: 2.5 }, itemStyle: { color: colour } };
    }
    return {
      ...common,
      type: 'bar',
      ...(stacked ? { stack: 'total' } : {}),
      barMaxWidth: 48,
      itemStyle: { color: colour },
      label: {
        show: spec.valueLabels ?? true,
        position: stacked ? 'inside' : 'top',
        ...(stacked ? text(12, paper) : { ...text(12, ink), ...halo }),
        formatter: (p: { value?: unknown }) => (typeof p.value === 'number' && p.value >= smallest ? format(p.value) : ''),
      },
      labelLayout: { hideOverlap: true },
    };
  });
  return {
    animation: false,
    backgroundColor: paper,
    textStyle: { fontFamily },
    ...(title ? { title } : {}),
    ...(legend ? { legend: { bottom: 8, selectedMode: false, textStyle: text(12, ink), itemGap: 16 } } : {}),
    grid: { left: 16, right: 24, top: title ? 52 : 16, bottom: legend ? 44 : 12, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      type: 'category',
      data: [...spec.categories],
      boundaryGap: kind === 'bar',
      axisLine: { lineStyle: { color: axis } },
      axisTick: { show: false },
      axisLabel: { ...text(12), interval: spec.categories.length <= 12 ? 0 : 'auto', hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      ...valueAxis(spec, kind),
      splitLine: { lineStyle: { color: line } },
      axisLabel: { ...text(12), formatter: format },
    },
    series,
  };
}

function render(spec: ChartSpec & Partial<BarChartSpec>, kind: Kind): string {
  const width = spec.width ?? defaultSize.width;
  const height = spec.height ?? defaultSize.height;
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  const empty = isEmpty(spec);
  let raw: string;
  try {
    chart.setOption(empty ? emptyOption(spec) : chartOption(spec, kind));
    raw = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const format = (value: number) => formatValue(value, spec.format, spec.language);
  return decorateSvg(raw, {
    title: spec.title,
    // A screen reader hears the name and the description only, so they say that there is no data.
    description: empty ? `${spec.description} (${emptyText(spec)})` : spec.description,
    idPrefix: `chart-${stableId(JSON.stringify([kind, spec.title, spec.categories, spec.series, width, height]))}`,
    mark: (seriesIndex, categoryIndex) => {
      const series = spec.series[seriesIndex];
      const category = spec.categories[categoryIndex];
      const value = series ? valueAt(series, categoryIndex) : null;
      if (!series || category === undefined || value === null) return undefined;
      const label = `${spec.series.length > 1 ? `${series.name}, ` : ''}${category}: ${format(value)}`;
      return { label, href: spec.href?.(categoryIndex, seriesIndex) };
    },
  });
}

/**
 * Categories along the x axis, one bar per series and category (or stacked), with an optional
 * target line. Returns SVG markup that is safe to inline into a page (hono's `raw()`).
 */
export function barChart(spec: BarChartSpec): string {
  return render(spec, 'bar');
}

/** A trend over periods (weeks), one line per series, with an optional target line; SVG as barChart. */
export function lineChart(spec: LineChartSpec): string {
  return render(spec, 'line');
}

// resvg draws text only with real font files. DejaVu Sans (Debian's fonts-dejavu-core, listed in
// .ci/run) is loaded on its own, which is fast; without it resvg searches the system's fonts.
const dejaVu = '/usr/share/fonts/truetype/dejavu';
let fonts: ResvgRenderOptions['font'] | undefined;
function fontOptions(): NonNullable<ResvgRenderOptions['font']> {
  if (!fonts) {
    const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => `${dejaVu}/${file}`).filter((file) => existsSync(file));
    fonts = files.length > 0 ? { loadSystemFonts: false, fontFiles: files, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } : { loadSystemFonts: true };
  }
  return fonts;
}

/** A chart's SVG as PNG, for the mail; on white, since mail clients may show it on any colour. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    font: fontOptions(),
    background: paper,
    fitTo: options.width ? { mode: 'width', value: Math.round(options.width) } : { mode: 'original' },
  });
  return resvg.render().asPng();
}
