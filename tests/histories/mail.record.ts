// Records the history of an incident that lives on mail: opened by a mail through the mailgate
// (acknowledged), the customer's reply, an agent's reply sent in the thread, a bounce, the
// resolution notice and the close. Run on its own:
//   npx vitest run --config vitest.record.config.ts tests/histories/mail.record.ts
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { expect, inject, it } from 'vitest';
import { inboundMails } from '../../src/db/schema/index.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { bounceFor, buildMail } from '../support/mail.js';
import { useMailStack } from '../support/mail-stack.js';
import { eventually } from '../support/stack.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
const gate = useMailStack({ agentName: 'Recorder', mailgateName: 'Recorder MTA' });

async function deliver(raw: Buffer) {
  const res = await gate.post(raw);
  const { id } = await res.json();
  return eventually(async () => {
    const [row] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, id));
    return row?.status === 'processed' ? row : undefined;
  }, 30_000);
}

it('records an incident that lives on mail', async () => {
  const first = await buildMail({ from: petra, subject: 'Recorded mail incident', text: 'Der Drucker geht nicht.' });
  const number = (await deliver(first.raw)).incidentNumber!;
  const ack = await eventually(() => Promise.resolve(gate.smtp.to(petra)[0]));
  await deliver((await buildMail({ from: petra, subject: 'AW: Ihre Anfrage', inReplyTo: ack.parsed.messageId!, text: 'Modell MX611.' })).raw);
  const post = (path: string, body?: unknown) => gate.stack.request('POST', `/api/incidents/${number}/${path}`, { token: gate.agent.token, body });
  expect((await post('reply', { text: 'Wir schicken einen Techniker.' })).status).toBe(200);
  await deliver(bounceFor({ messageId: ack.parsed.messageId!, to: petra, subject: `[${number}]` }));
  expect((await post('resolve', { resolution: 'Fixiereinheit getauscht.' })).status).toBe(200);
  await eventually(() => Promise.resolve(gate.smtp.to(petra).length >= 3 ? true : undefined));
  expect((await post('close')).status).toBe(200);
  await gate.stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).result();
  const shown = spawnSync(inject('temporalCli'), ['workflow', 'show', '--address', gate.stack.temporalAddress, '-w', incidentWorkflowId(number), '--output', 'json'], { encoding: 'utf8' });
  expect(shown.status, shown.stderr).toBe(0);
  expect(shown.stdout).toContain('mailCustomer');
  await writeFile(new URL('./mail-incident-lifecycle.json', import.meta.url), shown.stdout);
});
