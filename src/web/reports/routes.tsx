// Routes of the report pages (GET only: every choice is in the query, so a page is a link) and
// their CSV downloads. Each reads its period with periodOf; a bad one re-renders the page (400).
import { Hono } from 'hono';
import { slaTargets, type SlaTarget } from '../../domain/sla.js';
import { backlogDimensions, backlogReport, type BacklogDimension } from '../../services/reports/backlog.js';
import { breachCauseReport } from '../../services/reports/breach-causes.js';
import { dashboard } from '../../services/reports/dashboard.js';
import { escalationCsvColumns, escalationCsvRows, escalationReport } from '../../services/reports/escalation-report.js';
import { slaCsvColumns, slaCsvRows, slaGroupings, slaReport, slaTargetEnds, type SlaGrouping } from '../../services/reports/sla-report.js';
import { BacklogPage } from './backlog-page.js';
import { csvDownload } from '../csv-download.js';
import { DashboardPage } from './dashboard-page.js';
import { EscalationsPage, type EscalationSelection } from './escalations-page.js';
import { pageContext, periodOf, query, render, todayOf, zoneOf, type ReportsContext, type ReportsEnv } from './http.js';
import { SlaPage, type SlaSelection } from './sla-page.js';

const pageSize = 50;
const isOneOf = <T extends string>(list: readonly T[], value: string | undefined): value is T => value !== undefined && (list as readonly string[]).includes(value);

/** The SLA page's choices from the query, or null when one is not a choice there is. */
function slaSelection(c: ReportsContext): SlaSelection | null {
  const groupBy = c.req.query('groupBy') || 'tier';
  const target = c.req.query('target') || undefined;
  const outcome = c.req.query('outcome') || undefined;
  const key = c.req.query('key');
  if (!isOneOf<SlaGrouping>(slaGroupings, groupBy)) return null;
  if (target !== undefined && !isOneOf<SlaTarget>(slaTargets, target)) return null;
  if (outcome !== undefined && outcome !== 'met' && outcome !== 'breached') return null;
  if (key !== undefined && key.length > 200) return null;
  return { groupBy, key: key === '' ? undefined : key, target, outcome };
}

function offsetOf(c: ReportsContext): number | null {
  const text = c.req.query('offset') ?? '0';
  return /^\d{1,6}$/.test(text) ? Number(text) : null;
}

function escalationSelection(c: ReportsContext): EscalationSelection | null {
  const customerNumber = (c.req.query('customerNumber') ?? '').trim() || undefined;
  const minLevel = c.req.query('minLevel') || '1';
  if (!/^[123]$/.test(minLevel) || (customerNumber && customerNumber.length > 40)) return null;
  return { customerNumber, minLevel: Number(minLevel) };
}

/** The backlog bar of the query: both or neither of dimension and key; undefined when it is no bar. */
function backlogBar(c: ReportsContext): { dimension: BacklogDimension; key: string } | null | undefined {
  const dimension = c.req.query('dimension') || undefined;
  const key = c.req.query('key');
  if (dimension === undefined && key === undefined) return null;
  if (!isOneOf<BacklogDimension>(backlogDimensions, dimension) || key === undefined || key === '' || key.length > 200) return undefined;
  return { dimension, key };
}

/** A download's query was not one a page links to: the page's words, as a page, with 400. */
const refusedDownload = (c: ReportsContext, message: string) => render(c, <SlaPage p={pageContext(c)} input={{ ...periodOf(c), problem: message }} today={todayOf(c)} selection={{ groupBy: 'tier' }} data={null} />, 400);

