// The outbox against real Postgres and a real SMTP receiver: each row reaches SMTP once, a row
// whose send succeeded is never sent again, and the sweep delivers what was left waiting.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { outboxMessages } from '../../src/db/schema/index.js';
import { createSmtpMailer, newMessageId, type Mailer } from '../../src/mail/outbound.js';
import { createOutboxSender } from '../../src/mail/outbox.js';
import { createTestDatabase } from '../support/database.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';

const mailFrom = 'Helpdesk <helpdesk@helpdesk.example>';
let database: Database;
let smtp: SmtpReceiver;
let mailer: Mailer;

beforeAll(async () => {
  [database, smtp] = await Promise.all([createTestDatabase(), startSmtpReceiver()]);
  mailer = createSmtpMailer(smtp.url);
});
afterAll(async () => {
  mailer?.close();
  await Promise.all([database?.close(), smtp?.close()]);
});

async function row(key: string, extra: Partial<typeof outboxMessages.$inferInsert> = {}) {
  const [inserted] = await database.db
    .insert(outboxMessages)
    .values({ idempotencyKey: key, kind: 'email', template: 'reply', recipient: `${key}@customer.example`, messageId: newMessageId(mailFrom), subject: `Re: ${key}`, body: 'Hallo', ...extra })
    .returning();
  return inserted!;
}

describe('the outbox', () => {
  it('sends a row once with the loop headers, however often delivery is retried', async () => {
    const sender = createOutboxSender({ db: database.db, mailer, mailFrom });
    const r = await row('once', { inReplyTo: '<c1@customer.example>', references: ['<c0@customer.example>', '<c1@customer.example>'] });
    expect(await sender.deliver(r)).toBe('sent');
    expect(await sender.deliver(r)).toBe('already-sent');
    await sender.deliverKeys(['once']);
    const received = smtp.to('once@customer.example');
    expect(received).toHaveLength(1);
    expect(received[0]!.parsed.messageId).toBe(r.messageId);
    expect(received[0]!.parsed.inReplyTo).toBe('<c1@customer.example>');
    expect(received[0]!.parsed.headers.get('x-loop')).toBe('helpdesk@helpdesk.example');
    expect(received[0]!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('keeps trying to mark a delivered row sent while Postgres is away, so it is not sent again', async () => {
    // The "sent" write fails four times as if Postgres were restarting (about 3 s), then works.
    let failures = 4;
    const flaky = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop !== 'update') return Reflect.get(target, prop, receiver);
        return (table: typeof outboxMessages) => {
          const builder = target.update(table);
          return {
            set: (values: { status?: string }) =>
              values.status === 'sent' && failures-- > 0 ? { where: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) } : builder.set(values as never),
          };
        };
      },
    });
    const sender = createOutboxSender({ db: flaky, mailer, mailFrom });
    const r = await row('postgres-away');
    expect(await sender.deliver(r)).toBe('sent');
    expect(failures).toBe(-1);
    const [stored] = await database.db.select().from(outboxMessages).where(eq(outboxMessages.id, r.id));
    expect(stored?.status).toBe('sent');
    expect(await sender.deliver(r)).toBe('already-sent');
    expect(smtp.to('postgres-away@customer.example')).toHaveLength(1);
    // Given up after its window, the row stays "sending" (never "failed", which would send it again).
    failures = 100;
    const impatient = createOutboxSender({ db: flaky, mailer, mailFrom, markSentRetryMs: 500 });
    const other = await row('postgres-gone');
    await expect(impatient.deliver(other)).rejects.toThrow(/ECONNREFUSED/);
    const [held] = await database.db.select().from(outboxMessages).where(eq(outboxMessages.id, other.id));
    expect(held?.status).toBe('sending');
  });

  it('keeps a row for later without SMTP, and the sweep delivers it once it is due', async () => {
    const withoutSmtp = createOutboxSender({ db: database.db, mailer: undefined, mailFrom });
    const waiting = await row('waiting');
    expect(await withoutSmtp.deliver(waiting)).toBe('queued');
    const fresh = await row('fresh');
    await database.db.update(outboxMessages).set({ createdAt: sql`now() - interval '10 minutes'` }).where(eq(outboxMessages.id, waiting.id));

    const sender = createOutboxSender({ db: database.db, mailer, mailFrom });
    expect(await sender.deliverWaiting()).toBe(1);
    expect(smtp.to('waiting@customer.example')).toHaveLength(1);
    // A fresh row is left to its own activity.
    expect(smtp.to('fresh@customer.example')).toHaveLength(0);
    expect((await database.db.select().from(outboxMessages).where(eq(outboxMessages.id, fresh.id)))[0]!.status).toBe('pending');
    expect(await sender.deliverWaiting()).toBe(0);
    expect(smtp.to('waiting@customer.example')).toHaveLength(1);
  });

  it('leaves a row another sender holds alone until its lease runs out', async () => {
    const sender = createOutboxSender({ db: database.db, mailer, mailFrom });
    const held = await row('held');
    await database.db.update(outboxMessages).set({ status: 'sending', claimedAt: sql`now()`, createdAt: sql`now() - interval '10 minutes'` }).where(eq(outboxMessages.id, held.id));
    await expect(sender.deliver(held)).rejects.toThrow(/being sent by another attempt/);
    expect(await sender.deliverWaiting()).toBe(0);
    await database.db.update(outboxMessages).set({ claimedAt: sql`now() - interval '6 minutes'` }).where(eq(outboxMessages.id, held.id));
    expect(await sender.deliverWaiting()).toBe(1);
    expect(smtp.to('held@customer.example')).toHaveLength(1);
  });
});
