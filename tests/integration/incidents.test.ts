// Incidents end to end: HTTP API -> Temporal workflow -> activities -> Postgres projection.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessCalendars, contracts, incidentEvents, incidentIntakes, incidents, projects, slaPolicies } from '../../src/db/schema/index.js';
import { defaultEscalationLadder } from '../../src/domain/sla.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { incidentYear } from '../../src/domain/ticket-number.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { createActivities } from '../../src/activities/index.js';
import { startIncidentWorkflow, startPendingIntakes } from '../../src/services/incident-intake.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { eventually, silentLogger, startTestStack, type TestStack } from '../support/stack.js';
import { testIntake } from '../support/intake.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Iris Integration');
});
afterAll(async () => stack?.stop());

const year = incidentYear(new Date(), 'Europe/Berlin');

async function create(body: Record<string, unknown>) {
  return stack.request('POST', '/api/incidents', { token: agent.token, body });
}

async function projection(number: string, version: number) {
  return eventually(async () => {
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    return row && row.version >= version ? row : undefined;
  });
}

describe('opening an incident', () => {
  it('answers 201 with the incident, runs the workflow and writes projection and timeline', async () => {
    const res = await create({
      title: 'Server does not boot',
      description: 'Hangs at POST.',
      serialNumber: 'SRV-DL380-7731',
      contactEmail: 'petra.mueller@mueller-maschinenbau.example',
      impact: 'high',
      urgency: 'medium',
      channel: 'phone',
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.number).toMatch(new RegExp(`^INC-${year}-\\d{6}$`));
    expect(res.headers.get('Location')).toBe(`/api/incidents/${body.number}`);
    expect(body).toMatchObject({ status: 'new', priority: 'P2', customerNumber: 'K-10001', contractTier: 'gold', serialNumber: 'SRV-DL380-7731' });

    const row = await projection(body.number, 1);
    expect(row).toMatchObject({ status: 'new', priority: 'P2', customerNumber: 'K-10001', contractTier: 'gold', title: 'Server does not boot' });
    expect(row.slaPolicyId).not.toBeNull();
    // The Gold default policy and its calendar: the due instants are set from the start.
    expect(row.firstResponseDueAt).toBeInstanceOf(Date);
    expect(row.resolutionDueAt!.getTime()).toBeGreaterThan(row.firstResponseDueAt!.getTime());
    expect(body.due.firstResponse).toBe(row.firstResponseDueAt!.toISOString());

    // The live SLA picture: every running target with due instant and business minutes.
    const read = await (await stack.request('GET', `/api/incidents/${body.number}`, { token: agent.token })).json();
    expect(read.sla).toMatchObject({ policy: { name: 'Gold', version: 1, tier: 'gold' }, breached: false, escalations: [] });
    expect(read.sla.targets.map((t: { target: string }) => t.target)).toEqual(['firstResponse', 'resolution']);
    expect(read.sla.targets[0]).toMatchObject({ state: 'running', budgetMinutes: 120, dueAt: body.due.firstResponse });
    expect(read.sla.targets[0].elapsedMinutes + read.sla.targets[0].remainingMinutes).toBeCloseTo(120, 6);

    const timeline = await (await stack.request('GET', `/api/incidents/${body.number}/timeline`, { token: agent.token })).json();
    expect(timeline.events).toHaveLength(1);
    expect(timeline.events[0]).toMatchObject({ seq: 1, type: 'created', actor: { id: `user:${agent.id}`, name: 'Iris Integration' } });

    const desc = await stack.temporal.client.workflow.getHandle(incidentWorkflowId(body.number)).describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(await desc.staticSummary()).toBe(`${body.number}: Server does not boot`);
    const sa = desc.typedSearchAttributes;
    expect(sa.get({ name: 'CustomerNumber', type: 'KEYWORD' } as never)).toBe('K-10001');
    expect(sa.get({ name: 'IncidentPriority', type: 'KEYWORD' } as never)).toBe('P2');
    expect(sa.get({ name: 'IncidentStatus', type: 'KEYWORD' } as never)).toBe('new');
    expect(sa.get({ name: 'ContractTier', type: 'KEYWORD' } as never)).toBe('gold');
  });

  it('derives the priority from impact and urgency, and an explicit priority wins', async () => {
    const matrix = await (await create({ title: 'Matrix', customerNumber: 'K-10003', impact: 'low', urgency: 'high' })).json();
    expect(matrix.priority).toBe('P3');
    const explicit = await (await create({ title: 'Explicit', customerNumber: 'K-10003', impact: 'low', urgency: 'low', priority: 'P1' })).json();
    expect(explicit.priority).toBe('P1');
  });

  it('finds the customer from a known contact e-mail alone', async () => {
    const res = await create({ title: 'By mail address', contactEmail: 'S.Lehmann@stadtwerke-beispielstadt.example' });
    expect(res.status).toBe(201);
    expect((await res.json()).customerNumber).toBe('K-10002');
  });

  it.each([
    [{ title: 'x', serialNumber: 'NO-SUCH-SERIAL' }, 'serialNumber', /NO-SUCH-SERIAL is not registered to any customer; give customerNumber/],
    [{ title: 'x', customerNumber: 'K-99999' }, 'customerNumber', /No customer with number K-99999/],
    [{ title: 'x', customerNumber: 'K-10003', contactEmail: 'petra.mueller@mueller-maschinenbau.example' }, 'contactEmail', /contact of another customer/],
    [{ title: 'x', contactEmail: 'stranger@nowhere.example' }, 'contactEmail', /No customer is known/],
  ])('rejects %j with 400 naming %s', async (body, field, detail) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await res.json();
    expect(problem.detail).toMatch(detail);
    expect(problem.errors[0].field).toBe(field);
  });

  it('records the entitlement decision on the incident and in its timeline, and books it to the contract\'s project', async () => {
    const covered = await (await create({ title: 'Covered', serialNumber: 'SRV-DL380-7731' })).json();
    expect(covered.entitlement).toMatchObject({ decision: 'covered', contract: { number: 'V-2026-0001', tier: 'gold' } });
    const row = await projection(covered.number, 1);
    expect(row.entitlementDecision).toBe('covered');
    const [project] = await stack.database.db.select().from(projects).where(eq(projects.id, row.projectId!));
    expect(project?.projectNumber).toBe('P-V-2026-0001');
    const timeline = await (await stack.request('GET', `/api/incidents/${covered.number}/timeline`, { token: agent.token })).json();
    expect(timeline.events[0].payload.entitlement).toEqual({ decision: 'covered', reason: covered.entitlement.reason, contractNumber: 'V-2026-0001', quotaRemainingMinutes: null });
  });

  it('records a serial number of another customer as billable for the caller\'s customer, without the asset', async () => {
    const res = await create({ title: 'Borrowed server', customerNumber: 'K-10003', serialNumber: 'SRV-DL380-7731' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ customerNumber: 'K-10003', serialNumber: null, contractTier: null, sla: null, entitlement: { decision: 'billable', contract: null } });
    expect(body.entitlement.reason).toMatch(/SRV-DL380-7731 is registered to another customer/);
  });

  it('records an unknown serial number of a known customer as billable', async () => {
    const body = await (await create({ title: 'Unknown box', customerNumber: 'K-10001', serialNumber: 'NO-SUCH-SERIAL' })).json();
    expect(body.entitlement.decision).toBe('billable');
    expect(body.entitlement.reason).toMatch(/NO-SUCH-SERIAL is not registered for K-10001/);
  });

  it('records a customer on credit hold as blocked, and still opens the incident', async () => {
    const res = await create({ title: 'Laptop broken', customerNumber: 'K-10004', serialNumber: 'NB-T14-4711' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.entitlement.decision).toBe('blocked');
    expect(body.entitlement.reason).toMatch(/on credit hold/);
    const row = await projection(body.number, 1);
    expect(row.entitlement?.decision).toBe('blocked');
  });

  it('changes the entitlement and project with the contract a manager sets', async () => {
    const opened = await (await create({ title: 'Which contract?', customerNumber: 'K-10002' })).json();
    expect(opened.entitlement).toMatchObject({ decision: 'billable', contract: null });
    expect(opened.entitlement.reason).toMatch(/V-2026-0002 covers named assets only/);
    await projection(opened.number, 1);
    const res = await stack.request('POST', `/api/incidents/${opened.number}/contract`, { token: agent.token, body: { contractNumber: 'V-2026-0002', reason: 'The caller meant the firewall.' } });
    expect(res.status).toBe(200);
    const changed = await res.json();
    expect(changed).toMatchObject({ contractTier: 'platinum', entitlement: { decision: 'covered', contract: { number: 'V-2026-0002' } } });
    const row = await projection(opened.number, 2);
    const [project] = await stack.database.db.select().from(projects).where(eq(projects.id, row.projectId!));
    expect(project?.projectNumber).toBe('P-V-2026-0002');
    const timeline = await (await stack.request('GET', `/api/incidents/${opened.number}/timeline`, { token: agent.token })).json();
    expect(timeline.events[1]).toMatchObject({ type: 'contract_changed', payload: { to: 'V-2026-0002', entitlement: { decision: 'covered', contractNumber: 'V-2026-0002' } } });

    // Back to no contract: nothing else covers the caller, so the incident is billable again.
    const removed = await stack.request('POST', `/api/incidents/${opened.number}/contract`, { token: agent.token, body: { contractNumber: null, reason: 'Not the firewall after all.' } });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toMatchObject({ contractTier: null, entitlement: { decision: 'billable', contract: null } });
    const gone = await projection(opened.number, 3);
    expect(gone.projectId).toBeNull();
  });

  it('refuses to take the contract away while one covers the incident anyway, and refuses a contract out of force', async () => {
    const opened = await (await create({ title: 'Covered anyway', customerNumber: 'K-10001' })).json();
    await projection(opened.number, 1);
    const none = await stack.request('POST', `/api/incidents/${opened.number}/contract`, { token: agent.token, body: { contractNumber: null, reason: 'Bill it.' } });
    expect(none.status).toBe(409);
    expect((await none.json()).detail).toMatch(/V-2026-0001 covers this incident.*override the billing of its time entries/);
    const expired = await create({ title: 'Old contract', customerNumber: 'K-10004' });
    const number = (await expired.json()).number as string;
    await projection(number, 1);
    const res = await stack.request('POST', `/api/incidents/${number}/contract`, { token: agent.token, body: { contractNumber: 'V-2024-0107', reason: 'Old terms.' } });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/V-2024-0107 is not in force/);
  });

  it('takes the customer from the contact also when the serial number is unknown or another customer\'s', async () => {
    const unknown = await create({ title: 'Unknown box', contactEmail: 'petra.mueller@mueller-maschinenbau.example', serialNumber: 'NO-SUCH-SERIAL' });
    expect(unknown.status).toBe(201);
    expect(await unknown.json()).toMatchObject({ customerNumber: 'K-10001', entitlement: { decision: 'billable' } });
    const foreign = await (await create({ title: 'Foreign box', contactEmail: 'petra.mueller@mueller-maschinenbau.example', serialNumber: 'FW-FG100F-0042' })).json();
    expect(foreign).toMatchObject({ customerNumber: 'K-10001', serialNumber: null, entitlement: { decision: 'billable' } });
    expect(foreign.entitlement.reason).toMatch(/FW-FG100F-0042 is registered to another customer/);
  });

  it('opens one incident per Idempotency-Key, even for concurrent retries', async () => {
    const body = { title: 'Retried by a flaky client', customerNumber: 'K-10001' };
    const send = (key: string, token = agent.token) => stack.request('POST', '/api/incidents', { token, body, headers: { 'Idempotency-Key': key } });
    const responses = await Promise.all([send('key-1'), send('key-1'), send('key-1')]);
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const numbers = await Promise.all(responses.map(async (r) => (await r.json()).number as string));
    expect(new Set(numbers).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotency-replayed') === 'true')).toHaveLength(2);
    const later = await send('key-1');
    expect((await later.json()).number).toBe(numbers[0]);
    // Another key, or the same key from another user, is another incident.
    expect((await (await send('key-2')).json()).number).not.toBe(numbers[0]);
    const colleague = await createUserWithToken(stack.database.db, 'agent', 'Colleague');
    expect((await (await send('key-1', colleague.token)).json()).number).not.toBe(numbers[0]);
    expect((await send('has space')).status).toBe(400);
  });

  it('gives 50 concurrent creations 50 distinct, gap-free numbers', async () => {
    const before = await stack.database.db.select({ number: incidentIntakes.number }).from(incidentIntakes);
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => create({ title: `Concurrent ${i}`, customerNumber: 'K-10001' })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = await Promise.all(responses.map(async (r) => (await r.json()).number as string));
    expect(new Set(numbers).size).toBe(50);
    const sequences = numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b);
    expect(sequences[0]).toBe(before.length + 1);
    expect(sequences[49]! - sequences[0]!).toBe(49);
    // Every one of them got its workflow and its projection.
    for (const n of numbers) await projection(n, 1);
  });
});

