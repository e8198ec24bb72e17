// The e-mail channel through the mailgate, with a real Temporal server, real Postgres and a real
// SMTP receiver: new incidents from mail with one acknowledgement, threading of replies (also
// from CC'd colleagues), review of strangers, noise and bounces, outbound answers in the thread,
// the communication log and its downloads.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMails, incidents, outboxMessages } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { createContact } from '../../src/services/master-data/contacts.js';
import { bounceFor, buildMail, type TestMail } from '../support/mail.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import { eventually, silentLogger, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

const mailFrom = 'Helpdesk <helpdesk@helpdesk.example>';
const petra = 'petra.mueller@mueller-maschinenbau.example';
const jens = 'jens.kraft@mueller-maschinenbau.example';
const claire = 'c.weber@weber-partner.example';

let stack: TestStack;
let smtp: SmtpReceiver;
let agent: TestUser;
let mailgate: TestUser;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const mailer = createSmtpMailer(smtp.url);
  stack = await startTestStack({
    worker: { mailer, mailFrom, mail: { acknowledgementsPerHour: 2, maxMailBytes: 5 * 1024 * 1024 } },
    api: { mail: { mailFrom, maxMailBytes: 5 * 1024 * 1024 } },
  });
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Iris Inbox');
  mailgate = await createUserWithToken(stack.database.db, 'mailgate', 'Postfix');
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
});

async function post(raw: Buffer, token = mailgate.token) {
  return stack.request('POST', '/api/inbound/email', { token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } });
}

/** Hands a mail in and waits until processing has decided about it. */
async function deliver(mail: TestMail | Buffer) {
  const built = Buffer.isBuffer(mail) ? { raw: mail, messageId: '' } : await buildMail(mail);
  const res = await post(built.raw);
  expect(res.status).toBe(202);
  const accepted = await res.json();
  const row = await eventually(async () => {
    const [r] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, accepted.id));
    return r && !['received', 'processing'].includes(r.status) ? r : undefined;
  }, 30_000);
  return { ...built, accepted, row };
}

async function timeline(number: string, minEvents = 1) {
  return eventually(async () => {
    const res = await stack.request('GET', `/api/incidents/${number}/timeline`, { token: agent.token });
    if (res.status !== 200) return undefined;
    const body = await res.json();
    return body.events.length >= minEvents ? (body.events as { type: string; payload: Record<string, any>; seq: number }[]) : undefined;
  }, 30_000);
}

const acksTo = (address: string) => smtp.to(address).filter((m) => /Eingangsbestätigung|We have received/.test(m.parsed.subject ?? ''));

