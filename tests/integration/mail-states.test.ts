// Honest mail states on the real stack (Temporal dev server, Postgres, a real SMTP receiver): the
// timeline says mail_queued when the outbox row is written and mail_sent only once SMTP accepted
// the mail; a refusal is mail_undeliverable with the server's words, a passing failure mail_failed
// (will retry) before it is sent after all, and an incident without a contact address says so. The
// messages view keeps customer mail and internal notices apart and shows each mail's delivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationActivities } from '../../src/activities/notifications.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { houseMailFrom, startMailStack, type MailStack } from '../support/mail-stack.js';
import { eventually, type TestStack } from '../support/stack.js';
import type { TestUser } from '../support/users.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
// Known to nobody: the mail server refuses it for good.
const unknownMailbox = 'gibt-es-nicht@mueller-maschinenbau.example';
// Its mailbox is full for the first try only.
const busyMailbox = 'werkstatt@mueller-maschinenbau.example';
let busyRefused = 0;

let mail: MailStack;
let stack: TestStack;
let agent: TestUser;

beforeAll(async () => {
  mail = await startMailStack({
    agentName: 'Sven Status',
    smtp: {
      refuse: (address) => {
        if (address === unknownMailbox) return { code: 550, message: '5.1.1 <gibt-es-nicht@mueller-maschinenbau.example>: mailbox unknown' };
        if (address === busyMailbox && busyRefused === 0) {
          busyRefused += 1;
          return { code: 452, message: '4.2.2 mailbox full, try again later' };
        }
        return undefined;
      },
    },
  });
  ({ stack, agent } = mail);
});
afterAll(async () => mail?.stop());

type Event = { seq: number; type: string; at: string; payload: Record<string, any> };
const timeline = async (number: string): Promise<Event[]> => (await (await stack.request('GET', `/api/incidents/${number}/timeline`, { token: agent.token })).json()).events;
const mailEvents = async (number: string) => (await timeline(number)).filter((e) => e.type.startsWith('mail_'));
const messages = async (number: string, query = '') => stack.request('GET', `/api/incidents/${number}/messages${query}`, { token: agent.token });

async function open(body: Record<string, unknown>): Promise<string> {
  const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { customerNumber: 'K-10001', priority: 'P3', ...body } });
  expect(res.status).toBe(201);
  return (await res.json()).number;
}
async function reply(number: string, text: string) {
  const res = await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text } });
  expect(res.status).toBe(200);
}
/** Waits until the mail's story on the timeline has ended (sent, undeliverable, or failed for good). */
const settled = (number: string) =>
  eventually(async () => {
    const events = await mailEvents(number);
    return events.some((e) => e.type === 'mail_sent' || e.type === 'mail_undeliverable' || (e.type === 'mail_failed' && !e.payload.willRetry)) ? events : undefined;
  }, 60_000);

describe('a reply the mail server accepts', () => {
  let number: string;
  let events: Event[];

  beforeAll(async () => {
    number = await open({ title: 'Drucker im Werk 2', contactEmail: petra });
    await reply(number, 'Wir tauschen die Heizeinheit.');
    events = await settled(number);
  });

  it('is mail_queued when its outbox row is written, then mail_sent, with the same mail', () => {
    expect(events.map((e) => e.type)).toEqual(['mail_queued', 'mail_sent']);
    const [queued, sent] = events as [Event, Event];
    expect(sent.seq).toBeGreaterThan(queued.seq);
    expect(queued.payload).toMatchObject({ template: 'reply', status: 'queued', mail: { to: [petra], messageId: expect.stringMatching(/^<.+@helpdesk\.example>$/) } });
    expect(sent.payload).toMatchObject({ template: 'reply', status: 'sent', mail: { outboxId: queued.payload.mail.outboxId, messageId: queued.payload.mail.messageId } });
    // What SMTP got is that very mail, once.
    const received = mail.smtp.received.filter((m) => m.parsed.messageId === queued.payload.mail.messageId);
    expect(received).toHaveLength(1);
    expect(received[0]!.envelopeTo).toEqual([petra]);
  });

  it('comes after the reply on the timeline', async () => {
    const all = await timeline(number);
    const replied = all.find((e) => e.type === 'replied')!;
    expect(replied.seq).toBeLessThan(events[0]!.seq);
  });

  it('shows in the messages as customer mail, sent', async () => {
    const res = await messages(number);
    expect(res.status).toBe(200);
    const [out] = (await res.json()).items;
    expect(out).toMatchObject({ direction: 'out', template: 'reply', kind: 'customer', internal: false, delivery: { state: 'sent', reason: null, attempts: 1 } });
    expect(Date.parse(out.delivery.sentAt)).not.toBeNaN();
  });
});

describe('a reply the mail server refuses', () => {
  it('is mail_undeliverable with the server\'s words, and the messages say undeliverable', async () => {
    const number = await open({ title: 'Zugang gesperrt', contactEmail: unknownMailbox });
    await reply(number, 'Wir haben den Zugang entsperrt.');
    const events = await settled(number);
    expect(events.map((e) => e.type)).toEqual(['mail_queued', 'mail_undeliverable']);
    expect(events[1]!.payload).toMatchObject({ template: 'reply', status: 'undeliverable', reason: expect.stringContaining('mailbox unknown'), mail: { to: [unknownMailbox] } });
    expect(events[1]!.payload.reason).toContain(unknownMailbox);
    expect(mail.smtp.to(unknownMailbox)).toHaveLength(0);

    const [out] = (await (await messages(number)).json()).items;
    expect(out).toMatchObject({ kind: 'customer', status: 'rejected', delivery: { state: 'undeliverable', reason: expect.stringContaining('550'), sentAt: null } });
  });
});

