// Time entries on incidents: logging, re-pricing, overrides, deletion, audit and quota notices.
export type { EntryActor, TimeEntryRow } from './audit.js';
export { deleteTimeEntry, editTimeEntry, logTime, overrideBilling, type NewTimeEntry, type TimeEntryChange, type TimeEntryDeps } from './commands.js';
export { releaseFromDraftInvoice } from './invoice-guard.js';
export { quotaNoticeWording } from './quota-notices.js';
export { getTimeEntry, incidentTimeEntries, listTimeEntries, timeEntryAudit, type EntryFilter, type EntryTotals, type TimeEntryEventRow } from './queries.js';