describe('working an incident', () => {
  let number: string;
  beforeAll(async () => {
    number = (await (await create({ title: 'VPN drops', serialNumber: 'FW-FG100F-0042', impact: 'medium', urgency: 'high' })).json()).number;
  });

  it('assigns, adds a note and resolves, each step on the timeline in order', async () => {
    const assigned = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { assigneeId: agent.id, group: 'network' } });
    expect(assigned.status).toBe(200);
    expect(await assigned.json()).toMatchObject({ status: 'assigned', assignee: { id: agent.id, name: 'Iris Integration' }, assignedGroup: 'network' });

    const noted = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: 'Checked the IPsec logs.' } });
    expect(noted.status).toBe(200);

    const resolved = await stack.request('POST', `/api/incidents/${number}/resolve`, { token: agent.token, body: { resolution: 'DPD timeout raised to 60 s.' } });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolution: 'DPD timeout raised to 60 s.' });

    // The resolution notice has nowhere to go (no contact address): the timeline says so.
    const row = await projection(number, 5);
    expect(row).toMatchObject({ status: 'resolved', assignedGroup: 'network', assigneeName: 'Iris Integration' });
    const events = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
    expect(events.map((e) => e.type)).toEqual(['created', 'assigned', 'note_added', 'resolved', 'mail_undeliverable']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[4]!.payload).toMatchObject({ template: 'resolution', reason: 'no contact address' });

    const desc = await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).describe();
    expect(desc.typedSearchAttributes.get({ name: 'IncidentStatus', type: 'KEYWORD' } as never)).toBe('resolved');
    expect(desc.typedSearchAttributes.get({ name: 'AssignedGroup', type: 'KEYWORD' } as never)).toBe('network');
  });

  it('replies publicly: the first response is met and its clock stops', async () => {
    const open = (await (await create({ title: 'Needs an answer', customerNumber: 'K-10001' })).json()).number;
    const replied = await stack.request('POST', `/api/incidents/${open}/reply`, { token: agent.token, body: { text: 'We are looking into it.' } });
    expect(replied.status).toBe(200);
    const body = await replied.json();
    expect(body.status).toBe('in_progress');
    const state = await stack.temporal.client.workflow.getHandle(incidentWorkflowId(open)).query(getStateQuery);
    expect(state.clocks?.firstResponse?.stoppedAt).toEqual(expect.any(String));
    expect(state.clocks?.resolution?.stoppedAt).toBeNull();
    const events = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, open));
      return rows.length >= 2 ? rows : undefined;
    });
    expect(events.find((e) => e.type === 'replied')!.payload).toMatchObject({ text: 'We are looking into it.', public: true, firstResponse: true });
  });

  it('rejects an illegal transition with 409 and leaves the state unchanged', async () => {
    const handle = stack.temporal.client.workflow.getHandle(incidentWorkflowId(number));
    const before = await handle.query(getStateQuery);
    expect(before.status).toBe('resolved');

    const again = await stack.request('POST', `/api/incidents/${number}/resolve`, { token: agent.token, body: { resolution: 'Twice?' } });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await again.json()).detail).toMatch(/Cannot resolve incident .* it is resolved/);
    const reassign = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { group: 'other' } });
    expect(reassign.status).toBe(409);

    const after = await handle.query(getStateQuery);
    expect(after).toEqual(before);
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row!.version).toBe(before.seq);
    expect(row!.status).toBe('resolved');
  });

  it('closes a resolved incident, which ends its workflow; later commands get 409', async () => {
    const closed = await stack.request('POST', `/api/incidents/${number}/close`, { token: agent.token });
    expect(closed.status).toBe(200);
    expect((await closed.json()).status).toBe('closed');
    await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).result();
    const note = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: 'after close' } });
    expect(note.status).toBe(409);
    expect((await stack.request('GET', `/api/incidents/${number}`, { token: agent.token }).then((r) => r.json())).status).toBe('closed');
  });

  it('refuses to close an incident that is not resolved', async () => {
    const open = (await (await create({ title: 'Still open', customerNumber: 'K-10001' })).json()).number;
    const res = await stack.request('POST', `/api/incidents/${open}/close`, { token: agent.token });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/only a resolved incident can be closed/);
  });

  it('rejects assigning to an unknown user with 400', async () => {
    const res = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { assigneeId: '00000000-0000-4000-8000-000000000000' } });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('assigneeId');
  });
});

