// The Java time-skipping test server through @temporalio/testing. The SDK gives a spawned server
// only a few seconds to answer; a JVM on a loaded 2-core machine can miss that, so try again.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

export async function createTimeSkippingEnv(attempts = 3): Promise<TestWorkflowEnvironment> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } },
      });
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
