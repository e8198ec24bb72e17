// Log lines written inside an activity carry its workflow id, its incident number and its type,
// though the activity's logger was made once, at start-up (src/logger.ts reads the activity context).
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

describe('activity log lines', () => {
  const activityOf = (logger: ReturnType<typeof createLogger>) => ({
    // As an activity does it: the logger comes from deps, built before any activity runs.
    notifyEscalation: async (input: { level: number }) => {
      await Promise.resolve();
      logger.child({ component: 'notifications' }).info({ escalationLevel: input.level }, 'escalation notice queued');
      return 'done';
    },
  });

  it('carry workflowId, incidentNumber and activityType inside an incident workflow\'s activity', async () => {
    const { logger, lines } = capturingLogger();
    const env = new MockActivityEnvironment({ activityType: 'notifyEscalation', workflowType: 'incidentWorkflow', workflowExecution: { workflowId: 'incident-INC-2026-000123', runId: 'run-1' } });
    await env.run(activityOf(logger).notifyEscalation, { level: 2 });
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'escalation notice queued', level: 30, escalationLevel: 2, component: 'notifications', workflowId: 'incident-INC-2026-000123', incidentNumber: 'INC-2026-000123', activityType: 'notifyEscalation' }),
    ]);
  });

  it('name the incident of a follow-up workflow, and no incident for other workflows', async () => {
    const { logger, lines } = capturingLogger();
    const followUp = new MockActivityEnvironment({ activityType: 'bookReport', workflowExecution: { workflowId: 'incident-INC-2026-000123/service-order-1', runId: 'run-2' } });
    await followUp.run(() => Promise.resolve(logger.info('booked')));
    const mailbox = new MockActivityEnvironment({ activityType: 'pollMailbox', workflowExecution: { workflowId: 'mailbox-support', runId: 'run-3' } });
    await mailbox.run(() => Promise.resolve(logger.info('polled')));
    expect(lines[0]).toMatchObject({ workflowId: 'incident-INC-2026-000123/service-order-1', incidentNumber: 'INC-2026-000123', activityType: 'bookReport' });
    expect(lines[1]).toMatchObject({ workflowId: 'mailbox-support', activityType: 'pollMailbox' });
    expect(lines[1]).not.toHaveProperty('incidentNumber');
  });

  it('add nothing outside an activity, and leave a line\'s own fields alone', async () => {
    const { logger, lines } = capturingLogger();
    logger.info('outside');
    const env = new MockActivityEnvironment({ activityType: 'x', workflowExecution: { workflowId: 'incident-INC-2026-000123', runId: 'r' } });
    await env.run(() => Promise.resolve(logger.info({ incidentNumber: 'INC-2026-000999' }, 'own field')));
    expect(lines[0]).not.toHaveProperty('workflowId');
    expect(lines[0]).not.toHaveProperty('activityType');
    expect(lines[1]).toMatchObject({ incidentNumber: 'INC-2026-000999', workflowId: 'incident-INC-2026-000123' });
  });
});
