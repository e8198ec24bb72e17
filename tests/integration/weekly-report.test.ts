// The weekly report mail end to end: a real Temporal dev server, Postgres and an SMTP receiver.
// Two subscribed managers get exactly one mail each per week, with the charts inline as PNG and the
// SLA report as CSV, through a retried send, a second run of the week and a worker restart.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { outboxMessages } from '../../src/db/schema/index.js';
import { reportedWeekOf } from '../../src/domain/iso-week.js';
import { weeklyReportScheduleId, weeklyReportWorkflowId } from '../../src/domain/workflow-ids.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { ensureWeeklyReportSchedule } from '../../src/services/reports/weekly-report-schedule.js';
import type { weeklyReportWorkflow } from '../../src/workflows/weekly-report/workflow.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let smtp: SmtpReceiver;
let mia: TestUser;
let max: TestUser;
const emails = new Map<string, string>();
/** Faults by outbox key, run once after the row is written and before it is sent. */
const faults = new Map<string, () => void>();

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const mailer = createSmtpMailer(smtp.url);
  stack = await startTestStack({
    worker: {
      mailer,
      mailFrom: 'Helpdesk <helpdesk@test.example>',
      timezone: 'Europe/Berlin',
      weeklyReport: {
        afterOutboxWrite: (key) => {
          const fault = faults.get(key);
          faults.delete(key);
          fault?.();
        },
      },
    },
  });
  mia = await createUserWithToken(stack.database.db, 'manager', 'Mia Manager');
  max = await createUserWithToken(stack.database.db, 'manager', 'Max Manager');
  await createUserWithToken(stack.database.db, 'manager', 'Not Subscribed');
  expect((await stack.request('PUT', '/api/reports/subscriptions', { token: mia.token, body: { language: 'de' } })).status).toBe(200);
  expect((await stack.request('PUT', '/api/reports/subscriptions', { token: max.token, body: { language: 'en' } })).status).toBe(200);
  for (const user of [mia, max]) {
    const me = await (await stack.request('GET', '/api/reports/subscriptions', { token: user.token })).json();
    emails.set(user.id, me.items[0].email);
  }
});

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
});

const runWeek = (week: string) =>
  stack.temporal.client.workflow.execute<typeof weeklyReportWorkflow>('weeklyReportWorkflow', { workflowId: weeklyReportWorkflowId(week), taskQueue: stack.temporal.taskQueue, args: [{ week }] });

const mailsOf = (user: TestUser, week: string) => smtp.to(emails.get(user.id)!).filter((m) => (m.parsed.subject ?? '').includes(week));

