// The SLA report page: compliance per group and target for the period, and the drill-down list
// of the targets behind one figure (a group, a target, an outcome).
import { slaTargets, type SlaTarget } from '../../domain/sla.js';
import { slaGroupings, type SlaGrouping, type SlaReport, type SlaTargetEnd, type TargetFigures } from '../../services/reports/sla-report.js';
import { duration, when } from '../format.js';
import { countText, CsvLink, Notice, PeriodPicker, percentText, rangeText, ReportsPage, Section, type PageContext } from './components.js';
import { query, type PeriodInput } from './http.js';

export interface SlaSelection {
  groupBy: SlaGrouping;
  key?: string | undefined;
  target?: SlaTarget | undefined;
  outcome?: 'met' | 'breached' | undefined;
}

export interface SlaPageData {
  report: SlaReport;
  list: { total: number; items: SlaTargetEnd[]; offset: number; limit: number };
}

function Figures(props: { p: PageContext; f: TargetFigures; href: (outcome?: 'met' | 'breached') => string }) {
  const { p, f } = props;
  if (f.ended === 0) return <td class="number">{f.openBreached > 0 ? p.t.sla.openBreached(f.openBreached) : '–'}</td>;
  return (
    <td class="number">
      <a href={props.href()}>{f.compliancePercent === null ? '–' : percentText(f.compliancePercent, p.language)}</a>
      <br />
      <span class="hint">
        {`${countText(f.ended, p.language)} · `}
        <a href={props.href('breached')}>{`${countText(f.breached, p.language)} ${p.t.outcomes.breached}`}</a>
      </span>
      {f.openBreached > 0 && (
        <>
          <br />
          <span class="hint">{p.t.sla.openBreached(f.openBreached)}</span>
        </>
      )}
    </td>
  );
}

function ReportTable(props: { p: PageContext; report: SlaReport }) {
  const { p, report } = props;
  const t = p.t.sla;
  const href = (key: string | undefined, target: SlaTarget, outcome?: 'met' | 'breached') => `/reports/sla${query({ from: report.from, to: report.to, groupBy: report.groupBy, key, target, outcome })}#list`;
  const label = (key: string, text: string) => (report.groupBy === 'tier' && key in p.t.tiers ? p.t.tiers[key as keyof typeof p.t.tiers] : key === 'none' ? p.t.none : text);
  return (
    <div class="table-scroll">
      <table>
        <caption>{t.caption(t.groupings[report.groupBy], rangeText(p, report.from, report.to))}</caption>
        <thead>
          <tr>
            <th scope="col">{t.groupings[report.groupBy]}</th>
            {slaTargets.map((target) => (
              <th scope="col">{p.t.targets[target]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.groups.map((g) => (
            <tr>
              <th scope="row">{label(g.key, g.label)}</th>
              {slaTargets.map((target) => (
                <Figures p={p} f={g.targets[target]} href={(outcome) => href(g.key, target, outcome)} />
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t.total}</th>
            {slaTargets.map((target) => (
              <Figures p={p} f={report.totals[target]} href={(outcome) => href(undefined, target, outcome)} />
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function TargetList(props: { p: PageContext; report: SlaReport; selection: SlaSelection; list: SlaPageData['list'] }) {
  const { p, report, selection, list } = props;
  const t = p.t.sla;
  const parts = [
    selection.key !== undefined ? `${t.groupings[selection.groupBy]} ${selection.groupBy === 'tier' && selection.key in p.t.tiers ? p.t.tiers[selection.key as keyof typeof p.t.tiers] : selection.key}` : null,
    selection.target ? p.t.targets[selection.target] : null,
    selection.outcome ? p.t.outcomes[selection.outcome] : null,
  ].filter((x): x is string => x !== null);
  const next = list.offset + list.items.length < list.total ? `/reports/sla${query({ from: report.from, to: report.to, groupBy: selection.groupBy, key: selection.key, target: selection.target, outcome: selection.outcome, offset: list.offset + list.limit })}#list` : null;
  return (
    <Section id="list" title={t.list}>
      <p>
        {t.listFilter(parts.length > 0 ? parts.join(', ') : t.all)}
        {parts.length > 0 && (
          <>
            {' · '}
            <a href={`/reports/sla${query({ from: report.from, to: report.to, groupBy: selection.groupBy })}#list`}>{t.showAll}</a>
          </>
        )}
      </p>
      <p class="hint">{t.count(list.items.length, list.total)}</p>
      {list.items.length === 0 ? (
        <p>{t.noItems}</p>
      ) : (
        <div class="table-scroll">
          <table class="targets">
            <caption>{t.listFilter(parts.length > 0 ? parts.join(', ') : t.all)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.incident}</th>
                <th scope="col">{t.titleColumn}</th>
                <th scope="col">{t.customer}</th>
                <th scope="col">{t.tier}</th>
                <th scope="col">{t.priority}</th>
                <th scope="col">{t.target}</th>
                <th scope="col">{t.outcome}</th>
                <th scope="col">{t.endedAt}</th>
                <th scope="col">{t.dueAt}</th>
                <th scope="col">{t.used}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr>
                  <th scope="row" class="incident-number">{item.incidentNumber}</th>
                  <td>{item.title}</td>
                  <td>{item.customerNumber ?? p.t.none}</td>
                  <td>{item.tier && item.tier in p.t.tiers ? p.t.tiers[item.tier as keyof typeof p.t.tiers] : p.t.none}</td>
                  <td>{item.priority}</td>
                  <td>{p.t.targets[item.target]}</td>
                  <td>
                    <strong class={item.outcome}>{p.t.outcomes[item.outcome]}</strong>
                  </td>
                  <td>
                    <time datetime={item.endedAt}>{when(item.endedAt, p.language, p.zone)}</time>
                  </td>
                  <td>{item.dueAt ? <time datetime={item.dueAt}>{when(item.dueAt, p.language, p.zone)}</time> : '–'}</td>
                  <td>{`${item.usedBusinessMinutes === null ? '–' : duration(Math.round(item.usedBusinessMinutes), p.language)} / ${item.budgetMinutes === null ? '–' : duration(item.budgetMinutes, p.language)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <p>
          <a href={next}>{t.more}</a>
        </p>
      )}
    </Section>
  );
}

export function SlaPage(props: { p: PageContext; input: PeriodInput; today: string; selection: SlaSelection; data: SlaPageData | null }) {
  const { p, input, selection, data } = props;
  const t = p.t.sla;
  return (
    <ReportsPage p={p} title={t.title} current="sla">
      <h1>{t.title}</h1>
      <PeriodPicker p={p} action="/reports/sla" input={input} today={props.today} keep={{ groupBy: selection.groupBy }}>
        <div>
          <label for="groupBy">{t.groupBy}</label>
          <select id="groupBy" name="groupBy">
            {slaGroupings.map((g) => (
              <option value={g} selected={g === selection.groupBy}>
                {t.groupings[g]}
              </option>
            ))}
          </select>
        </div>
      </PeriodPicker>
      {input.problem && (
        <Notice kind="error">
          <span id="period-problem">{input.problem}</span>
        </Notice>
      )}
      {data && (
        <>
          <Section id="report" title={t.caption(t.groupings[selection.groupBy], rangeText(p, data.report.from, data.report.to))}>
            <ReportTable p={p} report={data.report} />
            <CsvLink href={`/reports/sla.csv${query({ from: data.report.from, to: data.report.to, groupBy: selection.groupBy })}`} label={p.t.csvOf(t.title)} />
          </Section>
          <TargetList p={p} report={data.report} selection={selection} list={data.list} />
        </>
      )}
    </ReportsPage>
  );
}
