// Why an SLA was breached: the cause an agent gives when resolving a breached incident.

/** The causes offered unless BREACH_CAUSES configures others; "other" asks for a note. */
export const defaultBreachCauses = ['waiting_on_customer', 'waiting_on_vendor', 'misrouted', 'capacity', 'outside_contract', 'other'] as const;

export interface BreachCause {
  cause: string;
  note?: string | null | undefined;
}

export const maxBreachNoteLength = 2000;

/** The cause a resolve step carries in its payload, if any. */
export function breachCauseOf(payload: Record<string, unknown>): BreachCause | undefined {
  const given = payload.breachCause as BreachCause | undefined;
  return given && typeof given.cause === 'string' ? { cause: given.cause, note: typeof given.note === 'string' ? given.note : null } : undefined;
}