describe('a new mail from a contact', () => {
  let number: string;
  let firstMessageId: string;
  let ackMessageId: string;

  it('opens an incident through the normal intake and gets exactly one acknowledgement in the thread', async () => {
    const { row, messageId } = await deliver({ from: `Petra Müller <${petra}>`, subject: 'Drucker im 2. OG druckt nicht', text: 'Seit heute früh druckt der Lexmark nicht mehr.' });
    firstMessageId = messageId;
    expect(row.status).toBe('processed');
    number = row.incidentNumber!;
    expect(number).toMatch(/^INC-\d{4}-\d{6}$/);
    const [incident] = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
      return rows.length > 0 ? rows : undefined;
    });
    expect(incident).toMatchObject({ channel: 'email', contactEmail: petra, customerNumber: 'K-10001', contractTier: 'gold', title: 'Drucker im 2. OG druckt nicht' });
    // The SLA clock starts when the mail reached us, not when a worker got to it.
    expect(incident!.receivedAt.toISOString()).toBe(row.receivedAt.toISOString());
    expect(incident!.firstResponseDueAt).not.toBeNull();

    const acks = await eventually(() => Promise.resolve(acksTo(petra).length > 0 ? acksTo(petra) : undefined));
    expect(acks).toHaveLength(1);
    const ack = acks[0]!.parsed;
    expect(ack.subject).toContain(`[${number}]`);
    expect(ack.subject).toContain('Rückmeldung bis'); // Petra writes German: the first-response target is in the subject
    expect(ack.text).toContain(number);
    expect(ack.inReplyTo).toBe(firstMessageId);
    expect(ack.headers.get('x-loop')).toBe('helpdesk@helpdesk.example');
    expect(ack.headers.get('auto-submitted')).toBe('auto-generated');
    ackMessageId = ack.messageId!;

    // Created, the acknowledgement queued, then sent (SMTP took it).
    const events = await timeline(number, 3);
    expect(events[0]).toMatchObject({ type: 'created', payload: { channel: 'email', mail: { direction: 'in', messageId: firstMessageId, from: petra } } });
    expect(events[1]).toMatchObject({ type: 'mail_queued', payload: { template: 'acknowledgement', mail: { messageId: ackMessageId } } });
    expect(events.find((e) => e.type === 'mail_sent')).toMatchObject({ payload: { template: 'acknowledgement', mail: { direction: 'out', messageId: ackMessageId, to: [petra] } } });
  });

  it('stores a second delivery of the same mail once and opens nothing new', async () => {
    const { raw } = await buildMail({ from: petra, subject: 'Drucker im 2. OG druckt nicht', messageId: firstMessageId, text: 'Seit heute früh druckt der Lexmark nicht mehr.' });
    const res = await post(raw);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ duplicate: true, status: 'processed', incidentNumber: number });
    const rows = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, firstMessageId));
    expect(rows).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(acksTo(petra)).toHaveLength(1);
  });

  it('threads a reply by In-Reply-To alone (no number in the subject)', async () => {
    const { row } = await deliver({ from: petra, subject: 'AW: Ihre Anfrage', inReplyTo: ackMessageId, references: [firstMessageId, ackMessageId], text: 'Das Modell ist ein MX611.' });
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    const events = await timeline(number, 3);
    expect(events.find((e) => e.type === 'customer_message' && e.payload.text === 'Das Modell ist ein MX611.')).toMatchObject({ payload: { mail: { mailId: row.id, from: petra }, automatic: false } });
  });

  it('threads a reply-all from a colleague of the same customer who was on CC', async () => {
    const { row } = await deliver({ from: jens, to: 'helpdesk@helpdesk.example', cc: petra, subject: `AW: [${number}] Drucker im 2. OG druckt nicht`, inReplyTo: ackMessageId, text: 'Bei mir auch.' });
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
  });

  it("sends the agent's reply in the thread, with the colleague on CC", async () => {
    const res = await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text: 'Wir schicken einen Techniker.' } });
    expect(res.status).toBe(200);
    const reply = await eventually(() => Promise.resolve(smtp.to(petra).find((m) => m.parsed.text?.includes('Wir schicken einen Techniker.'))));
    expect(reply.parsed.subject).toBe(`Re: [${number}] Drucker im 2. OG druckt nicht`);
    const references = [reply.parsed.references ?? []].flat();
    expect(references[0]).toBe(firstMessageId);
    expect(references).toContain(ackMessageId);
    expect(reply.envelopeTo).toContain(jens);
    const events = await timeline(number);
    await eventually(async () => ((await timeline(number)).some((e) => e.type === 'mail_sent' && e.payload.template === 'reply') ? true : undefined));
    expect(events.length).toBeGreaterThan(4);
  });

  it('holds a stranger who quotes the ticket number for review, and an agent can accept it once', async () => {
    const { row } = await deliver({ from: 'someone@freemail.example', subject: `Re: [${number}] Drucker`, text: 'Ich habe das gleiche Problem.' });
    expect(row).toMatchObject({ status: 'review', incidentNumber: null, candidateIncident: number });
    expect(row.outcome).toContain('someone@freemail.example');

    const queue = await stack.request('GET', '/api/mail/inbound', { token: agent.token });
    expect(queue.status).toBe(200);
    expect((await queue.json()).items.map((m: { id: string }) => m.id)).toContain(row.id);

    const accepted = await stack.request('POST', `/api/mail/inbound/${row.id}/accept`, { token: agent.token, body: {} });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ status: 'processed' });
    const again = await stack.request('POST', `/api/mail/inbound/${row.id}/accept`, { token: agent.token, body: {} });
    expect(again.status).toBe(409);
    const events = await timeline(number);
    expect(events.filter((e) => e.type === 'customer_message' && e.payload.mail?.mailId === row.id)).toHaveLength(1);
  });

  it('logs an out-of-office reply without answering it or restarting a clock', async () => {
    const before = smtp.received.length;
    const { row } = await deliver({ from: petra, subject: `Abwesenheitsnotiz: [${number}] Drucker`, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'Ich bin bis Montag nicht im Büro.' });
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    const events = await timeline(number);
    const logged = await eventually(async () => (await timeline(number)).find((e) => e.type === 'customer_message' && e.payload.automatic === true));
    expect(logged.payload.effect).toBe('logged');
    expect(events.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received.length).toBe(before);
  });

  it('attaches a bounce of our acknowledgement as a delivery failure and opens nothing', async () => {
    const countBefore = (await stack.database.db.select().from(incidents)).length;
    const { row } = await deliver(bounceFor({ messageId: ackMessageId, to: petra, subject: `[${number}] Eingangsbestätigung` }));
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    const failure = await eventually(async () => (await timeline(number)).find((e) => e.type === 'delivery_failed'));
    expect(failure.payload).toMatchObject({ recipients: [petra], status: '5.1.1', originalMessageId: ackMessageId });
    expect((await stack.database.db.select().from(incidents)).length).toBe(countBefore);
    // SMTP took the acknowledgement, but it bounced: the communication log says undeliverable, and why.
    const { items } = await (await stack.request('GET', `/api/incidents/${number}/messages?kind=customer`, { token: agent.token })).json();
    const ack = items.find((m: { messageId: string }) => m.messageId === ackMessageId);
    expect(ack).toMatchObject({ direction: 'out', template: 'acknowledgement', status: 'sent', delivery: { state: 'undeliverable', reason: expect.stringMatching(/^bounced: 5\.1\.1/) } });
  });

  it('lists every mail in and out in the communication log, with downloads behind authentication', async () => {
    const res = await stack.request('GET', `/api/incidents/${number}/messages`, { token: agent.token });
    expect(res.status).toBe(200);
    const { items } = await res.json();
    const inbound = items.filter((m: { direction: string }) => m.direction === 'in');
    const outbound = items.filter((m: { direction: string }) => m.direction === 'out');
    expect(inbound.length).toBeGreaterThanOrEqual(5);
    expect(outbound.map((m: { template: string }) => m.template)).toEqual(expect.arrayContaining(['acknowledgement', 'reply']));
    const first = inbound.find((m: { messageId: string }) => m.messageId === firstMessageId);
    expect(first).toMatchObject({ from: petra, subject: 'Drucker im 2. OG druckt nicht', text: 'Seit heute früh druckt der Lexmark nicht mehr.' });

    const raw = await stack.request('GET', first.rawUrl, { token: agent.token });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toMatch(new RegExp(`^Message-ID:\\s+${firstMessageId}`, 'im'));
    expect((await stack.request('GET', first.rawUrl)).status).toBe(401);

    const ack = outbound.find((m: { template: string }) => m.template === 'acknowledgement');
    const ackRaw = await stack.request('GET', ack.rawUrl, { token: agent.token });
    expect(ackRaw.status).toBe(200);
    expect(await ackRaw.text()).toMatch(new RegExp(`^Message-ID:\\s+${ackMessageId}`, 'im'));
  });
});

