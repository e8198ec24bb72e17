import { z } from '@hono/zod-openapi';
import { contractTiers, incidentStatuses, languages, priorities, projectKinds, quotaPeriods } from '../../domain/enums.js';
import { slaTargets, type SlaTarget } from '../../domain/sla.js';
import { backlogDimensions } from '../../services/reports/backlog.js';
import { slaGroupings } from '../../services/reports/sla-report.js';
import { volumeIntervals } from '../../services/reports/volume.js';
import { calendarDay, line, paging, queryInt, queryText } from '../common-schemas.js';

const day = (description: string) => calendarDay.openapi({ description, example: '2026-11-01' });
const cents = (description: string) => z.number().int().openapi({ description });

export const ProfitabilityQuery = z.strictObject({
  from: day('First day of the period (inclusive).'),
  to: day('Last day of the period (inclusive); at most two years after `from`.'),
  format: z.enum(['json', 'csv']).default('json').openapi({ description: '`csv` answers text/csv, one row per project and one per customer, plus a totals row. It is for a spreadsheet: a text cell starting with =, +, -, @, tab or CR (a customer name, say) gets a leading `\'` so it never runs as a formula; the figures stay numbers.' }),
});

const figures = {
  feeRevenueCents: cents('Monthly contract fees prorated by day to the period.'),
  billedRevenueCents: cents('Invoice lines on final invoices for work done in the period.'),
  revenueCents: cents('Fee + billed.'),
  unbilledCents: cents('Billable work of the period not yet on a final invoice; not counted as revenue.'),
  effortMinutes: z.number().int(),
  effortCents: cents('Logged minutes × internal cost rate (the agent\'s own, else the role\'s), per entry.'),
  marginCents: cents('Revenue − effort.'),
  marginPercent: z.number().nullable().openapi({ description: 'Margin ÷ revenue in percent with one decimal; null without revenue.' }),
};

export const ProjectProfit = z
  .object({
    projectNumber: z.string().nullable().openapi({ description: 'Null for contracts without a project and for time on incidents without a project.' }),
    kind: z.enum(projectKinds).nullable(),
    contractNumber: z.string().nullable(),
    ...figures,
  })
  .openapi('ProjectProfit');

export const Profitability = z
  .object({
    from: z.string(),
    to: z.string(),
    customers: z.array(z.object({ customerNumber: z.string(), name: z.string(), ...figures, projects: z.array(ProjectProfit) })),
    totals: z.object(figures),
  })
  .openapi('Profitability');

export const InsightParams = z.object({
  customerNumber: line(64).openapi({ param: { name: 'customerNumber', in: 'path' }, example: 'K-10001' }),
});

export const InsightQuery = z.strictObject({
  days: queryInt(1, 365).default(14).openapi({ description: 'The window for escalations and SLA breaches, in days (1-365).' }),
});

/** Incident titles are for staff: absent for the sales role (a mail incident's title is the customer's subject line). */
const staffTitle = z.string().optional().openapi({ description: 'Agents, managers and admins only; never sent to sales.' });

export const SalesInsight = z
  .object({
    customerNumber: z.string(),
    name: z.string(),
    days: z.number().int(),
    since: z.string().openapi({ description: 'Start of the window (instant).' }),
    creditHold: z.boolean(),
    escalations: z.array(z.object({ incidentNumber: z.string(), title: staffTitle, level: z.number().int(), levelName: z.string(), at: z.string() })).openapi({
      description: 'Escalations up to level 2 (breach) or 3 (management) in the window, newest first: level changes, so one incident may appear twice.',
    }),
    escalatedIncidents: z.number().int().openapi({ description: 'Incidents that escalated to level 2 or higher in the window: two incidents with two level changes each are 2.' }),
    openIncidents: z.array(
      z.object({ number: z.string(), title: staffTitle, priority: z.enum(priorities), status: z.enum(incidentStatuses), escalationLevel: z.number().int(), receivedAt: z.string() }),
    ),
    slaBreaches: z.array(z.object({ number: z.string(), title: staffTitle, status: z.enum(incidentStatuses) })).openapi({ description: 'Incidents with a breached SLA that were open during the window.' }),
    quota: z.array(
      z.object({
        contractNumber: z.string(),
        period: z.enum(quotaPeriods),
        periodStart: z.string(),
        periodEnd: z.string().nullable(),
        totalMinutes: z.number().int(),
        usedMinutes: z.number().int(),
        remainingMinutes: z.number().int(),
        percentUsed: z.number().int(),
      }),
    ),
    summary: z.string().openapi({ example: '2 escalated incidents in the last 14 days, last one INC-2026-000123 on 12 Nov: consider a goodwill gesture.' }),
  })
  .openapi('SalesInsight');

