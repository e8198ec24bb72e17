// Time entries on incidents: logging, re-pricing, overrides, deletion, audit and quota notices;
// and the material entries booked beside them from service orders.
export type { EntryActor, TimeEntryRow } from './audit.js';
export {
  checkWorkDate,
  deleteTimeEntry,
  deliverQuotaNotices,
  editTimeEntry,
  incidentTermsOf,
  insertTimeEntry,
  logTime,
  overrideBilling,
  type IncidentTerms,
  type NewTimeEntry,
  type TimeEntryChange,
  type TimeEntryDeps,
  type TimeEntryInsert,
} from './commands.js';
export { incidentMaterials, materialTotalsOf, type MaterialEntryRow, type MaterialTotals } from './materials.js';
export { releaseFromDraftInvoice } from './invoice-guard.js';
export { quotaNoticeWording } from './quota-notices.js';
export { getTimeEntry, incidentTimeEntries, listTimeEntries, timeEntryAudit, totalsOf, type EntryFilter, type EntryTotals, type TimeEntryEventRow } from './queries.js';
