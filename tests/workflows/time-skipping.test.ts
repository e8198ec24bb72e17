// The Java time-skipping test server works from the suite: a simulated day passes in moments.
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepForADay } from '../fixtures/sleeper-workflow.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => env?.teardown());

describe('time-skipping test server', () => {
  it('runs a workflow that sleeps a simulated day in a few seconds of wall time', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping',
      workflowsPath: fileURLToPath(new URL('../fixtures/sleeper-workflow.ts', import.meta.url)),
    });
    const wallStart = performance.now();
    const envStart = await env.currentTimeMs();
    const slept = await worker.runUntil(
      env.client.workflow.execute(sleepForADay, { workflowId: 'sleeper', taskQueue: 'time-skipping' }),
    );
    expect(env.supportsTimeSkipping).toBe(true);
    expect(slept).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect((await env.currentTimeMs()) - envStart).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect(performance.now() - wallStart).toBeLessThan(30_000);
  });
});
