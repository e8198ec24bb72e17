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

export const incidentStatuses = ['new', 'assigned', 'in_progress', 'pending_customer', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const channels = ['phone', 'email', 'portal', 'api'] as const;
export type Channel = (typeof channels)[number];

/** Ranked: each role may do what the ones before it may. `mailgate` (an MTA handing in mail) may do nothing else. */
export const userRoles = ['mailgate', 'agent', 'manager', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
