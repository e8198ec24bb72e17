// A stored SLA policy as the API shows it.
import type { z } from '@hono/zod-openapi';
import type { SlaPolicyRow } from '../../services/sla-config.js';
import type { SlaPolicy } from './schemas.js';

export function policyView(row: SlaPolicyRow): z.infer<typeof SlaPolicy> {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    calendarId: row.calendarId,
    targets: row.targets,
    escalation: row.escalation,
    pauseOnPendingChange: row.pauseOnPendingChange,
    callbackMinutes: row.callbackMinutes,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
  };
}