describe('escalation through the whole stack', () => {
  it('escalates at once when a target is already used up, and shows it in the read model and search attributes', async () => {
    // A contract-specific policy with zero-minute targets on a 24x7 calendar: due on receipt.
    const allDay = [['00:00', '24:00']] as [string, string][];
    const [calendar] = await stack.database.db
      .insert(businessCalendars)
      .values({ name: '24x7 test', timezone: 'Europe/Berlin', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } })
      .returning();
    const zero = { firstResponse: 0, nextResponse: 0, resolution: 0 };
    const [policy] = await stack.database.db
      .insert(slaPolicies)
      .values({ name: 'Instant', calendarId: calendar!.id, targets: { P1: zero, P2: zero, P3: zero, P4: zero }, escalation: defaultEscalationLadder })
      .returning();
    await stack.database.db.update(contracts).set({ slaPolicyId: policy!.id }).where(eq(contracts.contractNumber, 'V-2026-0003'));
    try {
      const number = (await (await create({ title: 'Overdue on arrival', customerNumber: 'K-10003' })).json()).number;
      // Every level is passed on receipt: each one is recorded, in order, at that instant.
      const row = await projection(number, 4);
      expect(row).toMatchObject({ escalationLevel: 3, slaBreached: true });
      const read = await (await stack.request('GET', `/api/incidents/${number}`, { token: agent.token })).json();
      expect(read.sla).toMatchObject({ policy: { name: 'Instant' }, level: 3, levelName: 'management', breached: true });
      expect(read.sla.escalations).toEqual([
        expect.objectContaining({ from: 0, to: 1, name: 'warning', target: 'firstResponse', reachedAt: read.receivedAt }),
        expect.objectContaining({ from: 1, to: 2, name: 'breach', target: 'firstResponse', reachedAt: read.receivedAt }),
        expect.objectContaining({ from: 2, to: 3, name: 'management', target: 'firstResponse', reachedAt: read.receivedAt }),
      ]);
      const desc = await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).describe();
      expect(desc.typedSearchAttributes.get({ name: 'EscalationLevel', type: 'INT' } as never)).toBe(3);
      expect(desc.typedSearchAttributes.get({ name: 'SlaBreached', type: 'BOOL' } as never)).toBe(true);
      // The reply meets the first response: the level drops as far as the other targets allow (resolution is overdue too).
      await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text: 'On it' } });
      // Breached: the resolve names the cause (without one: 409 naming breachCause).
      const bare = await stack.request('POST', `/api/incidents/${number}/resolve`, { token: agent.token, body: { resolution: 'Done' } });
      expect(bare.status).toBe(409);
      const resolved = await stack.request('POST', `/api/incidents/${number}/resolve`, { token: agent.token, body: { resolution: 'Done', breachCause: { cause: 'outside_contract' } } });
      expect(resolved.status).toBe(200);
      const after = await eventually(async () => {
        const r = await (await stack.request('GET', `/api/incidents/${number}`, { token: agent.token })).json();
        return r.escalationLevel === 0 ? r : undefined;
      });
      expect(after.sla.escalations.at(-1)).toMatchObject({ from: 3, to: 0 });
      expect(after.slaBreached).toBe(true);
    } finally {
      await stack.database.db.update(contracts).set({ slaPolicyId: null }).where(eq(contracts.contractNumber, 'V-2026-0003'));
    }
  });
});

