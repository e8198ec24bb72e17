// Enumerations of the business, declared once and reused by the schema, zod and TypeScript.

export const contractTiers = ['silver', 'gold', 'platinum'] as const;
export type ContractTier = (typeof contractTiers)[number];

export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof priorities)[number];

/** ITIL impact and urgency, from which the priority is derived. */
export const impacts = ['high', 'medium', 'low'] as const;
export type Impact = (typeof impacts)[number];
export const urgencies = ['high', 'medium', 'low'] as const;
export type Urgency = (typeof urgencies)[number];

/** `pending_change`: waiting for a follow-up (a change, a service order) the incident depends on. */
export const incidentStatuses = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_change', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const channels = ['phone', 'email', 'portal', 'api'] as const;
export type Channel = (typeof channels)[number];

/**
 * Ranked: each role may do what the ones before it may. `mailgate` (an MTA handing in mail)
 * may do nothing else; `sales` sees a customer's commercial picture (insight, entitlement,
 * SLA preview) but no incident content and no mail.
 */
export const userRoles = ['mailgate', 'sales', 'agent', 'manager', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

/** The role is `minimum` or ranks above it. */
export function hasRole(role: UserRole, minimum: UserRole): boolean {
  return userRoles.indexOf(role) >= userRoles.indexOf(minimum);
}

export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** What a time entry's work was; each contract has an hourly rate per type. */
export const activityTypes = ['remote', 'onsite', 'travel'] as const;
export type ActivityType = (typeof activityTypes)[number];

/** A quota renews each calendar month, quarter or year, or is a one-off prepaid block over the contract's validity. */
export const quotaPeriods = ['month', 'quarter', 'year', 'prepaid'] as const;
export type QuotaPeriod = (typeof quotaPeriods)[number];

export const entitlementDecisions = ['covered', 'quota', 'billable', 'blocked'] as const;
export type EntitlementDecision = (typeof entitlementDecisions)[number];

export const projectKinds = ['support', 'maintenance'] as const;
export type ProjectKind = (typeof projectKinds)[number];

export const invoiceStatuses = ['draft', 'final'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

/** `quota_overage`: billable because the contract's quota for the period was used up. */
export const invoiceLineKinds = ['time', 'quota_overage', 'material'] as const;
export type InvoiceLineKind = (typeof invoiceLineKinds)[number];

/** Follow-up work an incident spawns (child workflows), and the callback service. */
export const followUpKinds = ['service_order', 'hardware_change', 'software_change', 'child_ticket', 'callback'] as const;
export type FollowUpKind = (typeof followUpKinds)[number];

/**
 * An inbound mail's status. received: stored, not yet processed · processing: claimed by a processor · processed: threaded or
 * opened an incident · callback: became a callback request (see callbackWorkflowId) · review: held
 * for an agent · ignored: noise or our own mail, kept · quarantined: could not be parsed, kept for
 * an agent.
 */
export const inboundMailStatuses = ['received', 'processing', 'processed', 'callback', 'review', 'ignored', 'quarantined'] as const;
export type InboundMailStatus = (typeof inboundMailStatuses)[number];

/** What happened to a material entry; booking is recorded on the entry itself (createdBy, createdAt). */
export const materialEntryEventTypes = ['corrected', 'billing_overridden', 'deleted'] as const;
export type MaterialEntryEventType = (typeof materialEntryEventTypes)[number];

/**
 * What a customer's contacts see in the portal: only the requests they opened themselves (`own`),
 * all of their organisation's to read (`organisation_read`), or all of them with the right to reply
 * (`organisation_reply`). A contact flagged as customer admin sees and answers all of them regardless.
 */
export const portalSharingModes = ['own', 'organisation_read', 'organisation_reply'] as const;
export type PortalSharingMode = (typeof portalSharingModes)[number];
/** Why a single-use portal link was sent: to sign in, or to set a new password. */
export const portalLinkPurposes = ['sign_in', 'password_reset'] as const;
export type PortalLinkPurpose = (typeof portalLinkPurposes)[number];

/** Knowledge-base articles: `public` (portal and staff), `internal` (staff only), `restricted` (staff and the named customers' contacts). */
export const kbVisibilities = ['public', 'internal', 'restricted'] as const;
export type KbVisibility = (typeof kbVisibilities)[number];

/** Only published articles reach the portal; archived ones stay for the record and links. */
export const kbStates = ['draft', 'published', 'archived'] as const;
export type KbState = (typeof kbStates)[number];
