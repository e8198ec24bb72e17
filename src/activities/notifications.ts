// Escalation notifications: resolve the level's recipients, write one outbox row each (keyed by
// incident, event and recipient), then deliver the rows that are not sent yet. A retry finds the
// rows and sends only what is still unsent.
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { customers, outboxMessages, users } from '../db/schema/index.js';
import type { IncidentEvent } from '../domain/incident/state.js';
import { newMessageId, type Mailer } from '../mail/outbound.js';
import { createOutboxSender } from '../mail/outbox.js';

export interface NotificationDeps {
  db: Db;
  mailer?: Mailer | undefined;
  mailFrom: string;
  webhookUrl?: string | undefined;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** What the workflow passes: enough to address and word the message, nothing more. */
export interface EscalationNotice {
  incident: { number: string; title: string; priority: string; customerNumber: string | null; assigneeId: string | null; assignedGroup: string | null };
  event: Pick<IncidentEvent, 'seq' | 'at' | 'payload'>;
}

/** Deactivated users hear of nothing. */
const active = isNull(users.deactivatedAt);

/** Role names of the escalation ladder to addresses (active users only); a literal address passes through. */
async function resolveRecipients(db: Db, notice: EscalationNotice, roles: string[]): Promise<string[]> {
  const addresses = new Set<string>();
  for (const role of roles) {
    if (role.includes('@')) addresses.add(role);
    else if (role === 'assignee' && notice.incident.assigneeId) {
      const [u] = await db.select({ email: users.email }).from(users).where(and(eq(users.id, notice.incident.assigneeId), active));
      if (u) addresses.add(u.email);
    } else if (role === 'group' && notice.incident.assignedGroup) {
      for (const u of await db.select({ email: users.email }).from(users).where(and(eq(users.groupName, notice.incident.assignedGroup), active))) addresses.add(u.email);
    } else if (role === 'group-lead' || role === 'service-manager') {
      // Managers lead the groups until groups get explicit leads.
      for (const u of await db.select({ email: users.email }).from(users).where(and(eq(users.role, 'manager'), active))) addresses.add(u.email);
    } else if (role === 'account-manager' && notice.incident.customerNumber) {
      const [manager] = await db
        .select({ email: users.email })
        .from(customers)
        .innerJoin(users, eq(users.id, customers.accountManagerId))
        .where(and(eq(customers.customerNumber, notice.incident.customerNumber), active));
      if (manager) addresses.add(manager.email);
    }
  }
  return [...addresses].sort();
}

function wording(notice: EscalationNotice) {
  const p = notice.event.payload as { to: number; from: number; name: string; target: string | null; dueAt: string | null; policy: string; direction: string };
  const subject = `[${notice.incident.number}] Escalation level ${p.to} (${p.name})${p.target ? `: ${p.target}` : ''}, ${p.policy}`;
  const body = [
    `Incident ${notice.incident.number}: ${notice.incident.title}`,
    `Customer: ${notice.incident.customerNumber ?? 'unknown'} · Priority: ${notice.incident.priority}`,
    `Escalation level ${p.direction === 'up' ? 'raised' : 'lowered'} from ${p.from} to ${p.to} (${p.name}) at ${notice.event.at}.`,
    p.target ? `Target: ${p.target}, due ${p.dueAt ?? 'paused'}.` : '',
    `Assignee: ${notice.incident.assigneeId ?? 'nobody'} · Group: ${notice.incident.assignedGroup ?? 'none'}`,
  ]
    .filter(Boolean)
    .join('\n');
  return { subject, body };
}

export function createNotificationActivities(deps: NotificationDeps) {
  const outbox = createOutboxSender(deps);

  return {
    /** Writes and delivers the notifications of one escalation event; safe to retry. */
    notifyEscalation: async (notice: EscalationNotice): Promise<{ recipients: string[] }> => {
      const p = notice.event.payload as { recipients?: string[] };
      const recipients = await resolveRecipients(deps.db, notice, p.recipients ?? []);
      const { subject, body } = wording(notice);
      const key = `${notice.incident.number}:${notice.event.seq}`;
      const rows = [
        ...recipients.map((to) => ({ idempotencyKey: `${key}:mail:${to}`, kind: 'email' as const, recipient: to })),
        ...(deps.webhookUrl ? [{ idempotencyKey: `${key}:webhook`, kind: 'webhook' as const, recipient: deps.webhookUrl }] : []),
      ];
      if (rows.length > 0) {
        await deps.db
          .insert(outboxMessages)
          .values(
            rows.map((r) => ({
              ...r,
              incidentNumber: notice.incident.number,
              messageId: newMessageId(deps.mailFrom),
              template: 'escalation',
              subject,
              body,
              payload: { type: 'escalation_changed', incident: notice.incident, event: notice.event },
            })),
          )
          .onConflictDoNothing({ target: outboxMessages.idempotencyKey });
      }
      await outbox.deliverKeys(rows.map((r) => r.idempotencyKey));
      return { recipients };
    },
  };
}
