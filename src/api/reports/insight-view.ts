// What each role reads of the sales insight. Sales gets an explicit allow-list: numbers, levels,
// statuses and dates, never titles (a mail incident's title is the customer's own subject line)
// or anything else of an incident's content. Agents and above read the incidents themselves, so
// they keep the titles here.
import type { z } from '@hono/zod-openapi';
import { hasRole, type UserRole } from '../../domain/enums.js';
import type { SalesInsight as Insight } from '../../services/reports/sales-insight.js';
import type { SalesInsight } from './schemas.js';

type InsightView = z.infer<typeof SalesInsight>;

export function insightView(insight: Insight, role: UserRole): InsightView {
  if (hasRole(role, 'agent')) return insight;
  // Built field by field: a field added to the service never reaches sales unless listed here.
  return {
    customerNumber: insight.customerNumber,
    name: insight.name,
    days: insight.days,
    since: insight.since,
    creditHold: insight.creditHold,
    escalations: insight.escalations.map((e) => ({ incidentNumber: e.incidentNumber, level: e.level, levelName: e.levelName, at: e.at })),
    escalatedIncidents: insight.escalatedIncidents,
    openIncidents: insight.openIncidents.map((i) => ({ number: i.number, priority: i.priority, status: i.status, escalationLevel: i.escalationLevel, receivedAt: i.receivedAt })),
    slaBreaches: insight.slaBreaches.map((b) => ({ number: b.number, status: b.status })),
    quota: insight.quota.map((q) => ({
      contractNumber: q.contractNumber,
      period: q.period,
      periodStart: q.periodStart,
      periodEnd: q.periodEnd,
      totalMinutes: q.totalMinutes,
      usedMinutes: q.usedMinutes,
      remainingMinutes: q.remainingMinutes,
      percentUsed: q.percentUsed,
    })),
    summary: insight.summary,
  };
}
