// A follow-up row as the API shows it.
import type { z } from '@hono/zod-openapi';
import type { FollowUpItem } from '../../services/follow-ups.js';
import type { FollowUp } from './schemas.js';

export const followUpView = (row: FollowUpItem): z.infer<typeof FollowUp> => ({
  ref: row.ref,
  workflowId: row.workflowId,
  kind: row.kind,
  title: row.title,
  state: row.state,
  ended: row.ended,
  assigneeId: row.assigneeId,
  dueAt: row.dueAt?.toISOString() ?? null,
  details: row.details,
  updatedAt: row.updatedAt.toISOString(),
});