describe('attachments, size limits and broken mail', () => {
  it('keeps attachments and serves them only as downloads', async () => {
    const { row } = await deliver({
      from: jens,
      subject: 'Fehlerbild Plotter',
      attachments: [{ filename: 'fehler <1>.html', content: '<script>alert(1)</script>', contentType: 'text/html' }],
    });
    const mail = await (await stack.request('GET', `/api/mail/inbound/${row.id}`, { token: agent.token })).json();
    expect(mail.attachments).toHaveLength(1);
    const download = await stack.request('GET', mail.attachments[0].url, { token: agent.token });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await download.text()).toBe('<script>alert(1)</script>');
  });

  it('keeps a mail over the size limit whole, flags it and tells the sender politely', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 7);
    const { row, raw } = await deliver({ from: petra, subject: 'Logdateien vom Server', attachments: [{ filename: 'logs.bin', content: big }] });
    expect(row).toMatchObject({ status: 'processed', oversized: true, sizeBytes: raw.length });
    // Its own mail, not a paragraph of the acknowledgement (which the hourly limit may suppress).
    const notice = await eventually(() => Promise.resolve(smtp.to(petra).find((m) => m.parsed.subject === `[${row.incidentNumber}] Ihre Nachricht war zu groß: Logdateien vom Server`)));
    expect(notice.parsed.text).toContain('größer als 5 MB');
    const download = await stack.request('GET', `/api/mail/inbound/${row.id}/raw`, { token: agent.token });
    expect(Buffer.from(await download.arrayBuffer()).equals(raw)).toBe(true);
  });

  it('stores and decides about a 30 MB attachment, truncated and garbage mail without crashing', async () => {
    const huge = await buildMail({ from: jens, subject: 'Riesiger Anhang', attachments: [{ filename: 'image.iso', content: Buffer.alloc(30 * 1024 * 1024, 1) }] });
    const truncated = Buffer.concat([(await buildMail({ from: jens, subject: 'Abgeschnitten', attachments: [{ filename: 'a.pdf', content: Buffer.alloc(20_000, 2) }] })).raw.subarray(0, 9_000)]);
    const garbage = Buffer.from('this is not a mail header\r\n\u0000\u0001\u0002: ???\r\nFrom jens\r\n\r\n\u00ff\u00fe body', 'latin1');
    const noBoundary = Buffer.from(`From: ${jens}\r\nSubject: Keine Grenze\r\nMessage-ID: <no-boundary@test.example>\r\nContent-Type: multipart/mixed; boundary="never"\r\n\r\nDer Scanner geht nicht.\r\n`);
    for (const raw of [huge.raw, truncated, garbage, noBoundary]) {
      const { row } = await deliver(raw);
      // Every one is kept and decided: an incident, the review queue or quarantine; never dropped.
      expect(['processed', 'review', 'quarantined']).toContain(row.status);
      expect(row.sizeBytes).toBe(raw.length);
    }
    const [hugeRow] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, huge.messageId));
    expect(hugeRow).toMatchObject({ oversized: true, status: 'processed' });
    const [noBoundaryRow] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, '<no-boundary@test.example>'));
    expect(noBoundaryRow!.textBody).toContain('Der Scanner geht nicht.');
  }, 120_000);
});

