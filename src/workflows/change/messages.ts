// Messages of the change workflow (hardware and software changes), shared by the workflow and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  AssessChangeInput,
  ChangeRecord,
  ChangeRequest,
  DecideChangeInput,
  ImplementChangeInput,
  ReviewChangeInput,
  RollBackChangeInput,
  ScheduleChangeInput,
} from '../../domain/change.js';
import type { Command } from '../incident/messages.js';

/** What the parent incident (or a test) starts a change with; `approvalHours` defaults to 24. */
export type ChangeWorkflowInput = ChangeRequest;

export const getChangeQuery = defineQuery<ChangeRecord>('getChange');
export const assessChangeUpdate = defineUpdate<ChangeRecord, [Command<AssessChangeInput>]>('assessChange');
/** Sends a normal change to its approvers; a standard change is approved at once. */
export const submitChangeUpdate = defineUpdate<ChangeRecord, [Command]>('submitChange');
/** One approver's decision; the approver is the command's actor ("user:<id>"). */
export const decideChangeUpdate = defineUpdate<ChangeRecord, [Command<DecideChangeInput>]>('decideChange');
export const scheduleChangeUpdate = defineUpdate<ChangeRecord, [Command<ScheduleChangeInput>]>('scheduleChange');
export const implementChangeUpdate = defineUpdate<ChangeRecord, [Command<ImplementChangeInput>]>('implementChange');
export const reviewChangeUpdate = defineUpdate<ChangeRecord, [Command<ReviewChangeInput>]>('reviewChange');
export const closeChangeUpdate = defineUpdate<ChangeRecord, [Command]>('closeChange');
export const rollBackChangeUpdate = defineUpdate<ChangeRecord, [Command<RollBackChangeInput>]>('rollBackChange');
