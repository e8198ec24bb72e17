// A worker that is down across two thresholds (issue 12): when a new one takes the incidents up,
// the warning it missed is recorded all the same, before the breach, each with the exact instant
// it was reached, and one notification goes out, for the breach. Real Temporal dev server, real
// Postgres, the real worker stopped and started again; about 75 s of real time, not timed.
import { and, eq, inArray, like, or } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, incidentEvents, outboxMessages } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let admin: TestUser;
let agent: TestUser;
let manager: TestUser;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  [admin, agent, manager] = await Promise.all([
    createUserWithToken(stack.database.db, 'admin', 'Ada Late'),
    createUserWithToken(stack.database.db, 'agent', 'Anton Late'),
    createUserWithToken(stack.database.db, 'manager', 'Mara Late'),
  ]);
});
afterAll(async () => stack?.stop());

describe('a worker down across the warning and the breach', () => {
  it('records both levels in order with their exact instants and notifies once', { timeout: 150_000 }, async () => {
    const allDay = [['00:00', '24:00']];
    const calendar = await stack.request('POST', '/api/calendars', {
      token: admin.token,
      body: { name: '24x7 late worker', timezone: 'Europe/Berlin', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
    });
    expect(calendar.status).toBe(201);
    const targets = { firstResponse: 1, nextResponse: 600, resolution: 600 };
    const calendarBody = await calendar.json();
    // Warning at 25 % (15 s), breach at 60 s, management far off (1000 % overdue).
    const policy = await stack.request('POST', '/api/sla-policies', {
      token: admin.token,
      body: {
        name: 'One minute, late worker',
        calendarId: calendarBody.id,
        targets: { P1: targets, P2: targets, P3: targets, P4: targets },
        escalation: { warningPercent: 25, managementOverduePercent: 1000, recipients: { level1: ['account-manager'], level2: ['account-manager'], level3: ['account-manager'] } },
      },
    });
    expect(policy.status, JSON.stringify(await policy.clone().json())).toBe(201);
    await stack.database.db.update(contracts).set({ slaPolicyId: (await policy.json()).id }).where(eq(contracts.contractNumber, 'V-2026-0003'));

    const opened = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: `Late worker ${i}`, customerNumber: 'K-10003', channel: 'phone' } });
        expect(res.status).toBe(201);
        const body = await res.json();
        const firstResponse = body.sla.targets.find((t: { target: string }) => t.target === 'firstResponse');
        return { number: body.number as string, warning: new Date(Date.parse(firstResponse.dueAt) - 45_000).toISOString(), breach: firstResponse.dueAt as string };
      }),
    );
    const numbers = opened.map((o) => o.number);
    // Each workflow has recorded its creation: then the worker goes away, before the warning.
    await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(and(inArray(incidentEvents.incidentNumber, numbers), eq(incidentEvents.type, 'created')));
      return rows.length === numbers.length ? true : undefined;
    });
    await stack.stopWorker();
    const lastBreach = Math.max(...opened.map((o) => Date.parse(o.breach)));
    expect(Date.now()).toBeLessThan(Math.min(...opened.map((o) => Date.parse(o.warning))));
    await sleep(lastBreach - Date.now() + 2_000);
    const whileDown = await stack.database.db.select().from(incidentEvents).where(and(inArray(incidentEvents.incidentNumber, numbers), eq(incidentEvents.type, 'escalation_changed')));
    expect(whileDown).toEqual([]);

    await stack.startWorker();
    const events = await eventually(async () => {
      const rows = await stack.database.db
        .select()
        .from(incidentEvents)
        .where(and(inArray(incidentEvents.incidentNumber, numbers), eq(incidentEvents.type, 'escalation_changed')))
        .orderBy(incidentEvents.incidentNumber, incidentEvents.seq);
      return rows.length >= 2 * numbers.length ? rows : undefined;
    }, 30_000);
    for (const o of opened) {
      const mine = events.filter((e) => e.incidentNumber === o.number).map((e) => ({ seq: e.seq, ...(e.payload as { from: number; to: number; reachedAt: string }) }));
      expect(mine.map((e) => [e.seq, e.from, e.to, e.reachedAt]), o.number).toEqual([
        [2, 0, 1, new Date(Date.parse(o.breach) - 45_000).toISOString()],
        [3, 1, 2, o.breach],
      ]);
    }
    // One notification per incident, for the breach (seq 3); the missed warning's is folded into it.
    const outbox = await eventually(async () => {
      const rows = await stack.database.db
        .select({ key: outboxMessages.idempotencyKey })
        .from(outboxMessages)
        .where(or(...numbers.map((n) => like(outboxMessages.idempotencyKey, `${n}:%`))));
      return rows.length >= numbers.length ? rows : undefined;
    });
    for (const n of numbers) {
      const keys = outbox.map((r) => r.key).filter((k) => k.startsWith(`${n}:`));
      expect(keys.length, n).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith(`${n}:3:`)), `${n}: ${keys.join(', ')}`).toBe(true);
    }
    // The projection shows the level the incidents are on.
    const list = await stack.request('GET', '/api/incidents?customerNumber=K-10003', { token: agent.token });
    const listed = (await list.json()).items.filter((i: { number: string }) => numbers.includes(i.number));
    expect(listed.map((i: { escalationLevel: number; slaBreached: boolean }) => [i.escalationLevel, i.slaBreached])).toEqual(numbers.map(() => [2, true]));
    // The escalation report (SQL over the SLA fact log) has the warning passed while the worker was
    // down, with its exact instant, and the breach; and counts each incident once at level 2.
    // Days around today, whatever the hour in Berlin.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const report = await stack.request('GET', `/api/reports/escalations?from=${day(-1)}&to=${day(1)}&customerNumber=K-10003`, { token: manager.token });
    expect(report.status).toBe(200);
    const body = (await report.json()) as { incidents: { number: string; levels: { level: number; reachedAt: string; until: string | null }[] }[]; byCustomer: { key: string; level2Incidents: number }[] };
    for (const o of opened) {
      const mine = body.incidents.find((i) => i.number === o.number);
      expect(mine?.levels.map((l) => [l.level, l.reachedAt]), o.number).toEqual([
        [1, new Date(Date.parse(o.breach) - 45_000).toISOString()],
        [2, new Date(o.breach).toISOString()],
      ]);
      // The warning lasted until the breach: 45 s, reported in whole minutes.
      expect(mine?.levels[0]?.until).toBe(new Date(o.breach).toISOString());
    }
    expect(body.byCustomer.find((c) => c.key === 'K-10003')?.level2Incidents).toBeGreaterThanOrEqual(numbers.length);

    // Resolving a breached incident asks for the cause: 409 naming the field, then accepted with one.
    const bare = await stack.request('POST', `/api/incidents/${numbers[0]}/resolve`, { token: agent.token, body: { resolution: 'Restarted the service.' } });
    expect(bare.status).toBe(409);
    const problem = (await bare.json()) as { detail: string; errors?: { field: string }[] };
    expect(problem.errors?.map((e) => e.field)).toEqual(['breachCause']);
    expect(problem.detail).toMatch(/breachCause is required/);
    const unknown = await stack.request('POST', `/api/incidents/${numbers[0]}/resolve`, { token: agent.token, body: { resolution: 'Restarted the service.', breachCause: { cause: 'bad_luck' } } });
    expect(unknown.status).toBe(400);
    const withCause = await stack.request('POST', `/api/incidents/${numbers[0]}/resolve`, { token: agent.token, body: { resolution: 'Restarted the service.', breachCause: { cause: 'capacity' } } });
    expect(withCause.status).toBe(200);
    const causes = await stack.request('GET', `/api/reports/breach-causes?from=${day(-1)}&to=${day(1)}`, { token: manager.token });
    expect(((await causes.json()) as { causes: { cause: string; incidents: number }[] }).causes).toContainEqual({ cause: 'capacity', incidents: 1, percent: expect.any(Number) as number });
  });

  it('records the levels a reply comes too late for, before the reply stops the clock', { timeout: 150_000 }, async () => {
    // The chaos run found it: a reply that reached the workflow after the first-response warning
    // and breach had passed, but before its SLA loop got to them (the worker busy or down), met
    // the target first, and both levels were never recorded. Now a command brings the escalation
    // up to its own instant first.
    const allDay = [['00:00', '24:00']];
    const calendar = await stack.request('POST', '/api/calendars', {
      token: admin.token,
      body: { name: '24x7 late reply', timezone: 'Europe/Berlin', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
    });
    const targets = { firstResponse: 1, nextResponse: 600, resolution: 600 };
    const policy = await stack.request('POST', '/api/sla-policies', {
      token: admin.token,
      body: {
        name: 'One minute, late reply',
        calendarId: ((await calendar.json()) as { id: string }).id,
        targets: { P1: targets, P2: targets, P3: targets, P4: targets },
        escalation: { warningPercent: 25, managementOverduePercent: 1000, recipients: { level1: ['account-manager'], level2: ['account-manager'], level3: ['account-manager'] } },
      },
    });
    expect(policy.status).toBe(201);
    await stack.database.db.update(contracts).set({ slaPolicyId: ((await policy.json()) as { id: string }).id }).where(eq(contracts.contractNumber, 'V-2026-0003'));
    const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: 'Late reply', customerNumber: 'K-10003', channel: 'phone' } });
    expect(res.status).toBe(201);
    const body = await res.json();
    const number = body.number as string;
    const breach = body.sla.targets.find((t: { target: string }) => t.target === 'firstResponse').dueAt as string;
    const warning = new Date(Date.parse(breach) - 45_000).toISOString();
    await eventually(async () => ((await stack.database.db.select().from(incidentEvents).where(and(eq(incidentEvents.incidentNumber, number), eq(incidentEvents.type, 'created')))).length === 1 ? true : undefined));
    await stack.stopWorker();
    expect(Date.now()).toBeLessThan(Date.parse(warning));
    await sleep(Date.parse(breach) - Date.now() + 2_000);
    // The reply is on its way before the worker is back: its update and the fired timer reach the
    // workflow in the same task. Retried with its key if the API's deadline passes first.
    const reply = (async () => {
      for (;;) {
        const r = await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text: 'Sorry for the wait.' }, headers: { 'Idempotency-Key': `late-reply-${number}` } });
        if (r.status !== 503) return r;
      }
    })();
    await sleep(500);
    await stack.startWorker();
    expect((await reply).status).toBe(200);
    const events = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
      return rows.some((r) => r.type === 'replied') ? rows : undefined;
    }, 30_000);
    const steps = events.map((e) => [e.type, e.type === 'escalation_changed' ? `${String(e.payload.from)}->${String(e.payload.to)}` : '', e.type === 'escalation_changed' ? e.payload.reachedAt : null]);
    const repliedAt = steps.findIndex((st) => st[0] === 'replied');
    expect(steps.slice(1, repliedAt)).toEqual([
      ['escalation_changed', '0->1', warning],
      ['escalation_changed', '1->2', breach],
    ]);
  });
});
