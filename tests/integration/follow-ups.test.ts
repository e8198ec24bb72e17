// Follow-up work through the API, with real Temporal and Postgres: a service order, a change and
// a child ticket started from an incident, linked on both timelines, and an incident that cannot
// close while one is open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentIntakes } from '../../src/db/schema/index.js';
import type { IncidentIntake } from '../../src/domain/incident/state.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { startPendingIntakes } from '../../src/services/incident-intake.js';
import { CustomerNumber, FollowUpKind, ServiceOrderState } from '../../src/temporal/search-attributes.js';
import { eventually, silentLogger, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;
let approver: TestUser;
let approverEmail: string;

beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Anna Agent');
  approver = await createUserWithToken(stack.database.db, 'manager', 'Carl CAB');
  const [row] = await stack.database.sql<{ email: string }[]>`select email from users where id = ${approver.id}`;
  approverEmail = row!.email;
});
afterAll(async () => stack?.stop());

const post = (path: string, body: unknown, user = agent) => stack.request('POST', path, { token: user.token, body });
const get = async (path: string, user = agent) => (await stack.request('GET', path, { token: user.token })).json();

async function openIncident(): Promise<string> {
  const res = await post('/api/incidents', { title: 'VPN drops every 20 minutes', serialNumber: 'FW-FG100F-0042' });
  expect(res.status).toBe(201);
  const { number } = await res.json();
  await eventually(async () => ((await stack.request('GET', `/api/incidents/${number}`, { token: agent.token })).status === 200 ? true : undefined));
  return number as string;
}

const types = (events: { type: string }[]) => events.map((e) => e.type);

