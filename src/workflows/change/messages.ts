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
import type { FollowUpStart } from '../shared.js';

/** What the parent incident (or a test) starts a change with; `approvalHours` defaults to 24. */
export type ChangeWorkflowInput = ChangeRequest & FollowUpStart;

export const getChangeQuery = defineQuery<ChangeRecord>('getChange');
export const assessChangeUpdate = defineUpdate<ChangeRecord, [Command<AssessChangeInput>]>('assessChange');
/** Sends a normal change to its approvers; a standard change is approved at once. */
export const submitChangeUpdate = defineUpdate<ChangeRecord, [Command]>('submitChange');
/**
 * A decision on the approval by the command's actor ("user:<id>"): a named approver decides for
 * themselves; the change manager (not a named approver) decides for all of them at once, an override
 * that needs a reason as `comment`, before or after the escalation. Anyone else: Forbidden.
 */
export const decideChangeUpdate = defineUpdate<ChangeRecord, [Command<DecideChangeInput>]>('decideChange');
export const scheduleChangeUpdate = defineUpdate<ChangeRecord, [Command<ScheduleChangeInput>]>('scheduleChange');
export const implementChangeUpdate = defineUpdate<ChangeRecord, [Command<ImplementChangeInput>]>('implementChange');
export const reviewChangeUpdate = defineUpdate<ChangeRecord, [Command<ReviewChangeInput>]>('reviewChange');
export const closeChangeUpdate = defineUpdate<ChangeRecord, [Command]>('closeChange');
export const rollBackChangeUpdate = defineUpdate<ChangeRecord, [Command<RollBackChangeInput>]>('rollBackChange');
