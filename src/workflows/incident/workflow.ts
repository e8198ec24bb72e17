// The incident entity workflow: it owns the live state, applies commands from the domain
// state machine, and writes every step to the timeline and projection through an activity.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { DomainError } from '../../domain/errors.js';
import * as incident from '../../domain/incident.js';
import type { AddNoteInput, AssignInput, IncidentIntake, IncidentState, ResolveInput, Transition } from '../../domain/incident.js';
import { incidentSearchAttributes } from '../../temporal/search-attributes.js';
import { addNoteUpdate, assignUpdate, closeUpdate, getStateQuery, resolveUpdate, type Command } from './messages.js';

const { recordIncidentEvent } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export type IncidentWorkflowInput = { intake: IncidentIntake } | { continued: IncidentState };

/** Runs a validator, turning domain errors into failures the API can map to 400/409. */
function validated(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<void> {
  let state: IncidentState;

  async function apply(transition: Transition): Promise<IncidentState> {
    state = transition.state;
    upsertSearchAttributes(incidentSearchAttributes(state));
    setCurrentDetails(describe(state));
    await recordIncidentEvent.executeWithOptions({ summary: `timeline: ${transition.event.type}` }, [
      { incident: state, event: transition.event },
    ]);
    return state;
  }

  if ('continued' in input) {
    state = input.continued;
  } else {
    const opened = incident.openIncident(input.intake);
    state = opened.state;
    setCurrentDetails(describe(state));
    await recordIncidentEvent.executeWithOptions({ summary: 'timeline: created' }, [{ incident: state, event: opened.event }]);
  }

  const now = () => new Date();
  setHandler(getStateQuery, () => state);
  setHandler(assignUpdate, (cmd: Command<AssignInput>) => apply(incident.assign(state, cmd, { actor: cmd.actor, at: now() })), {
    validator: (cmd) => validated(() => incident.validateAssign(state, cmd)),
  });
  setHandler(addNoteUpdate, (cmd: Command<AddNoteInput>) => apply(incident.addNote(state, cmd, { actor: cmd.actor, at: now() })), {
    validator: (cmd) => validated(() => incident.validateAddNote(state, cmd)),
  });
  setHandler(resolveUpdate, (cmd: Command<ResolveInput>) => apply(incident.resolve(state, cmd, { actor: cmd.actor, at: now() })), {
    validator: (cmd) => validated(() => incident.validateResolve(state, cmd)),
  });
  setHandler(closeUpdate, ({ actor }) => apply(incident.close(state, { actor, at: now() })), {
    validator: (_cmd) => validated(() => incident.validateClose(state)),
  });

  await condition(() => state.status === 'closed' || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  if (state.status !== 'closed') {
    await continueAsNew<typeof incidentWorkflow>({ continued: state });
  }
}

/** The one-glance picture shown as "current details" in the Temporal UI. */
function describe(state: IncidentState): string {
  return [
    `**${state.number}** ${state.title}`,
    `Status: ${state.status} · Priority: ${state.priority} · Tier: ${state.contract?.tier ?? 'none'}`,
    `Customer: ${state.customer ? `${state.customer.number} ${state.customer.name}` : 'unknown'}`,
    `Assignee: ${state.assignee?.name ?? '-'} · Group: ${state.assignedGroup ?? '-'}`,
    `Escalation level: ${state.escalationLevel}${state.slaBreached ? ' (SLA breached)' : ''}`,
  ].join('\n');
}