// ---- SLA, escalation, backlog, volume and breach-cause reports (managers) ----

const csvFormat = z.enum(['json', 'csv']).default('json').openapi({ description: '`csv` streams text/csv with no row cap (text cells neutralised for spreadsheets).' });
const reportPeriod = {
  from: day('First day of the period (inclusive), in BUSINESS_TIMEZONE.'),
  to: day('Last day of the period (inclusive); at most two years after `from`.'),
};
const periodFields = { from: z.string(), to: z.string(), timezone: z.string() };

export const SlaReportQuery = z.strictObject({
  ...reportPeriod,
  groupBy: z.enum(slaGroupings).default('tier').openapi({ description: 'tier, customer, group, priority, assignee or policy (name and version).' }),
  format: csvFormat,
});

const TargetFigures = z
  .object({
    ended: z.number().int().openapi({ description: 'Targets whose final end (met or breached) falls in the period: one per incident and target (next response: one per cycle).' }),
    met: z.number().int(),
    breached: z.number().int(),
    compliancePercent: z.number().nullable().openapi({ description: 'met / ended in percent, one decimal; null when none ended.' }),
    medianBusinessMinutes: z.number().nullable().openapi({ description: 'Median business minutes the ended targets used.' }),
    p90BusinessMinutes: z.number().nullable().openapi({ description: '90th percentile (continuous) of the business minutes used.' }),
    openBreached: z.number().int().openapi({ description: 'Targets of open incidents already past due now.' }),
  })
  .openapi('SlaTargetFigures');
const perTarget = z.object(Object.fromEntries(slaTargets.map((t) => [t, TargetFigures])) as Record<SlaTarget, typeof TargetFigures>);

export const SlaReport = z
  .object({ ...periodFields, groupBy: z.enum(slaGroupings), groups: z.array(z.object({ key: z.string(), label: z.string(), targets: perTarget })), totals: perTarget })
  .openapi('SlaReport');

export const SlaDrillDownQuery = z.strictObject({
  ...reportPeriod,
  groupBy: z.enum(slaGroupings).default('tier'),
  key: queryText(200).optional().openapi({ description: 'The group key as the SLA report gives it (e.g. gold, K-10001, none).' }),
  target: z.enum(slaTargets).optional(),
  outcome: z.enum(['met', 'breached']).optional(),
  ...paging(100, 1000),
});

export const SlaDrillDown = z
  .object({
    total: z.number().int(),
    items: z.array(
      z.object({
        incidentNumber: z.string(),
        title: z.string(),
        customerNumber: z.string().nullable(),
        tier: z.string().nullable(),
        priority: z.string(),
        target: z.enum(slaTargets),
        outcome: z.enum(['met', 'breached']),
        endedAt: z.string(),
        dueAt: z.string().nullable(),
        budgetMinutes: z.number().int().nullable(),
        usedBusinessMinutes: z.number().nullable(),
      }),
    ),
  })
  .openapi('SlaDrillDown');

export const EscalationReportQuery = z.strictObject({
  ...reportPeriod,
  customerNumber: queryText(64).optional(),
  minLevel: queryInt(1, 3).default(1).openapi({ description: 'The lowest level reached that makes an incident escalated (1 warning, 2 breach, 3 management).' }),
  ...paging(100, 1000),
  format: csvFormat,
});

