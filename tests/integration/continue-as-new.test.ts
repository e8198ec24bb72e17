// A long-lived incident continues as new when Temporal suggests it, carrying its full state and
// SLA clocks across, losing no command and writing no event twice. The dev server is told to
// suggest it after a few dozen history events.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentEvents } from '../../src/db/schema/index.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;
beforeAll(async () => {
  stack = await startTestStack({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Carla Continue');
});
afterAll(async () => stack?.stop());

describe('continue-as-new', () => {
  it('carries state and SLA clocks into a new run and keeps taking commands', async () => {
    const created = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: 'Long-running', serialNumber: 'SRV-DL380-7731', priority: 'P3' } });
    const { number } = await created.json();
    const handle = stack.temporal.client.workflow.getHandle(incidentWorkflowId(number));
    const firstRunId = (await handle.describe()).runId;
    const before = await handle.query(getStateQuery);

    for (let i = 0; i < 12; i++) {
      const res = await stack.request('POST', `/api/incidents/${number}/notes`, { token: agent.token, body: { text: `note ${i}` } });
      expect(res.status, `note ${i}`).toBe(200);
    }
    await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 20_000);
    const reply = await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text: 'Still on it' } });
    expect(reply.status).toBe(200);

    const after = await handle.query(getStateQuery);
    // 12 notes, the reply, and its mail's mail_undeliverable (the incident has no contact address).
    expect(after.seq).toBe(before.seq + 14);
    expect(after.clocks!.resolution).toEqual(before.clocks!.resolution);
    expect(after.clocks!.firstResponse!.startedAt).toBe(before.clocks!.firstResponse!.startedAt);
    expect(after.clocks!.firstResponse!.stoppedAt).toEqual(expect.any(String));
    expect(after.sla).toEqual(before.sla);
    expect(after.due.resolution).toBe(before.due.resolution);

    const events = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
      return rows.length === after.seq ? rows : undefined;
    });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: after.seq }, (_, i) => i + 1));
    expect(events.filter((e) => e.type === 'created')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'mail_undeliverable', payload: { template: 'reply', reason: 'no contact address' } });
  });
});
