// The e-mail channel through the mailgate, with a real Temporal server, real Postgres and a real
// SMTP receiver: a new mail from a contact opens an incident with one acknowledgement,
// replies thread (also from CC'd colleagues), answers go out in the thread, strangers wait for
// review, out-of-office and bounces are logged, and the communication log has the downloads.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundMails, incidents } from '../../../src/db/schema/index.js';
import { bounceFor, buildMail } from '../../support/mail.js';
import { jens, mailgateStack, petra } from '../../support/mailgate.js';
import { eventually } from '../../support/stack.js';

const { gate, deliver, timeline, acksTo } = mailgateStack();

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
      const rows = await gate.stack.database.db.select().from(incidents).where(eq(incidents.number, number));
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
    const res = await gate.post(raw);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ duplicate: true, status: 'processed', incidentNumber: number });
    const rows = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, firstMessageId));
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
    const res = await gate.stack.request('POST', `/api/incidents/${number}/reply`, { token: gate.agent.token, body: { text: 'Wir schicken einen Techniker.' } });
    expect(res.status).toBe(200);
    const reply = await eventually(() => Promise.resolve(gate.smtp.to(petra).find((m) => m.parsed.text?.includes('Wir schicken einen Techniker.'))));
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

    const queue = await gate.stack.request('GET', '/api/mail/inbound', { token: gate.agent.token });
    expect(queue.status).toBe(200);
    expect((await queue.json()).items.map((m: { id: string }) => m.id)).toContain(row.id);

    const accepted = await gate.stack.request('POST', `/api/mail/inbound/${row.id}/accept`, { token: gate.agent.token, body: {} });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ status: 'processed' });
    const again = await gate.stack.request('POST', `/api/mail/inbound/${row.id}/accept`, { token: gate.agent.token, body: {} });
    expect(again.status).toBe(409);
    const events = await timeline(number);
    expect(events.filter((e) => e.type === 'customer_message' && e.payload.mail?.mailId === row.id)).toHaveLength(1);
  });

  it('logs an out-of-office reply without answering it or restarting a clock', async () => {
    const before = gate.smtp.received.length;
    const { row } = await deliver({ from: petra, subject: `Abwesenheitsnotiz: [${number}] Drucker`, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'Ich bin bis Montag nicht im Büro.' });
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    const events = await timeline(number);
    const logged = await eventually(async () => (await timeline(number)).find((e) => e.type === 'customer_message' && e.payload.automatic === true));
    expect(logged.payload.effect).toBe('logged');
    expect(events.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(gate.smtp.received.length).toBe(before);
  });

  it('attaches a bounce of our acknowledgement as a delivery failure and opens nothing', async () => {
    const countBefore = (await gate.stack.database.db.select().from(incidents)).length;
    const { row } = await deliver(bounceFor({ messageId: ackMessageId, to: petra, subject: `[${number}] Eingangsbestätigung` }));
    expect(row).toMatchObject({ status: 'processed', incidentNumber: number });
    const failure = await eventually(async () => (await timeline(number)).find((e) => e.type === 'delivery_failed'));
    expect(failure.payload).toMatchObject({ recipients: [petra], status: '5.1.1', originalMessageId: ackMessageId });
    expect((await gate.stack.database.db.select().from(incidents)).length).toBe(countBefore);
    // SMTP took the acknowledgement, but it bounced: the communication log says undeliverable, and why.
    const { items } = await (await gate.stack.request('GET', `/api/incidents/${number}/messages?kind=customer`, { token: gate.agent.token })).json();
    const ack = items.find((m: { messageId: string }) => m.messageId === ackMessageId);
    expect(ack).toMatchObject({ direction: 'out', template: 'acknowledgement', status: 'sent', delivery: { state: 'undeliverable', reason: expect.stringMatching(/^bounced: 5\.1\.1/) } });
  });

  it('lists every mail in and out in the communication log, with downloads behind authentication', async () => {
    const res = await gate.stack.request('GET', `/api/incidents/${number}/messages`, { token: gate.agent.token });
    expect(res.status).toBe(200);
    const { items } = await res.json();
    const inbound = items.filter((m: { direction: string }) => m.direction === 'in');
    const outbound = items.filter((m: { direction: string }) => m.direction === 'out');
    expect(inbound.length).toBeGreaterThanOrEqual(5);
    expect(outbound.map((m: { template: string }) => m.template)).toEqual(expect.arrayContaining(['acknowledgement', 'reply']));
    const first = inbound.find((m: { messageId: string }) => m.messageId === firstMessageId);
    expect(first).toMatchObject({ from: petra, subject: 'Drucker im 2. OG druckt nicht', text: 'Seit heute früh druckt der Lexmark nicht mehr.' });

    const raw = await gate.stack.request('GET', first.rawUrl, { token: gate.agent.token });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toMatch(new RegExp(`^Message-ID:\\s+${firstMessageId}`, 'im'));
    expect((await gate.stack.request('GET', first.rawUrl)).status).toBe(401);

    const ack = outbound.find((m: { template: string }) => m.template === 'acknowledgement');
    const ackRaw = await gate.stack.request('GET', ack.rawUrl, { token: gate.agent.token });
    expect(ackRaw.status).toBe(200);
    expect(await ackRaw.text()).toMatch(new RegExp(`^Message-ID:\\s+${ackMessageId}`, 'im'));
  });
});
