// Calendars and SLA policies as data: reads, validated writes, and the mapping to the domain.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { fkViolation, pgError, uniqueViolation } from '../db/pg-errors.js';
import { businessCalendars, contracts, slaPolicies } from '../db/schema/index.js';
import { validateCalendar, type CalendarDefinition } from '../domain/business-calendar.js';
import { callbackMinutesRange } from '../domain/callback-sla.js';
import { IllegalTransition, NotFound, ValidationError } from '../domain/errors.js';
import type { ContractTier, Priority } from '../domain/enums.js';
import { priorities } from '../domain/enums.js';
import type { EscalationLadder, SlaTargets } from '../db/schema/index.js';

export type CalendarRow = typeof businessCalendars.$inferSelect;
export type SlaPolicyRow = typeof slaPolicies.$inferSelect;

export interface CalendarInput extends CalendarDefinition {
  name: string;
}

export interface SlaPolicyInput {
  name: string;
  tier: ContractTier | null;
  calendarId: string;
  targets: Partial<Record<Priority, SlaTargets>>;
  escalation: EscalationLadder;
  /** Waiting for follow-up work pauses resolution and next response (default true). */
  pauseOnPendingChange?: boolean | undefined;
  /** Callback SLA in business minutes; null or absent is the tier's default. */
  callbackMinutes?: number | null | undefined;
}

export function calendarDefinition(row: CalendarRow): CalendarDefinition {
  return {
    timezone: row.timezone,
    week: row.week,
    holidays: row.holidayRegion ? { region: row.holidayRegion } : null,
    closedDates: row.closedDates,
    specialDays: row.specialDays,
  };
}

/** Validates a calendar, prefixing the field with `prefix` (e.g. "calendar.") for the API. */
export function checkCalendar(def: CalendarDefinition, prefix = ''): void {
  try {
    validateCalendar(def);
  } catch (err) {
    if (err instanceof ValidationError && prefix) throw new ValidationError(`${prefix}${err.message}`, `${prefix}${err.field ?? ''}`);
    throw err;
  }
}


function calendarValues(input: CalendarInput) {
  checkCalendar(input);
  return {
    name: input.name,
    timezone: input.timezone,
    week: input.week,
    holidayRegion: input.holidays?.region ?? null,
    closedDates: input.closedDates ?? [],
    specialDays: input.specialDays ?? {},
  };
}

export async function listCalendars(db: Db): Promise<CalendarRow[]> {
  return db.select().from(businessCalendars).orderBy(asc(businessCalendars.name));
}

export async function getCalendar(db: Db, id: string): Promise<CalendarRow> {
  const [row] = await db.select().from(businessCalendars).where(eq(businessCalendars.id, id));
  if (!row) throw new NotFound(`No calendar with id ${id}.`);
  return row;
}

async function writing<T>(what: string, input: { name: string; tier?: string | null }, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!uniqueViolation(err)) throw err;
    if (pgError(err).constraint_name?.includes('tier')) throw new IllegalTransition(`The ${input.tier} tier already has a default policy.`);
    throw new IllegalTransition(`A ${what} named "${input.name}" already exists.`);
  }
}

export async function createCalendar(db: Db, input: CalendarInput): Promise<CalendarRow> {
  const values = calendarValues(input);
  return writing('calendar', input, async () => (await db.insert(businessCalendars).values(values).returning())[0]!);
}

export async function updateCalendar(db: Db, id: string, input: CalendarInput): Promise<CalendarRow> {
  const values = calendarValues(input);
  await getCalendar(db, id);
  return writing('calendar', input, async () => (await db.update(businessCalendars).set(values).where(eq(businessCalendars.id, id)).returning())[0]!);
}

export async function deleteCalendar(db: Db, id: string): Promise<void> {
  await getCalendar(db, id);
  try {
    await db.delete(businessCalendars).where(eq(businessCalendars.id, id));
  } catch (err) {
    if (fkViolation(err)) throw new IllegalTransition(`Calendar ${id} is used by an SLA policy; point the policy elsewhere first.`);
    throw err;
  }
}

export async function listPolicies(db: Db): Promise<SlaPolicyRow[]> {
  return db.select().from(slaPolicies).orderBy(asc(slaPolicies.name));
}

export async function getPolicy(db: Db, id: string): Promise<SlaPolicyRow> {
  const [row] = await db.select().from(slaPolicies).where(eq(slaPolicies.id, id));
  if (!row) throw new NotFound(`No SLA policy with id ${id}.`);
  return row;
}

async function policyValues(db: Db, input: SlaPolicyInput) {
  const missing = priorities.filter((p) => !input.targets[p]);
  if (missing.length > 0) throw new ValidationError(`targets: give targets for every priority; missing ${missing.join(', ')}.`, 'targets');
  const [calendar] = await db.select({ id: businessCalendars.id }).from(businessCalendars).where(eq(businessCalendars.id, input.calendarId));
  if (!calendar) throw new ValidationError(`No calendar with id ${input.calendarId}.`, 'calendarId');
  const callbackMinutes = input.callbackMinutes ?? null;
  if (callbackMinutes !== null && (!Number.isInteger(callbackMinutes) || callbackMinutes < callbackMinutesRange.min || callbackMinutes > callbackMinutesRange.max)) {
    throw new ValidationError(`callbackMinutes: a whole number of business minutes from ${callbackMinutesRange.min} to ${callbackMinutesRange.max}, or null for the tier default.`, 'callbackMinutes');
  }
  return {
    name: input.name,
    tier: input.tier,
    calendarId: input.calendarId,
    targets: input.targets as Record<Priority, SlaTargets>,
    escalation: input.escalation,
    pauseOnPendingChange: input.pauseOnPendingChange ?? true,
    callbackMinutes,
  };
}

export async function createPolicy(db: Db, input: SlaPolicyInput): Promise<SlaPolicyRow> {
  const values = await policyValues(db, input);
  return writing('SLA policy', input, async () => (await db.insert(slaPolicies).values(values).returning())[0]!);
}

/** Replaces a policy and bumps its version; running incidents keep the targets they started with. */
export async function updatePolicy(db: Db, id: string, input: SlaPolicyInput): Promise<SlaPolicyRow> {
  const current = await getPolicy(db, id);
  const values = await policyValues(db, input);
  return writing('SLA policy', input, async () =>
    (await db.update(slaPolicies).set({ ...values, version: current.version + 1 }).where(eq(slaPolicies.id, id)).returning())[0]!,
  );
}

export async function deletePolicy(db: Db, id: string): Promise<void> {
  await getPolicy(db, id);
  const [used] = await db.select({ id: contracts.id }).from(contracts).where(eq(contracts.slaPolicyId, id)).limit(1);
  if (used) throw new IllegalTransition(`SLA policy ${id} is used by a contract; point the contract elsewhere first.`);
  await db.delete(slaPolicies).where(eq(slaPolicies.id, id));
}
