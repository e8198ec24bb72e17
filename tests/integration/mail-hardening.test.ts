// Mail hardening (issue 13) through the mailgate on the real stack (Temporal dev server, Postgres,
// an SMTP receiver): broken Unicode is kept, distinct mails are never duplicates, HTML-only mail
// with attachments has text, Outlook's Thread-Index threads, the too-large notice has its own
// budget, and a prospect's first mail becomes a customer, a contact and an incident in one review.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, customers, inboundMails, incidents, outboxMessages } from '../../src/db/schema/index.js';
import { createContact } from '../../src/services/master-data/contacts.js';
import { buildMail, type TestMail } from '../support/mail.js';
import { useMailStack } from '../support/mail-stack.js';
import { eventually, silentLogger } from '../support/stack.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
const maxMailBytes = 64 * 1024;

const gate = useMailStack({ agentName: 'Iris Inbox', worker: { mail: { acknowledgementsPerHour: 1, oversizedNoticesPerHour: 2, maxMailBytes } }, api: { maxMailBytes }, apiMails: true });

async function decided(id: string) {
  return eventually(async () => {
    const [r] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, id));
    return r && !['received', 'processing'].includes(r.status) ? r : undefined;
  }, 30_000);
}

async function deliver(mail: TestMail | Buffer) {
  const built = Buffer.isBuffer(mail) ? { raw: mail, messageId: '' } : await buildMail(mail);
  const res = await gate.post(built.raw);
  expect(res.status).toBe(202);
  const accepted = await res.json();
  return { ...built, accepted, row: await decided(accepted.id) };
}

async function incident(number: string) {
  return eventually(async () => (await gate.stack.database.db.select().from(incidents).where(eq(incidents.number, number)))[0]);
}

async function timeline(number: string) {
  const res = await gate.stack.request('GET', `/api/incidents/${number}/timeline`, { token: gate.agent.token });
  return res.status === 200 ? ((await res.json()).events as { type: string; payload: Record<string, any> }[]) : [];
}

/** A contact of K-10001 of its own, so rate limits of one test do not count against another. */
async function newContact(name: string) {
  const email = `${name}.${Date.now()}@mueller-maschinenbau.example`;
  await createContact(gate.stack.database.db, { customerNumber: 'K-10001', name, email, phone: null, language: null });
  return email;
}

const utf16Word = (units: number[]) => `=?utf-16le?B?${Buffer.from(new Uint16Array(units).buffer).toString('base64')}?=`;

describe('broken Unicode in mail', () => {
  it('keeps a bounce whose quoted subject is a lone surrogate, with U+FFFD, and records it on its incident', async () => {
    const { row: opened } = await deliver({ from: petra, subject: 'Scanner im Lager' });
    const number = opened.incidentNumber!;
    const ack = await eventually(async () => (await gate.stack.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.incidentNumber, number), eq(outboxMessages.template, 'acknowledgement'))))[0]);
    const bounce = Buffer.from(
      [
        'From: MAILER-DAEMON@mx.mueller-maschinenbau.example',
        'To: helpdesk@helpdesk.example',
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <${randomBytes(8).toString('hex')}@mx.mueller-maschinenbau.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        `Final-Recipient: rfc822; ${petra}`,
        'Action: failed',
        'Status: 5.2.2',
        '',
        '--r',
        'Content-Type: text/rfc822-headers',
        '',
        `Subject: ${utf16Word([0x41, 0xd800])}`,
        `Message-ID: ${ack.messageId}`,
        '',
        '--r--',
        '',
      ].join('\r\n'),
    );
    const { row } = await deliver(bounce);
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    expect((row.deliveryReport as { originalSubject: string }).originalSubject).toBe('A\uFFFD');
    const failure = await eventually(async () => (await timeline(number)).find((e) => e.type === 'delivery_failed'));
    expect(failure.payload).toMatchObject({ status: '5.2.2', originalMessageId: ack.messageId });
  });
});

