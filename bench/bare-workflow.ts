// The bare-workflow baseline of bench/intake.ts: as many activities as an incident intake runs
// (the incident workflow records its creation with one recordIncidentEvent, then waits), and
// nothing else. Bundled on its own (bench/worker-process.ts) and run on its own task queue, so the
// difference to an intake is the helpdesk's own cost on the same Temporal server.
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  /** One small Postgres insert, standing in for the incident projection write. */
  bareRecord(id: string): Promise<void>;
}

const { bareRecord } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function bareWorkflow(id: string): Promise<void> {
  await bareRecord(id);
}
