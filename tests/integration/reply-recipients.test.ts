// Replies do not leak to outsiders, on the real stack (mailgate, Temporal, Postgres, SMTP): a
// contact writes with a colleague and an outsider on CC; the agent's answer copies the colleague
// (at the customer's mail domain), not the outsider, and the timeline says who was dropped. An
// address the agent names is copied whoever it is.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { inboundMails, outboxMessages } from '../../src/db/schema/index.js';
import { buildMail } from '../support/mail.js';
import { useMailStack } from '../support/mail-stack.js';
import { eventually } from '../support/stack.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
// At the customer's mail domain, but no contact of record.
const colleague = 'lena.vogt@mueller-maschinenbau.example';
const outsider = 'berater@extern-consulting.example';
const supplier = 'service@drucker-lieferant.example';

const gate = useMailStack({ agentName: 'Anna Antwort' });

type Event = { type: string; payload: Record<string, any> };
const timeline = async (number: string): Promise<Event[]> => (await (await gate.stack.request('GET', `/api/incidents/${number}/timeline`, { token: gate.agent.token })).json()).events;
const sentReply = (number: string, text: string) =>
  eventually(async () => (await timeline(number)).find((e) => e.type === 'mail_sent' && e.payload.template === 'reply' && e.payload.mail.text.includes(text)), 30_000);
const received = (text: string) => eventually(() => Promise.resolve(gate.smtp.received.find((m) => m.parsed.text?.includes(text))), 30_000);

describe("the agent's reply to a mail with outsiders on CC", () => {
  let number: string;

  beforeAll(async () => {
    const { raw } = await buildMail({ from: `Petra Müller <${petra}>`, to: 'helpdesk@helpdesk.example', cc: [colleague, `Extern <${outsider}>`], subject: 'Plotter zeigt Fehler E42', text: 'Der Plotter im Werk 2 zeigt E42.' });
    const res = await gate.post(raw);
    expect(res.status).toBe(202);
    const { id } = await res.json();
    number = await eventually(async () => (await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, id)))[0]?.incidentNumber ?? undefined, 30_000);
    await eventually(async () => ((await gate.stack.request('GET', `/api/incidents/${number}`, { token: gate.agent.token })).status === 200 ? true : undefined), 30_000);
  });

  it('goes to the contact and the colleague at the customer\'s domain, not to the outsider, and records the drop', async () => {
    const res = await gate.stack.request('POST', `/api/incidents/${number}/reply`, { token: gate.agent.token, body: { text: 'Wir tauschen die Heizeinheit.' } });
    expect(res.status).toBe(200);
    const mail = await received('Wir tauschen die Heizeinheit.');
    expect(mail.envelopeTo.sort()).toEqual([colleague, petra].sort());
    expect(mail.raw.toString('utf8')).not.toContain(outsider);

    const event = await sentReply(number, 'Wir tauschen die Heizeinheit.');
    expect(event.payload.mail).toMatchObject({ to: [petra], cc: [colleague], droppedCc: [outsider] });
    const [row] = await gate.stack.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, event.payload.mail.outboxId));
    expect(row).toMatchObject({ recipient: petra, cc: [colleague], payload: { droppedCc: [outsider] } });
    // And in the communication log.
    const log = await (await gate.stack.request('GET', `/api/incidents/${number}/messages`, { token: gate.agent.token })).json();
    expect(log.items.find((m: { id: string }) => m.id === row!.id)).toMatchObject({ direction: 'out', cc: [colleague], droppedCc: [outsider] });
  });

  it('copies whoever the agent names on the reply, the outsider too', async () => {
    const res = await gate.stack.request('POST', `/api/incidents/${number}/reply`, { token: gate.agent.token, body: { text: 'Der Lieferant meldet sich.', cc: [supplier, outsider] } });
    expect(res.status).toBe(200);
    const mail = await received('Der Lieferant meldet sich.');
    expect(mail.envelopeTo.sort()).toEqual([colleague, outsider, petra, supplier].sort());
    const event = await sentReply(number, 'Der Lieferant meldet sich.');
    expect(event.payload.mail).toMatchObject({ cc: [colleague, supplier, outsider] });
    expect(event.payload.mail).not.toHaveProperty('droppedCc');
    expect((await timeline(number)).find((e) => e.type === 'replied' && e.payload.text === 'Der Lieferant meldet sich.')!.payload.cc).toEqual([supplier, outsider]);
  });

  it('refuses a cc that is no address with 400 naming it, before anything is sent', async () => {
    const res = await gate.stack.request('POST', `/api/incidents/${number}/reply`, { token: gate.agent.token, body: { text: 'Nie gesendet.', cc: ['kein-mail'] } });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('cc.0');
  });
});
