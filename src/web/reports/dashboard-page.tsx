// The managers' overview: compliance per tier against its target, the 12-week trend, escalations
// per week, the backlog by age and the breach causes; each chart with its table, CSV and drill-down.
import { addDays } from '../../domain/calendar-dates.js';
import type { Dashboard } from '../../services/reports/dashboard.js';
import { barChart, lineChart } from './charts.js';
import { Chart, countText, CsvLink, Notice, PeriodPicker, percentText, pointsText, rangeText, ReportsPage, Section, type PageContext } from './components.js';
import { query, type PeriodInput } from './http.js';

/** A week's Monday as a short label: "02.11." / "02/11". */
const weekLabel = (week: string, p: PageContext) => (p.language === 'de' ? `${week.slice(8, 10)}.${week.slice(5, 7)}.` : `${week.slice(8, 10)}/${week.slice(5, 7)}`);
const fraction = (percent: number | null) => (percent === null ? null : percent / 100);

function Headline(props: { p: PageContext; data: Dashboard }) {
  const { p, data } = props;
  const t = p.t.dashboard;
  return (
    <Section id="headline" title={t.headline}>
      <ul class="headline">
        {data.headline.map((h) => {
          const met = h.compliancePercent !== null && h.compliancePercent >= h.targetPercent;
          const href = `/reports/sla${query({ from: data.period.from, to: data.period.to, groupBy: 'tier', key: h.tier })}`;
          return (
            <li class={`tier ${h.compliancePercent === null ? '' : met ? 'met' : 'missed'}`}>
              <a href={href}>
                <span class="tier-name">{p.t.tiers[h.tier]}</span>{' '}
                <span class="tier-value">{h.compliancePercent === null ? t.noTargets : percentText(h.compliancePercent, p.language)}</span>
                {h.changePoints !== null && <span class="tier-change"> ({p.language === 'de' ? `${pointsText(h.changePoints, 'de')} Pp.` : `${pointsText(h.changePoints, 'en')} pp`})</span>}
              </a>
              <span class="tier-target">
                {t.target(percentText(h.targetPercent, p.language))}
                {h.compliancePercent !== null && <strong class="verdict">{` · ${met ? t.met : t.missed}`}</strong>}
              </span>
              <span class="hint">
                {t.ended(h.ended, h.breached)}
                {h.changePoints === null ? ` · ${t.noChange}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

function Trend(props: { p: PageContext; data: Dashboard }) {
  const { p, data } = props;
  const t = p.t.dashboard;
  const { weeks, series } = data.trend;
  const gold = data.headline.find((h) => h.tier === 'gold');
  const weekHref = (i: number, s: number) => `/reports/sla${query({ from: weeks[i], to: addDays(weeks[i]!, 6), groupBy: 'tier', key: series[s]!.tier })}`;
  const svg = lineChart({
    language: p.language,
    title: t.trend,
    description: t.trendDescription(rangeText(p, data.period.from, data.period.to)),
    categories: weeks.map((w) => weekLabel(w, p)),
    series: series.map((s) => ({ name: p.t.tiers[s.tier], key: s.tier, values: s.values.map(fraction) })),
    format: 'percent',
    ...(gold ? { target: { value: gold.targetPercent / 100, label: t.trendTarget } } : {}),
    href: weekHref,
    showTitle: false,
  });
  return (
    <Section id="trend" title={t.trend}>
      <Chart svg={svg} />
      <div class="table-scroll">
        <table>
          <caption>{t.table(t.trend)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.week}</th>
              {series.map((s) => (
                <th scope="col">{`${p.t.tiers[s.tier]} (${t.target(percentText(data.headline.find((h) => h.tier === s.tier)?.targetPercent ?? 0, p.language))})`}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((w, i) => (
              <tr>
                <th scope="row">{weekLabel(w, p)}</th>
                {series.map((s, j) => {
                  const v = s.values[i];
                  return <td class="number">{v === null || v === undefined ? '–' : <a href={weekHref(i, j)}>{percentText(v, p.language)}</a>}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CsvLink href={`/reports/sla.csv${query({ from: data.period.from, to: data.period.to, groupBy: 'tier' })}`} label={p.t.csvOf(p.t.sla.title)} />
    </Section>
  );
}

function Escalations(props: { p: PageContext; data: Dashboard }) {
  const { p, data } = props;
  const t = p.t.dashboard;
  const rows = data.escalationsPerWeek;
  const href = (i: number, s: number) => `/reports/escalations${query({ from: rows[i]!.week, to: addDays(rows[i]!.week, 6), minLevel: s === 0 ? 2 : 3 })}`;
  const svg = barChart({
    language: p.language,
    title: t.escalations,
    description: t.escalationsDescription,
    categories: rows.map((r) => weekLabel(r.week, p)),
    series: [
      { name: t.level2, key: 'level2', values: rows.map((r) => r.level2Incidents) },
      { name: t.level3, key: 'level3', values: rows.map((r) => r.level3Incidents) },
    ],
    format: 'count',
    href,
    showTitle: false,
  });
  const first = rows[0]?.week ?? data.period.from;
  const last = rows.length > 0 ? addDays(rows[rows.length - 1]!.week, 6) : data.period.to;
  return (
    <Section id="escalations" title={t.escalations}>
      <p class="hint">{t.escalationsDescription}</p>
      <Chart svg={svg} />
      <div class="table-scroll">
        <table>
          <caption>{t.table(t.escalations)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.week}</th>
              <th scope="col">{t.level2}</th>
              <th scope="col">{t.level3}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr>
                <th scope="row">{weekLabel(r.week, p)}</th>
                <td class="number">{r.level2Incidents > 0 ? <a href={href(i, 0)}>{countText(r.level2Incidents, p.language)}</a> : '0'}</td>
                <td class="number">{r.level3Incidents > 0 ? <a href={href(i, 1)}>{countText(r.level3Incidents, p.language)}</a> : '0'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CsvLink href={`/reports/escalations.csv${query({ from: first, to: last, minLevel: 2 })}`} label={p.t.csvOf(p.t.escalations.title)} />
    </Section>
  );
}

function Backlog(props: { p: PageContext; data: Dashboard }) {
  const { p, data } = props;
  const t = p.t.dashboard;
  const buckets = data.backlog.byBusinessAge;
  const href = (i: number) => `/reports/backlog${query({ dimension: 'businessAge', key: buckets[i]!.key })}`;
  const svg = barChart({
    language: p.language,
    title: t.backlog,
    description: t.backlogDescription(data.backlog.open),
    categories: buckets.map((b) => p.t.backlog.days(b.key)),
    series: [{ name: t.open, key: 'open', values: buckets.map((b) => b.count) }],
    format: 'count',
    href,
    showTitle: false,
  });
  return (
    <Section id="backlog" title={t.backlog}>
      <p class="hint">{t.backlogDescription(data.backlog.open)}</p>
      <Chart svg={svg} />
      <table>
        <caption>{t.table(t.backlog)}</caption>
        <thead>
          <tr>
            <th scope="col">{t.age}</th>
            <th scope="col">{t.open}</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((b, i) => (
            <tr>
              <th scope="row">{p.t.backlog.days(b.key)}</th>
              <td class="number">{b.count > 0 ? <a href={href(i)}>{countText(b.count, p.language)}</a> : '0'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CsvLink href="/reports/backlog.csv" label={p.t.csvOf(p.t.backlog.title)} />
    </Section>
  );
}

function BreachCauses(props: { p: PageContext; data: Dashboard }) {
  const { p, data } = props;
  const t = p.t.dashboard;
  const report = data.breachCauses;
  const causeName = (cause: string) => p.t.causes[cause] ?? cause;
  // No service lists the incidents of one cause yet: each bar opens the period's breached targets.
  const breached = `/reports/sla${query({ from: data.period.from, to: data.period.to, groupBy: 'tier', outcome: 'breached' })}`;
  const svg = barChart({
    language: p.language,
    title: t.causes,
    description: t.causesDescription(report.breachedIncidents),
    categories: report.causes.map((c) => causeName(c.cause)),
    series: [{ name: t.incidents, key: 'incidents', values: report.causes.map((c) => c.incidents) }],
    format: 'count',
    href: () => breached,
    showTitle: false,
  });
  return (
    <Section id="causes" title={t.causes}>
      <p class="hint">
        {t.causesDescription(report.breachedIncidents)}
        {report.withoutCause > 0 ? ` ${t.withoutCause(report.withoutCause)}.` : ''}
      </p>
      <Chart svg={svg} />
      <table>
        <caption>{t.table(t.causes)}</caption>
        <thead>
          <tr>
            <th scope="col">{t.cause}</th>
            <th scope="col">{t.incidents}</th>
            <th scope="col">{t.share}</th>
          </tr>
        </thead>
        <tbody>
          {report.causes.map((c) => (
            <tr>
              <th scope="row">{causeName(c.cause)}</th>
              <td class="number">{countText(c.incidents, p.language)}</td>
              <td class="number">{c.percent === null ? '–' : percentText(c.percent, p.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CsvLink href={`/reports/breach-causes.csv${query({ from: data.period.from, to: data.period.to })}`} label={p.t.csvOf(t.causes)} />
    </Section>
  );
}

export function DashboardPage(props: { p: PageContext; input: PeriodInput; today: string; data: Dashboard | null }) {
  const { p, input, data } = props;
  const t = p.t.dashboard;
  return (
    <ReportsPage p={p} title={t.title} current="dashboard">
      <h1>{t.title}</h1>
      <PeriodPicker p={p} action="/reports" input={input} today={props.today} />
      {input.problem && (
        <Notice kind="error">
          <span id="period-problem">{input.problem}</span>
        </Notice>
      )}
      {data && (
        <>
          <p>{t.intro(rangeText(p, data.period.from, data.period.to))}</p>
          <Headline p={p} data={data} />
          <Trend p={p} data={data} />
          <Escalations p={p} data={data} />
          <Backlog p={p} data={data} />
          <BreachCauses p={p} data={data} />
        </>
      )}
    </ReportsPage>
  );
}
