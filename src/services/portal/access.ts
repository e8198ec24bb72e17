// The portal's one access rule. Every portal query about incidents (and what hangs off them:
// messages, files, follow-up work, callbacks) filters through it, so there is one place to read
// what a contact may see. An incident outside it does not exist for the contact: 404, never 403.
import { and, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { followUps, incidents } from '../../db/schema/index.js';
import type { PortalViewer } from './sessions.js';

/** Sees the whole organisation's requests: a customer admin, or any contact when the customer shares them. */
export const seesOrganisation = (viewer: Pick<PortalViewer, 'admin' | 'sharing'>) => viewer.admin || viewer.sharing !== 'own';

/**
 * The incidents the contact may see: their customer's, and of those only their own unless the
 * customer shares them. A child ticket (internal work split off a request) is the helpdesk's
 * own, and only the contact it names sees it.
 */
export function visibleIncidents(viewer: PortalViewer): SQL {
  const own = eq(incidents.contactId, viewer.contactId);
  const customer = eq(incidents.customerNumber, viewer.customerNumber);
  return seesOrganisation(viewer) ? and(customer, or(isNull(incidents.parentNumber), own))! : and(customer, own)!;
}

/** Of the visible incidents, those the contact may also answer (reply, solved, reopen, callback). */
export function answerableIncident(viewer: PortalViewer): SQL<boolean> {
  if (viewer.admin || viewer.sharing === 'organisation_reply') return sql<boolean>`true`;
  return sql<boolean>`(${incidents.contactId} is not distinct from ${viewer.contactId}::uuid)`;
}

/**
 * The callbacks the contact may see, by the same rule: one under a visible incident, or one of
 * their customer without an incident, asked for by them unless the customer shares requests.
 */
export function visibleCallbacks(viewer: PortalViewer): SQL {
  const underVisibleIncident = sql`exists (select 1 from ${incidents} where ${incidents.number} = ${followUps.incidentNumber} and ${visibleIncidents(viewer)})`;
  const own = seesOrganisation(viewer) ? sql`true` : sql`lower(${followUps.details}->>'contactEmail') = ${viewer.email.toLowerCase()}`;
  const standalone = and(isNull(followUps.incidentNumber), eq(followUps.customerNumber, viewer.customerNumber), own);
  return and(eq(followUps.kind, 'callback'), or(and(isNotNull(followUps.incidentNumber), underVisibleIncident), standalone))!;
}
