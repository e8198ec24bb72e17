// The process's logger: JSON lines (pino). A line logged inside a Temporal activity carries the
// activity's type, its workflow's id and, for an incident's workflow or a follow-up under it, the
// incident number, whichever logger the activity got at creation time (deps.logger).
import { asyncLocalStorage } from '@temporalio/activity';
import { pino, type DestinationStream, type Logger } from 'pino';
import { incidentNumberOfWorkflowId } from './domain/workflow-ids.js';

/** What the running activity adds to a log line: `activityType`, `workflowId`, `incidentNumber`; nothing outside an activity. */
export function activityLogFields(): Record<string, string> {
  // The SDK's own store of the activity context: undefined outside an activity (Context.current() would throw).
  const info = asyncLocalStorage.getStore()?.info;
  if (!info) return {};
  const workflowId = info.workflowExecution?.workflowId;
  const incidentNumber = workflowId === undefined ? undefined : incidentNumberOfWorkflowId(workflowId);
  return {
    activityType: info.activityType,
    ...(workflowId === undefined ? {} : { workflowId }),
    ...(incidentNumber === undefined ? {} : { incidentNumber }),
  };
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'helpdesk' }, mixin: activityLogFields };
  return destination ? pino(options, destination) : pino(options);
}
