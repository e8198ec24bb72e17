// Messages of the service-order workflow, shared by the workflow and (later) the API. Payloads are one object.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/incident.js';
import type { CancelInput, CompleteInput, ScheduleInput, ServiceOrderLocation, ServiceOrderRecord, StartInput } from '../../domain/service-order.js';
import type { Command } from '../incident/messages.js';

export type { Command };

export interface ServiceOrderWorkflowInput {
  /** The incident workflow that started this as its child; told when it ends. */
  parentWorkflowId?: string | undefined;
  /** `incident-INC-2026-000123/service-order-1`; the record carries it. */
  workflowId: string;
  incidentNumber: string | null;
  customerNumber: string | null;
  title: string;
  location: ServiceOrderLocation;
  description: string;
  openedBy: Actor;
  /** Minutes before the appointment at which the technician is reminded; 60 unless given. */
  reminderLeadMinutes?: number;
  /** Who hears of an overdue order ("user:<id>", "managers" or an address); managers unless given. */
  dispatchRecipients?: string[];
}

export const getServiceOrderQuery = defineQuery<ServiceOrderRecord>('getServiceOrder');
export const scheduleServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<ScheduleInput>]>('scheduleServiceOrder');
export const startServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<StartInput>]>('startServiceOrder');
export const completeServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<CompleteInput>]>('completeServiceOrder');
export const cancelServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<CancelInput>]>('cancelServiceOrder');