describe('follow-up work through the API', () => {
  it('runs a service order the incident waits for, linked on both timelines', async () => {
    const number = await openIncident();
    const created = await post(`/api/incidents/${number}/follow-ups`, { kind: 'service_order', title: 'Swap the firewall PSU', waitFor: true, location: 'onsite' });
    expect(created.status).toBe(201);
    const incident = await created.json();
    expect(incident).toMatchObject({ status: 'pending_change', followUp: { ref: 'service-order-1', workflowId: `incident-${number}/service-order-1` } });

    const base = `/api/incidents/${number}/follow-ups/service-order-1`;
    await eventually(async () => ((await stack.request('GET', base, { token: agent.token })).status === 200 ? true : undefined));
    // Three hours ahead: the reminder (an hour before) is not due during the test.
    const from = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const to = new Date(Date.now() + 4 * 3_600_000).toISOString();
    expect((await post(`${base}/schedule`, { technicianId: 'not-a-uuid', from, to })).status).toBe(400);
    // A misspelled field is named, with the one meant, before anything is looked up.
    const typo = await post(`${base}/schedule`, { technicanId: agent.id, from, to });
    expect(typo.status).toBe(400);
    expect((await typo.json()).detail).toBe('unknown field "technicanId"; did you mean "technicianId"? (it takes technicianId, technicianEmail, from, to)');
    expect((await post(`${base}/start`, { force: true })).status).toBe(400);
    // The technician by e-mail.
    const [anna] = await stack.database.sql<{ email: string }[]>`select email from users where id = ${agent.id}`;
    const scheduled = await post(`${base}/schedule`, { technicianEmail: anna!.email, from, to });
    expect(scheduled.status).toBe(200);
    expect(await scheduled.json()).toMatchObject({ state: 'scheduled', details: { technician: { id: agent.id, name: 'Anna Agent' } } });
    // A step that does not fit is refused by the workflow: 409.
    expect((await post(`${base}/complete`, { summary: 'done' })).status).toBe(409);
    expect((await post(`${base}/start`, {})).status).toBe(200);
    const done = await post(`${base}/complete`, { summary: 'PSU replaced.', materials: [{ articleNumber: 'PSU-800', description: 'PSU 800 W', quantity: 1, unitPriceCents: 18900 }] });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ state: 'done', ended: true });

    // The incident heard of it and resumed; both timelines show the link.
    await eventually(async () => {
      const timeline = await get(`/api/incidents/${number}/timeline`);
      return types(timeline.events).includes('follow_up_ended') ? timeline : undefined;
    });
    const timeline = await get(`/api/incidents/${number}/timeline`);
    expect(types(timeline.events)).toEqual(['created', 'follow_up_created', 'follow_up_ended']);
    expect(timeline.events[2].payload).toMatchObject({ ref: 'service-order-1', outcome: 'completed', resumed: 'new' });
    expect((await get(`/api/incidents/${number}`)).status).toBe('new');
    const order = await eventually(async () => {
      const o = await get(base);
      return o.state === 'done' ? o : undefined;
    });
    // After the order ends, its work report is booked under the incident's entitlement.
    const booked = await eventually(async () => {
      const o = await get(base);
      return types(o.events).includes('work_booked') ? o : undefined;
    });
    expect(types(booked.events)).toEqual(['created', 'scheduled', 'started', 'completed', 'work_booked']);
    expect(booked.events[4].payload.totals).toMatchObject({ materialAmountCents: 18900, amountCents: 18900 });
    const materials = await get(`/api/incidents/${number}/materials`);
    expect(materials.totals).toMatchObject({ lineCount: 1, amountCents: 18900 });
    expect(order.events[0].actor).toEqual({ id: `user:${agent.id}`, name: 'Anna Agent' });
    expect(order.details.workReport.materialTotalCents).toBe(18900);
    expect((await get(`/api/incidents/${number}/follow-ups`)).items.map((f: { ref: string }) => f.ref)).toEqual(['service-order-1']);
    // In the Temporal UI: a child of the incident, with its kind, customer and state as search attributes.
    const described = await stack.temporal.client.workflow.getHandle(`incident-${number}/service-order-1`).describe();
    expect(described.parentExecution?.workflowId).toBe(`incident-${number}`);
    expect(described.typedSearchAttributes.get(FollowUpKind)).toBe('service_order');
    expect(described.typedSearchAttributes.get(ServiceOrderState)).toBe('done');
    expect(described.typedSearchAttributes.get(CustomerNumber)).toBe('K-10002');
  });

  it('needs a named approver for a change, and keeps the incident from closing until the change is detached', async () => {
    const number = await openIncident();
    // Approver and change manager by id; neither manager field is a 400 naming it.
    const created = await post(`/api/incidents/${number}/follow-ups`, { kind: 'software_change', title: 'Firmware 7.2.8', changeType: 'normal', approverIds: [approver.id], changeManagerId: approver.id });
    expect(created.status).toBe(201);
    const noManager = await post(`/api/incidents/${number}/follow-ups`, { kind: 'software_change', title: 'x', approverEmails: [approverEmail] });
    expect(noManager.status).toBe(400);
    expect((await noManager.json()).errors[0].field).toBe('changeManagerEmail');
    expect((await post(`/api/incidents/${number}/follow-ups`, { kind: 'software_change', title: 'x', approverEmails: ['nobody@nowhere.example'], changeManagerEmail: approverEmail })).status).toBe(400);
    const base = `/api/incidents/${number}/follow-ups/software-change-1`;
    await eventually(async () => ((await stack.request('GET', base, { token: agent.token })).status === 200 ? true : undefined));
    const assessed = await post(`${base}/assess`, { risk: 'medium', impact: 'VPN down 10 minutes', implementationPlan: 'Upload and reboot', rollbackPlan: 'Boot the old partition', software: { systems: [{ name: 'FortiGate 100F', fromVersion: '7.2.5', toVersion: '7.2.8' }] } });
    expect(assessed.status).toBe(200);
    expect((await post(`${base}/submit`, {})).status).toBe(200);
    // Only the named approver decides.
    expect((await post(`${base}/decide`, { decision: 'approved' })).status).toBe(403);
    expect((await post(`${base}/decide`, { decision: 'approved' }, approver)).status).toBe(200);
    expect((await post(`${base}/start`, {})).status).toBe(404);

    expect((await post(`/api/incidents/${number}/resolve`, { resolution: 'Workaround: rekey hourly.' })).status).toBe(200);
    const refused = await post(`/api/incidents/${number}/close`, {});
    expect(refused.status).toBe(409);
    expect((await refused.json()).detail).toMatch(/software-change-1 are still open/);
    expect((await post(`/api/incidents/${number}/follow-ups/software-change-1/detach`, { reason: 'Runs as planned maintenance.' })).status).toBe(200);
    expect((await post(`/api/incidents/${number}/close`, {})).status).toBe(200);
    // The change runs on after its incident closed.
    expect((await post(`${base}/schedule`, { from: new Date(Date.now() + 60_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() })).status).toBe(200);
    await stack.temporal.client.workflow.getHandle(`incident-${number}/software-change-1`).terminate('test finished');
  });

  it('splits off a child ticket with its own number and SLA, once per Idempotency-Key, and resumes the parent when it is resolved', async () => {
    const number = await openIncident();
    const request = () =>
      stack.request('POST', `/api/incidents/${number}/follow-ups`, {
        token: agent.token,
        headers: { 'Idempotency-Key': `split-${number}` },
        body: { kind: 'child_ticket', title: 'Network team: check the VPN concentrator', waitFor: true, priority: 'P3', group: 'network' },
      });
    const created = await request();
    expect(created.status).toBe(201);
    const body = await created.json();
    const child = body.followUp.number as string;
    expect(child).toMatch(/^INC-\d{4}-\d{6}$/);
    expect(child).not.toBe(number);
    expect(body).toMatchObject({ number, status: 'pending_change', followUp: { ref: 'child-ticket-1', workflowId: `incident-${child}` } });
    expect(body.followUps).toEqual([expect.objectContaining({ ref: 'child-ticket-1', kind: 'child_ticket', number: child, status: 'open', waitFor: true })]);
    expect(created.headers.get('Location')).toBe(`/api/incidents/${child}`);
    // A retry opens nothing new.
    const retried = await request();
    expect(retried.headers.get('Idempotency-Replayed')).toBe('true');
    expect((await retried.json()).followUp.number).toBe(child);

    // The child is an incident of its own: same customer and device, its own priority, group and due instants, its parent named.
    const childView = await eventually(async () => {
      const res = await stack.request('GET', `/api/incidents/${child}`, { token: agent.token });
      const view = res.status === 200 ? await res.json() : undefined;
      return view?.assignedGroup === 'network' ? view : undefined;
    });
    const parentView = await eventually(async () => {
      const view = await get(`/api/incidents/${number}`);
      return view.followUps.length === 1 ? view : undefined;
    });
    expect(childView).toMatchObject({ parentNumber: number, customerNumber: parentView.customerNumber, serialNumber: 'FW-FG100F-0042', priority: 'P3', contactEmail: null });
    expect(childView.due.resolution).not.toBe(parentView.due.resolution);
    expect(parentView.followUps).toEqual([expect.objectContaining({ ref: 'child-ticket-1', number: child })]);
    const listed = await get(`/api/incidents/${number}/follow-ups`);
    expect(listed.items).toEqual([expect.objectContaining({ ref: 'child-ticket-1', kind: 'child_ticket', state: 'assigned', ended: false, details: expect.objectContaining({ number: child, href: `/api/incidents/${child}` }) })]);
    const read = await get(`/api/incidents/${number}/follow-ups/child-ticket-1`);
    expect(types(read.events)).toEqual(['created', 'assigned']);
    expect(read.events[0].payload).toMatchObject({ parent: number });
    // It is worked as an incident, not through follow-up actions.
    const action = await post(`/api/incidents/${number}/follow-ups/child-ticket-1/cancel`, { reason: 'x' });
    expect(action.status).toBe(404);
    expect((await action.json()).detail).toContain(`/api/incidents/${child}`);
    const described = await stack.temporal.client.workflow.getHandle(`incident-${child}`).describe();
    expect(described.parentExecution?.workflowId).toBe(`incident-${number}`);
    expect(described.typedSearchAttributes.get(FollowUpKind)).toBe('child_ticket');

    expect((await post(`/api/incidents/${child}/resolve`, { resolution: 'Concentrator rebooted.' })).status).toBe(200);
    const timeline = await eventually(async () => {
      const t = await get(`/api/incidents/${number}/timeline`);
      return types(t.events).includes('follow_up_ended') ? t : undefined;
    });
    expect(types(timeline.events)).toEqual(['created', 'follow_up_created', 'follow_up_ended']);
    expect(timeline.events[2].payload).toMatchObject({ ref: 'child-ticket-1', outcome: 'completed', result: 'resolved', resumed: 'new' });
    expect((await get(`/api/incidents/${number}`)).followUps[0]).toMatchObject({ status: 'completed', result: 'resolved' });
  });

  it('refuses a child ticket of a closed incident before it takes a number', async () => {
    const number = await openIncident();
    expect((await post(`/api/incidents/${number}/resolve`, { resolution: 'Done.' })).status).toBe(200);
    expect((await post(`/api/incidents/${number}/close`, {})).status).toBe(200);
    const intakes = async () => (await stack.database.sql<{ count: number }[]>`select count(*)::int as count from incident_intakes`)[0]!.count;
    const before = await intakes();
    const refused = await post(`/api/incidents/${number}/follow-ups`, { kind: 'child_ticket', title: 'Too late' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).detail).toMatch(/closed/);
    expect(await intakes()).toBe(before);
  });

  it('starts and links a child ticket recorded while Temporal was away; one of a closed parent runs on its own', async () => {
    const parent = await openIncident();
    const closed = await openIncident();
    expect((await post(`/api/incidents/${closed}/resolve`, { resolution: 'Done.' })).status).toBe(200);
    expect((await post(`/api/incidents/${closed}/close`, {})).status).toBe(200);
    const { request } = (await stack.database.sql<{ request: IncidentIntake }[]>`select request from incident_intakes where number = ${parent}`)[0]!;
    const year = parent.slice(4, 8);
    const pending = (number: string, of: string): IncidentIntake => ({ ...request, number, title: `Split from ${of}`, receivedAt: new Date().toISOString(), parent: { number: of, workflowId: `incident-${of}` } });
    const linked = pending(`INC-${year}-910001`, parent);
    const orphan = pending(`INC-${year}-910002`, closed);
    for (const intake of [linked, orphan]) await stack.database.db.insert(incidentIntakes).values({ number: intake.number, request: intake, receivedAt: new Date(intake.receivedAt) });

    const deps = { db: stack.database.db, temporal: stack.temporal, logger: silentLogger };
    expect(await startPendingIntakes(deps)).toBe(2);
    expect(await startPendingIntakes(deps)).toBe(0);
    const view = await eventually(async () => {
      const v = await get(`/api/incidents/${parent}`);
      return v.followUps.length > 0 ? v : undefined;
    });
    expect(view.followUps).toEqual([expect.objectContaining({ ref: 'child-ticket-1', number: linked.number, status: 'open' })]);
    expect((await stack.temporal.client.workflow.getHandle(`incident-${linked.number}`).describe()).parentExecution?.workflowId).toBe(`incident-${parent}`);
    // The closed parent could not take it: it runs as an incident of its own that still names its parent.
    const alone = await stack.temporal.client.workflow.getHandle(`incident-${orphan.number}`).describe();
    expect(alone.parentExecution).toBeUndefined();
    expect(await eventually(async () => (await stack.request('GET', `/api/incidents/${orphan.number}`, { token: agent.token }).then((r) => r.json())).parentNumber ?? undefined)).toBe(closed);
  });

  it('starts a callback from an incident on its callback SLA and hears when the call is done', async () => {
    const number = await openIncident();
    const created = await post(`/api/incidents/${number}/follow-ups`, { kind: 'callback', phone: '+49 221 1234567', topic: 'Explain the workaround', contactName: 'Petra Müller' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ followUp: { ref: 'callback-1', workflowId: `incident-${number}/callback-1` }, followUps: [expect.objectContaining({ ref: 'callback-1', kind: 'callback', status: 'open' })] });
    const base = `/api/incidents/${number}/follow-ups/callback-1`;
    const callback = await eventually(async () => {
      const res = await stack.request('GET', base, { token: agent.token });
      return res.status === 200 ? res.json() : undefined;
    });
    // Requested inside business hours, its window opens at once and the reminder may already be out.
    expect(callback).toMatchObject({ kind: 'callback', state: expect.stringMatching(/^(requested|reminded)$/), details: { phone: '+492211234567', requestedBy: 'phone' } });
    expect((await post(`${base}/log-call`, { outcome: 'maybe' })).status).toBe(400);
    const logged = await post(`${base}/log-call`, { outcome: 'reached', note: 'Explained the workaround.' });
    expect(logged.status).toBe(200);
    expect(await logged.json()).toMatchObject({ state: 'done' });
    await eventually(async () => ((await get(`/api/incidents/${number}`)).followUps[0].status === 'completed' ? true : undefined));
    // It is listed with the other callbacks, linking back under its incident.
    const all = await get('/api/callbacks?view=all');
    expect(all.items).toEqual(expect.arrayContaining([expect.objectContaining({ workflowId: `incident-${number}/callback-1`, href: base })]));
  });

  it('starts one service order for a request retried with the same Idempotency-Key', async () => {
    const number = await openIncident();
    const request = () => stack.request('POST', `/api/incidents/${number}/follow-ups`, { token: agent.token, headers: { 'Idempotency-Key': `order-${number}` }, body: { kind: 'service_order', title: 'Swap the PSU' } });
    const [first, second] = [await request(), await request()];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await second.json()).followUp).toEqual((await first.json()).followUp);
    expect((await get(`/api/incidents/${number}`)).followUps).toHaveLength(1);
    // The same key for another request is refused, not answered with the first order.
    const other = await stack.request('POST', `/api/incidents/${number}/follow-ups`, { token: agent.token, headers: { 'Idempotency-Key': `order-${number}` }, body: { kind: 'service_order', title: 'Replace the fan' } });
    expect(other.status).toBe(409);
    expect((await other.json()).detail).toMatch(/used for another request/);
  });

  it('hears of a follow-up that was terminated, so the incident does not wait for it forever', async () => {
    const number = await openIncident();
    expect((await post(`/api/incidents/${number}/follow-ups`, { kind: 'service_order', title: 'Swap the PSU', waitFor: true })).status).toBe(201);
    await stack.temporal.client.workflow.getHandle(`incident-${number}/service-order-1`).terminate('created by mistake');
    const view = await eventually(async () => {
      const v = await get(`/api/incidents/${number}`);
      return v.followUps[0].status !== 'open' ? v : undefined;
    });
    expect(view).toMatchObject({ status: 'new', followUps: [{ ref: 'service-order-1', status: 'failed', result: 'terminated' }] });
    expect(view.sla.targets.find((t: { target: string }) => t.target === 'resolution').state).toBe('running');
  });

  it('answers 404 for an unknown follow-up and 403 to sales', async () => {
    const number = await openIncident();
    expect((await stack.request('GET', `/api/incidents/${number}/follow-ups/service-order-9`, { token: agent.token })).status).toBe(404);
    expect((await stack.request('GET', `/api/incidents/${number}/follow-ups/teleport-1`, { token: agent.token })).status).toBe(400);
    const sales = await createUserWithToken(stack.database.db, 'sales');
    expect((await stack.request('GET', `/api/incidents/${number}/follow-ups`, { token: sales.token })).status).toBe(403);
  });
});
