// Records real incident workflow histories into tests/histories/*.json for the replay test.
import { writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;
beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Recorder');
});
afterAll(async () => stack?.stop());

async function save(name: string, number: string) {
  // The CLI writes the same JSON as the Web UI's download, which historyFromJSON reads.
  const shown = spawnSync(inject('temporalCli'), ['workflow', 'show', '--address', stack.temporalAddress, '-w', incidentWorkflowId(number), '--output', 'json'], { encoding: 'utf8' });
  expect(shown.status, shown.stderr).toBe(0);
  await writeFile(new URL(`./${name}.json`, import.meta.url), shown.stdout);
}

it('records a full incident life with SLA clocks: assign, note, reply, pending, customer message, priority, resolve, reopen, resolve, close', async () => {
  const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: 'Recorded lifecycle', serialNumber: 'SRV-DL380-7731', impact: 'high', urgency: 'high' } });
  const { number } = await res.json();
  const post = (path: string, body?: unknown) => stack.request('POST', `/api/incidents/${number}/${path}`, { token: agent.token, body });
  expect((await post('assign', { assigneeId: agent.id, group: '2nd-level' })).status).toBe(200);
  expect((await post('notes', { text: 'Checked the iLO log.' })).status).toBe(200);
  expect((await post('reply', { text: 'We are on it.' })).status).toBe(200);
  expect((await post('pending', { reason: 'Waiting for the iLO log' })).status).toBe(200);
  expect((await post('customer-messages', { text: 'Log attached', from: 'petra.mueller@mueller-maschinenbau.example' })).status).toBe(200);
  expect((await post('priority', { priority: 'P2', reason: 'Second server affected' })).status).toBe(200);
  expect((await post('resolve', { resolution: 'Rolled back the firmware.' })).status).toBe(200);
  expect((await post('reopen', { reason: 'Fails again after reboot' })).status).toBe(200);
  expect((await post('resolve', { resolution: 'Replaced the system board.' })).status).toBe(200);
  expect((await post('close')).status).toBe(200);
  await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).result();
  await save('incident-lifecycle', number);
});

it('records an incident that is still open, waiting on its SLA timers', async () => {
  const res = await stack.request('POST', '/api/incidents', { token: agent.token, body: { title: 'Recorded open incident', customerNumber: 'K-10003' } });
  const { number } = await res.json();
  expect((await stack.request('POST', `/api/incidents/${number}/assign`, { token: agent.token, body: { group: '1st-level' } })).status).toBe(200);
  await save('incident-open', number);
});