describe('hostile and odd mail', () => {
  it('stores NUL bytes in headers and names and an absurd Message-ID instead of failing', async () => {
    const nulName = Buffer.from(`From: =?utf-8?q?Eve=00Bad?= <${jens}>\r\nSubject: NUL im Namen\r\nMessage-ID: <nul-name@test.example>\r\n\r\nText\r\n`);
    const nulHeader = Buffer.from(`From: ${jens}\r\nSubject: NUL im Header\r\nX-Weird: a\u0000b\r\nMessage-ID: <nul-header@test.example>\r\n\r\nText\r\n`, 'latin1');
    const longId = Buffer.from(`From: ${jens}\r\nSubject: Lange Message-ID\r\nMessage-ID: <${'x'.repeat(3000)}@test.example>\r\n\r\nText\r\n`);
    for (const raw of [nulName, nulHeader, longId]) {
      const { row } = await deliver(raw);
      expect(['processed', 'review', 'quarantined']).toContain(row.status);
    }
    const [named] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, '<nul-name@test.example>'));
    expect(named!.fromName).toBe('EveBad');
    // The overlong Message-ID counts as none: the mail is keyed by its content instead.
    const [long] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.subject, 'Lange Message-ID'));
    expect(long!.messageId).toBeNull();
    expect(long!.dedupeKey).toMatch(/^sha256:/);
  });

  it('recognises a mail without Message-ID that arrives twice with different trace headers', async () => {
    const body = `From: ${petra}\r\nTo: helpdesk@helpdesk.example\r\nSubject: Formular ohne ID\r\nDate: Fri, 13 Mar 2026 10:00:00 +0100\r\n\r\nBitte Rückruf.\r\n`;
    const first = await deliver(Buffer.from(`Received: from a by b; Fri, 13 Mar 2026 10:00:01 +0100\r\n${body}`));
    const res = await post(Buffer.from(`Received: from c by d; Fri, 13 Mar 2026 10:00:05 +0100\r\nDelivered-To: helpdesk@helpdesk.example\r\n${body}`));
    expect(await res.json()).toMatchObject({ id: first.row.id, duplicate: true });
  });

  it('holds a reply back until the mail it answers is processed, so it threads instead of opening a second incident', async () => {
    const { storeInboundMail } = await import('../../src/services/mail/ingest.js');
    const { startInboundMailWorkflow } = await import('../../src/services/mail/intake.js');
    const parent = await buildMail({ from: petra, subject: 'Beamer im Saal 1 defekt' });
    // The original is stored but not processed yet (as when its processing is still running).
    const stored = await storeInboundMail({ db: stack.database.db }, parent.raw, { source: 'mailgate' });
    const reply = await buildMail({ from: jens, subject: 'AW: Beamer im Saal 1 defekt', inReplyTo: parent.messageId, references: [parent.messageId] });
    const res = await post(reply.raw);
    const { id: replyId } = await res.json();
    await new Promise((r) => setTimeout(r, 1500));
    const [waiting] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, replyId));
    expect(waiting!.status).toBe('received');
    expect(waiting!.lastError).toContain('not processed yet');
    expect(await startInboundMailWorkflow(stack.temporal, silentLogger, stored.id)).toBe(true);
    const [original] = await eventually(async () => {
      const rows = await stack.database.db.select().from(inboundMails).where(and(eq(inboundMails.id, stored.id), eq(inboundMails.status, 'processed')));
      return rows.length > 0 ? rows : undefined;
    }, 30_000);
    const threaded = await eventually(async () => {
      const [row] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, replyId));
      return row?.status === 'processed' ? row : undefined;
    }, 30_000);
    expect(threaded.incidentNumber).toBe(original!.incidentNumber);
  }, 60_000);

  it('applies a mail once even when its update is sent again under another update id', async () => {
    const { row } = await deliver({ from: petra, subject: 'Noch eine Frage', text: 'Eine Frage.' });
    const number = row.incidentNumber!;
    const { row: reply } = await deliver({ from: petra, subject: `AW: [${number}] Noch eine Frage`, text: 'Nachtrag.' });
    // Ingestion returns once the workflow accepted the mail; wait until the timeline has it.
    await eventually(async () => ((await timeline(number)).some((e) => e.payload.mail?.mailId === reply.id) ? true : undefined));
    const handle = stack.temporal.client.workflow.getHandle(`incident-${number}`);
    const { customerMessageUpdate } = await import('../../src/workflows/incident/messages.js');
    const { mailRefOf } = await import('../../src/services/mail/ingest.js');
    const state = await handle.executeUpdate(customerMessageUpdate, {
      args: [{ text: 'Nachtrag.', from: petra, channel: 'email', mail: mailRefOf(reply), actor: { id: `contact:${petra}`, name: petra } }],
      updateId: 'a-different-update-id',
    });
    expect(state.appliedMailIds).toContain(reply.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await timeline(number)).filter((e) => e.payload.mail?.mailId === reply.id)).toHaveLength(1);
  });
});

