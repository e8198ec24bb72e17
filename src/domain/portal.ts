// What the portal tells a customer about a request, decided without I/O: the promise we are
// working to (never escalation levels or internal priorities), and the status in the customer's terms.
import type { ContractTier, IncidentStatus, Priority } from './enums.js';
import type { CalendarDefinition } from './business-time.js';
import { weekdays } from './enums.js';
import { slaPicture, type SlaClock, type SlaPolicySnapshot, type SlaTarget } from './sla.js';

/** The SLA state as the customer reads it. */
export type CustomerSla =
  | { state: 'due'; target: Exclude<SlaTarget, 'resolution'> | 'resolution'; dueAt: string; overdue: boolean; tier: ContractTier | null; hours: 'business' | 'around_the_clock'; zone: string }
  | { state: 'waiting_on_customer'; tier: ContractTier | null }
  | { state: 'waiting_on_follow_up'; tier: ContractTier | null }
  | { state: 'in_progress'; tier: ContractTier | null }
  | { state: 'resolved'; at: string | null }
  | { state: 'closed'; at: string | null }
  | { state: 'none' };

export interface CustomerSlaFacts {
  status: IncidentStatus;
  priority: Priority;
  slaPolicy: SlaPolicySnapshot | null;
  slaClocks: Partial<Record<SlaTarget, SlaClock>> | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

/** The answer we owe first: a first or next response while one runs, else the resolution. */
const customerOrder: SlaTarget[] = ['firstResponse', 'nextResponse', 'resolution'];

export function customerSla(facts: CustomerSlaFacts, now: Date): CustomerSla {
  if (facts.status === 'closed') return { state: 'closed', at: facts.closedAt?.toISOString() ?? null };
  if (facts.status === 'resolved') return { state: 'resolved', at: facts.resolvedAt?.toISOString() ?? null };
  const tier = facts.slaPolicy?.tier ?? null;
  if (facts.status === 'pending_customer') return { state: 'waiting_on_customer', tier };
  if (facts.status === 'pending_change') return { state: 'waiting_on_follow_up', tier };
  if (!facts.slaPolicy || !facts.slaClocks) return tier ? { state: 'in_progress', tier } : { state: 'none' };
  const picture = slaPicture(facts.slaPolicy, facts.priority, facts.slaClocks, now);
  for (const target of customerOrder) {
    const clock = picture.clocks.find((c) => c.target === target);
    if (!clock || !clock.dueAt || (clock.state !== 'running' && clock.state !== 'breached')) continue;
    return {
      state: 'due',
      target,
      dueAt: clock.dueAt,
      overdue: clock.state === 'breached' || Date.parse(clock.dueAt) <= now.getTime(),
      tier,
      hours: aroundTheClock(facts.slaPolicy.calendar) ? 'around_the_clock' : 'business',
      zone: facts.slaPolicy.calendar.timezone,
    };
  }
  return { state: 'in_progress', tier };
}

/** The status in the customer's terms: no internal steps such as "assigned". */
export type CustomerStatus = 'received' | 'in_progress' | 'waiting_on_customer' | 'waiting_on_follow_up' | 'resolved' | 'closed';

export function customerStatus(status: IncidentStatus): CustomerStatus {
  switch (status) {
    case 'new':
      return 'received';
    case 'assigned':
    case 'in_progress':
      return 'in_progress';
    case 'pending_customer':
      return 'waiting_on_customer';
    case 'pending_change':
      return 'waiting_on_follow_up';
    default:
      return status;
  }
}

/** Every day, all day, no holidays: the clock runs around the clock. */
function aroundTheClock(calendar: CalendarDefinition): boolean {
  return !calendar.holidays && weekdays.every((day) => calendar.week[day]?.some(([from, to]) => from === '00:00' && to === '24:00'));
}