describe('a reply the mail server defers once', () => {
  it('is mail_failed (will retry) with the reason, then mail_sent when the next try gets through', async () => {
    const number = await open({ title: 'Werkstattdrucker', contactEmail: busyMailbox });
    await reply(number, 'Das Ersatzteil ist unterwegs.');
    const events = await settled(number);
    expect(events.map((e) => e.type)).toEqual(['mail_queued', 'mail_failed', 'mail_sent']);
    expect(events[1]!.payload).toMatchObject({ template: 'reply', status: 'failed', willRetry: true, reason: expect.stringContaining('mailbox full') });
    expect(mail.smtp.to(busyMailbox)).toHaveLength(1);
    const [out] = (await (await messages(number)).json()).items;
    expect(out.delivery).toMatchObject({ state: 'sent', attempts: 2 });
    // The first response stopped at the reply, not when SMTP took the mail at the second try.
    const replied = (await timeline(number)).find((e) => e.type === 'replied')!;
    const live = await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).query(getStateQuery);
    expect(live.clocks?.firstResponse?.stoppedAt).toBe(replied.at);
    expect(Date.parse(out.delivery.sentAt)).toBeGreaterThan(Date.parse(replied.at));
  });
});

describe('an incident without a contact address', () => {
  it('says on the timeline that its reply went nowhere: mail_undeliverable, no contact address', async () => {
    const number = await open({ title: 'Anruf ohne Adresse' });
    const sentBefore = mail.smtp.received.length;
    await reply(number, 'Wir rufen Sie zurück.');
    const events = await settled(number);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'mail_undeliverable', payload: { template: 'reply', status: 'undeliverable', reason: 'no contact address' } });
    expect(events[0]!.payload).not.toHaveProperty('mail');
    expect(mail.smtp.received.length).toBe(sentBefore);
    expect((await (await messages(number)).json()).items).toEqual([]);
  });
});

describe('the messages of an incident by kind', () => {
  let number: string;

  beforeAll(async () => {
    number = await open({ title: 'Eskaliert', contactEmail: petra });
    await reply(number, 'Wir sind dran.');
    await settled(number);
    // An escalation notice to our own people, written and sent by the real notification activity.
    const notifications = createNotificationActivities({ db: stack.database.db, mailer: createSmtpMailer(mail.smtp.url), mailFrom: houseMailFrom });
    await notifications.notifyEscalation({
      incident: { number, title: 'Eskaliert', priority: 'P3', customerNumber: 'K-10001', assigneeId: null, assignedGroup: null },
      event: { seq: 99, at: new Date().toISOString(), payload: { from: 1, to: 2, name: 'breach', target: 'resolution', dueAt: null, policy: 'Gold', direction: 'up', recipients: ['leitstand@helpdesk.example'] } },
    });
  });

  it('gives both without a filter, each with its kind', async () => {
    const items: { kind: string; template: string; to: string[] }[] = (await (await messages(number)).json()).items;
    expect(items.map((m) => [m.template, m.kind]).sort()).toEqual([['escalation', 'internal'], ['reply', 'customer']]);
  });

  it('gives only the customer communication with ?kind=customer, only the internal notices with ?kind=internal', async () => {
    const customer = (await (await messages(number, '?kind=customer')).json()).items;
    expect(customer.map((m: { template: string }) => m.template)).toEqual(['reply']);
    const internal = (await (await messages(number, '?kind=internal')).json()).items;
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({ template: 'escalation', kind: 'internal', internal: true, to: ['leitstand@helpdesk.example'], delivery: { state: 'sent' } });
  });

  it('refuses an unknown kind and an unknown parameter with a 400 naming it', async () => {
    const bad = await messages(number, '?kind=everything');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('kind');
    const unknown = await messages(number, '?kinds=customer');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('kinds');
  });
});

describe('the OpenAPI document', () => {
  it('documents the kind filter and the delivery of each message', async () => {
    const doc = await (await stack.request('GET', '/openapi.json')).json();
    const route = doc.paths['/api/incidents/{number}/messages'].get;
    expect(route.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'kind', in: 'query', schema: expect.objectContaining({ enum: ['customer', 'internal'] }) })]));
    expect(Object.keys(doc.components.schemas.Message.properties)).toEqual(expect.arrayContaining(['kind', 'delivery']));
  });
});

describe('the current details in the Temporal UI', () => {
  it('are the Markdown list the workflow sets, one fact per line', async () => {
    const number = await open({ title: 'Details *fett*', contactEmail: petra });
    const handle = stack.temporal.client.workflow.getHandle(incidentWorkflowId(number));
    const metadata = await eventually(async () => {
      const m = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return m.currentDetails ? m : undefined;
    });
    const lines = metadata.currentDetails!.split('\n');
    expect(lines[0]).toBe(`**${number}** Details \\*fett\\*`);
    expect(lines[1]).toBe('');
    expect(lines).toEqual(expect.arrayContaining(['- **Status:** new', '- **Priority:** P3', '- **Escalation level:** 0 (on track)']));
    expect(lines.some((l) => /^ {2}- First response: due \d{4}-\d\d-\d\d \d\d:\d\d UTC, \*\*running\*\*$/.test(l))).toBe(true);
  });
});
