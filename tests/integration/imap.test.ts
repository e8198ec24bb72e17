// IMAP ingestion against a real dovecot, through a TCP proxy that can drop the connection, with
// a real Temporal server (the mailbox workflow and its heartbeating activity), real Postgres and a
// real SMTP receiver for the answers.
import { and, eq, like, sql } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapMailbox } from '../../src/config.js';
import { inboundMails, incidentIntakes, incidents, mailboxStates } from '../../src/db/schema/index.js';
import { mailboxWorkflowId } from '../../src/domain/workflow-ids.js';
import { startMailboxWorkflows } from '../../src/services/mail/intake.js';
import { startDovecot, type RunningImapServer } from '../support/dovecot.js';
import { bounceFor, buildMail, type TestMail } from '../support/mail.js';
import { startMailStack, type MailStack } from '../support/mail-stack.js';
import type { SmtpReceiver } from '../support/smtp.js';
import { eventually, type TestStack } from '../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { type TestUser } from '../support/users.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
const jens = 'jens.kraft@mueller-maschinenbau.example';

let imap: RunningImapServer;
let proxy: TcpProxy;
let gate: MailStack;
let smtp: SmtpReceiver;
let stack: TestStack;
let agent: TestUser;
let mailgate: TestUser;
let client: ImapFlow;
let mailbox: ImapMailbox;

beforeAll(async () => {
  imap = await startDovecot();
  proxy = await startTcpProxy({ host: imap.host, port: imap.port });
  mailbox = { name: 'support', host: '127.0.0.1', port: proxy.port, secure: false, user: imap.user, password: imap.password, folder: 'INBOX', processedFolder: 'Processed', pollSeconds: 5 };
  gate = await startMailStack({ agentName: 'Ida Imap', worker: { mail: { mailboxes: [mailbox], sessionMs: 120_000 } } });
  ({ stack, smtp, agent, mailgate } = gate);
  client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false });
  await client.connect();
  await client.mailboxCreate('Processed').catch(() => undefined);
  await startMailboxWorkflows(stack.temporal, [mailbox]);
}, 120_000);

afterAll(async () => {
  await stack?.temporal.client.workflow.getHandle(mailboxWorkflowId('support')).terminate('test over').catch(() => undefined);
  await client?.logout().catch(() => undefined);
  await gate?.stop();
  await proxy?.close();
  await imap?.stop();
}, 60_000);

async function append(mail: TestMail | Buffer): Promise<string> {
  const built = Buffer.isBuffer(mail) ? { raw: mail, messageId: '' } : await buildMail(mail);
  await client.append('INBOX', built.raw);
  return built.messageId;
}

async function ingested(messageId: string) {
  return eventually(async () => {
    const [row] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, messageId));
    return row && !['received', 'processing'].includes(row.status) ? row : undefined;
  }, 30_000);
}

async function timeline(number: string) {
  const res = await stack.request('GET', `/api/incidents/${number}/timeline`, { token: agent.token });
  return res.status === 200 ? ((await res.json()).events as { type: string; payload: Record<string, any> }[]) : [];
}

const acksTo = (address: string) => smtp.to(address).filter((m) => /Eingangsbestätigung|We have received/.test(m.parsed.subject ?? ''));

