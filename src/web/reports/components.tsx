// The pieces every report page shares: the frame (navigation, language switch, sign-out), the
// period picker, a chart with its data table and CSV link, and the numbers written out.
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Language } from '../../domain/enums.js';
import type { StaffMember } from '../../services/staff/sessions.js';
import { date } from '../format.js';
import { Layout } from '../layout.js';
import { formatValue } from './charts.js';
import { query, quickPeriod, quickPeriods, type PeriodInput } from './http.js';
import type { ReportMessages } from './messages.js';

/** What every page is rendered with. */
export interface PageContext {
  t: ReportMessages;
  language: Language;
  zone: string;
  member: StaffMember | null;
  csrfToken: string;
  /** This page with its query, for the language switch's way back. */
  path: string;
}

/** A percent of the services (0–100, one decimal) as the page writes it: "96,2 %" / "96.2%". */
export const percentText = (value: number, language: Language) => formatValue(value / 100, 'percent', language);

/** Percentage points with their sign: "−1,3" / "+0.4" (the minus is a real minus). */
export function pointsText(points: number, language: Language): string {
  const text = new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.abs(points));
  return `${points < 0 ? '−' : points > 0 ? '+' : '±'}${text}`;
}

export const countText = (value: number, language: Language) => formatValue(value, 'count', language);

export function Notice(props: { kind?: 'ok' | 'error' | 'info'; children: Child }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`notice ${kind === 'info' ? '' : kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

type Section = 'dashboard' | 'sla' | 'escalations' | 'backlog';

export function ReportsPage(props: { p: PageContext; title: string; current?: Section; bare?: boolean; children: Child }) {
  const { p } = props;
  const other: Language = p.language === 'de' ? 'en' : 'de';
  const nav: { section: Section; href: string }[] = [
    { section: 'dashboard', href: '/reports' },
    { section: 'sla', href: '/reports/sla' },
    { section: 'escalations', href: '/reports/escalations' },
    { section: 'backlog', href: '/reports/backlog' },
  ];
  const end = (
    <>
      <form method="post" action="/staff/language">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <input type="hidden" name="back" value={p.path} />
        <button class="link" type="submit" name="language" value={other} lang={other} aria-label={`${p.t.nav.language}: ${p.t.nav.other[other]}`}>
          {p.t.nav.other[other]}
        </button>
      </form>
      <form method="post" action="/staff/sign-out">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <button class="link" type="submit">
          {p.t.nav.signOut}
        </button>
      </form>
    </>
  );
  return (
    <Layout
      language={p.language}
      title={props.title}
      area={props.bare ? p.t.staffArea : p.t.area}
      home={props.bare ? '/staff' : '/reports'}
      skipLabel={p.t.skipToContent}
      navLabel={p.t.nav.main}
      nav={props.bare ? [] : nav.map((item) => ({ href: item.href, label: p.t.nav[item.section], current: item.section === props.current }))}
      end={end}
      csrfToken={p.csrfToken}
    >
      {props.children}
    </Layout>
  );
}

/**
 * The period: a GET form with two days (and the page's other choices as `extra` fields), and
 * links to the usual periods. `keep` are query values the quick links carry along.
 */
export function PeriodPicker(props: { p: PageContext; action: string; input: PeriodInput; today: string; keep?: Record<string, string | undefined>; children?: Child }) {
  const { p, input } = props;
  const t = p.t.period;
  return (
    <form class="filters card" method="get" action={props.action}>
      <fieldset>
        <legend>{t.legend}</legend>
        <div>
          <label for="from">{t.from}</label>
          <input id="from" type="date" name="from" value={input.from} required aria-invalid={input.problem ? 'true' : undefined} aria-describedby={input.problem ? 'period-problem' : undefined} />
        </div>
        <div>
          <label for="to">{t.to}</label>
          <input id="to" type="date" name="to" value={input.to} required aria-invalid={input.problem ? 'true' : undefined} aria-describedby={input.problem ? 'period-problem' : undefined} />
        </div>
      </fieldset>
      {props.children}
      <button type="submit">{t.show}</button>
      <nav class="quick" aria-label={t.quick}>
        <ul>
          {quickPeriods.map((kind) => {
            const period = quickPeriod(kind, props.today);
            const current = period.from === input.from && period.to === input.to;
            return (
              <li>
                <a href={`${props.action}${query({ ...props.keep, ...period })}`} aria-current={current ? 'true' : undefined}>
                  {t.quickLinks[kind]}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
    </form>
  );
}

/** The period as words: "01.11.2026 bis 30.11.2026". */
export const rangeText = (p: PageContext, from: string, to: string) => p.t.period.range(date(from, p.language), date(to, p.language));

/** The CSV download link of a section. */
export function CsvLink(props: { href: string; label: string }) {
  return (
    <p class="csv">
      <a href={props.href} download>
        {props.label}
      </a>
    </p>
  );
}

export function Section(props: { id: string; title: string; children: Child }) {
  return (
    <section class="report card" id={props.id} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** An inline chart: the SVG strings of charts.ts are built to be inlined as they are. */
export const Chart = (props: { svg: string }) => <figure class="report-figure">{raw(props.svg)}</figure>;
