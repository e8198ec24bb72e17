// Messages of the callback workflow, shared by the workflow and the API. Payloads are one object.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CallbackSla } from '../../domain/callback-sla.js';
import type { AttachToIncidentInput, PhoneSource, CallbackAssignInput, CallbackChannel, CallbackRecord, CallWindow, CancelCallbackInput, LogCallInput } from '../../domain/callback.js';
import type { Actor } from '../../domain/incident.js';
import type { Command } from '../incident/messages.js';

export type { Command };

/** Everything the workflow needs to take a callback request; the caller sets the window (from the tier's callback SLA). */
export interface CallbackWorkflowInput {
  /** The incident workflow that started this as its child; told when it ends. */
  parentWorkflowId?: string | undefined;
  /** `callback-<uuid>`, or `incident-INC-2026-000123/callback-1` under an incident. */
  workflowId: string;
  incidentNumber: string | null;
  customerNumber: string | null;
  phone: string;
  topic: string;
  contactName: string;
  window: CallWindow;
  requestedBy: CallbackChannel;
  openedBy: Actor;
  /** Who hears of a window nobody took, and of reminders when nobody is assigned (default ['managers']). */
  escalationRecipients?: string[];
  maxAttempts?: number;
  retryMinutes?: number;
  /** The caller's e-mail when they are a known contact. */
  contactEmail?: string | null;
  /** The callback SLA the window was checked against; recorded on the `created` event. */
  sla?: CallbackSla;
  /** Where the number came from (a mail's text, or the contact's record), and the number on record when it differs. */
  phoneSource?: PhoneSource;
  contactPhone?: string | null;
}

export const getCallbackQuery = defineQuery<CallbackRecord>('getCallback');
export const assignCallbackUpdate = defineUpdate<CallbackRecord, [Command<CallbackAssignInput>]>('assignCallback');
export const logCallbackCallUpdate = defineUpdate<CallbackRecord, [Command<LogCallInput>]>('logCallbackCall');
export const cancelCallbackUpdate = defineUpdate<CallbackRecord, [Command<CancelCallbackInput>]>('cancelCallback');
export const attachCallbackToIncidentUpdate = defineUpdate<CallbackRecord, [Command<AttachToIncidentInput>]>('attachCallbackToIncident');
