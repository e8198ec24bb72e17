// Messages of the incident workflow, shared by the workflow and the API. Payloads are one object.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DeliveryFailureInput } from '../../domain/incident-mail.js';
import type { Actor, AddNoteInput, AssignInput, IncidentState, ReplyInput, ResolveInput } from '../../domain/incident.js';
import type {
  ChangeContractInput,
  ChangePriorityInput,
  CustomerMessageInput,
  ReopenInput,
  ResumeInput,
  SetPendingInput,
} from '../../domain/incident-lifecycle.js';

/** Every command carries who issues it; the API fills it from the authenticated principal. */
export type Command<T = object> = T & { actor: Actor };

export const getStateQuery = defineQuery<IncidentState>('getState');
export const assignUpdate = defineUpdate<IncidentState, [Command<AssignInput>]>('assign');
export const addNoteUpdate = defineUpdate<IncidentState, [Command<AddNoteInput>]>('addNote');
export const replyUpdate = defineUpdate<IncidentState, [Command<ReplyInput>]>('reply');
export const resolveUpdate = defineUpdate<IncidentState, [Command<ResolveInput>]>('resolve');
export const closeUpdate = defineUpdate<IncidentState, [Command]>('close');
export const customerMessageUpdate = defineUpdate<IncidentState, [Command<CustomerMessageInput>]>('customerMessage');
export const setPendingUpdate = defineUpdate<IncidentState, [Command<SetPendingInput>]>('setPending');
export const resumeUpdate = defineUpdate<IncidentState, [Command<ResumeInput>]>('resume');
export const changePriorityUpdate = defineUpdate<IncidentState, [Command<ChangePriorityInput>]>('changePriority');
export const changeContractUpdate = defineUpdate<IncidentState, [Command<ChangeContractInput>]>('changeContract');
export const reopenUpdate = defineUpdate<IncidentState, [Command<ReopenInput>]>('reopen');
export const deliveryFailureUpdate = defineUpdate<IncidentState, [Command<DeliveryFailureInput>]>('deliveryFailure');
