// Child tickets: an incident split off another to share the work across teams. It is a full
// incident with its own number, SLA and timeline, started by its parent as a child workflow and
// linked on both timelines; the parent can wait for it and hears when it is resolved.
import type { Impact, Priority, Urgency } from '../domain/enums.js';
import type { IncidentState } from '../domain/incident/state.js';
import type { Actor } from '../domain/kernel.js';
import { validateNewFollowUp } from '../domain/incident/follow-ups.js';
import { incidentWorkflowId } from '../domain/workflow-ids.js';
import { assignUpdate } from '../workflows/incident/messages.js';
import { queryIncidentState, sendIncidentCommand } from './incident-commands.js';
import { openIncidentFromRequest, type IntakeDeps } from './incident-intake.js';

export interface ChildTicketInput {
  title: string;
  /** Default: "Split from <parent>: <parent title>". */
  description?: string | undefined;
  waitFor?: boolean | undefined;
  /** Default: the parent's priority, unless impact and urgency are given. */
  priority?: Priority | undefined;
  impact?: Impact | undefined;
  urgency?: Urgency | undefined;
  /** Another device of the same customer; default the parent's. */
  serialNumber?: string | undefined;
  /** The customer's contact hears of this ticket only when named here (the parent keeps talking to the customer). */
  contactEmail?: string | undefined;
  /** The team (and person) the work goes to. */
  group?: string | undefined;
  assignee?: { id: string; name: string } | undefined;
}

export interface OpenedChildTicket {
  parent: IncidentState;
  child: IncidentState;
  /** False when Temporal was away: the intake is recorded and the start-up sweep starts and links it later. */
  started: boolean;
  replayed: boolean;
}

/**
 * Opens a child ticket of `parentNumber`: checks that the parent takes follow-up work now, then
 * records the intake (own number, entitlement, SLA) with the parent in it and has the parent
 * start and link it. With an Idempotency-Key a retry opens nothing new.
 */
export async function openChildTicket(
  deps: IntakeDeps,
  parentNumber: string,
  input: ChildTicketInput,
  options: { actor: Actor; idempotencyKey?: string | undefined },
): Promise<OpenedChildTicket> {
  const parent = await queryIncidentState(deps.temporal, parentNumber);
  validateNewFollowUp(parent, { kind: 'child_ticket', title: input.title, waitFor: input.waitFor });
  const byImpact = input.impact !== undefined || input.urgency !== undefined;
  const opened = await openIncidentFromRequest(
    deps,
    {
      title: input.title.trim(),
      description: input.description?.trim() || `Split from ${parent.number}: ${parent.title}`,
      customerNumber: parent.customer?.number,
      serialNumber: input.serialNumber ?? parent.asset?.serialNumber,
      contactEmail: input.contactEmail,
      impact: input.impact,
      urgency: input.urgency,
      priority: input.priority ?? (byImpact ? undefined : parent.priority),
      channel: parent.channel,
    },
    {
      actor: options.actor,
      idempotencyKey: options.idempotencyKey,
      keyScope: `${options.actor.id}:child-of:${parent.number}`,
      parent: { number: parent.number, workflowId: incidentWorkflowId(parent.number), waits: Boolean(input.waitFor) },
    },
  );
  let child = opened.incident;
  if (opened.started && !opened.replayed && (input.group || input.assignee)) {
    child = await sendIncidentCommand(deps.temporal, child.number, assignUpdate, {
      group: input.group ?? null,
      assigneeId: input.assignee?.id ?? null,
      assigneeName: input.assignee?.name ?? null,
      actor: options.actor,
    });
  }
  return { parent: opened.started ? await queryIncidentState(deps.temporal, parent.number) : parent, child, started: opened.started, replayed: opened.replayed };
}
