// The e-mail channel through the mailgate, with a real Temporal server, real Postgres and a real
// SMTP receiver: callback requests by mail: one callback per
// Message-ID, phone numbers on record, premium-rate numbers refused, at most three open per contact.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundMails, outboxMessages } from '../../../src/db/schema/index.js';
import { createContact } from '../../../src/services/master-data/contacts.js';
import { buildMail } from '../../support/mail.js';
import { houseMailFrom } from '../../support/mail-stack.js';
import { jens, mailgateStack } from '../../support/mailgate.js';
import { eventually, silentLogger } from '../../support/stack.js';

const { gate, deliver } = mailgateStack();

describe('callback requests by mail', () => {
  /** A contact of K-10001 of its own, so the tests' callbacks do not count against each other. */
  const newContact = async (name: string, phone: string | null) => {
    const email = `${name}.${Date.now()}@mueller-maschinenbau.example`;
    await createContact(gate.stack.database.db, { customerNumber: 'K-10001', name, email, phone, language: null });
    return email;
  };
  const callbackOf = async (workflowId: string): Promise<{ details: Record<string, unknown> }> => {
    const res = await gate.stack.request('GET', `/api/callbacks/${workflowId.slice('callback-'.length)}`, { token: gate.agent.token });
    expect(res.status).toBe(200);
    return res.json();
  };
  const callbackAcksTo = (address: string) => gate.smtp.to(address).filter((m) => /^Ihr Rückrufwunsch|^Your callback request/.test(m.parsed.subject ?? ''));
  const incidentAcksFor = async (messageId: string) =>
    (await gate.stack.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.inReplyTo, messageId), eq(outboxMessages.template, 'acknowledgement')))).length;

  it('turns a contact\'s "Rückruf bitte" with a phone number into one callback per Message-ID, acknowledged once with its window', async () => {
    const mail = { from: `Jens Kraft <${jens}>`, subject: 'Rückruf bitte: VPN bricht ab', text: 'Guten Tag,\n\nbitte rufen Sie mich unter 0211 555 0102 zurück.\n\n-- \nJens Kraft' };
    const { row, messageId, raw } = await deliver(mail);
    expect(row).toMatchObject({ status: 'callback', incidentNumber: null });
    const workflowId = row.callbackWorkflowId!;
    expect(workflowId).toMatch(/^callback-[0-9a-f-]{36}$/);
    const id = workflowId.slice('callback-'.length);
    expect(row.outcome).toContain(`/api/callbacks/${id}`);

    const res = await gate.stack.request('GET', `/api/callbacks/${id}`, { token: gate.agent.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      workflowId,
      customerNumber: 'K-10001',
      incidentNumber: null,
      details: { requestedBy: 'mail', phone: '+492115550102', topic: 'VPN bricht ab', contactName: 'Jens Kraft', contactEmail: jens },
    });

    // A second delivery is the same stored mail; processing it again finds the same callback.
    const again = await gate.post(raw);
    expect(await again.json()).toMatchObject({ id: row.id, duplicate: true, status: 'callback' });
    await gate.stack.database.db.update(inboundMails).set({ status: 'received', callbackWorkflowId: null }).where(eq(inboundMails.id, row.id));
    const { processInboundMail } = await import('../../../src/services/mail/ingest.js');
    const reprocessed = await processInboundMail({ db: gate.stack.database.db, temporal: gate.stack.temporal, logger: silentLogger, mailFrom: houseMailFrom }, row.id);
    expect(reprocessed).toMatchObject({ status: 'callback', callbackWorkflowId: workflowId, incidentNumber: null });

    const ack = await eventually(() => Promise.resolve(callbackAcksTo(jens)[0]));
    expect(ack.parsed.subject).toBe('Ihr Rückrufwunsch: VPN bricht ab');
    expect(ack.parsed.text).toMatch(/unter \+492115550102 zurück, zwischen .+ und .+\./);
    expect(ack.parsed.inReplyTo).toBe(messageId);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    await eventually(async () => {
      const rows = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where workflow_id = ${workflowId}`;
      return rows[0]?.count === 1 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(callbackAcksTo(jens)).toHaveLength(1);
    const callbacks = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'contactEmail' = ${jens}`;
    expect(callbacks[0]?.count).toBe(1);
    // No incident, so no incident acknowledgement.
    expect(await incidentAcksFor(messageId)).toBe(0);
    const listed = await gate.stack.request('GET', '/api/mail/inbound?status=callback', { token: gate.agent.token });
    expect((await listed.json()).items.map((m: { id: string }) => m.id)).toContain(row.id);
    await gate.stack.temporal.client.workflow.getHandle(workflowId).terminate('test finished');
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

    const strangerCallbacks = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'phone' in ('+492115550199', '+491701234567')`;
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
    for (const row of [onRecord.row, other.row]) await gate.stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('never calls a premium-rate number named in a mail: the mail opens an incident instead', async () => {
    const paul = await newContact('paul.premium', null);
    const { row } = await deliver({ from: paul, subject: 'Rückruf bitte', text: 'Tel. 0900 1234567' });
    expect(row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    expect(row.incidentNumber).toMatch(/^INC-/);
    const premium = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and details->>'phone' = '+499001234567'`;
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
    const res = await gate.stack.request('POST', `/api/callbacks/${cancelled.slice('callback-'.length)}/cancel`, { token: gate.agent.token, body: { reason: 'Settled by mail.' } });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const rows = await gate.stack.database.sql<{ ended: boolean }[]>`select ended from follow_ups where workflow_id = ${cancelled}`;
      return rows[0]?.ended ? true : undefined;
    });
    const again = await deliver({ from: flo.toUpperCase(), subject: 'Rückruf bitte: noch eins', text: 'Bitte zurückrufen.' });
    expect(again.row.status).toBe('callback');
    const capped = await deliver({ from: flo, subject: 'Rückruf bitte: und noch eins', text: 'Bitte zurückrufen.' });
    expect(capped.row).toMatchObject({ status: 'processed', callbackWorkflowId: null });
    const open = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from follow_ups where kind = 'callback' and not ended and details->>'contactEmail' = ${flo}`;
    expect(open[0]?.count).toBe(3);
    for (const { row } of [...callbacks.slice(1), again]) await gate.stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('counts acknowledgements per hour to an address whatever its case', async () => {
    const rita = await newContact('rita.rate', '+49 211 555 0179');
    await gate.stack.database.db.insert(outboxMessages).values(
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
    const acks = await gate.stack.database.sql<{ count: number }[]>`select count(*)::int as count from outbox_messages where payload->>'callbackWorkflowId' = ${row.callbackWorkflowId}`;
    expect(acks[0]?.count).toBe(0);
    expect(callbackAcksTo(rita)).toHaveLength(0);
    await gate.stack.temporal.client.workflow.getHandle(row.callbackWorkflowId!).terminate('test finished');
  });

  it('keeps the breach of a callback mail processed after its SLA ran out: window from now, SLA from the arrival', async () => {
    const otto = await newContact('otto.outage', '+49 211 555 0180');
    const arrived = new Date(Date.now() - 10 * 86_400_000);
    const deps = { db: gate.stack.database.db, temporal: gate.stack.temporal, logger: silentLogger, mailFrom: houseMailFrom };
    const { storeInboundMail, processInboundMail } = await import('../../../src/services/mail/ingest.js');
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
    await gate.stack.temporal.client.workflow.getHandle(processed.callbackWorkflowId!).terminate('test finished');
  });
});