const Counts = z.object({ key: z.string(), label: z.string(), level2Incidents: z.number().int(), level3Incidents: z.number().int() });
export const EscalationReport = z
  .object({
    ...periodFields,
    customerNumber: z.string().nullable(),
    minLevel: z.number().int(),
    total: z.number().int(),
    incidents: z.array(
      z.object({
        number: z.string(),
        title: z.string(),
        customerNumber: z.string().nullable(),
        customerName: z.string().nullable(),
        group: z.string().nullable(),
        tier: z.enum(contractTiers).nullable(),
        priority: z.enum(priorities),
        status: z.enum(incidentStatuses),
        highestLevel: z.number().int(),
        levels: z.array(
          z.object({
            level: z.number().int(),
            name: z.string(),
            reachedAt: z.string().openapi({ description: 'The exact instant the level was reached (also for one passed while the worker was busy).' }),
            until: z.string().nullable(),
            minutesAtLevel: z.number().int(),
            target: z.string().nullable(),
            notified: z.array(z.string()).openapi({ description: 'Addresses the notification was written to.' }),
            recipients: z.array(z.string()).openapi({ description: 'The ladder\'s recipients of the level (roles).' }),
          }),
        ),
        breachCause: z.object({ cause: z.string(), note: z.string().nullable() }).nullable(),
      }),
    ),
    byCustomer: z.array(Counts).openapi({ description: 'Incidents (not level changes) that reached level 2 and level 3 in the period.' }),
    byGroup: z.array(Counts),
  })
  .openapi('EscalationReport');

export const BacklogQuery = z.strictObject({
  at: z.iso.datetime({ offset: true }).optional().openapi({ description: 'The instant (default now).', example: '2026-11-30T23:00:00Z' }),
  dimension: z.enum(backlogDimensions).optional().openapi({ description: 'With `key`: list the incidents behind that bar.' }),
  key: queryText(100).optional(),
  format: csvFormat,
});

const CountList = z.array(z.object({ key: z.string(), count: z.number().int() }));
export const BacklogReport = z
  .object({
    at: z.string(),
    timezone: z.string(),
    open: z.number().int(),
    byBusinessAge: CountList,
    byCalendarAge: CountList,
    byStatus: CountList,
    byPriority: CountList,
    byGroup: CountList,
    byTier: CountList,
    trend: z.array(z.object({ at: z.string(), open: z.number().int() })).openapi({ description: 'Open incidents at the start of each of the last 12 weeks, and at `at`.' }),
    incidents: z
      .array(
        z.object({
          number: z.string(),
          title: z.string(),
          receivedAt: z.string(),
          status: z.string(),
          priority: z.string(),
          group: z.string().nullable(),
          tier: z.string().nullable(),
          businessDays: z.number().int(),
          calendarDays: z.number().int(),
        }),
      )
      .optional(),
  })
  .openapi('BacklogReport');

export const VolumeQuery = z.strictObject({ ...reportPeriod, interval: z.enum(volumeIntervals).default('week'), format: csvFormat });
const VolumeFigures = { opened: z.number().int(), resolved: z.number().int(), reopened: z.number().int(), openedByChannel: z.record(z.string(), z.number().int()) };
export const VolumeReport = z
  .object({ ...periodFields, interval: z.enum(volumeIntervals), buckets: z.array(z.object({ start: z.string(), ...VolumeFigures })), totals: z.object(VolumeFigures) })
  .openapi('VolumeReport');

export const BreachCauseQuery = z.strictObject({ ...reportPeriod, format: csvFormat });
export const BreachCauseReport = z
  .object({
    ...periodFields,
    breachedIncidents: z.number().int(),
    causes: z.array(z.object({ cause: z.string(), incidents: z.number().int(), percent: z.number().nullable() })),
    withoutCause: z.number().int(),
    configured: z.array(z.string()),
  })
  .openapi('BreachCauseReport');

export const ReportSubscriptionBody = z
  .strictObject({
    language: z.enum(languages).default('de').openapi({ description: 'The language of the mail: de or en.', example: 'de' }),
  })
  .openapi('ReportSubscriptionBody');

export const ReportSubscription = z
  .object({
    userId: z.string().uuid(),
    name: z.string(),
    email: z.string(),
    language: z.enum(languages),
    active: z.boolean().openapi({ description: 'False once unsubscribed; a new PUT subscribes again.' }),
    createdAt: z.string().openapi({ description: 'When the user first subscribed.' }),
  })
  .openapi('ReportSubscription');

export const ReportSubscriptionList = z.object({ items: z.array(ReportSubscription) }).openapi('ReportSubscriptionList');
