// A callback as the API shows it, from the workflow's record or from the projection row.
import type { z } from '@hono/zod-openapi';
import type { CallbackRecord } from '../../domain/callback.js';
import { callbackHref } from '../../services/callbacks.js';
import type { FollowUpRow } from '../../services/follow-ups.js';
import type { Callback } from './schemas.js';

type CallbackView = z.infer<typeof Callback>;
const idOf = (workflowId: string) => (workflowId.startsWith('callback-') ? workflowId.slice('callback-'.length) : null);

export function callbackViewOfRecord(record: CallbackRecord): CallbackView {
  const { workflowId, title, state, ended, customerNumber, incidentNumber, assigneeId, dueAt, details, updatedAt } = record;
  return { id: idOf(workflowId), workflowId, href: callbackHref(workflowId), title, state, ended, customerNumber, incidentNumber, assigneeId, dueAt, details, updatedAt };
}

export function callbackViewOfRow(row: FollowUpRow): CallbackView {
  return {
    id: idOf(row.workflowId),
    workflowId: row.workflowId,
    href: callbackHref(row.workflowId),
    title: row.title,
    state: row.state,
    ended: row.ended,
    customerNumber: row.customerNumber,
    incidentNumber: row.incidentNumber,
    assigneeId: row.assigneeId,
    dueAt: row.dueAt?.toISOString() ?? null,
    details: row.details,
    updatedAt: row.updatedAt.toISOString(),
  };
}
