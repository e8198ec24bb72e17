// Time entries priced from the entitlement: quota draw-down per period, an incident just opened,
// the entitlement branches (covered, no contract, expired, renewal) and the manager's override.
import { describe, expect, it } from 'vitest';
import { contracts, incidentIntakes, projects } from '../../../src/db/schema/index.js';
import type { AssetLookup, Entitlement } from '../../../src/domain/entitlement.js';
import { testIntake } from '../../support/intake.js';
import { defaultRates, timeEntriesApi } from '../../support/time-entries.js';

const { api, setUp, log, lastSeq } = timeEntriesApi();
const { call, users: { agent, manager } } = api;

describe('quota draw-down', () => {
  it('draws each entry from the quota of its own period, across a month boundary', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const october = await log(s, { minutes: 500, workDate: '2026-10-31' });
    expect(october.status).toBe(201);
    expect(october.body).toMatchObject({ decision: 'quota', quotaMinutes: 500, quotaPeriodStart: '2026-10-01', billableMinutes: 0, amountCents: 0, billable: false, contractId: s.contractId, projectId: s.projectId });
    const november = await log(s, { minutes: 500, workDate: '2026-11-01' });
    expect(november.body).toMatchObject({ decision: 'quota', quotaMinutes: 500, quotaPeriodStart: '2026-11-01', billableMinutes: 0, amountCents: 0 });
    // 100 min of November's quota are left: a 200 min entry straddles it.
    const straddling = await log(s, { minutes: 200, workDate: '2026-11-02' });
    expect(straddling.body).toMatchObject({ decision: 'quota', quotaMinutes: 100, quotaPeriodStart: '2026-11-01', billableMinutes: 100, rateCents: 9600, amountCents: 16_000, billable: true });
    expect(straddling.body.billingReason).toBe('100 min from the quota, 100 min over it are billable.');
    // October still has 100 min left.
    const lateOctober = await log(s, { minutes: 100, workDate: '2026-10-30' });
    expect(lateOctober.body).toMatchObject({ quotaMinutes: 100, quotaPeriodStart: '2026-10-01', billableMinutes: 0 });
  });

  it('after exhaustion an entry is billable at the contract rate of its activity', async () => {
    const s = await setUp({ contract: { quotaMinutes: 120, quotaPeriod: 'month' } });
    await log(s, { minutes: 120, workDate: '2026-11-03' });
    const remote = await log(s, { minutes: 90, workDate: '2026-11-04' });
    // 90 min at 9,600 c/h = 14,400 c.
    expect(remote.body).toMatchObject({ decision: 'quota', quotaMinutes: 0, quotaPeriodStart: null, billableMinutes: 90, rateCents: 9600, amountCents: 14_400, billable: true });
    expect(remote.body.billingReason).toBe('The quota is used up: billable.');
    // 45 min on site at 13,200 c/h = 9,900 c.
    const onsite = await log(s, { minutes: 45, workDate: '2026-11-04', activityType: 'onsite' });
    expect(onsite.body).toMatchObject({ billableMinutes: 45, rateCents: 13_200, amountCents: 9900 });
    const list = await call('GET', `/api/incidents/${s.incident}/time-entries`, agent);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
    expect(list.body.totals).toEqual({ minutes: 255, quotaMinutes: 120, billableMinutes: 135, amountCents: 24_300 });
  });
});

describe('an incident just opened', () => {
  it('prices time from its recorded intake before the workflow has written its projection', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const number = `INC-2026-${String(500_000 + lastSeq()).padStart(6, '0')}`;
    const intake = testIntake({
      number,
      customer: { id: s.customerId, number: s.customerNumber, name: 'Kunde' },
      contract: { id: s.contractId!, number: 'V', tier: 'gold' },
      project: { id: s.projectId!, number: 'P' },
    });
    await api.database.db.insert(incidentIntakes).values({ number, request: intake, receivedAt: new Date(intake.receivedAt) });
    const res = await call('POST', `/api/incidents/${number}/time-entries`, agent, { minutes: 30, activityType: 'remote', description: 'First call', workDate: '2026-11-02' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ decision: 'quota', quotaMinutes: 30, contractId: s.contractId, projectId: s.projectId, billable: false });
    expect((await call('POST', '/api/incidents/INC-2026-999998/time-entries', agent, { minutes: 30, activityType: 'remote', description: 'x' })).status).toBe(404);
  });
});

