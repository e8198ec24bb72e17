// Messages of the incident workflow, shared by the workflow and the API. Payloads are one object.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CreateFollowUpInput, DetachFollowUpInput, FollowUpEndedInput, FollowUpReopenedInput } from '../../domain/incident/follow-ups.js';
import type { DeliveryFailureInput } from '../../domain/incident/mail.js';
import type { AddNoteInput, AssignInput, IncidentIntake, IncidentState, ResolveInput } from '../../domain/incident/state.js';
import type { Actor } from '../../domain/kernel.js';
import type { ReplyWithCc } from '../../domain/incident/reply-cc.js';
import type {
  ChangeContractInput,
  ChangePriorityInput,
  CustomerMessageInput,
  ReopenInput,
  ResumeInput,
  SetPendingInput,
} from '../../domain/incident/lifecycle.js';
import type { CallbackWorkflowInput } from '../callback/messages.js';
import type { ChangeWorkflowInput } from '../change/messages.js';
import type { ServiceOrderWorkflowInput } from '../service-order/messages.js';

/** Every command carries who issues it; the API fills it from the authenticated principal. */
export type Command<T = object> = T & { actor: Actor };

export const getStateQuery = defineQuery<IncidentState>('getState');
export const assignUpdate = defineUpdate<IncidentState, [Command<AssignInput>]>('assign');
export const addNoteUpdate = defineUpdate<IncidentState, [Command<AddNoteInput>]>('addNote');
export const replyUpdate = defineUpdate<IncidentState, [Command<ReplyWithCc>]>('reply');
export const resolveUpdate = defineUpdate<IncidentState, [Command<ResolveInput>]>('resolve');
export const closeUpdate = defineUpdate<IncidentState, [Command]>('close');
export const customerMessageUpdate = defineUpdate<IncidentState, [Command<CustomerMessageInput>]>('customerMessage');
export const setPendingUpdate = defineUpdate<IncidentState, [Command<SetPendingInput>]>('setPending');
export const resumeUpdate = defineUpdate<IncidentState, [Command<ResumeInput>]>('resume');
export const changePriorityUpdate = defineUpdate<IncidentState, [Command<ChangePriorityInput>]>('changePriority');
export const changeContractUpdate = defineUpdate<IncidentState, [Command<ChangeContractInput>]>('changeContract');
export const reopenUpdate = defineUpdate<IncidentState, [Command<ReopenInput>]>('reopen');
export const deliveryFailureUpdate = defineUpdate<IncidentState, [Command<DeliveryFailureInput>]>('deliveryFailure');

/** What the incident itself adds to a follow-up's start input (its id, kind, title, incident, customer, who opened it). */
type StartedByIncident = 'workflowId' | 'kind' | 'incidentNumber' | 'customerNumber' | 'title' | 'openedBy' | 'parentWorkflowId';
/**
 * The kind's own start fields that a follow-up command hands to its child workflow: a service
 * order's location, a change's approvers and plans, a callback's window, a child ticket's intake.
 */
export type FollowUpChildStart =
  | Omit<ServiceOrderWorkflowInput, StartedByIncident>
  | Omit<ChangeWorkflowInput, StartedByIncident>
  | Omit<CallbackWorkflowInput, StartedByIncident>
  | { intake: IncidentIntake };
/** Starts follow-up work as a child workflow; `child` carries the kind's own start fields. */
export type CreateFollowUpCommand = CreateFollowUpInput & { child?: FollowUpChildStart };
export const createFollowUpUpdate = defineUpdate<IncidentState, [Command<CreateFollowUpCommand>]>('createFollowUp');
export const detachFollowUpUpdate = defineUpdate<IncidentState, [Command<DetachFollowUpInput>]>('detachFollowUp');
/** A child reports its end to the incident (by workflow id, so it reaches the run after continue-as-new too). */
export const followUpEndedSignal = defineSignal<[FollowUpEndedInput]>('followUpEnded');
/** A child ticket that was resolved is open again (reopened, or its customer wrote). */
export const followUpReopenedSignal = defineSignal<[FollowUpReopenedInput]>('followUpReopened');
