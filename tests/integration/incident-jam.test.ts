// No field value may jam an incident, on a real Temporal server and Postgres: text that Postgres
// cannot store is refused at the edge; a step whose timeline write Postgres refuses anyway fails
// at once and is recorded as such; and no API call waits on a workflow without a deadline.
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { incidentEvents, incidents, outboxMessages } from '../../src/db/schema/index.js';
import { Unavailable, Unprocessable, ValidationError } from '../../src/domain/errors.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { queryIncidentState, sendIncidentCommand } from '../../src/services/incident-commands.js';
import { addNoteUpdate, replyUpdate } from '../../src/workflows/incident/messages.js';
import { eventually, silentLogger, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Jana Jam');
});
afterAll(async () => stack?.stop());

async function openIncident(title: string): Promise<string> {
  const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title, customerNumber: 'K-10001', priority: 'P3' } });
  expect(res.status).toBe(201);
  const { number } = await res.json();
  await eventually(async () => ((await stack.database.db.select().from(incidents).where(eq(incidents.number, number))).length ? true : undefined));
  return number as string;
}

const timeline = (number: string) => stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(asc(incidentEvents.seq));

describe('one field value never jams an incident', () => {
  it('a note with an unpaired surrogate is a 400 naming the field, ten times, and the incident stays workable', async () => {
    const number = await openIncident('Poisoned notes');
    for (let i = 0; i < 10; i++) {
      const res = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, rawBody: '{"text":"\\ud800"}', headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect((await res.json()).errors).toEqual([{ field: 'text', message: 'text must be well-formed Unicode (it contains an unpaired surrogate)' }]);
    }
    const started = Date.now();
    const assign = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { group: '2nd-level' } });
    expect(assign.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await timeline(number)).map((e) => e.type)).toEqual(['created', 'assigned']);
    // Sent to the workflow directly, past the API, its validator refuses it before history.
    const direct = await sendIncidentCommand(stack.temporal, number, addNoteUpdate, { text: 'x\ud800', actor: { id: `user:${agent.id}`, name: 'Jana Jam' } }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect(direct).toMatchObject({ field: 'text' });
  });

  it('a reply whose timeline entry is refused still mails the customer, and answers 422', async () => {
    const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: 'Refused reply', customerNumber: 'K-10001', contactEmail: 'petra.mueller@mueller-maschinenbau.example', priority: 'P3' } });
    const { number } = await res.json();
    await eventually(async () => ((await timeline(number)).length ? true : undefined));
    const err = await sendIncidentCommand(stack.temporal, number, replyUpdate, { text: 'We replaced the disk.', actor: { id: `user:${agent.id}`, name: 'Jana\u0000Jam' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unprocessable);
    expect((err as Unprocessable).status).toBe(422);
    const mail = await eventually(async () => (await stack.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.incidentNumber, number), eq(outboxMessages.template, 'reply'))))[0]);
    expect(mail).toBeDefined();
    expect((await timeline(number)).map((e) => e.type)).toContain('recording_failed');
  });

  it('ten steps whose timeline write Postgres refuses each fail at once, are on the timeline as recording_failed, and assign still answers within a second', async () => {
    const number = await openIncident('Refused timeline writes');
    // Past the edge (an actor name with NUL, as a user row from elsewhere could carry): the
    // workflow takes the step, Postgres refuses its timeline entry.
    const actor = { id: `user:${agent.id}`, name: 'Jana\u0000Jam' };
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      const err = await sendIncidentCommand(stack.temporal, number, addNoteUpdate, { text: `note ${i}`, actor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Unprocessable);
      expect((err as Error).message).toMatch(/note added step was taken, but its timeline entry was refused \(Postgres refused the data \(SQLSTATE 22/);
      expect(Date.now() - started).toBeLessThan(5000);
    }
    const started = Date.now();
    const assign = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { group: '2nd-level' } });
    expect(assign.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);

    const events = await timeline(number);
    expect(events.map((e) => e.type)).toEqual(['created', ...Array<string>(10).fill('recording_failed'), 'assigned']);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const failed = events[1]!;
    expect(failed.payload).toMatchObject({ eventType: 'note_added' });
    expect(failed.actorName).toBe('JanaJam');
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row).toMatchObject({ assignedGroup: '2nd-level', version: 12 });
    // The replies and mails behind it are not held up either.
    const note = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: 'Fine again.' } });
    expect(note.status).toBe(200);
    expect(await stack.database.db.select().from(incidentEvents).where(and(eq(incidentEvents.incidentNumber, number), eq(incidentEvents.type, 'note_added')))).toHaveLength(1);
  });
});

describe('every wait on a workflow has a deadline', () => {
  it('with no worker to answer, assign answers 503 with Retry-After once the deadline passes, not after a minute', async () => {
    const number = await openIncident('Nobody answers');
    const impatient = createApp({ db: stack.database.db, temporal: { ...stack.temporal, updateTimeoutMs: 1500 }, logger: silentLogger, pingDatabase: async () => {} });
    await stack.stopWorker();
    try {
      const started = Date.now();
      const res = await impatient.request(`/api/incidents/${number}/assign`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${agent.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'assign-night-shift-1' },
        body: JSON.stringify({ group: 'night-shift' }),
      });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('Retry-After')).toBe('5');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/did not answer within 2 s; the step may still be taken when its workflow gets to it. Send it again with the same Idempotency-Key/);
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(6000);
      // A read of the live state from the workflow has the same deadline.
      const queried = Date.now();
      await expect(queryIncidentState({ ...stack.temporal, updateTimeoutMs: 1500 }, number)).rejects.toBeInstanceOf(Unavailable);
      expect(Date.now() - queried).toBeLessThan(6000);
    } finally {
      await stack.startWorker();
    }
    // Sent again with the same key once the worker is back: the same update, taken once.
    const again = await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { group: 'night-shift' }, headers: { 'Idempotency-Key': 'assign-night-shift-1' } });
    expect(again.status).toBe(200);
    expect((await again.json()).assignedGroup).toBe('night-shift');
    await eventually(async () => ((await stack.database.db.select().from(incidents).where(eq(incidents.number, number)))[0]?.assignedGroup === 'night-shift' ? true : undefined), 30_000);
    expect((await timeline(number)).filter((e) => e.type === 'assigned')).toHaveLength(1);
  });
});