export const reportRoutes = new Hono<ReportsEnv>()
  .get('/', async (c) => {
    const input = periodOf(c);
    const p = pageContext(c);
    if (!input.period) return render(c, <DashboardPage p={p} input={input} today={todayOf(c)} data={null} />, 400);
    const { db, breachCauses, complianceTargets } = c.var.services;
    const data = await dashboard(db, input.period, { breachCauses, ...(complianceTargets ? { targets: complianceTargets } : {}) });
    return render(c, <DashboardPage p={p} input={input} today={todayOf(c)} data={data} />);
  })
  .get('/sla', async (c) => {
    const input = periodOf(c);
    const selection = slaSelection(c);
    const offset = offsetOf(c);
    const p = pageContext(c);
    if (!selection || offset === null) return render(c, <SlaPage p={p} input={{ ...input, problem: c.var.t.errors.bad }} today={todayOf(c)} selection={selection ?? { groupBy: 'tier' }} data={null} />, 400);
    if (!input.period) return render(c, <SlaPage p={p} input={input} today={todayOf(c)} selection={selection} data={null} />, 400);
    const { db } = c.var.services;
    const [report, list] = await Promise.all([slaReport(db, input.period, selection.groupBy), slaTargetEnds(db, input.period, selection, { limit: pageSize, offset })]);
    return render(c, <SlaPage p={p} input={input} today={todayOf(c)} selection={selection} data={{ report, list: { ...list, offset, limit: pageSize } }} />);
  })
  .get('/escalations', async (c) => {
    const input = periodOf(c);
    const selection = escalationSelection(c);
    const offset = offsetOf(c);
    const p = pageContext(c);
    if (!selection || offset === null) return render(c, <EscalationsPage p={p} input={{ ...input, problem: c.var.t.errors.bad }} today={todayOf(c)} selection={selection ?? { minLevel: 1 }} report={null} next={null} />, 400);
    if (!input.period) return render(c, <EscalationsPage p={p} input={input} today={todayOf(c)} selection={selection} report={null} next={null} />, 400);
    const report = await escalationReport(c.var.services.db, { ...input.period, ...selection }, { limit: pageSize, offset });
    const next = offset + report.incidents.length < report.total ? `/reports/escalations${query({ from: input.from, to: input.to, customerNumber: selection.customerNumber, minLevel: selection.minLevel, offset: offset + pageSize })}` : null;
    return render(c, <EscalationsPage p={p} input={input} today={todayOf(c)} selection={selection} report={report} next={next} />);
  })
  .get('/backlog', async (c) => {
    const bar = backlogBar(c);
    const report = await backlogReport(c.var.services.db, new Date(), zoneOf(c), { list: bar ?? undefined, trend: false });
    if (bar === undefined) return render(c, <BacklogPage p={pageContext(c)} bar={null} problem={c.var.t.backlog.bad} report={report} />, 400);
    return render(c, <BacklogPage p={pageContext(c)} bar={bar} problem={null} report={report} />);
  })
  .get('/sla.csv', async (c) => {
    const input = periodOf(c);
    const groupBy = c.req.query('groupBy') || 'tier';
    if (!input.period) return refusedDownload(c, input.problem!);
    if (!isOneOf<SlaGrouping>(slaGroupings, groupBy)) return refusedDownload(c, c.var.t.errors.bad);
    const report = await slaReport(c.var.services.db, input.period, groupBy);
    return csvDownload(c.var.logger, `sla-${groupBy}-${input.from}-${input.to}.csv`, slaCsvColumns, slaCsvRows(report));
  })
  .get('/escalations.csv', (c) => {
    const input = periodOf(c);
    const selection = escalationSelection(c);
    if (!input.period) return refusedDownload(c, input.problem!);
    if (!selection) return refusedDownload(c, c.var.t.errors.bad);
    return csvDownload(c.var.logger, `escalations-${input.from}-${input.to}.csv`, escalationCsvColumns, escalationCsvRows(c.var.services.db, { ...input.period, ...selection }));
  })
  .get('/backlog.csv', async (c) => {
    const bar = backlogBar(c);
    if (bar === undefined) return refusedDownload(c, c.var.t.backlog.bad);
    const at = new Date();
    const report = await backlogReport(c.var.services.db, at, zoneOf(c), { list: bar ?? undefined, trend: false, everything: bar === null });
    const rows = (report.incidents ?? []).map((i) => [i.number, i.title, i.receivedAt, i.status, i.priority, i.group ?? '', i.tier ?? '', i.businessDays, i.calendarDays]);
    return csvDownload(c.var.logger, `backlog-${at.toISOString().slice(0, 10)}.csv`, ['number', 'title', 'receivedAt', 'status', 'priority', 'group', 'tier', 'businessDays', 'calendarDays'], rows);
  })
  .get('/breach-causes.csv', async (c) => {
    const input = periodOf(c);
    if (!input.period) return refusedDownload(c, input.problem!);
    const report = await breachCauseReport(c.var.services.db, input.period, c.var.services.breachCauses);
    const rows = [...report.causes.map((r) => [r.cause, r.incidents, r.percent ?? '']), ...(report.withoutCause > 0 ? [['none', report.withoutCause, '']] : [])];
    return csvDownload(c.var.logger, `breach-causes-${input.from}-${input.to}.csv`, ['cause', 'incidents', 'percent'], rows);
  });