describe('unknown senders, noise and limits', () => {
  it('holds a mail from an unknown sender for review; an agent opens an incident for the right customer', async () => {
    const { row } = await deliver({ from: 'new.colleague@gmail.example', subject: 'Bitte VPN-Zugang einrichten' });
    expect(row.status).toBe('review');
    const res = await stack.request('POST', `/api/mail/inbound/${row.id}/open-incident`, { token: agent.token, body: { customerNumber: 'K-10001' } });
    expect(res.status).toBe(200);
    const decided = await res.json();
    expect(decided.status).toBe('processed');
    const [stored] = await stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, row.id));
    const [incident] = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidents).where(eq(incidents.number, stored!.incidentNumber!));
      return rows.length > 0 ? rows : undefined;
    });
    expect(incident).toMatchObject({ customerNumber: 'K-10001', contactEmail: 'new.colleague@gmail.example', channel: 'email' });
  });

  it('opens an incident for a monitoring alert from a customer domain but does not answer it', async () => {
    const { row } = await deliver({ from: 'nagios@mueller-maschinenbau.example', subject: 'PROBLEM: srv-fs01 disk C: 95 %', headers: { 'Auto-Submitted': 'auto-generated' } });
    expect(row.status).toBe('processed');
    const number = row.incidentNumber!;
    await timeline(number);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.to('nagios@mueller-maschinenbau.example')).toHaveLength(0);
  });

  it('ignores our own mail coming back and mailing-list mail from strangers', async () => {
    const own = await deliver({ from: 'helpdesk@helpdesk.example', subject: 'Re: something', headers: { 'X-Loop': 'helpdesk@helpdesk.example' } });
    expect(own.row.status).toBe('ignored');
    const list = await deliver({ from: 'news@vendor.example', subject: 'Newsletter November', headers: { 'List-Id': '<news.vendor.example>', Precedence: 'bulk' } });
    expect(list.row.status).toBe('ignored');
    expect(smtp.to('news@vendor.example')).toHaveLength(0);
  });

  it('acknowledges at most the configured number of mails per sender and hour, and says so on the timeline', async () => {
    const numbers: string[] = [];
    for (const subject of ['Laptop 1 defekt', 'Laptop 2 defekt', 'Laptop 3 defekt']) numbers.push((await deliver({ from: claire, subject })).row.incidentNumber!);
    const suppressed = await eventually(async () => {
      for (const number of numbers) {
        const found = (await timeline(number)).find((e) => e.type === 'mail_suppressed');
        if (found) return found;
      }
      return undefined;
    }, 30_000);
    expect(suppressed.payload.reason).toContain('acknowledgements');
    await eventually(() => Promise.resolve(acksTo(claire).length === 2 ? true : undefined));
    // English contact: English acknowledgement.
    expect(acksTo(claire)[0]!.parsed.subject).toContain('We have received your request');
    const rows = await stack.database.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, claire));
    expect(rows.filter((r) => r.template === 'acknowledgement')).toHaveLength(2);
  });
});

