// Time entries on incidents, quota draw-down and billing overrides.
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import type { Context } from 'hono';
import { defaultMailFrom } from '../../mail/outbound.js';
import {
  deleteTimeEntry,
  editTimeEntry,
  getTimeEntry,
  incidentMaterials,
  incidentTimeEntries,
  listTimeEntries,
  logTime,
  overrideBilling,
  timeEntryAudit,
  type TimeEntryDeps,
} from '../../services/time-entries/index.js';
import { entryActorOf } from '../auth.js';
import { createRouter, type AppEnv } from '../context.js';
import { auditRoute, deleteTimeRoute, editTimeRoute, getTimeRoute, incidentMaterialsRoute, incidentTimeRoute, listTimeRoute, logTimeRoute, overrideRoute } from './routes.js';
import { eventView, materialView, timeEntryView } from './views.js';

function depsOf(c: Context<AppEnv>): TimeEntryDeps {
  const { db, timezone, defaultRates, mail } = c.var.services;
  return { db, timezone: timezone ?? defaultBusinessTimezone, defaultRates, mailFrom: mail?.mailFrom ?? defaultMailFrom, mailer: mail?.mailer, logger: c.var.logger };
}

/** Mounted at /api/incidents: /{number}/time-entries and /{number}/materials. */
export const incidentTimeEntriesRouter = createRouter();

incidentTimeEntriesRouter.openapi(logTimeRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { entry, replayed } = await logTime(depsOf(c), entryActorOf(c.var.principal), number, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
  c.header('Location', `/api/time-entries/${entry.id}`);
  if (replayed) {
    c.header('Idempotency-Replayed', 'true');
    return c.json(timeEntryView(entry), 200);
  }
  return c.json(timeEntryView(entry), 201);
});

incidentTimeEntriesRouter.openapi(incidentTimeRoute, async (c) => {
  const { entries, totals } = await incidentTimeEntries(c.var.services.db, c.req.valid('param').number);
  return c.json({ items: entries.map(timeEntryView), totals }, 200);
});

incidentTimeEntriesRouter.openapi(incidentMaterialsRoute, async (c) => {
  const { entries, totals } = await incidentMaterials(c.var.services.db, c.req.valid('param').number);
  return c.json({ items: entries.map(materialView), totals }, 200);
});

/** Mounted at /api/time-entries: /{id} edits, overrides, deletes and the audit trail. */
export const timeEntriesRouter = createRouter();

timeEntriesRouter.openapi(listTimeRoute, async (c) => {
  const { billable, ...filter } = c.req.valid('query');
  const { entries, totals, total } = await listTimeEntries(c.var.services.db, { ...filter, billable: billable === undefined ? undefined : billable === 'true' });
  return c.json({ items: entries.map(timeEntryView), totals, total, limit: filter.limit, offset: filter.offset }, 200);
});

timeEntriesRouter.openapi(getTimeRoute, async (c) => c.json(timeEntryView(await getTimeEntry(c.var.services.db, c.req.valid('param').id)), 200));

timeEntriesRouter.openapi(auditRoute, async (c) => c.json({ items: (await timeEntryAudit(c.var.services.db, c.req.valid('param').id)).map(eventView) }, 200));

timeEntriesRouter.openapi(editTimeRoute, async (c) => c.json(timeEntryView(await editTimeEntry(depsOf(c), entryActorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'))), 200));

timeEntriesRouter.openapi(deleteTimeRoute, async (c) => {
  await deleteTimeEntry(depsOf(c), entryActorOf(c.var.principal), c.req.valid('param').id);
  return c.body(null, 204);
});

timeEntriesRouter.openapi(overrideRoute, async (c) => c.json(timeEntryView(await overrideBilling(depsOf(c), entryActorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'))), 200));
