// The backlog drill-down: the open incidents behind one bar of the backlog (an age bucket, a
// status, a priority, a group or a tier), as they are now.
import type { BacklogDimension, BacklogReport } from '../../services/reports/backlog.js';
import { when } from '../format.js';
import { CsvLink, Notice, ReportsPage, Section, type PageContext } from './components.js';
import { query } from './http.js';

export function BacklogPage(props: { p: PageContext; bar: { dimension: BacklogDimension; key: string } | null; problem: string | null; report: BacklogReport }) {
  const { p, bar, report } = props;
  const t = p.t.backlog;
  const counts: Record<BacklogDimension, BacklogReport['byStatus']> = {
    businessAge: report.byBusinessAge,
    calendarAge: report.byCalendarAge,
    status: report.byStatus,
    priority: report.byPriority,
    group: report.byGroup,
    tier: report.byTier,
  };
  const keyText = (dimension: BacklogDimension, key: string) =>
    dimension === 'businessAge' || dimension === 'calendarAge' ? t.days(key) : dimension === 'tier' && key in p.t.tiers ? p.t.tiers[key as keyof typeof p.t.tiers] : key === 'none' ? p.t.none : key;
  const title = bar ? `${t.title}: ${t.bar(t.dimensions[bar.dimension], keyText(bar.dimension, bar.key))}` : t.title;
  return (
    <ReportsPage p={p} title={title} current="backlog">
      <h1>{title}</h1>
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <p>{t.intro(report.open)}</p>
      <nav class="bars card" aria-label={t.title}>
        {(Object.keys(counts) as BacklogDimension[]).map((dimension) => (
          <div>
            <h2>{t.dimensions[dimension]}</h2>
            <ul>
              {counts[dimension].map((c) => (
                <li>
                  <a href={`/reports/backlog${query({ dimension, key: c.key })}#list`} aria-current={bar?.dimension === dimension && bar.key === c.key ? 'true' : undefined}>
                    {`${keyText(dimension, c.key)}: ${c.count}`}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      {bar ? (
        <Section id="list" title={t.bar(t.dimensions[bar.dimension], keyText(bar.dimension, bar.key))}>
          {(report.incidents ?? []).length === 0 ? (
            <p>{t.noItems}</p>
          ) : (
            <div class="table-scroll">
              <table>
                <caption>{t.bar(t.dimensions[bar.dimension], keyText(bar.dimension, bar.key))}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.incident}</th>
                    <th scope="col">{t.titleColumn}</th>
                    <th scope="col">{t.received}</th>
                    <th scope="col">{t.status}</th>
                    <th scope="col">{t.priority}</th>
                    <th scope="col">{t.group}</th>
                    <th scope="col">{t.businessDays}</th>
                    <th scope="col">{t.calendarDays}</th>
                  </tr>
                </thead>
                <tbody>
                  {(report.incidents ?? []).map((i) => (
                    <tr>
                      <th scope="row" class="incident-number">{i.number}</th>
                      <td>{i.title}</td>
                      <td>
                        <time datetime={i.receivedAt}>{when(i.receivedAt, p.language, p.zone)}</time>
                      </td>
                      <td>{i.status}</td>
                      <td>{i.priority}</td>
                      <td>{i.group ?? p.t.none}</td>
                      <td class="number">{i.businessDays}</td>
                      <td class="number">{i.calendarDays}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <CsvLink href={`/reports/backlog.csv${query({ dimension: bar.dimension, key: bar.key })}`} label={p.t.csvOf(t.title)} />
        </Section>
      ) : (
        <>
          <p>{t.choose}</p>
          <CsvLink href="/reports/backlog.csv" label={p.t.csvOf(t.title)} />
        </>
      )}
    </ReportsPage>
  );
}
