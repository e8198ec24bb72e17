// Escalation notifications: resolve the level's recipients, write one outbox row each (keyed by
// incident, event and recipient), then deliver the rows that are not sent yet. A retry finds the
// rows and sends only what is still unsent.
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { outboxMessages, users } from '../db/schema/index.js';
import type { IncidentEvent } from '../domain/incident.js';
import { newMessageId, type Mailer } from '../mail/outbound.js';

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

type OutboxRow = typeof outboxMessages.$inferSelect;

/** Longer than the activity's start-to-close timeout, so a live attempt is never overtaken. */
const claimLeaseMinutes = 5;

/** Role names of the escalation ladder to addresses; a literal address passes through. */
async function resolveRecipients(db: Db, notice: EscalationNotice, roles: string[]): Promise<string[]> {
  const addresses = new Set<string>();
  for (const role of roles) {
    if (role.includes('@')) addresses.add(role);
    else if (role === 'assignee' && notice.incident.assigneeId) {
      const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, notice.incident.assigneeId));
      if (u) addresses.add(u.email);
    } else if (role === 'group' && notice.incident.assignedGroup) {
      for (const u of await db.select({ email: users.email }).from(users).where(eq(users.groupName, notice.incident.assignedGroup))) addresses.add(u.email);
    } else if (role === 'group-lead' || role === 'service-manager') {
      // Managers lead the groups until groups get explicit leads.
      for (const u of await db.select({ email: users.email }).from(users).where(eq(users.role, 'manager'))) addresses.add(u.email);
    }
    // 'account-manager' resolves once customers carry an account manager.
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
  const log = deps.logger;

  async function deliver(row: OutboxRow): Promise<void> {
    // Claim the row; sent and rejected rows are skipped. A row another attempt is sending is left
    // alone until its lease runs out; then it was most likely a worker that died mid-send, and the
    // mail goes again with the same Message-ID: the one at-least-once window.
    const [claimed] = await deps.db
      .update(outboxMessages)
      .set({ status: 'sending', attempts: sql`${outboxMessages.attempts} + 1`, claimedAt: sql`now()` })
      .where(
        and(
          eq(outboxMessages.id, row.id),
          or(
            inArray(outboxMessages.status, ['pending', 'failed']),
            and(eq(outboxMessages.status, 'sending'), lt(outboxMessages.claimedAt, sql`now() - interval '${sql.raw(String(claimLeaseMinutes))} minutes'`)),
          ),
        ),
      )
      .returning();
    if (!claimed) {
      const [current] = await deps.db.select({ status: outboxMessages.status }).from(outboxMessages).where(eq(outboxMessages.id, row.id));
      if (current?.status === 'sending') throw new Error(`outbox row ${row.id} is being sent by another attempt`);
      return;
    }
    try {
      if (row.kind === 'email') {
        if (!deps.mailer) {
          await deps.db.update(outboxMessages).set({ status: 'pending', lastError: 'no SMTP_URL configured' }).where(eq(outboxMessages.id, row.id));
          log?.warn({ outbox: row.id }, 'notification kept in the outbox: no SMTP_URL configured');
          return;
        }
        await deps.mailer.send({ from: deps.mailFrom, to: row.recipient, subject: row.subject, text: row.body, messageId: row.messageId });
      } else {
        const res = await (deps.fetch ?? fetch)(row.recipient, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': row.idempotencyKey },
          body: JSON.stringify(row.payload),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }
      await deps.db.update(outboxMessages).set({ status: 'sent', sentAt: new Date(), lastError: null }).where(eq(outboxMessages.id, row.id));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // SMTP 5xx: the server refused for good (unknown mailbox, policy); retrying will not help.
      const permanent = ((err as { responseCode?: number }).responseCode ?? 0) >= 500;
      await deps.db.update(outboxMessages).set({ status: permanent ? 'rejected' : 'failed', lastError: message }).where(eq(outboxMessages.id, row.id));
      if (permanent) log?.error({ outbox: row.id, recipient: row.recipient, err }, 'notification rejected');
      else throw err;
    }
  }

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
              subject,
              body,
              payload: { type: 'escalation_changed', incident: notice.incident, event: notice.event },
            })),
          )
          .onConflictDoNothing({ target: outboxMessages.idempotencyKey });
      }
      const pending = await deps.db
        .select()
        .from(outboxMessages)
        .where(and(inArray(outboxMessages.idempotencyKey, rows.map((r) => r.idempotencyKey).concat('-')), inArray(outboxMessages.status, ['pending', 'failed', 'sending'])));
      // Every row gets its attempt; one failure does not starve the other recipients.
      const failures: unknown[] = [];
      for (const row of pending) await deliver(row).catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw new Error(`${failures.length} of ${pending.length} notifications not delivered yet: ${failures.map(String).join('; ')}`);
      return { recipients };
    },
  };
}
