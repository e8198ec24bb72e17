// Zod schemas of /api/invoices: runs, invoice summaries, invoices with lines, queries.
import { z } from '@hono/zod-openapi';
import { activityTypes, invoiceLineKinds, invoiceStatuses } from '../../domain/enums.js';
import { csvDialects } from '../../services/spreadsheet-csv.js';
import { calendarDay, line, paging } from '../common-schemas.js';

const day = calendarDay.openapi({ example: '2026-11-30' });
const cents = z.number().int().openapi({ description: 'Integer cents; never a decimal.' });

export const RunBody = z
  .strictObject({
    from: day.optional().openapi({ description: 'First day of the period (with `to`).' }),
    to: day.optional().openapi({ description: 'Last day of the period, inclusive; at most one year after `from`.' }),
    period: line(20).optional().openapi({ description: 'Shorthand for a calendar month, YYYY-MM (1900-01 to 9999-12).', example: '2026-11', pattern: '^(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])$' }),
  })
  .openapi('InvoiceRunRequest', {
    description: 'A period (YYYY-MM), or from and to.',
    oneOf: [
      { required: ['period'], not: { anyOf: [{ required: ['from'] }, { required: ['to'] }] } },
      { required: ['from', 'to'], not: { required: ['period'] } },
    ],
  });

export const InvoiceSummary = z
  .object({
    id: z.uuid(),
    invoiceNumber: z.string().nullable().openapi({ description: 'RE-<year>-<6 digits>, given at finalisation; null for drafts.' }),
    status: z.enum(invoiceStatuses),
    customerNumber: z.string(),
    customerName: z.string(),
    periodFrom: day,
    periodTo: day,
    currency: z.string(),
    netCents: cents,
    lineCount: z.number().int(),
    createdAt: z.string(),
    finalisedAt: z.string().nullable(),
    finalisedBy: z.string().nullable(),
  })
  .openapi('InvoiceSummary');

export const InvoiceRun = z
  .object({
    run: z.object({
      id: z.uuid(),
      periodFrom: day,
      periodTo: day,
      startedBy: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      invoiceCount: z.number().int(),
    }),
    invoices: z.array(InvoiceSummary),
  })
  .openapi('InvoiceRun');

const lineKinds = invoiceLineKinds;

export const InvoiceLine = z
  .object({
    id: z.uuid(),
    timeEntryId: z.uuid().nullable().openapi({ description: 'The time entry of a `time` or `quota_overage` line; null on a `material` line.' }),
    materialEntryId: z.uuid().nullable().openapi({ description: 'The material entry of a `material` line; null on a time line.' }),
    kind: z.enum(lineKinds).openapi({ description: '`time`: billable work; `quota_overage`: billable because the contract quota was used up; `material`: parts used by a service order, billable unless a manager waived them.' }),
    incidentNumber: z.string(),
    contractNumber: z.string().nullable(),
    projectNumber: z.string().nullable(),
    workDate: day.openapi({ description: 'The day of the work, or the day the material was used.' }),
    activityType: z.enum(activityTypes).nullable().openapi({ description: 'Time lines only.' }),
    description: z.string(),
    minutes: z.number().int().openapi({ description: 'Billable minutes; 0 on a material line.' }),
    rateCents: cents.nullable().openapi({ description: 'Net hourly rate in cents; null on a material line.' }),
    articleNumber: z.string().nullable().openapi({ description: 'Material lines only.', example: 'FU-4711' }),
    quantity: z.number().int().nullable().openapi({ description: 'Material lines only: pieces.' }),
    unitPriceCents: cents.nullable().openapi({ description: 'Material lines only: net price per piece in cents.' }),
    amountCents: cents.openapi({ description: 'Time: minutes × rate ÷ 60, rounded half up to whole cents. Material: quantity × unit price, exact.' }),
  })
  .openapi('InvoiceLine');

export const Invoice = InvoiceSummary.extend({
  lines: z.array(InvoiceLine),
  totals: z.object({ lineCount: z.number().int(), minutes: z.number().int(), netCents: cents.openapi({ description: 'The exact sum of the line amounts.' }) }),
}).openapi('Invoice');

export const InvoiceList = z
  .object({ items: z.array(InvoiceSummary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('InvoiceList');

export const ListQuery = z.strictObject({
  status: z.enum(invoiceStatuses).optional(),
  customerNumber: line(64).optional(),
  from: day.optional().openapi({ description: 'Invoices whose period ends on or after this day.' }),
  to: day.optional().openapi({ description: 'Invoices whose period starts on or before this day.' }),
  ...paging(50, 200),
});

export const CsvDialectQuery = z.strictObject({
  dialect: z.enum(csvDialects).default('spreadsheet').openapi({
    description:
      '`spreadsheet` (default): safe to open in Excel or LibreOffice; a text cell starting with =, +, -, @, tab or CR gets a leading `\'` so it is never run as a formula, and a text cell holding ";" or a tab is quoted. Number columns are never changed. `erp`: every cell exactly as stored, for an ERP import that must get the same bytes; not for opening in a spreadsheet.',
    example: 'erp',
  }),
});

export const ExportQuery = z
  .strictObject({
    from: day.openapi({ description: 'Export the invoices whose period starts on or after this day...' }),
    to: day.openapi({ description: '...and on or before this day.' }),
    status: z.enum(invoiceStatuses).default('final'),
  })
  .extend(CsvDialectQuery.shape);

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const csvContent = { 'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row; see the API description for the columns.' }) } };
