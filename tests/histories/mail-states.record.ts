// Records the history of a mail incident since the `mail-states` patch: opened by mail
// (acknowledgement queued, then sent), an agent's reply the mail server defers once (queued,
// failed and retried, sent), the resolution notice and the close. Run on its own:
//   npx vitest run --config vitest.record.config.ts tests/histories/mail-states.record.ts
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { inboundMails } from '../../src/db/schema/index.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { buildMail } from '../support/mail.js';
import { startMailStack, type MailStack } from '../support/mail-stack.js';
import { eventually } from '../support/stack.js';

const petra = 'petra.mueller@mueller-maschinenbau.example';
let mail: MailStack;
let deferred = false;

beforeAll(async () => {
  mail = await startMailStack({
    agentName: 'Recorder',
    smtp: {
      // The second mail to Petra (the reply) is deferred once.
      refuse: (address) => {
        if (address !== petra || deferred || mail.smtp.to(petra).length !== 1) return undefined;
        deferred = true;
        return { code: 452, message: '4.2.2 mailbox full, try again later' };
      },
    },
  });
});
afterAll(async () => mail?.stop());

it('records a mail incident with queued, failed and sent mail', async () => {
  const { stack, agent } = mail;
  const res = await mail.post((await buildMail({ from: petra, subject: 'Recorded mail states', text: 'Der Scanner geht nicht.' })).raw);
  const { id } = await res.json();
  const number = await eventually(async () => (await stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, id)))[0]?.incidentNumber ?? undefined, 30_000);
  const timeline = async () => (await (await stack.request('GET', `/api/incidents/${number}/timeline`, { token: agent.token })).json()).events as { type: string }[];
  const sentCount = async () => (await timeline()).filter((e) => e.type === 'mail_sent').length;
  await eventually(async () => ((await sentCount()) >= 1 ? true : undefined), 30_000);
  const post = (path: string, body?: unknown) => stack.request('POST', `/api/incidents/${number}/${path}`, { token: agent.token, body });
  expect((await post('reply', { text: 'Wir schicken einen Techniker.' })).status).toBe(200);
  await eventually(async () => ((await sentCount()) >= 2 ? true : undefined), 60_000);
  expect((await post('resolve', { resolution: 'Scanner neu eingerichtet.' })).status).toBe(200);
  await eventually(async () => ((await sentCount()) >= 3 ? true : undefined), 30_000);
  expect((await post('close')).status).toBe(200);
  await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).result();
  expect((await timeline()).map((e) => e.type)).toEqual(expect.arrayContaining(['mail_queued', 'mail_failed', 'mail_sent']));
  const shown = spawnSync(inject('temporalCli'), ['workflow', 'show', '--address', stack.temporalAddress, '-w', incidentWorkflowId(number), '--output', 'json'], { encoding: 'utf8' });
  expect(shown.status, shown.stderr).toBe(0);
  expect(shown.stdout).toContain('deliverCustomerMail');
  await writeFile(new URL('./mail-states-incident-lifecycle.json', import.meta.url), shown.stdout);
});