describe('entitlement branches', () => {
  it('a covered contract without quota bills nothing', async () => {
    const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null } });
    const res = await log(s, { minutes: 240, workDate: '2026-11-05', activityType: 'onsite' });
    expect(res.body).toMatchObject({ decision: 'covered', quotaMinutes: 0, billableMinutes: 0, amountCents: 0, rateCents: null, billable: false });
    expect(res.body.billingReason).toContain(`contract V-`);
  });

  it('without a contract the work is billable at the default rates', async () => {
    const s = await setUp();
    const res = await log(s, { minutes: 50, workDate: '2026-11-05', activityType: 'travel' });
    // 50 min at 6,000 c/h = 5,000 c.
    expect(res.body).toMatchObject({ decision: 'billable', contractId: null, projectId: null, billableMinutes: 50, rateCents: 6000, amountCents: 5000 });
  });

  it('under an expired contract the work is billable at that contract\'s rate', async () => {
    const s = await setUp({ contract: { validFrom: '2025-01-01', validTo: '2026-06-30' } });
    const res = await log(s, { minutes: 45, workDate: '2026-11-10', activityType: 'onsite' });
    expect(res.body).toMatchObject({ decision: 'billable', contractId: s.contractId, quotaMinutes: 0, billableMinutes: 45, rateCents: 13_200, amountCents: 9900 });
    expect(res.body.billingReason).toContain('expired on 30 Jun 2026');
  });

  it('an incident without contract is priced by the contract that covers the customer on the work date', async () => {
    const s = await setUp({ contract: { quotaMinutes: 300, quotaPeriod: 'month' }, onIncident: false });
    const res = await log(s, { minutes: 60, workDate: '2026-11-10' });
    expect(res.body).toMatchObject({ decision: 'quota', contractId: s.contractId, projectId: s.projectId, quotaMinutes: 60 });
  });

  /** What intake recorded for an incident whose serial number was not the customer's. */
  const takenInWith = (asset: AssetLookup): Entitlement => ({
    decision: 'billable',
    reason: 'The serial number is not a registered asset of the customer.',
    day: '2026-10-01',
    customerNumber: null,
    asset,
    contract: null,
    quota: null,
    rates: defaultRates,
    rateSource: { kind: 'default' },
  });

  it.each([[{ kind: 'unknown', number: 'NOPE-1' }], [{ kind: 'other-customer', number: 'X' }]] as const)(
    'time on an incident taken in with asset %j stays billable although a customer-wide contract exists',
    async (asset) => {
      const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null }, onIncident: false, entitlement: takenInWith(asset) });
      const res = await log(s, { minutes: 60, workDate: '2026-11-05' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ decision: 'billable', quotaMinutes: 0, billableMinutes: 60, billable: true });
      expect(res.body.amountCents).toBe(res.body.rateCents);
      // An edit of the minutes prices it again on the same intake terms.
      const edited = await call('PATCH', `/api/time-entries/${res.body.id}`, agent, { minutes: 30 });
      expect(edited.body).toMatchObject({ decision: 'billable', billableMinutes: 30, amountCents: res.body.rateCents / 2 });
    },
  );

  it('after the incident\'s contract ended, a renewal prices the work (contract, quota and project); before it, the old contract', async () => {
    const s = await setUp({ contract: { validFrom: '2025-11-01', validTo: '2026-10-31', quotaMinutes: null, quotaPeriod: null } });
    const [renewal] = await api.database.db
      .insert(contracts)
      .values({ contractNumber: `V-${2000 + lastSeq()}-R`, customerId: s.customerId, tier: 'gold', validFrom: '2026-11-01', coversAllAssets: true, hourlyRates: { remote: 9900, onsite: 13_500, travel: 7500 }, quotaMinutes: 600, quotaPeriod: 'month' })
      .returning();
    const [renewalProject] = await api.database.db.insert(projects).values({ projectNumber: `P-V-${2000 + lastSeq()}-R`, contractId: renewal!.id, customerId: s.customerId, kind: 'support', name: 'Support renewal' }).returning();

    const november = await log(s, { minutes: 60, workDate: '2026-11-05' });
    expect(november.status).toBe(201);
    expect(november.body).toMatchObject({ decision: 'quota', contractId: renewal!.id, projectId: renewalProject!.id, quotaMinutes: 60, quotaPeriodStart: '2026-11-01', billableMinutes: 0 });
    const october = await log(s, { minutes: 60, workDate: '2026-10-20' });
    expect(october.body).toMatchObject({ decision: 'covered', contractId: s.contractId, projectId: s.projectId, quotaMinutes: 0, billableMinutes: 0 });
    // Moving October's work into November moves it to the renewal too.
    const moved = await call('PATCH', `/api/time-entries/${october.body.id}`, agent, { workDate: '2026-11-06' });
    expect(moved.body).toMatchObject({ decision: 'quota', contractId: renewal!.id, projectId: renewalProject!.id, quotaMinutes: 60, quotaPeriodStart: '2026-11-01' });
  });
});

describe('manager override', () => {
  it('bills or frees an entry with a reason, agents may not, and clearing prices it again', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const entry = (await log(s, { minutes: 120, workDate: '2026-11-10' })).body;
    expect(entry.quotaMinutes).toBe(120);

    const byAgent = await call('PUT', `/api/time-entries/${entry.id}/billing`, agent, { billable: true, reason: 'outside scope' });
    expect(byAgent.status).toBe(403);
    const noReason = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');

    const billed = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: true, reason: 'Server move, outside the contract' });
    expect(billed.status).toBe(200);
    expect(billed.body).toMatchObject({ billableOverride: true, overrideReason: 'Server move, outside the contract', overrideBy: `user:${manager.id}`, quotaMinutes: 0, billableMinutes: 120, rateCents: 9600, amountCents: 19_200 });
    expect(billed.body.billingReason).toBe('Billable by manager decision: Server move, outside the contract');

    const cleared = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ billableOverride: null, overrideReason: null, quotaMinutes: 120, billableMinutes: 0, amountCents: 0 });

    const audit = await call('GET', `/api/time-entries/${entry.id}/audit`, agent);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['created', 'billing_overridden', 'billing_overridden']);
    expect(audit.body.items[1]).toMatchObject({ actor: `user:${manager.id}`, actorName: 'Mia Manager', reason: 'Server move, outside the contract' });
    expect(audit.body.items[1].before).toMatchObject({ billableOverride: null, amountCents: 0 });
    expect(audit.body.items[1].after).toMatchObject({ billableOverride: true, amountCents: 19_200 });
  });
});
