// A fixture for the report tests: SLA policy snapshots and a driver that takes an incident
// through the domain's own steps, recording each one with the real projection activity (so the
// SLA fact log is what the workflows write) and re-assessing the escalation level around each
// step as the incident workflow's loop does.
import { createIncidentProjectionActivities } from '../../src/activities/incident-projection.js';
import type { Db } from '../../src/db/client.js';
import { resolveHolidays, resolveZone } from '../../src/domain/business-calendar.js';
import { validateResolveRequest } from '../../src/domain/incident/breach.js';
import { escalationSteps } from '../../src/domain/incident/sla.js';
import { openIncident, reply, resolve, type IncidentState, type Transition } from '../../src/domain/incident/state.js';
import { defaultEscalationLadder, type SlaPolicySnapshot } from '../../src/domain/sla.js';
import type { ContractTier } from '../../src/domain/enums.js';
import { testIntake } from './intake.js';

const office: [string, string][] = [['08:00', '17:00']];
const allDay: [string, string][] = [['00:00', '24:00']];
const officeCalendar = { timezone: 'Europe/Berlin', week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays: { region: 'DE-NW' } };
const snapshot = (id: string, name: string, tier: ContractTier, calendar: SlaPolicySnapshot['calendar'], p3: { firstResponse: number; nextResponse: number; resolution: number }): SlaPolicySnapshot => ({
  id,
  name,
  version: 1,
  tier,
  calendar,
  publicHolidays: calendar.holidays ? resolveHolidays('DE-NW', 2025, 2028) : null,
  zoneOffsets: resolveZone('Europe/Berlin', 2025, 2028),
  targets: { P1: p3, P2: p3, P3: p3, P4: p3 },
  escalation: defaultEscalationLadder,
});
// Gold and Silver: Mon–Fri 08–17 Berlin with DE-NW holidays. Platinum: 24x7 Berlin (a DST day has 23 hours).
export const gold = snapshot('10000000-0000-4000-8000-000000000001', 'Gold', 'gold', officeCalendar, { firstResponse: 240, nextResponse: 480, resolution: 1620 });
export const silver = snapshot('10000000-0000-4000-8000-000000000002', 'Silver', 'silver', officeCalendar, { firstResponse: 480, nextResponse: 960, resolution: 2700 });
export const platinum = snapshot(
  '10000000-0000-4000-8000-000000000003',
  'Platinum',
  'platinum',
  { timezone: 'Europe/Berlin', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
  { firstResponse: 60, nextResponse: 120, resolution: 240 },
);

export const fixtureAgent = { id: 'user:00000000-0000-4000-8000-0000000000aa', name: 'Golden Agent' };
const system = { id: 'system', name: 'Helpdesk' };
export type Step = [string, (s: IncidentState, at: Date) => Transition];

/** Drives an incident like its workflow and answers its final state (as of `until`). */
export async function driveIncident(db: Db, number: string, policy: SlaPolicySnapshot, group: string, receivedAt: string, steps: Step[], until: Date, customerNumber = 'K-GOLDEN'): Promise<IncidentState> {
  const { recordIncidentEvent } = createIncidentProjectionActivities({ db });
  const opened = openIncident(
    testIntake({ number, sla: policy, slaPolicyId: policy.id, receivedAt, contract: { id: policy.id, number: `V-${policy.name}`, tier: policy.tier! }, customer: { id: '20000000-0000-4000-8000-000000000001', number: customerNumber, name: 'Golden GmbH' } }),
  );
  let state: IncidentState = { ...opened.state, assignedGroup: group };
  await recordIncidentEvent({ incident: state, event: opened.event });
  const record = async (t: Transition) => {
    state = t.state;
    await recordIncidentEvent({ incident: t.state, event: t.event });
  };
  const reassess = async (at: Date) => {
    for (const t of escalationSteps(state, { actor: system, at })) await record(t);
  };
  for (const [at, step] of steps) {
    const when = new Date(at);
    // The SLA loop's wake-ups before the step (every level passed, each with its exact instant), and after it.
    await reassess(when);
    await record(step(state, when));
    await reassess(when);
  }
  await reassess(until);
  return state;
}

const ctx = (at: Date) => ({ actor: fixtureAgent, at });
export const replied = (s: IncidentState, at: Date) => reply(s, { text: 'Looking into it.' }, ctx(at));
export const resolved = (cause?: string) => (s: IncidentState, at: Date) => {
  const input = { resolution: 'Fixed.', ...(cause ? { breachCause: { cause } } : {}), actor: fixtureAgent };
  validateResolveRequest(s, input, at);
  return resolve(s, input, ctx(at));
};
