// Messages of the callback workflow, shared by the workflow and the API. Payloads are one object.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AttachToIncidentInput, CallbackAssignInput, CallbackRecord, CallbackRequest, CancelCallbackInput, LogCallInput } from '../../domain/callback.js';
import type { Command } from '../incident/messages.js';
import type { FollowUpStart } from '../shared.js';

export type { Command };

/** Everything the workflow needs to take a callback request; the caller sets the window (from the tier's callback SLA). */
export type CallbackWorkflowInput = CallbackRequest & FollowUpStart & {
  /** Who hears of a window nobody took, and of reminders when nobody is assigned (default ['managers']). */
  escalationRecipients?: string[];
};

export const getCallbackQuery = defineQuery<CallbackRecord>('getCallback');
export const assignCallbackUpdate = defineUpdate<CallbackRecord, [Command<CallbackAssignInput>]>('assignCallback');
export const logCallbackCallUpdate = defineUpdate<CallbackRecord, [Command<LogCallInput>]>('logCallbackCall');
export const cancelCallbackUpdate = defineUpdate<CallbackRecord, [Command<CancelCallbackInput>]>('cancelCallback');
export const attachCallbackToIncidentUpdate = defineUpdate<CallbackRecord, [Command<AttachToIncidentInput>]>('attachCallbackToIncident');
