// The e-mail channel through the mailgate, with a real Temporal server, real Postgres and a real
// SMTP receiver: unknown senders, monitoring alerts, our own mail,
// mailing lists, the acknowledgement limit, and the mailgate edge (role, content type, token scope).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundMails, incidents, outboxMessages } from '../../../src/db/schema/index.js';
import { buildMail } from '../../support/mail.js';
import { claire, mailgateStack, petra } from '../../support/mailgate.js';
import { eventually } from '../../support/stack.js';

const { gate, deliver, timeline, acksTo } = mailgateStack();

describe('unknown senders, noise and limits', () => {
  it('holds a mail from an unknown sender for review; an agent opens an incident for the right customer', async () => {
    const { row } = await deliver({ from: 'new.colleague@gmail.example', subject: 'Bitte VPN-Zugang einrichten' });
    expect(row.status).toBe('review');
    const res = await gate.stack.request('POST', `/api/mail/inbound/${row.id}/open-incident`, { token: gate.agent.token, body: { customerNumber: 'K-10001' } });
    expect(res.status).toBe(200);
    const decided = await res.json();
    expect(decided.status).toBe('processed');
    const [stored] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, row.id));
    const [incident] = await eventually(async () => {
      const rows = await gate.stack.database.db.select().from(incidents).where(eq(incidents.number, stored!.incidentNumber!));
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
    expect(gate.smtp.to('nagios@mueller-maschinenbau.example')).toHaveLength(0);
  });

  it('ignores our own mail coming back and mailing-list mail from strangers', async () => {
    const own = await deliver({ from: 'helpdesk@helpdesk.example', subject: 'Re: something', headers: { 'X-Loop': 'helpdesk@helpdesk.example' } });
    expect(own.row.status).toBe('ignored');
    const list = await deliver({ from: 'news@vendor.example', subject: 'Newsletter November', headers: { 'List-Id': '<news.vendor.example>', Precedence: 'bulk' } });
    expect(list.row.status).toBe('ignored');
    expect(gate.smtp.to('news@vendor.example')).toHaveLength(0);
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
    const rows = await gate.stack.database.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, claire));
    expect(rows.filter((r) => r.template === 'acknowledgement')).toHaveLength(2);
  });
});

describe('the mailgate edge', () => {
  it('needs the mailgate role and message/rfc822', async () => {
    const { raw } = await buildMail({ from: petra, subject: 'x' });
    expect((await gate.post(raw, gate.agent.token)).status).toBe(403);
    expect((await gate.stack.request('POST', '/api/inbound/email', { rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } })).status).toBe(401);
    const wrongType = await gate.stack.request('POST', '/api/inbound/email', { token: gate.mailgate.token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');
    const empty = await gate.stack.request('POST', '/api/inbound/email', { token: gate.mailgate.token, rawBody: new Uint8Array(0), headers: { 'Content-Type': 'message/rfc822' } });
    expect(empty.status).toBe(400);
  });

  it('keeps the mailgate token away from every other route', async () => {
    expect((await gate.stack.request('GET', '/api/incidents', { token: gate.mailgate.token })).status).toBe(403);
    expect((await gate.stack.request('GET', '/api/mail/inbound', { token: gate.mailgate.token })).status).toBe(403);
  });
});
