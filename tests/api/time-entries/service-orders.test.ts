// Work booked from a service order: the order on the booked time and its material with exact totals.
import { describe, expect, it } from 'vitest';
import { bookServiceOrderReport } from '../../../src/services/service-order-billing.js';
import { defaultRates, timeEntriesApi } from '../../support/time-entries.js';

const { api, setUp, log } = timeEntriesApi();
const { call, users: { agent, otherAgent, sales } } = api;

describe('work booked from a service order', () => {
  it('shows the order on the booked time, lists the material with exact totals, and keeps sales out', async () => {
    const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null } });
    const direct = await log(s, { minutes: 15, workDate: '2026-11-02' });
    expect(direct.body.followUp).toBeNull();
    const followUpWorkflowId = `incident-${s.incident}/service-order-1`;
    const booking = {
      followUpWorkflowId,
      incidentNumber: s.incident,
      technicianId: otherAgent.id,
      completedAt: '2026-11-05T10:00:00Z',
      timeEntries: [{ minutes: 60, activityType: 'onsite' as const, description: 'Swap PSU', workDate: '2026-11-05' }],
      materials: [
        { articleNumber: 'PSU-800', description: 'PSU 800 W', quantity: 1, unitPriceCents: 18_900 },
        { articleNumber: 'CBL-2', description: 'Power cable', quantity: 3, unitPriceCents: 333 },
      ],
    };
    const deps = { db: api.database.db, timezone: 'Europe/Berlin', defaultRates, mailFrom: 'helpdesk@systemhaus.example' };
    const booked = await bookServiceOrderReport(deps, booking);

    const time = await call('GET', `/api/incidents/${s.incident}/time-entries`, agent);
    expect(time.status).toBe(200);
    expect(time.body.items.map((e: { id: string; followUp: unknown; agentId: string; createdBy: string }) => [e.id, e.followUp, e.agentId, e.createdBy])).toEqual([
      [direct.body.id, null, agent.id, `user:${agent.id}`],
      [booked.timeEntryIds[0], { workflowId: followUpWorkflowId, lineNo: 0 }, otherAgent.id, `follow-up:${followUpWorkflowId}`],
    ]);
    // The single entry shows it too.
    expect((await call('GET', `/api/time-entries/${booked.timeEntryIds[0]}`, agent)).body.followUp).toEqual({ workflowId: followUpWorkflowId, lineNo: 0 });

    const materials = await call('GET', `/api/incidents/${s.incident}/materials`, agent);
    expect(materials.status).toBe(200);
    expect(materials.body.items.map((m: Record<string, unknown>) => [m.id, m.articleNumber, m.quantity, m.unitPriceCents, m.amountCents, m.billable, m.invoicedAt, m.followUp])).toEqual([
      [booked.materialEntryIds[0], 'PSU-800', 1, 18_900, 18_900, true, null, { workflowId: followUpWorkflowId, lineNo: 0 }],
      [booked.materialEntryIds[1], 'CBL-2', 3, 333, 999, true, null, { workflowId: followUpWorkflowId, lineNo: 1 }],
    ]);
    expect(materials.body.items[0]).toMatchObject({ incidentNumber: s.incident, customerId: s.customerId, contractId: s.contractId, projectId: s.projectId, workDate: '2026-11-05' });
    expect(materials.body.totals).toEqual({ lineCount: 2, amountCents: 19_899, unbilledCents: 19_899 });

    expect((await call('GET', `/api/incidents/${s.incident}/materials`, sales)).status).toBe(403);
    const unknown = await call('GET', '/api/incidents/INC-2026-999999/materials', agent);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('INC-2026-999999');
  });
});
