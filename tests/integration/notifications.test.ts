// Escalation notifications through the outbox to a real SMTP server (smtp-server) and a real
// HTTP webhook: each goes out once, even when the sending activity is retried after a failure.
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import type { EscalationNotice } from '../../src/activities/notifications.js';
import type { Database } from '../../src/db/client.js';
import { customers, outboxMessages, users } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { createTestDatabase } from '../support/database.js';
import { freePort } from '../support/ports.js';

interface Received {
  to: string[];
  raw: string;
}

let database: Database;
let smtp: SMTPServer;
let smtpPort: number;
const received: Received[] = [];
let failNextMails = 0;
let webhook: Server;
let webhookUrl: string;
const webhookCalls: { key: string | undefined; body: unknown }[] = [];
let failNextWebhooks = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db);
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        if (failNextMails > 0) {
          failNextMails -= 1;
          const err = Object.assign(new Error('Try again later'), { responseCode: 451 });
          return callback(err);
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  const webhookPort = await freePort();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failNextWebhooks > 0) {
        failNextWebhooks -= 1;
        res.writeHead(503).end();
        return;
      }
      webhookCalls.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(webhookPort, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${webhookPort}/hooks/helpdesk`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => webhook?.close(() => resolve()));
  await database?.close();
});

async function notice(level: number, recipients: string[], seq: number): Promise<EscalationNotice> {
  const [agent] = await database.db.select().from(users).where(eq(users.role, 'agent'));
  return {
    incident: { number: 'INC-2026-000321', title: 'Mail server down', priority: 'P2', customerNumber: 'K-10001', assigneeId: agent!.id, assignedGroup: '1st-level' },
    event: { seq, at: '2026-11-26T09:00:00.000Z', payload: { from: level - 1, to: level, name: 'breach', direction: 'up', target: 'firstResponse', dueAt: '2026-11-26T09:00:00.000Z', recipients, policy: 'Gold P2' } },
  };
}

describe('escalation notifications', () => {
  it('delivers one mail per recipient and one webhook call, each once, across a failed first attempt', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtpPort}`);
    const { notifyEscalation } = createActivities({ db: database.db, mailer, mailFrom: 'Helpdesk <helpdesk@systemhaus.example>', webhookUrl });
    const n = await notice(2, ['assignee', 'group-lead', 'oncall@systemhaus.example'], 7);

    failNextMails = 1;
    failNextWebhooks = 1;
    await expect(notifyEscalation(n)).rejects.toThrow(); // the activity fails and Temporal retries it
    const afterFailure = await database.db.select().from(outboxMessages).where(eq(outboxMessages.incidentNumber, 'INC-2026-000321'));
    expect(afterFailure.some((r) => r.status === 'failed')).toBe(true);

    // Retries until everything is out (the webhook may need its own retry after the mails).
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const { recipients } = await notifyEscalation(n);
        expect(recipients).toEqual(['anna.agent@helpdesk.example', 'max.manager@helpdesk.example', 'oncall@systemhaus.example']);
        break;
      } catch {
        // next attempt
      }
    }
    // A retry after success (e.g. the worker died before reporting completion) sends nothing more.
    await notifyEscalation(n);
    mailer.close();

    const rows = await database.db.select().from(outboxMessages).where(eq(outboxMessages.incidentNumber, 'INC-2026-000321'));
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(received.map((m) => m.to[0]).sort()).toEqual(['anna.agent@helpdesk.example', 'max.manager@helpdesk.example', 'oncall@systemhaus.example']);
    for (const mail of received) {
      const row = rows.find((r) => r.recipient === mail.to[0])!;
      expect(mail.raw).toContain(`Message-ID: ${row.messageId}`);
      expect(mail.raw).toContain('X-Loop: helpdesk');
      expect(mail.raw).toContain('Auto-Submitted: auto-generated');
      const unfolded = mail.raw.replace(/\r\n[ \t]+/g, ' ');
      expect(unfolded).toMatch(/Subject: \[INC-2026-000321\] Escalation level 2 \(breach\): firstResponse, Gold P2/);
    }
    expect(webhookCalls).toHaveLength(1);
    expect(webhookCalls[0]).toMatchObject({ key: 'INC-2026-000321:7:webhook', body: { type: 'escalation_changed', incident: { number: 'INC-2026-000321' } } });
  });

  it('marks a recipient the server refuses for good as rejected and still delivers to the others', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtpPort}`);
    const { notifyEscalation } = createActivities({ db: database.db, mailer, mailFrom: 'Helpdesk <helpdesk@systemhaus.example>' });
    const before = received.length;
    await notifyEscalation(await notice(3, ['nobody@systemhaus.example', 'boss@systemhaus.example'], 9));
    mailer.close();
    const rows = await database.db.select().from(outboxMessages).where(eq(outboxMessages.incidentNumber, 'INC-2026-000321'));
    expect(rows.find((r) => r.recipient === 'nobody@systemhaus.example')).toMatchObject({ status: 'rejected', lastError: expect.stringMatching(/550|No such mailbox/) });
    expect(rows.find((r) => r.recipient === 'boss@systemhaus.example')).toMatchObject({ status: 'sent' });
    expect(received.slice(before).map((m) => m.to[0])).toEqual(['boss@systemhaus.example']);
  });

  it('sends level 3 to the customer\'s account manager', async () => {
    const [account] = await database.db.insert(users).values({ name: 'Alex Account', email: 'alex.account@helpdesk.example', role: 'manager' }).returning();
    await database.db.update(customers).set({ accountManagerId: account!.id }).where(eq(customers.customerNumber, 'K-10001'));
    const { notifyEscalation } = createActivities({ db: database.db });
    const { recipients } = await notifyEscalation(await notice(3, ['account-manager'], 11));
    expect(recipients).toEqual(['alex.account@helpdesk.example']);
    // A customer without an account manager: nobody for that role, and no error.
    await database.db.update(customers).set({ accountManagerId: null }).where(eq(customers.customerNumber, 'K-10001'));
    expect((await notifyEscalation(await notice(3, ['account-manager'], 12))).recipients).toEqual([]);
  });

  it('leaves deactivated users out: the group, the managers and the assignee hear of nothing once deactivated', async () => {
    await database.db.insert(users).values({ name: 'Gina Group', email: 'gina.group@helpdesk.example', role: 'agent', groupName: '1st-level' }).returning();
    const { notifyEscalation } = createActivities({ db: database.db });
    const before = (await notifyEscalation(await notice(2, ['group', 'service-manager'], 13))).recipients;
    expect(before).toEqual(expect.arrayContaining(['gina.group@helpdesk.example', 'max.manager@helpdesk.example']));
    await database.db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.groupName, '1st-level'));
    await database.db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.email, 'max.manager@helpdesk.example'));
    const after = (await notifyEscalation(await notice(2, ['group', 'service-manager', 'assignee'], 14))).recipients;
    expect(after).not.toContain('gina.group@helpdesk.example');
    expect(after).not.toContain('max.manager@helpdesk.example');
    expect(after).not.toContain('anna.agent@helpdesk.example');
    await database.db.update(users).set({ deactivatedAt: null });
  });

  it('keeps mail in the outbox when no SMTP server is configured', async () => {
    const { notifyEscalation } = createActivities({ db: database.db });
    await notifyEscalation(await notice(3, ['service-manager'], 8));
    const [row] = await database.db.select().from(outboxMessages).where(eq(outboxMessages.idempotencyKey, 'INC-2026-000321:8:mail:max.manager@helpdesk.example'));
    expect(row).toMatchObject({ status: 'pending', lastError: 'no SMTP_URL configured' });
  });
});
