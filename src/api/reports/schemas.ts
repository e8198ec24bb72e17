import { z } from '@hono/zod-openapi';
import { incidentStatuses, priorities, projectKinds, quotaPeriods } from '../../domain/enums.js';
import { calendarDay, line, queryInt } from '../common-schemas.js';

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
      description: 'Escalations up to level 2 (breach) or 3 (management) in the window, newest first.',
    }),
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
    summary: z.string().openapi({ example: '2 escalations in the last 14 days, last one INC-2026-000123 on 12 Nov: consider a goodwill gesture.' }),
  })
  .openapi('SalesInsight');
