// The weekly report mail's content: the dashboard's headline per tier as lines, the compliance
// trend and the escalations as PNG images inline in the HTML part (cid references), and the
// week's SLA report per tier as a CSV attachment. Pure content; the activity writes and sends it.
import type { OutboxAttachment } from '../../db/schema/outbox.js';
import type { ContractTier, Language } from '../../domain/enums.js';
import { barChart, formatValue, lineChart, svgToPng } from '../../web/reports/charts.js';
import { writeCsv } from '../spreadsheet-csv.js';
import type { Dashboard, TierHeadline } from './dashboard.js';
import { slaCsvColumns, slaCsvRows, type SlaReport } from './sla-report.js';

export interface WeeklyReportMail {
  subject: string;
  text: string;
  html: string;
  attachments: OutboxAttachment[];
}

const words = {
  de: {
    subject: (week: string) => `Wochenbericht ${week}: SLA-Einhaltung`,
    intro: (week: string, from: string, to: string) => `SLA-Einhaltung in der Woche ${week} (${from} bis ${to}):`,
    tiers: { silver: 'Silber', gold: 'Gold', platinum: 'Platin' },
    points: 'Pp.',
    target: 'Ziel',
    none: 'keine beendeten Ziele',
    trend: 'SLA-Einhaltung je Woche',
    trendDescription: 'Anteil der eingehaltenen SLA-Ziele je Vertragsstufe in den letzten zwölf Wochen.',
    escalations: 'Eskalationen je Woche',
    escalationsDescription: 'Vorfälle, die Stufe 2 und Stufe 3 erreichten, in den letzten zwölf Wochen.',
    level: (n: number) => `Stufe ${n}`,
    csv: 'Die Zahlen je Vertragsstufe und Ziel liegen als CSV bei.',
    footer: 'Sie erhalten diese Mail, weil Sie den Wochenbericht abonniert haben (DELETE /api/reports/subscriptions beendet das Abo).',
  },
  en: {
    subject: (week: string) => `Weekly report ${week}: SLA compliance`,
    intro: (week: string, from: string, to: string) => `SLA compliance in week ${week} (${from} to ${to}):`,
    tiers: { silver: 'Silver', gold: 'Gold', platinum: 'Platinum' },
    points: 'pp',
    target: 'target',
    none: 'no targets ended',
    trend: 'SLA compliance per week',
    trendDescription: 'Share of SLA targets met per contract tier over the last twelve weeks.',
    escalations: 'Escalations per week',
    escalationsDescription: 'Incidents that reached level 2 and level 3 over the last twelve weeks.',
    level: (n: number) => `Level ${n}`,
    csv: 'The figures per tier and target are attached as CSV.',
    footer: 'You get this mail because you subscribed to the weekly report (DELETE /api/reports/subscriptions ends it).',
  },
} satisfies Record<Language, unknown>;

const percentText = (value: number, language: Language) => formatValue(value / 100, 'percent', language);

/** "+1,3 Pp." / "−1.3 pp"; a true minus sign. */
function pointsText(points: number, language: Language): string {
  const n = new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 }).format(Math.abs(points));
  const sign = points > 0 ? '+' : points < 0 ? '\u2212' : '±';
  return `${sign}${n}${language === 'de' ? '\u00a0' : ' '}${words[language].points}`;
}

/** "Gold 96,2 % (−1,3 Pp.) – Ziel 95 %". */
export function headlineLine(h: TierHeadline, language: Language): string {
  const w = words[language];
  const figure = h.compliancePercent === null ? w.none : percentText(h.compliancePercent, language);
  const change = h.changePoints === null ? '' : ` (${pointsText(h.changePoints, language)})`;
  return `${w.tiers[h.tier]} ${figure}${change} – ${w.target} ${percentText(h.targetPercent, language)}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const png = (svg: string) => svgToPng(svg, { width: 1280 }).toString('base64');

export function weeklyReportMail(input: { week: string; language: Language; dashboard: Dashboard; sla: SlaReport }): WeeklyReportMail {
  const { week, language, dashboard } = input;
  const w = words[language];
  const tierName = (tier: ContractTier) => w.tiers[tier];
  const lines = dashboard.headline.map((h) => headlineLine(h, language));
  const intro = w.intro(week, dashboard.period.from, dashboard.period.to);
  const trend = lineChart({
    language,
    title: w.trend,
    description: w.trendDescription,
    categories: dashboard.trend.weeks,
    series: dashboard.trend.series.map((s) => ({ name: tierName(s.tier), key: s.tier, values: s.values.map((v) => (v === null ? null : v / 100)) })),
    format: 'percent',
  });
  const escalations = barChart({
    language,
    title: w.escalations,
    description: w.escalationsDescription,
    categories: dashboard.escalationsPerWeek.map((e) => e.week),
    series: [
      { name: w.level(2), key: 'level-2', values: dashboard.escalationsPerWeek.map((e) => e.level2Incidents) },
      { name: w.level(3), key: 'level-3', values: dashboard.escalationsPerWeek.map((e) => e.level3Incidents) },
    ],
    format: 'count',
  });
  const images = [
    { cid: `trend-${week}@weekly-report`, filename: `sla-trend-${week}.png`, alt: w.trend, svg: trend },
    { cid: `escalations-${week}@weekly-report`, filename: `escalations-${week}.png`, alt: w.escalations, svg: escalations },
  ];
  const csv = writeCsv([...slaCsvRows(input.sla)], { columns: slaCsvColumns, dialect: 'spreadsheet' });
  const text = [intro, '', ...lines.map((l) => `- ${l}`), '', w.csv, '', w.footer].join('\n');
  const html = [
    `<!doctype html><html lang="${language}"><body style="font-family: sans-serif; color: #1b1f24">`,
    `<p>${escapeHtml(intro)}</p>`,
    `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    ...images.map((i) => `<p><img src="cid:${i.cid}" alt="${escapeHtml(i.alt)}" width="640" style="max-width: 100%; height: auto"></p>`),
    `<p>${escapeHtml(w.csv)}</p>`,
    `<p style="color: #4d5661; font-size: 12px">${escapeHtml(w.footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return {
    subject: w.subject(week),
    text,
    html,
    attachments: [
      ...images.map((i) => ({ filename: i.filename, contentType: 'image/png', contentBase64: png(i.svg), cid: i.cid })),
      { filename: `sla-${week}.csv`, contentType: 'text/csv; charset=utf-8', contentBase64: Buffer.from(csv, 'utf8').toString('base64') },
    ],
  };
}
