// The harness of the incident follow-up workflow tests on the time-skipping server: an intake
// (Gold P2 by default, numbered per environment), and an incident run on a worker of its own
// with stub activities that collect what the workflows record. Workflows left running at the end
// are terminated, so they do not hold the test server's clock.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { FollowUpStepInput } from '../../src/activities/follow-ups.js';
import type { RecordIncidentEventInput } from '../../src/activities/incident-projection.js';
import type { IncidentIntake } from '../../src/domain/incident/state.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { testIntake } from './intake.js';
import { goldPolicy } from './policies.js';

export const agent = { id: 'user:agent-1', name: 'Anna Agent' };

export interface IncidentRun {
  number: string;
  handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  events: RecordIncidentEventInput[];
  childSteps: FollowUpStepInput[];
}

export function followUpHarness(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundleWithSourceMap, options: { year?: number } = {}) {
  let counter = 0;
  const year = options.year ?? 2098;

  async function intake(overrides: Partial<IncidentIntake> = {}): Promise<IncidentIntake> {
    counter += 1;
    return testIntake({
      number: `INC-${year}-${String(counter).padStart(6, '0')}`,
      title: 'Firewall drops VPN',
      priority: 'P2',
      receivedAt: new Date(await env.currentTimeMs()).toISOString(),
      openedBy: agent,
      customer: { id: 'c', number: 'K-1', name: 'Customer' },
      contract: { id: 'k', number: 'V-1', tier: 'gold' },
      slaPolicyId: 'gold',
      sla: goldPolicy,
      ...overrides,
    });
  }

  async function withIncident(
    script: (ctx: IncidentRun) => Promise<void>,
    overrides: Partial<IncidentIntake> = {},
  ) {
    const events: RecordIncidentEventInput[] = [];
    const childSteps: FollowUpStepInput[] = [];
    const opened = await intake(overrides);
    const taskQueue = `follow-ups-${opened.number}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: {
        recordIncidentEvent: (input: RecordIncidentEventInput) => void events.push(input),
        notifyEscalation: () => ({ recipients: [] }),
        recordFollowUpEvent: (input: FollowUpStepInput) => void childSteps.push(input),
        notifyFollowUp: () => ({ recipients: [] }),
        bookServiceOrderReport: () => ({ timeEntryIds: [], materialEntryIds: [], totals: { minutes: 0, quotaMinutes: 0, billableMinutes: 0, timeAmountCents: 0, materialAmountCents: 0, amountCents: 0 } }),
        mailCustomer: () => ({ status: 'no-recipient' }),
        queueCustomerMail: () => ({ status: 'no-recipient' }),
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentWorkflowId(opened.number), args: [{ intake: opened }] });
      try {
        await script({ number: opened.number, handle, events, childSteps });
      } finally {
        // Workflows left running without their worker would hold the shared test server's clock.
        const children = ['software-change-1', 'service-order-1', 'callback-1'].map((ref) => `${incidentWorkflowId(opened.number)}/${ref}`);
        const childTickets = (await env.client.workflow.getHandle(incidentWorkflowId(opened.number)).query(getStateQuery).catch(() => undefined))?.followUps?.filter((f) => f.number) ?? [];
        for (const id of [incidentWorkflowId(opened.number), ...children, ...childTickets.map((f) => f.workflowId)]) {
          const running = await env.client.workflow
            .getHandle(id)
            .describe()
            .then((d) => d.status.name === 'RUNNING', () => false);
          if (running) await env.client.workflow.getHandle(id).terminate('test finished');
        }
      }
    });
  }

  return { intake, withIncident };
}

export type FollowUpHarness = ReturnType<typeof followUpHarness>;
