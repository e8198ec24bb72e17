// Records real histories of an incident with follow-up work, and of its children, into
// tests/histories/*.json for the replay test: a child ticket, a service order, a change and a
// callback, each started from the incident, run to their end, then the incident closes.
import { writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;
let agentEmail: string;
beforeAll(async () => {
  stack = await startTestStack();
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'manager', 'Recorder');
  agentEmail = (await stack.database.sql<{ email: string }[]>`select email from users where id = ${agent.id}`)[0]!.email;
});
afterAll(async () => stack?.stop());

async function save(name: string, workflowId: string) {
  // The CLI writes the same JSON as the Web UI's download, which historyFromJSON reads.
  const shown = spawnSync(inject('temporalCli'), ['workflow', 'show', '--address', stack.temporalAddress, '-w', workflowId, '--output', 'json'], { encoding: 'utf8' });
  expect(shown.status, shown.stderr).toBe(0);
  await writeFile(new URL(`./${name}.json`, import.meta.url), shown.stdout);
}

const post = async (path: string, body: unknown = {}) => {
  const res = await stack.request('POST', path, { token: agent.token, body });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json();
};
const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

it('records an incident with a child ticket, a service order, a change and a callback, each run to its end', async () => {
  const { number } = await post('/api/incidents', { title: 'Recorded follow-ups', serialNumber: 'FW-FG100F-0042' });
  const base = `/api/incidents/${number}`;
  await eventually(async () => ((await stack.request('GET', base, { token: agent.token })).status === 200 ? true : undefined));

  const { followUp: child } = await post(`${base}/follow-ups`, { kind: 'child_ticket', title: 'Network team: check the concentrator', waitFor: true, group: 'network' });
  await post(`${base}/follow-ups`, { kind: 'service_order', title: 'Swap the PSU', location: 'onsite' });
  await post(`${base}/follow-ups`, { kind: 'software_change', title: 'Firmware 7.2.8', changeType: 'standard', changeManagerEmail: agentEmail });
  await post(`${base}/follow-ups`, { kind: 'callback', phone: '+49 221 1234567', topic: 'Explain the workaround', contactName: 'Petra Müller' });

  await post(`/api/incidents/${child.number}/resolve`, { resolution: 'Concentrator rebooted.' });

  const order = `${base}/follow-ups/service-order-2`;
  await eventually(async () => ((await stack.request('GET', order, { token: agent.token })).status === 200 ? true : undefined));
  await post(`${order}/schedule`, { technicianId: agent.id, from: later(3), to: later(4) });
  await post(`${order}/start`);
  await post(`${order}/complete`, { summary: 'PSU replaced.', timeEntries: [{ minutes: 45, activityType: 'onsite', description: 'PSU swap', workDate: new Date().toISOString().slice(0, 10) }], materials: [{ articleNumber: 'PSU-800', description: 'PSU 800 W', quantity: 1, unitPriceCents: 18900 }] });

  const change = `${base}/follow-ups/software-change-3`;
  await eventually(async () => ((await stack.request('GET', change, { token: agent.token })).status === 200 ? true : undefined));
  await post(`${change}/assess`, { risk: 'low', impact: 'VPN down 10 minutes', implementationPlan: 'Upload and reboot', rollbackPlan: 'Boot the old partition', software: { systems: [{ name: 'FortiGate 100F', fromVersion: '7.2.5', toVersion: '7.2.8' }] } });
  await post(`${change}/submit`);
  await post(`${change}/schedule`, { from: later(1), to: later(2) });
  await post(`${change}/implement`);
  await post(`${change}/review`, { outcome: 'successful' });
  await post(`${change}/close`);

  const callback = `${base}/follow-ups/callback-4`;
  await eventually(async () => ((await stack.request('GET', callback, { token: agent.token })).status === 200 ? true : undefined));
  await post(`${callback}/log-call`, { outcome: 'reached', note: 'Explained the workaround.' });

  await eventually(async () => {
    const view = await (await stack.request('GET', base, { token: agent.token })).json();
    return view.followUps.every((f: { status: string }) => f.status !== 'open') ? true : undefined;
  });
  await post(`${base}/resolve`, { resolution: 'PSU replaced and firmware updated.' });
  await post(`${base}/close`);
  const id = incidentWorkflowId(number);
  await stack.temporal.client.workflow.getHandle(id).result();
  await save('follow-ups-incident', id);
  await save('follow-ups-child-ticket', incidentWorkflowId(child.number));
  await save('follow-ups-service-order', `${id}/service-order-2`);
  await save('follow-ups-change', `${id}/software-change-3`);
  await save('follow-ups-callback', `${id}/callback-4`);
});
