// Messages of the service-order workflow, shared by the workflow and (later) the API. Payloads are one object.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelInput, CompleteInput, PlanServiceOrderInput, ScheduleInput, ServiceOrderRecord, StartInput } from '../../domain/service-order.js';
import type { Command } from '../incident/messages.js';
import type { FollowUpStart } from '../shared.js';

export type { Command };

/** The order to plan (the workflow takes its own `at`), and how the workflow reminds and escalates. */
export type ServiceOrderWorkflowInput = Omit<PlanServiceOrderInput, 'at'> & FollowUpStart & {
  /** Minutes before the appointment at which the technician is reminded; 60 unless given. */
  reminderLeadMinutes?: number;
  /** Who hears of an overdue order ("user:<id>", "managers" or an address); managers unless given. */
  dispatchRecipients?: string[];
};

export const getServiceOrderQuery = defineQuery<ServiceOrderRecord>('getServiceOrder');
export const scheduleServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<ScheduleInput>]>('scheduleServiceOrder');
export const startServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<StartInput>]>('startServiceOrder');
export const completeServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<CompleteInput>]>('completeServiceOrder');
export const cancelServiceOrderUpdate = defineUpdate<ServiceOrderRecord, [Command<CancelInput>]>('cancelServiceOrder');