describe('weekly report mail', () => {
  it('mails each subscriber once, with the charts inline as PNG and the CSV attached, also when the send fails once after the write', async () => {
    const week = '2026-W49';
    faults.set(`weekly-report:${mia.id}:${week}`, () => {
      throw new Error('injected: the worker fails after the outbox write');
    });
    expect(await runWeek(week)).toEqual({ week, mailed: 2 });
    expect(faults.size).toBe(0);
    expect(mailsOf(mia, week)).toHaveLength(1);
    expect(mailsOf(max, week)).toHaveLength(1);
    expect(smtp.received.filter((m) => (m.parsed.subject ?? '').includes(week))).toHaveLength(2);

    const german = mailsOf(mia, week)[0]!.parsed;
    expect(german.subject).toBe(`Wochenbericht ${week}: SLA-Einhaltung`);
    expect(german.text).toContain('Gold keine beendeten Ziele – Ziel 95\u00a0%');
    // Parsed again with the cid links kept (by default mailparser inlines the images as data URLs).
    const html = (await simpleParser(mailsOf(mia, week)[0]!.raw, { keepCidLinks: true })).html;
    const images = german.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect(image.cid).toMatch(/@weekly-report$/);
      expect(image.content.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(image.contentDisposition).toBe('inline');
      expect(html).toContain(`src="cid:${image.cid}"`);
    }
    expect(mailsOf(mia, week)[0]!.raw.toString('latin1')).toMatch(/Content-ID: <trend-2026-W49@weekly-report>/i);
    const csv = german.attachments.find((a) => a.filename === `sla-${week}.csv`);
    expect(csv?.contentType).toBe('text/csv');
    expect(csv!.content.toString('utf8').split('\n')[0]).toBe('groupKey,groupLabel,target,ended,met,breached,compliancePercent,medianBusinessMinutes,p90BusinessMinutes,openBreached');
    expect(mailsOf(max, week)[0]!.parsed.subject).toBe(`Weekly report ${week}: SLA compliance`);

    const rows = await stack.database.db.select().from(outboxMessages).where(like(outboxMessages.idempotencyKey, `weekly-report:%:${week}`));
    expect(rows.map((r) => [r.idempotencyKey, r.status]).sort()).toEqual([`weekly-report:${max.id}:${week}`, `weekly-report:${mia.id}:${week}`].sort().map((k) => [k, 'sent']));
    expect(rows.find((r) => r.recipient === emails.get(mia.id))?.attempts).toBe(1);
  });

  it('sends nothing new when the same week runs again', async () => {
    const week = '2026-W49';
    expect(await runWeek(week)).toEqual({ week, mailed: 2 });
    expect(mailsOf(mia, week)).toHaveLength(1);
    expect(mailsOf(max, week)).toHaveLength(1);
  });

  it('delivers no duplicate when the worker dies mid-run and a new one takes over', async () => {
    const week = '2026-W50';
    let stopped: Promise<void> | undefined;
    // Max's row is written, then the worker goes down and the attempt dies with it.
    const [second] = [mia, max].sort((a, b) => a.id.localeCompare(b.id)).slice(1);
    faults.set(`weekly-report:${second!.id}:${week}`, () => {
      stopped = stack.stopWorker();
      throw new Error('injected: the worker process dies');
    });
    const handle = await stack.temporal.client.workflow.start<typeof weeklyReportWorkflow>('weeklyReportWorkflow', { workflowId: weeklyReportWorkflowId(week), taskQueue: stack.temporal.taskQueue, args: [{ week }] });
    await eventually(() => Promise.resolve(stopped ? true : undefined));
    await stopped;
    const [row] = await stack.database.db.select().from(outboxMessages).where(eq(outboxMessages.idempotencyKey, `weekly-report:${second!.id}:${week}`));
    expect(row?.status).toBe('pending');
    await stack.startWorker();
    expect(await handle.result()).toEqual({ week, mailed: 2 });
    expect(mailsOf(mia, week)).toHaveLength(1);
    expect(mailsOf(max, week)).toHaveLength(1);
  });

  it('keeps a readable schedule: created once, left alone when it exists, its run named by the week', async () => {
    expect(await ensureWeeklyReportSchedule(stack.temporal, { enabled: true, timezone: 'Europe/Berlin' })).toBe(true);
    expect(await ensureWeeklyReportSchedule(stack.temporal, { enabled: true, timezone: 'Europe/Berlin' })).toBe(false);
    const schedule = stack.temporal.client.schedule.getHandle(weeklyReportScheduleId);
    const description = await schedule.describe();
    expect(description.spec.timezone).toBe('Europe/Berlin');
    expect(description.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 7, end: 7, step: 1 }] });
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'weeklyReportWorkflow', workflowId: weeklyReportScheduleId });
    expect(description.memo?.description).toMatch(/Mondays 07:00 Europe\/Berlin/);

    await schedule.trigger();
    const week = reportedWeekOf(new Date());
    const run = await eventually(async () => {
      const handle = stack.temporal.client.workflow.getHandle(weeklyReportWorkflowId(week));
      return (await handle.describe().catch(() => undefined))?.status.name === 'COMPLETED' ? handle : undefined;
    }, 30_000);
    expect(await run.result()).toEqual({ week, mailed: 2 });
    expect(mailsOf(mia, week)).toHaveLength(1);

    expect(await ensureWeeklyReportSchedule(stack.temporal, { enabled: false, timezone: 'Europe/Berlin' })).toBe(false);
    await expect(schedule.describe()).rejects.toThrow();
  });
});