describe('concurrent commands', () => {
  it('gives each of ten parallel notes its own event and its own result', async () => {
    const number = (await (await create({ title: 'Busy incident', customerNumber: 'K-10001' })).json()).number;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: `note ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const row = await projection(number, 11);
    expect(row.version).toBe(11);
    const events = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(events.slice(1).map((e) => (e.payload as { text: string }).text)).size).toBe(10);
  });
});

describe('the projection activity', () => {
  it('is idempotent and never goes back in version, whatever the delivery order', async () => {
    const number = (await (await create({ title: 'Projection', customerNumber: 'K-10001' })).json()).number;
    await projection(number, 1);
    const handle = stack.temporal.client.workflow.getHandle(incidentWorkflowId(number));
    const base = await handle.query(getStateQuery);
    const { recordIncidentEvent } = createActivities({ db: stack.database.db });
    const actor = { id: 'system', name: 'test' };
    const v2 = { incident: { ...base, seq: 2, assignedGroup: 'second' }, event: { seq: 2, type: 'assigned' as const, actor, at: new Date().toISOString(), payload: {} } };
    const v3 = { incident: { ...base, seq: 3, assignedGroup: 'third' }, event: { seq: 3, type: 'assigned' as const, actor, at: new Date().toISOString(), payload: {} } };
    await recordIncidentEvent(v3);
    await recordIncidentEvent(v2); // late delivery of an older step
    await recordIncidentEvent(v3); // a retry
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row).toMatchObject({ version: 3, assignedGroup: 'third' });
    const events = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);

    // A step written again under its number (a retry, or a workflow task that wrote it and ran again)
    // takes that number for its own step: the last write stays.
    const lost = { incident: { ...base, seq: 4, assignedGroup: 'dead attempt' }, event: { seq: 4, type: 'escalation_changed' as const, actor, at: new Date().toISOString(), payload: { to: 1 } } };
    const kept = { incident: { ...base, seq: 4, assignedGroup: 'fourth' }, event: { seq: 4, type: 'note_added' as const, actor, at: new Date().toISOString(), payload: { text: 'kept' } } };
    await recordIncidentEvent(lost);
    await recordIncidentEvent(kept);
    const [fourth] = await stack.database.db.select().from(incidentEvents).where(and(eq(incidentEvents.incidentNumber, number), eq(incidentEvents.seq, 4)));
    expect(fourth).toMatchObject({ type: 'note_added', payload: { text: 'kept' } });
    const [after] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(after).toMatchObject({ version: 4, assignedGroup: 'fourth' });
  });
});

describe('reading incidents', () => {
  it('answers 404 for an incident that does not exist', async () => {
    for (const path of [`/api/incidents/INC-${year}-999999`, `/api/incidents/INC-${year}-999999/timeline`]) {
      const res = await stack.request('GET', path, { token: agent.token });
      expect(res.status).toBe(404);
    }
    const cmd = await stack.request('POST', `/api/incidents/INC-${year}-999999/notes`, { token: agent.token, body: { text: 'x' } });
    expect(cmd.status).toBe(404);
  });

  it('lists with filters and pagination, newest first', async () => {
    await create({ title: 'Platinum P1', serialNumber: 'SW-C9300-1187', priority: 'P1' });
    const all = await (await stack.request('GET', '/api/incidents?limit=5', { token: agent.token })).json();
    expect(all.items).toHaveLength(5);
    expect(all.total).toBeGreaterThan(50);
    const received = all.items.map((i: { receivedAt: string }) => i.receivedAt);
    expect([...received].sort().reverse()).toEqual(received);

    const page2 = await (await stack.request('GET', '/api/incidents?limit=5&offset=5', { token: agent.token })).json();
    expect(page2.items.map((i: { number: string }) => i.number)).not.toContain(all.items[0].number);

    await eventually(async () => {
      const list = await (await stack.request('GET', '/api/incidents?customerNumber=K-10002&priority=P1', { token: agent.token })).json();
      return list.items.some((i: { title: string }) => i.title === 'Platinum P1') ? list : undefined;
    }).then((list) => {
      expect(list.items.every((i: { customerNumber: string; priority: string }) => i.customerNumber === 'K-10002' && i.priority === 'P1')).toBe(true);
    });
    const toResolve = (await (await create({ title: 'To resolve', customerNumber: 'K-10003' })).json()).number;
    await stack.request('POST', `/api/incidents/${toResolve}/resolve`, { token: agent.token, body: { resolution: 'done' } });
    const resolved = await eventually(async () => {
      const list = await (await stack.request('GET', '/api/incidents?status=resolved', { token: agent.token })).json();
      return list.items.some((i: { number: string }) => i.number === toResolve) ? list : undefined;
    });
    expect(resolved.items.every((i: { status: string }) => i.status === 'resolved')).toBe(true);

    const bad = await stack.request('GET', '/api/incidents?status=nonsense&limit=0', { token: agent.token });
    expect(bad.status).toBe(400);
    const fields = (await bad.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['status', 'limit']));
  });
});

describe('durable intake', () => {
  it('answers for an incident whose workflow has not started yet: read from the intake, commands 503', async () => {
    const number = `INC-${year}-900003`;
    const intake = testIntake({ number, title: 'Not started yet', priority: 'P4' });
    await stack.database.db.insert(incidentIntakes).values({ number, request: intake, receivedAt: new Date(intake.receivedAt) });
    const read = await stack.request('GET', `/api/incidents/${number}`, { token: agent.token });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ number, status: 'new', title: 'Not started yet' });
    const timeline = await stack.request('GET', `/api/incidents/${number}/timeline`, { token: agent.token });
    expect((await timeline.json()).events).toEqual([]);
    const note = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: 'too early' } });
    expect(note.status).toBe(503);
    expect((await note.json()).detail).toMatch(/has not started yet/);
    await stack.database.db.delete(incidentIntakes).where(eq(incidentIntakes.number, number));
  });


  it('starts the workflow of an intake whose start failed, exactly once', async () => {
    const number = `INC-${year}-900001`;
    const intake = testIntake({ number, title: 'Recorded while Temporal was down' });
    await stack.database.db.insert(incidentIntakes).values({ number, request: intake, receivedAt: new Date(intake.receivedAt) });
    const deps = { db: stack.database.db, temporal: stack.temporal, logger: silentLogger };
    expect(await startPendingIntakes(deps)).toBe(1);
    expect(await startPendingIntakes(deps)).toBe(0);
    // A second start of the same intake (e.g. two API processes sweeping) is harmless.
    await startIncidentWorkflow(deps, intake);
    const row = await projection(number, 1);
    expect(row.title).toBe('Recorded while Temporal was down');
    const events = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number));
    expect(events).toHaveLength(1);
  });
});

describe('continue-as-new', () => {
  it('resumes from carried-over state without recording creation again', async () => {
    const opened = await (await create({ title: 'Long-lived', customerNumber: 'K-10001' })).json();
    const handle = stack.temporal.client.workflow.getHandle(incidentWorkflowId(opened.number));
    await projection(opened.number, 1);
    const carried = { ...(await handle.query(getStateQuery)), assignedGroup: 'carried-over' };
    // The same input the workflow passes to continueAsNew, on a fresh id.
    const number = `INC-${year}-900002`;
    const next = await stack.temporal.client.workflow.start('incidentWorkflow', {
      workflowId: incidentWorkflowId(number),
      taskQueue: stack.temporal.taskQueue,
      args: [{ continued: { ...carried, number } }],
    });
    expect(await next.query(getStateQuery)).toEqual({ ...carried, number });
    const state = await next.executeUpdate('addNote', { args: [{ text: 'after continue-as-new', actor: { id: 'system', name: 'test' } }] });
    expect(state).toMatchObject({ seq: carried.seq + 1, assignedGroup: 'carried-over' });
    const events = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number));
      return rows.length > 0 ? rows : undefined;
    });
    expect(events.map((e) => [e.seq, e.type])).toEqual([[carried.seq + 1, 'note_added']]);
  });
});