describe('a mailbox read over IMAP', () => {
  let number: string;
  let firstMessageId: string;
  let ackMessageId: string;

  it('opens an incident from a new mail, acknowledges it once and moves it to the processed folder', async () => {
    firstMessageId = await append({ from: petra, subject: 'Server srv-fs01 meldet RAID degraded', text: 'Eine Platte ist ausgefallen.' });
    const row = await ingested(firstMessageId);
    expect(row).toMatchObject({ status: 'processed', source: 'imap:support' });
    number = row.incidentNumber!;
    const acks = await eventually(() => Promise.resolve(acksTo(petra).length > 0 ? acksTo(petra) : undefined));
    expect(acks).toHaveLength(1);
    expect(acks[0]!.parsed.subject).toContain(`[${number}]`);
    ackMessageId = acks[0]!.parsed.messageId!;
    // The SLA clock starts at the mailbox's arrival time (INTERNALDATE), not the worker's.
    const [incident] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(incident!.receivedAt.toISOString()).toBe(row.receivedAt.toISOString());

    await eventually(async () => {
      const status = await client.status('Processed', { messages: true });
      return status && (status.messages ?? 0) >= 1 ? true : undefined;
    });
    const [state] = await stack.database.db.select().from(mailboxStates).where(eq(mailboxStates.mailbox, 'support'));
    expect(state!.lastUid).toBeGreaterThanOrEqual(1);
    expect(state!.uidValidity).toMatch(/^\d+$/);
  });

  it('shows the session heartbeat (last UID) on the mailbox workflow', async () => {
    const description = await stack.temporal.client.workflow.getHandle(mailboxWorkflowId('support')).describe();
    const pending = description.raw.pendingActivities ?? [];
    expect(pending.map((a) => a.activityType?.name)).toEqual(['pollMailbox']);
    await eventually(async () => {
      const d = await stack.temporal.client.workflow.getHandle(mailboxWorkflowId('support')).describe();
      return d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.length ? true : undefined;
    });
  });

  it('threads the contact’s reply and a CC’d colleague’s reply-all; holds a stranger for review', async () => {
    const reply = await append({ from: petra, subject: 'AW: Ihre Anfrage', inReplyTo: ackMessageId, references: [firstMessageId, ackMessageId], text: 'Die Platte ist getauscht.' });
    const replyAll = await append({ from: jens, cc: petra, subject: `AW: [${number}] Server srv-fs01`, inReplyTo: ackMessageId, text: 'Rebuild läuft.' });
    const stranger = await append({ from: 'someone@freemail.example', subject: `Re: [${number}] Server`, text: 'Ich auch!' });
    expect(await ingested(reply)).toMatchObject({ status: 'processed', incidentNumber: number });
    expect(await ingested(replyAll)).toMatchObject({ status: 'processed', incidentNumber: number });
    expect(await ingested(stranger)).toMatchObject({ status: 'review', candidateIncident: number });
    const events = await eventually(async () => {
      const all = await timeline(number);
      return all.filter((e) => e.type === 'customer_message').length >= 2 ? all : undefined;
    });
    expect(events.filter((e) => e.type === 'customer_message').map((e) => e.payload.from)).toEqual([petra, jens]);
  });

  it('answers neither an out-of-office reply nor a bounce, and opens no incident for them', async () => {
    const before = (await stack.database.db.select().from(incidents)).length;
    const sentBefore = smtp.received.length;
    const ooo = await append({ from: petra, subject: `Automatische Antwort: [${number}] Server`, headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }, text: 'Ich bin nicht im Büro.' });
    const bounce = bounceFor({ messageId: ackMessageId, to: petra, subject: `[${number}] Eingangsbestätigung` });
    await append(bounce);
    expect(await ingested(ooo)).toMatchObject({ status: 'processed', incidentNumber: number });
    await eventually(async () => ((await timeline(number)).some((e) => e.type === 'delivery_failed') ? true : undefined), 30_000);
    expect((await timeline(number)).find((e) => e.type === 'customer_message' && e.payload.automatic)).toMatchObject({ payload: { effect: 'logged' } });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stack.database.db.select().from(incidents)).length).toBe(before);
    expect(smtp.received.length).toBe(sentBefore);
  });

  it('ingests the same mail once when it arrives over IMAP and through the mailgate', async () => {
    const { raw, messageId } = await buildMail({ from: jens, subject: 'Switch im Keller blinkt orange' });
    await client.append('INBOX', raw);
    const viaImap = await ingested(messageId);
    const res = await stack.request('POST', '/api/inbound/email', { token: mailgate.token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: viaImap.id, duplicate: true });
    expect(await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, messageId))).toHaveLength(1);
    await eventually(async () => ((await stack.database.db.select().from(incidents).where(eq(incidents.number, viaImap.incidentNumber!))).length === 1 ? true : undefined));
    expect(await stack.database.db.select().from(incidents).where(eq(incidents.title, 'Switch im Keller blinkt orange'))).toHaveLength(1);
  });

  it('loses and duplicates nothing when the IMAP connection drops mid-run', async () => {
    const count = 25;
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      ids.push(await append({ from: `user${i}@mueller-maschinenbau.example`, subject: `Batch-Störung ${i}`, text: `Meldung ${i}` }));
    }
    // Drop the connection as soon as ingestion is under way, and once more a little later.
    await eventually(async () => ((await stack.database.db.select().from(inboundMails).where(like(inboundMails.subject, 'Batch-Störung %'))).length >= 3 ? true : undefined), 30_000);
    proxy.killConnections();
    await new Promise((r) => setTimeout(r, 300));
    proxy.killConnections();
    for (const id of ids) await ingested(id);

    const rows = await stack.database.db.select().from(inboundMails).where(like(inboundMails.subject, 'Batch-Störung %'));
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => r.incidentNumber)).size).toBe(count);
    const opened = await eventually(async () => {
      const found = await stack.database.db.select().from(incidents).where(and(like(incidents.title, 'Batch-Störung %'), eq(incidents.channel, 'email')));
      return found.length >= count ? found : undefined;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await stack.database.db.select().from(incidents).where(and(like(incidents.title, 'Batch-Störung %'), eq(incidents.channel, 'email')))).toHaveLength(count);
    expect(new Set(opened.map((i) => i.number)).size).toBe(count);
    await eventually(() => Promise.resolve(smtp.received.filter((m) => /Batch-Störung/.test(m.parsed.subject ?? '')).length >= count ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const acks = smtp.received.filter((m) => /Batch-Störung/.test(m.parsed.subject ?? ''));
    expect(acks).toHaveLength(count);
    expect(new Set(acks.map((m) => m.envelopeTo[0])).size).toBe(count);
    // The session came back: the proxy saw a new connection after the drop.
    expect(proxy.connections()).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('threads a reply that arrives right behind the mail it answers, before that incident is projected', async () => {
    // All ten land in the INBOX at once (one MOVE), so one batch holds each original and its reply:
    // the reply is processed the moment its original is, before the new incident's workflow has
    // written its projection. It must still thread onto that incident, not open a second one.
    const pairs: { original: string; reply: string }[] = [];
    await client.mailboxCreate('Staging').catch(() => undefined);
    for (let i = 0; i < 5; i += 1) {
      const from = `kette${i}@stadtwerke-beispielstadt.example`;
      const original = await buildMail({ from, subject: `Kettenstörung ${i}`, text: `Erste Meldung ${i}` });
      const reply = await buildMail({ from, subject: `AW: Kettenstörung ${i}`, inReplyTo: original.messageId, references: [original.messageId], text: `Nachtrag ${i}` });
      await client.append('Staging', original.raw);
      await client.append('Staging', reply.raw);
      pairs.push({ original: original.messageId, reply: reply.messageId });
    }
    const lock = await client.getMailboxLock('Staging');
    try {
      await client.messageMove('1:*', 'INBOX');
    } finally {
      lock.release();
    }
    const numbers = new Set<string>();
    for (const { original, reply } of pairs) {
      const opened = await ingested(original);
      expect(opened).toMatchObject({ status: 'processed' });
      expect(await ingested(reply)).toMatchObject({ status: 'processed', incidentNumber: opened.incidentNumber });
      numbers.add(opened.incidentNumber!);
    }
    expect(numbers.size).toBe(5);
    const intakes = await stack.database.db.select().from(incidentIntakes).where(sql`${incidentIntakes.request}->>'title' like '%Kettenstörung%'`);
    expect(intakes.map((i) => i.number).sort()).toEqual([...numbers].sort());
  }, 60_000);
});
