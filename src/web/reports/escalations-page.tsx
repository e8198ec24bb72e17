// The escalation report page: the incidents that reached a level in the period, each level with
// its exact instant, the time at it, who was notified and the breach cause; counts per customer and group.
import type { EscalationCounts, EscalationReport } from '../../services/reports/escalation-report.js';
import { duration } from '../format.js';
import { countText, CsvLink, Notice, PeriodPicker, ReportsPage, Section, type PageContext } from './components.js';
import { query, type PeriodInput } from './http.js';

export interface EscalationSelection {
  customerNumber?: string | undefined;
  minLevel: number;
}

/** An exact instant, to the second, in the house's zone: "03.11.2026, 14:30:05". */
function exact(iso: string, p: PageContext): string {
  return new Intl.DateTimeFormat(p.language === 'de' ? 'de-DE' : 'en-GB', { timeZone: p.zone, dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

function Counts(props: { p: PageContext; id: string; title: string; rows: EscalationCounts[]; href?: (key: string) => string }) {
  const { p } = props;
  const t = p.t.escalations;
  return (
    <Section id={props.id} title={props.title}>
      {props.rows.length === 0 ? (
        <p>{t.noItems}</p>
      ) : (
        <table>
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{t.key}</th>
              <th scope="col">{t.level2}</th>
              <th scope="col">{t.level3}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{props.href && r.key !== 'none' ? <a href={props.href(r.key)}>{r.label}</a> : r.key === 'none' ? p.t.none : r.label}</th>
                <td class="number">{countText(r.level2Incidents, p.language)}</td>
                <td class="number">{countText(r.level3Incidents, p.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function EscalationsPage(props: { p: PageContext; input: PeriodInput; today: string; selection: EscalationSelection; report: EscalationReport | null; next: string | null }) {
  const { p, input, selection, report } = props;
  const t = p.t.escalations;
  const base = { from: input.from, to: input.to };
  return (
    <ReportsPage p={p} title={t.title} current="escalations">
      <h1>{t.title}</h1>
      <PeriodPicker p={p} action="/reports/escalations" input={input} today={props.today} keep={{ customerNumber: selection.customerNumber, minLevel: String(selection.minLevel) }}>
        <div>
          <label for="customerNumber">{t.customer}</label>
          <input id="customerNumber" type="text" name="customerNumber" value={selection.customerNumber ?? ''} maxlength={40} />
        </div>
        <div>
          <label for="minLevel">{t.minLevel}</label>
          <select id="minLevel" name="minLevel">
            {[1, 2, 3].map((level) => (
              <option value={String(level)} selected={level === selection.minLevel}>
                {t.levels[level]}
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
      {report && (
        <>
          <p>{t.count(report.total)}</p>
          <CsvLink href={`/reports/escalations.csv${query({ ...base, customerNumber: selection.customerNumber, minLevel: selection.minLevel })}`} label={p.t.csvOf(t.title)} />
          <Section id="incidents" title={t.incidents}>
            {report.incidents.length === 0 ? (
              <p>{t.noItems}</p>
            ) : (
              <div class="table-scroll">
                <table class="escalations">
                  <caption>{t.incidents}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t.incident}</th>
                      <th scope="col">{t.customer}</th>
                      <th scope="col">{t.reached}</th>
                      <th scope="col">{t.breachCause}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.incidents.map((i) => (
                      <tr>
                        <th scope="row">
                          <span class="incident-number">{i.number}</span>
                          <br />
                          <span class="hint">{i.title}</span>
                        </th>
                        <td>
                          {i.customerName ?? i.customerNumber ?? p.t.none}
                          {i.group && (
                            <>
                              <br />
                              <span class="hint">{i.group}</span>
                            </>
                          )}
                        </td>
                        <td>
                          <ol class="levels">
                            {i.levels.map((l) => (
                              <li>
                                <strong>{`${t.level} ${l.level} (${t.levelName[l.name] ?? l.name})`}</strong>
                                {l.target ? ` · ${p.t.targets[l.target as keyof typeof p.t.targets] ?? l.target}` : ''}
                                <br />
                                {`${t.reachedAt}: `}
                                <time datetime={l.reachedAt}>{exact(l.reachedAt, p)}</time>
                                <br />
                                {`${t.atLevel}: ${duration(l.minutesAtLevel, p.language)}${l.until ? '' : ` ${t.stillAt}`}`}
                                <br />
                                {`${t.notified}: ${l.notified.length > 0 ? l.notified.join(', ') : l.recipients.length > 0 ? l.recipients.join(', ') : t.nobody}`}
                              </li>
                            ))}
                          </ol>
                        </td>
                        <td>
                          {i.breachCause ? (
                            <>
                              {p.t.causes[i.breachCause.cause] ?? i.breachCause.cause}
                              {i.breachCause.note && (
                                <>
                                  <br />
                                  <span class="hint">{i.breachCause.note}</span>
                                </>
                              )}
                            </>
                          ) : (
                            t.noCause
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {props.next && (
              <p>
                <a href={props.next}>{p.t.sla.more}</a>
              </p>
            )}
          </Section>
          <Counts p={p} id="by-customer" title={t.byCustomer} rows={report.byCustomer} href={(key) => `/reports/escalations${query({ ...base, customerNumber: key, minLevel: selection.minLevel })}`} />
          <Counts p={p} id="by-group" title={t.byGroup} rows={report.byGroup} />
        </>
      )}
    </ReportsPage>
  );
}
