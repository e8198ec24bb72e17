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
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../../activities/index.js';
import { DomainError, ValidationError } from '../../domain/errors.js';
import * as incident from '../../domain/incident.js';
import type { CommandContext, IncidentIntake, IncidentState, Transition } from '../../domain/incident.js';
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
      const field = err instanceof ValidationError ? err.field : undefined;
      throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true, details: field ? [{ field }] : [] });
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
      { incident: transition.state, event: transition.event },
    ]);
    // This command's result, even if another command has changed the state meanwhile.
    return transition.state;
  }

  // Handlers are registered before the first await, so no command that arrives while the
  // creation is recorded is lost; the projection's version guard keeps the order right.
  const opened = 'continued' in input ? undefined : incident.openIncident(input.intake);
  state = 'continued' in input ? input.continued : opened!.state;

  /** Wires one command: the validator rejects before history, the handler applies and records. */
  function command<I extends object>(
    update: UpdateDefinition<IncidentState, [Command<I>]>,
    validate: (current: IncidentState, input: I) => void,
    run: (current: IncidentState, input: I, ctx: CommandContext) => Transition,
  ): void {
    setHandler(update, (cmd: Command<I>) => apply(run(state, cmd, { actor: cmd.actor, at: new Date() })), {
      validator: (cmd: Command<I>) => validated(() => validate(state, cmd)),
    });
  }

  setHandler(getStateQuery, () => state);
  command(assignUpdate, incident.validateAssign, incident.assign);
  command(addNoteUpdate, incident.validateAddNote, incident.addNote);
  command(resolveUpdate, incident.validateResolve, incident.resolve);
  command(closeUpdate, incident.validateClose, (current, _input, ctx) => incident.close(current, ctx));

  setCurrentDetails(describe(state));
  if (opened) {
    await recordIncidentEvent.executeWithOptions({ summary: 'timeline: created' }, [{ incident: opened.state, event: opened.event }]);
  }

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