describe('the mailgate edge', () => {
  it('needs the mailgate role and message/rfc822', async () => {
    const { raw } = await buildMail({ from: petra, subject: 'x' });
    expect((await post(raw, agent.token)).status).toBe(403);
    expect((await stack.request('POST', '/api/inbound/email', { rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } })).status).toBe(401);
    const wrongType = await stack.request('POST', '/api/inbound/email', { token: mailgate.token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');
    const empty = await stack.request('POST', '/api/inbound/email', { token: mailgate.token, rawBody: new Uint8Array(0), headers: { 'Content-Type': 'message/rfc822' } });
    expect(empty.status).toBe(400);
  });

  it('keeps the mailgate token away from every other route', async () => {
    expect((await stack.request('GET', '/api/incidents', { token: mailgate.token })).status).toBe(403);
    expect((await stack.request('GET', '/api/mail/inbound', { token: mailgate.token })).status).toBe(403);
  });
});

describe('callback requests by mail', () => {
  /** A contact of K-10001 of its own, so the tests' callbacks do not count against each other. */
  const newContact = async (name: string, phone: string | null) => {
    const email = `${name}.${Date.now()}@mueller-maschinenbau.example`;
    await createContact(stack.database.db, { customerNumber: 'K-10001', name, email, phone, language: null });
    return email;
  };
  const callbackOf = async (workflowId: string): Promise<{ details: Record<string, unknown> }> => {
    const res = await stack.request('GET', `/api/callbacks/${workflowId.slice('callback-'.length)}`, { token: agent.token });
    expect(res.status).toBe(200);
    return res.json();
  };
  const callbackAcksTo = (address: string) => smtp.to(address).filter((m) => /^Ihr Rückrufwunsch|^Your callback request/.test(m.parsed.subject ?? ''));
  const incidentAcksFor = async (messageId: string) =>
    (await stack.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.inReplyTo, messageId), eq(outboxMessages.template, 'acknowledgement')))).length;

  it('turns a contact\'s "Rückruf bitte" with a phone number into one callback per Message-ID, acknowledged once with its window', async () => {
    const mail = { from: `Jens Kraft <${jens}>`, subject: 'Rückruf bitte: VPN bricht ab', text: 'Guten Tag,\n\nbitte rufen Sie mich unter 0211 555 0102 zurück.\n\n-- \nJens Kraft' };
    const { row, messageId, raw } = await deliver(mail);
    expect(row).toMatchObject({ status: 'callback', incidentNumber: null });
    const workflowId = row.callbackWorkflowId!;
    expect(workflowId).toMatch(/^callback-[0-9a-f-]{36}$/);
    const id = workflowId.slice('callback-'.length);
    expect(row.outcome).toContain(`/api/callbacks/${id}`);

    const res = await stack.request('GET', `/api/callbacks/${id}`, { token: agent.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      workflowId,
      customerNumber: 'K-10001',
      incidentNumber: null,
      details: { requestedBy: 'mail', phone: '+492115550102', topic: 'VPN bricht ab', contactName: 'Jens Kraft', contactEmail: jens },
    });

    // A second delivery is the same stored mail; processing it again finds the same callback.
    const again = await post(raw);
    expect(await again.json()).toMatchObject({ id: row.id, duplicate: true, status: 'callback' });
    await stack.database.db.update(inboundMails).set({ status: 'received', callbackWorkflowId: null }).where(eq(inboundMails.id, row.id));
    const { processInboundMail } = await import('../../src/services/mail/ingest.js');
    const reprocessed = await processInboundMail({ db: stack.database.db, temporal: stack.temporal, logger: silentLogger, mailFrom }, row.id);
    expect(reprocessed).toMatchObject({ status: 'callback', callbackWorkflowId: workflowId, incidentNumber: null });

    const ack = await eventually(() => Promise.resolve(callbackAcksTo(jens)[0]));
    expect(ack.parsed.subject).toBe('Ihr Rückrufwunsch: VPN bricht ab');
    expect(ack.parsed.text).toMatch(/unter \+492115550102 zurück, zwischen .+ und .+\./);
    expect(ack.parsed.inReplyTo).toBe(messageId);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    await eventually(async () => {
      const rows = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where workflow_id = ${workflowId}`;
      return rows[0]?.count === 1 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(callbackAcksTo(jens)).toHaveLength(1);
    const callbacks = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'contactEmail' = ${jens}`;
    expect(callbacks[0]?.count).toBe(1);
    // No incident, so no incident acknowledgement.
    expect(await incidentAcksFor(messageId)).toBe(0);
    const listed = await stack.request('GET', '/api/mail/inbound?status=callback', { token: agent.token });
    expect((await listed.json()).items.map((m: { id: string }) => m.id)).toContain(row.id);
    await stack.temporal.client.workflow.getHandle(workflowId).terminate('test finished');
  });

  it('takes a callback mail the usual way without a phone number, from a sender known only by domain, or from a stranger', async () => {
    const withoutPhone = await newContact('ohne.telefon', null);
    const noPhone = await deliver({ from: withoutPhone, subject: 'Callback please', text: 'Please call me back, my number is in the CRM.\n> Tel. +49 211 555 0000\n-- \nTel. 0211 555 0999' });
    expect(noPhone.row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    expect(noPhone.row.incidentNumber).toMatch(/^INC-/);

    const byDomain = await deliver({ from: 'einkauf@mueller-maschinenbau.example', subject: 'Rückruf bitte', text: 'Tel. 0211 555 0199' });
    expect(byDomain.row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    expect(byDomain.row.incidentNumber).toMatch(/^INC-/);

    const stranger = await deliver({ from: 'caller@freemail.example', subject: 'Callback request: quote', text: 'Call me: +49 170 1234567' });
    expect(stranger.row).toMatchObject({ status: 'review', incidentNumber: null, callbackWorkflowId: null });

    const strangerCallbacks = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'phone' in ('+492115550199', '+491701234567')`;
    expect(strangerCallbacks[0]?.count).toBe(0);
    expect(callbackAcksTo('einkauf@mueller-maschinenbau.example')).toHaveLength(0);
  });

  it("calls the contact's number on record when the mail names none, and shows both numbers when it names another", async () => {
    const lena = await newContact('lena.lager', '0211 555-0177');
    const onRecord = await deliver({ from: `Lena Lager <${lena}>`, subject: 'Rückruf bitte: Drucker', text: 'Bitte um Rückruf, danke.\n-- \nLena Lager\nTel. 0211 555 0999' });
    expect(onRecord.row).toMatchObject({ status: 'callback', incidentNumber: null });
    expect(onRecord.row.outcome).toContain('+492115550177 (the number on record)');
    const first = await callbackOf(onRecord.row.callbackWorkflowId!);
    expect(first.details).toMatchObject({ phone: '+492115550177', phoneSource: 'contact', requestedBy: 'mail', contactEmail: lena });
    expect(first.details).not.toHaveProperty('contactPhone');
    const ack = await eventually(() => Promise.resolve(callbackAcksTo(lena)[0]));
    expect(ack.parsed.text).toContain('unter +492115550177 zurück');

    const other = await deliver({ from: lena, subject: 'Rückruf bitte: Scanner', text: 'Bin mobil erreichbar.\nHandy: 0171 1234567' });
    const second = await callbackOf(other.row.callbackWorkflowId!);
    expect(second.details).toMatchObject({ phone: '+491711234567', phoneSource: 'mail', contactPhone: '+492115550177' });
    for (const row of [onRecord.row, other.row]) await stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('never calls a premium-rate number named in a mail: the mail opens an incident instead', async () => {
    const paul = await newContact('paul.premium', null);
    const { row } = await deliver({ from: paul, subject: 'Rückruf bitte', text: 'Tel. 0900 1234567' });
    expect(row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    expect(row.incidentNumber).toMatch(/^INC-/);
    const premium = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'phone' = '+499001234567'`;
    expect(premium[0]?.count).toBe(0);
  });

  it('takes at most three open callbacks by mail per contact, also from mails processed at once; further ones open incidents', async () => {
    const flo = await newContact('flo.flut', '+49 211 555 0178');
    const burst = await Promise.all([1, 2, 3, 4, 5].map((n) => deliver({ from: flo, subject: `Rückruf bitte: Anliegen ${n}`, text: 'Bitte zurückrufen.' })));
    const callbacks = burst.filter((d) => d.row.status === 'callback');
    const incidentsOpened = burst.filter((d) => d.row.status === 'processed');
    expect(callbacks).toHaveLength(3);
    expect(incidentsOpened).toHaveLength(2);
    for (const { row } of incidentsOpened) expect(row).toMatchObject({ callbackWorkflowId: null, incidentNumber: expect.stringMatching(/^INC-/) });

    // One is done with: the sender may ask again, also writing the address in capitals; then the cap holds again.
    const cancelled = callbacks[0]!.row.callbackWorkflowId!;
    const res = await stack.request('POST', `/api/callbacks/${cancelled.slice('callback-'.length)}/cancel`, { token: agent.token, body: { reason: 'Settled by mail.' } });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const rows = await stack.database.sql<{ ended: boolean }[]>`select ended from follow_ups where workflow_id = ${cancelled}`;
      return rows[0]?.ended ? true : undefined;
    });
    const again = await deliver({ from: flo.toUpperCase(), subject: 'Rückruf bitte: noch eins', text: 'Bitte zurückrufen.' });
    expect(again.row.status).toBe('callback');
    const capped = await deliver({ from: flo, subject: 'Rückruf bitte: und noch eins', text: 'Bitte zurückrufen.' });
    expect(capped.row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    const open = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and not ended and details->>'contactEmail' = ${flo}`;
    expect(open[0]?.count).toBe(3);
    for (const { row } of [...callbacks.slice(1), again]) await stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('counts acknowledgements per hour to an address whatever its case', async () => {
    const rita = await newContact('rita.rate', '+49 211 555 0179');
    await stack.database.db.insert(outboxMessages).values(
      [1, 2, 3, 4, 5].map((n) => ({
        idempotencyKey: `test-ack-${rita}-${n}`,
        kind: 'email' as const,
        template: 'callback_acknowledgement',
        recipient: rita.toUpperCase(),
        messageId: `<test-ack-${n}-${Date.now()}@helpdesk.example>`,
        subject: 'Ihr Rückrufwunsch',
        body: 'earlier',
        status: 'sent' as const,
      })),
    );
    const { row } = await deliver({ from: rita, subject: 'Rückruf bitte', text: 'Tel. 0211 555 0179' });
    expect(row.status).toBe('callback');
    await new Promise((r) => setTimeout(r, 500));
    const acks = await stack.database.sql<{ count: number }[]>`select count(*)::int as count from outbox_messages where payload->>'callbackWorkflowId' = ${row.callbackWorkflowId}`;
    expect(acks[0]?.count).toBe(0);
    expect(callbackAcksTo(rita)).toHaveLength(0);
    await stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('keeps the breach of a callback mail processed after its SLA ran out: window from now, SLA from the arrival', async () => {
    const otto = await newContact('otto.outage', '+49 211 555 0180');
    const arrived = new Date(Date.now() - 10 * 86_400_000);
    const deps = { db: stack.database.db, temporal: stack.temporal, logger: silentLogger, mailFrom };
    const { storeInboundMail, processInboundMail } = await import('../../src/services/mail/ingest.js');
    const { raw } = await buildMail({ from: otto, subject: 'Rückruf bitte: nach dem Ausfall', text: 'Bitte zurückrufen.' });
    const stored = await storeInboundMail(deps, raw, { source: 'test', receivedAt: arrived });
    const processed = await processInboundMail(deps, stored.id);
    expect(processed.status).toBe('callback');
    const { details } = await callbackOf(processed.callbackWorkflowId!);
    const sla = details.sla as { met: string; latestEnd: string; takenUpAt: string };
    const window = details.window as { from: string; to: string };
    expect(sla.met).toBe('late');
    expect(Date.parse(sla.latestEnd)).toBeLessThan(Date.now() - 7 * 86_400_000);
    expect(Date.parse(window.to)).toBeGreaterThan(Date.now());
    expect(Date.parse(sla.takenUpAt)).toBeGreaterThan(Date.now() - 60_000);
    await stack.temporal.client.workflow.getHandle(processed.callbackWorkflowId!).terminate('test finished');
  });
});