describe('distinct mails and their text', () => {
  it('stores two different mails without a header/body blank line as two mails', async () => {
    const first = await (await gate.post(Buffer.from('hello-one'))).json();
    const second = await (await gate.post(Buffer.from('completely-different-two'))).json();
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: false });
    expect(second.id).not.toBe(first.id);
    const [stored] = await gate.stack.database.db.select({ raw: inboundMails.raw }).from(inboundMails).where(eq(inboundMails.id, second.id));
    expect(stored!.raw.toString()).toBe('completely-different-two');
    // The same bytes again are still the same mail.
    expect(await (await gate.post(Buffer.from('hello-one'))).json()).toMatchObject({ id: first.id, duplicate: true });
  });

  it('takes the incident text from the HTML part of a mail with only text/html and a PDF', async () => {
    const raw = Buffer.from(
      [
        `From: Petra Müller <${petra}>`,
        'To: helpdesk@helpdesk.example',
        'Subject: RAID degradiert',
        `Message-ID: <${randomBytes(8).toString('hex')}@mueller-maschinenbau.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><body><p>Der <b>RAID</b> auf srv-fs01 ist degradiert, Bericht anbei.</p></body></html>',
        '--m',
        'Content-Type: application/pdf; name="bericht.pdf"',
        'Content-Disposition: attachment; filename="bericht.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--m--',
        '',
      ].join('\r\n'),
    );
    const { row } = await deliver(raw);
    expect(row.status).toBe('processed');
    expect(row.textBody).toBe('Der RAID auf srv-fs01 ist degradiert, Bericht anbei.');
    expect((await incident(row.incidentNumber!)).description).toBe('Der RAID auf srv-fs01 ist degradiert, Bericht anbei.');
  });
});

describe("Outlook's Thread-Index", () => {
  it('appends a mail with another subject and no references to the incident of its conversation', async () => {
    const conversation = randomBytes(22);
    const { row: first } = await deliver({ from: petra, subject: 'Outlook-Profil beschädigt', headers: { 'Thread-Index': conversation.toString('base64') } });
    expect(first.status).toBe('processed');
    const longer = Buffer.concat([conversation, randomBytes(5), randomBytes(5)]).toString('base64');
    const { row: reply } = await deliver({ from: petra, subject: 'Noch eine Beobachtung', headers: { 'Thread-Index': longer }, text: 'Es passiert auch im Webmail.' });
    expect(reply).toMatchObject({ status: 'processed', incidentNumber: first.incidentNumber });
    expect([first.outlookConversation, reply.outlookConversation]).toEqual([conversation.toString('hex'), conversation.toString('hex')]);
    expect(reply.outcome).toContain('by conversation');
    const appended = await eventually(async () => (await timeline(first.incidentNumber!)).find((e) => e.type === 'customer_message' && e.payload.mail?.mailId === reply.id));
    expect(appended.payload.text).toBe('Es passiert auch im Webmail.');
  });

  it('a reply stored before its original, both of one conversation, does not wait for it in a circle', async () => {
    const { storeInboundMail } = await import('../../src/services/mail/ingest.js');
    const { startInboundMailWorkflow } = await import('../../src/services/mail/intake.js');
    const conversation = randomBytes(22);
    const original = await buildMail({ from: petra, subject: 'Drucker im 2. OG', headers: { 'Thread-Index': Buffer.concat([conversation, randomBytes(5)]).toString('base64') } });
    const answer = await buildMail({ from: petra, subject: 'AW: Drucker im 2. OG', inReplyTo: original.messageId, references: [original.messageId], headers: { 'Thread-Index': Buffer.concat([conversation, randomBytes(5), randomBytes(5)]).toString('base64') } });
    // The reply reaches us first (another path), its original a moment later: the reply waits for
    // the original it answers; the original must not wait for the earlier reply of its conversation.
    const storedAnswer = await storeInboundMail({ db: gate.stack.database.db }, answer.raw, { source: 'mailgate' });
    await new Promise((r) => setTimeout(r, 20));
    const storedOriginal = await storeInboundMail({ db: gate.stack.database.db }, original.raw, { source: 'mailgate' });
    expect(await startInboundMailWorkflow(gate.stack.temporal, silentLogger, storedAnswer.id)).toBe(true);
    expect(await startInboundMailWorkflow(gate.stack.temporal, silentLogger, storedOriginal.id)).toBe(true);
    const [first, second] = [await decided(storedOriginal.id), await decided(storedAnswer.id)];
    expect(first.status).toBe('processed');
    expect(second).toMatchObject({ status: 'processed', incidentNumber: first.incidentNumber });
  }, 60_000);

  it('ignores a malformed Thread-Index: the mail opens its own incident', async () => {
    const conversation = randomBytes(22);
    const { row: first } = await deliver({ from: petra, subject: 'Telefonanlage', headers: { 'Thread-Index': conversation.toString('base64') } });
    const { row: other } = await deliver({ from: petra, subject: 'Monitor flackert', headers: { 'Thread-Index': conversation.subarray(0, 21).toString('base64') } });
    expect(other.outlookConversation).toBeNull();
    expect(other.status).toBe('processed');
    expect(other.incidentNumber).not.toBe(first.incidentNumber);
  });
});

describe('the notice that a mail was too large', () => {
  const noticesTo = (address: string) => gate.smtp.to(address).filter((m) => /Ihre Nachricht war zu groß|Your message was too large/.test(m.parsed.subject ?? ''));
  const big = () => [{ filename: 'logs.bin', content: randomBytes(maxMailBytes) }];

  it('goes out when the sender has used up the acknowledgements of the hour, within its own budget', async () => {
    const olga = await newContact('olga.oversized');
    const { row: normal } = await deliver({ from: olga, subject: 'Erste Frage' });
    await eventually(async () => ((await timeline(normal.incidentNumber!)).some((e) => e.type === 'mail_sent') ? true : undefined));
    // The one acknowledgement of the hour is spent: the next ones are suppressed, the notices are not.
    const { row: large } = await deliver({ from: olga, subject: 'Logdateien', attachments: big() });
    expect(large).toMatchObject({ status: 'processed', oversized: true });
    await eventually(async () => ((await timeline(large.incidentNumber!)).some((e) => e.type === 'mail_suppressed') ? true : undefined));
    const notice = await eventually(() => Promise.resolve(noticesTo(olga)[0]));
    expect(notice.parsed.subject).toBe(`[${large.incidentNumber}] Ihre Nachricht war zu groß: Logdateien`);
    expect(notice.parsed.inReplyTo).toBe(large.messageId);
    expect(notice.parsed.headers.get('auto-submitted')).toBe('auto-generated');

    // Its own budget (2 per hour here) holds as well.
    for (const subject of ['Logdateien 2', 'Logdateien 3']) await deliver({ from: olga, subject, attachments: big() });
    await new Promise((r) => setTimeout(r, 1000));
    expect(noticesTo(olga)).toHaveLength(2);
    const rows = await gate.stack.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.recipient, olga), eq(outboxMessages.template, 'oversized')));
    expect(rows).toHaveLength(2);
  });

  it('is never sent to machine-made mail', async () => {
    const { row } = await deliver({ from: 'monitoring@mueller-maschinenbau.example', subject: 'ALERT: disk full', headers: { 'Auto-Submitted': 'auto-generated' }, attachments: big() });
    expect(row).toMatchObject({ status: 'processed', oversized: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(gate.smtp.to('monitoring@mueller-maschinenbau.example')).toHaveLength(0);
  });
});

describe("a prospect's first mail", () => {
  const open = (id: string, body: unknown) => gate.stack.request('POST', `/api/mail/inbound/${id}/open-incident`, { token: gate.agent.token, body });

  it('becomes a new customer, its contact and an incident in one review decision', async () => {
    const { row } = await deliver({ from: 'Max Interessent <max@prospect-one.example>', subject: 'Angebot für Wartungsvertrag' });
    expect(row.status).toBe('review');
    const res = await open(row.id, { newCustomer: { customerNumber: 'K-90001', name: 'Prospect One GmbH', mailDomains: ['prospect-one.example'], language: 'en' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'processed' });
    const [customer] = await gate.stack.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-90001'));
    expect(customer).toMatchObject({ name: 'Prospect One GmbH', mailDomains: ['prospect-one.example'], language: 'en' });
    const [contact] = await gate.stack.database.db.select().from(contacts).where(eq(contacts.email, 'max@prospect-one.example'));
    expect(contact).toMatchObject({ customerId: customer!.id, name: 'Max Interessent' });
    const [decidedRow] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, row.id));
    // No contract yet: billable work.
    expect(await incident(decidedRow!.incidentNumber!)).toMatchObject({ customerNumber: 'K-90001', contactEmail: 'max@prospect-one.example', channel: 'email', entitlementDecision: 'billable' });
    // The customer's next mail is known: it opens an incident of its own, no review.
    const { row: next } = await deliver({ from: 'max@prospect-one.example', subject: 'Zweite Frage' });
    expect(next.status).toBe('processed');
  });

  it('creates no second customer or incident when the decision is retried', async () => {
    const { row } = await deliver({ from: 'erna@prospect-two.example', subject: 'Drucker gesucht' });
    const body = { newCustomer: { customerNumber: 'K-90002', name: 'Prospect Two KG' } };
    // An earlier attempt created the customer and its contact, then failed before the incident.
    const { customerForProspect } = await import('../../src/services/mail/prospect.js');
    await customerForProspect(gate.stack.database.db, row, body.newCustomer);
    const first = await open(row.id, body);
    expect(first.status).toBe(200);
    const again = await open(row.id, body);
    expect(again.status).toBe(409);
    const found = await gate.stack.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-90002'));
    expect(found).toHaveLength(1);
    expect(await gate.stack.database.db.select().from(contacts).where(eq(contacts.customerId, found[0]!.id))).toHaveLength(1);
    await eventually(async () => ((await gate.stack.database.db.select().from(incidents).where(eq(incidents.customerNumber, 'K-90002'))).length === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(await gate.stack.database.db.select().from(incidents).where(eq(incidents.customerNumber, 'K-90002'))).toHaveLength(1);
  });

  it('answers 400 naming the field for a bad request, and 409 for a number that is another customer', async () => {
    const { row } = await deliver({ from: 'fritz@prospect-three.example', subject: 'Frage' });
    const neither = await open(row.id, {});
    expect(neither.status).toBe(400);
    expect((await neither.json()).errors.map((e: { field: string }) => e.field)).toEqual(['customerNumber']);
    const both = await open(row.id, { customerNumber: 'K-10001', newCustomer: { customerNumber: 'K-90003', name: 'Drei' } });
    expect((await both.json()).errors.map((e: { field: string }) => e.field)).toEqual(['newCustomer']);
    const noName = await open(row.id, { newCustomer: { customerNumber: 'K-90003', name: '' } });
    expect(noName.status).toBe(400);
    expect((await noName.json()).errors.map((e: { field: string }) => e.field)).toEqual(['newCustomer.name']);
    const badDomain = await open(row.id, { newCustomer: { customerNumber: 'K-90003', name: 'Drei', mailDomains: ['not a domain'] } });
    expect(badDomain.status).toBe(400);
    expect((await badDomain.json()).errors).toEqual([expect.objectContaining({ field: 'newCustomer.mailDomains' })]);
    const taken = await open(row.id, { newCustomer: { customerNumber: 'K-10001', name: 'Someone Else' } });
    expect(taken.status).toBe(409);
    // Naming an existing customer by its very name does not slip the unknown sender in as its contact.
    const [k10001] = await gate.stack.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-10001'));
    const posing = await open(row.id, { newCustomer: { customerNumber: 'K-10001', name: k10001!.name } });
    expect(posing.status).toBe(409);
    expect(await gate.stack.database.db.select().from(contacts).where(eq(contacts.email, 'fritz@prospect-three.example'))).toHaveLength(0);
    // Still held, and nothing was created on the way.
    const [held] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, row.id));
    expect(held!.status).toBe('review');
    expect(await gate.stack.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-90003'))).toHaveLength(0);
  });
});
