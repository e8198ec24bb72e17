// Golden figures for the SLA, escalation and breach-cause reports, computed by hand below, on
// incidents driven through the domain's own steps and recorded by the real projection activity
// (so the fact log is what the workflows write) into a real Postgres. The fixture crosses the
// Berlin spring DST change (29 Mar 2026), the DE-NW Easter holidays (Good Friday 3 Apr, Easter
// Monday 6 Apr) and a pending pause; and every figure is checked, incident by incident, against
// what the incident's own view (its SLA picture) says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createIncidentProjectionActivities } from '../../src/activities/incident-projection.js';
import type { Database } from '../../src/db/client.js';
import { incidentSlaPicture } from '../../src/domain/incident/sla.js';
import type { IncidentState } from '../../src/domain/incident/state.js';
import { resume, setPending } from '../../src/domain/incident/lifecycle.js';
import { validateResolveRequest } from '../../src/domain/incident/breach.js';
import type { SlaPolicySnapshot } from '../../src/domain/sla.js';
import { slaReport, slaTargetEnds } from '../../src/services/reports/sla-report.js';
import { escalationCsvRows, escalationReport } from '../../src/services/reports/escalation-report.js';
import { breachCauseReport, correctBreachCause } from '../../src/services/reports/breach-causes.js';
import { backfillSlaFacts } from '../../src/db/data-migrations.js';
import { createTestDatabase } from '../support/database.js';
import { driveIncident, fixtureAgent, gold, platinum, replied, resolved, silver, type Step } from '../support/sla-fixture.js';

const agent = fixtureAgent;
const now = new Date('2026-04-10T12:00:00Z');

let database: Database;
const finals = new Map<string, IncidentState>();
async function drive(number: string, policy: SlaPolicySnapshot, group: string, receivedAt: string, steps: Step[]) {
  finals.set(number, await driveIncident(database.db, number, policy, group, receivedAt, steps, now));
}
const ctx = (at: Date) => ({ actor: agent, at });

beforeAll(async () => {
  database = await createTestDatabase();
  // G1 Gold, received Fri 27 Mar 15:00 CET; the weekend brings the DST change.
  //   First response due: Fri 15–17 (120) + Mon 30 Mar 08:00–10:00 CEST (120) = Mon 08:00Z.
  //   Replied Mon 09:30 CEST: 120 + 90 = 210 min, met. Resolved Mon 16:00 CEST: 120 + 480 = 600 of 1620, met.
  await drive('INC-2026-000101', gold, '1st-level', '2026-03-27T14:00:00Z', [
    ['2026-03-30T07:30:00Z', replied],
    ['2026-03-30T14:00:00Z', resolved()],
  ]);
  // G2 Gold, received Thu 2 Apr 12:00 CEST; Good Friday and Easter Monday are DE-NW holidays.
  //   First response due Thu 16:00 CEST (14:00Z); warning at 75 % = 180 min: Thu 15:00 CEST (13:00Z).
  //   Replied Tue 7 Apr 09:00 CEST: Thu 300 + Tue 60 = 360 min, breached; management (150 % = 360
  //   min) is reached that very instant, just before the reply brings the level down.
  //   Resolved Wed 8 Apr 17:00 CEST: Thu 300 + Tue 540 + Wed 540 = 1380 of 1620, met. Cause: capacity.
  await drive('INC-2026-000102', gold, 'network', '2026-04-02T10:00:00Z', [
    ['2026-04-07T07:00:00Z', replied],
    ['2026-04-08T15:00:00Z', resolved('capacity')],
  ]);
  // G3 Gold, received Mon 23 Mar 09:00 CET. Replied 10:00 (60 min, met). Waiting on the customer
  //   Mon 11:00 CET to Tue 24 Mar 11:00 CET (540 business minutes paused). Resolved Thu 26 Mar
  //   15:00 CET: Mon 120 + Tue 360 + Wed 540 + Thu 420 = 1440 of 1620, met (1980 without the pause).
  await drive('INC-2026-000103', gold, '1st-level', '2026-03-23T08:00:00Z', [
    ['2026-03-23T09:00:00Z', replied],
    ['2026-03-23T10:00:00Z', (s, at) => setPending(s, { reason: 'Waiting for the log files.' }, ctx(at))],
    ['2026-03-24T10:00:00Z', (s, at) => resume(s, {}, ctx(at))],
    ['2026-03-26T14:00:00Z', resolved()],
  ]);
  // P1 Platinum 24x7, received Sun 29 Mar 01:30 CET (00:30Z), across the jump to 03:00 CEST:
  //   business time is real time. Replied 03:20 CEST (01:20Z): 50 min of 60, met (the wall clock
  //   says 110). Resolved 06:40 CEST (04:40Z): 250 of 240 min, breached. Cause: waiting_on_vendor.
  await drive('INC-2026-000104', platinum, 'network', '2026-03-29T00:30:00Z', [
    ['2026-03-29T01:20:00Z', replied],
    ['2026-03-29T04:40:00Z', resolved('waiting_on_vendor')],
  ]);
  // P2 Platinum, received Easter Monday 6 Apr 10:00Z (24x7 knows no holidays). Replied 10:30Z
  //   (30 min, met). Still open on 10 Apr: resolution was due 14:00Z on 6 Apr: open and breached.
  await drive('INC-2026-000105', platinum, 'network', '2026-04-06T10:00:00Z', [['2026-04-06T10:30:00Z', replied]]);
  // S1 Silver, received Wed 1 Apr 16:00 CEST. First response due Thu 2 Apr 15:00 CEST (60 + 420).
  //   Replied Thu 16:30 CEST: 60 + 510 = 570 of 480 min, breached. Resolution (2700 min) is due Fri
  //   10 Apr 16:00 CEST (Wed 60, Thu 540, two holidays, Tue–Thu 1620, Fri 480): open, not yet breached.
  await drive('INC-2026-000106', silver, 'none-yet', '2026-04-01T14:00:00Z', [['2026-04-02T14:30:00Z', replied]]);
});
afterAll(async () => database?.close());

const period = { from: '2026-03-23', to: '2026-04-12', timezone: 'Europe/Berlin' };

describe('the SLA report, golden figures', () => {
  it('per tier: ended, met, breached, compliance, median and p90, open breached', async () => {
    const report = await slaReport(database.db, period, 'tier', now);
    const byTier = Object.fromEntries(report.groups.map((g) => [g.key, g.targets]));
    // Gold first response: 210 (met), 360 (breached), 60 (met): median 210; p90 = 210 + 0.8 × 150 = 330.
    expect(byTier.gold!.firstResponse).toEqual({ ended: 3, met: 2, breached: 1, compliancePercent: 66.7, medianBusinessMinutes: 210, p90BusinessMinutes: 330, openBreached: 0 });
    // Gold resolution: 600, 1380, 1440, all met: median 1380; p90 = 1380 + 0.8 × 60 = 1428.
    expect(byTier.gold!.resolution).toEqual({ ended: 3, met: 3, breached: 0, compliancePercent: 100, medianBusinessMinutes: 1380, p90BusinessMinutes: 1428, openBreached: 0 });
    // Platinum first response: 50 and 30, met: median 40, p90 = 30 + 0.9 × 20 = 48.
    expect(byTier.platinum!.firstResponse).toEqual({ ended: 2, met: 2, breached: 0, compliancePercent: 100, medianBusinessMinutes: 40, p90BusinessMinutes: 48, openBreached: 0 });
    // Platinum resolution: P1's 250 breached; P2's open and past due.
    expect(byTier.platinum!.resolution).toEqual({ ended: 1, met: 0, breached: 1, compliancePercent: 0, medianBusinessMinutes: 250, p90BusinessMinutes: 250, openBreached: 1 });
    expect(byTier.silver!.firstResponse).toMatchObject({ ended: 1, met: 0, breached: 1, medianBusinessMinutes: 570 });
    expect(byTier.silver!.resolution).toMatchObject({ ended: 0, openBreached: 0, compliancePercent: null });
    expect(report.totals.firstResponse).toMatchObject({ ended: 6, met: 4, breached: 2, compliancePercent: 66.7 });
    expect(report.totals.resolution).toMatchObject({ ended: 4, met: 3, breached: 1, compliancePercent: 75, openBreached: 1 });
    expect(report.totals.nextResponse.ended).toBe(0);
  });

  it('per group', async () => {
    const report = await slaReport(database.db, period, 'group', now);
    const byGroup = Object.fromEntries(report.groups.map((g) => [g.key, g.targets]));
    expect(byGroup['1st-level']!.firstResponse).toMatchObject({ ended: 2, met: 2, breached: 0 });
    expect(byGroup['1st-level']!.resolution).toMatchObject({ ended: 2, met: 2, breached: 0 });
    // network: G2 (breached), P1 and P2 (met); resolution G2 met, P1 breached.
    expect(byGroup.network!.firstResponse).toMatchObject({ ended: 3, met: 2, breached: 1, compliancePercent: 66.7 });
    expect(byGroup.network!.resolution).toMatchObject({ ended: 2, met: 1, breached: 1, compliancePercent: 50, openBreached: 1 });
  });

  it('a period that ends before a target does not count it', async () => {
    // 23–27 March holds G3's ends only (G1 ended on 30 March, P1 on 29 March).
    const report = await slaReport(database.db, { ...period, to: '2026-03-27' }, 'tier', now);
    expect(report.totals.firstResponse).toMatchObject({ ended: 1, met: 1 });
    expect(report.totals.resolution).toMatchObject({ ended: 1, met: 1 });
  });

  it('agrees, incident by incident, with each incident\'s own view', async () => {
    const ends = await slaTargetEnds(database.db, period, { groupBy: 'tier' }, { limit: 100, offset: 0 });
    const fromReport = ends.items.map((e) => `${e.incidentNumber} ${e.target} ${e.outcome} ${e.usedBusinessMinutes}`).sort();
    const fromViews = [...finals.values()]
      .flatMap((s) =>
        // The targets that ended (stopped clocks); a running one past due is open, not ended.
        (incidentSlaPicture(s, now)?.clocks ?? []).filter((c) => s.clocks?.[c.target]?.stoppedAt).map((c) => `${s.number} ${c.target} ${c.state} ${Math.round(c.elapsedMinutes * 10) / 10}`),
      )
      .sort();
    expect(fromReport).toEqual(fromViews);
    expect(fromReport).toHaveLength(10);
  });

  it('the escalation report lists the levels with their exact instants and the cause', async () => {
    const report = await escalationReport(database.db, { ...period, minLevel: 1 }, { limit: 50, offset: 0 }, now);
    const g2 = report.incidents.find((i) => i.number === 'INC-2026-000102')!;
    expect(g2.levels.map((l) => [l.level, l.reachedAt, l.target])).toEqual([
      [1, '2026-04-02T13:00:00.000Z', 'firstResponse'],
      [2, '2026-04-02T14:00:00.000Z', 'firstResponse'],
      [3, '2026-04-07T07:00:00.000Z', 'firstResponse'],
      // The resolution's warning at 75 % of 1620 = 1215 min: Thu 300 + Tue 540 + Wed 375 = Wed 14:15 CEST.
      [1, '2026-04-08T12:15:00.000Z', 'resolution'],
    ]);
    // Level 1 lasted an hour, level 2 until level 3 at the reply's instant, which brought it down at
    // once; the resolution's warning until the resolve at 15:00Z.
    expect(g2.levels.map((l) => l.minutesAtLevel)).toEqual([60, (Date.parse('2026-04-07T07:00:00Z') - Date.parse('2026-04-02T14:00:00Z')) / 60_000, 0, 165]);
    expect(g2.breachCause).toEqual({ cause: 'capacity', note: null });
    // Incidents that reached level 2, not level changes: each counts once.
    const level2 = report.byGroup.reduce((n, g) => n + g.level2Incidents, 0);
    expect(level2).toBe(new Set(report.incidents.filter((i) => i.highestLevel >= 2).map((i) => i.number)).size);
  });

  it('the escalation CSV pages through every incident once, however small the pages', async () => {
    const rows = async (batch: number) => {
      const out: string[] = [];
      for await (const row of escalationCsvRows(database.db, { ...period, minLevel: 1 }, batch, now)) out.push(row.join('|'));
      return out;
    };
    const whole = await rows(500);
    expect(new Set(whole.map((r) => r.split('|')[0])).size).toBeGreaterThanOrEqual(3);
    expect(await rows(1)).toEqual(whole);
  });

  it('breach causes: given at the resolve, corrected later', async () => {
    const before = await breachCauseReport(database.db, period);
    expect(before.causes).toEqual([
      { cause: 'capacity', incidents: 1, percent: 33.3 },
      { cause: 'waiting_on_vendor', incidents: 1, percent: 33.3 },
    ]);
    // S1 breached its first response but is not resolved: no cause yet, and it counts in the period.
    expect(before.withoutCause).toBe(1);
    expect(before.breachedIncidents).toBe(3);
    await correctBreachCause(database.db, 'INC-2026-000102', { cause: 'misrouted' }, agent);
    const after = await breachCauseReport(database.db, period);
    expect(after.causes.map((c) => c.cause).sort()).toEqual(['misrouted', 'waiting_on_vendor']);
  });

  it('resolving a breached incident without a cause is refused, naming the field', () => {
    const s = finals.get('INC-2026-000106')!;
    expect(() => validateResolveRequest(s, { resolution: 'Done.', actor: agent }, now)).toThrow(/breachCause is required/);
    // A contact closing their own request in the portal cannot give one: not asked.
    expect(() => validateResolveRequest(s, { resolution: 'Done.', actor: { id: 'contact:x@example.com', name: 'X' } }, now)).not.toThrow();
  });

  it('the backfill derives the same verdicts from the projection alone', async () => {
    // Rebuild in this database: a second log from the projection and timelines, compared by verdict.
    const live = await database.db.execute<{ n: string; t: string; k: string; at: string }>(
      sql`select incident_number as n, target as t, kind as k, to_json(at) #>> '{}' as at from sla_facts where kind in ('met', 'breached') order by 1, 2`,
    );
    await database.db.execute(sql`alter table sla_facts disable trigger sla_facts_append_only`);
    await database.db.execute(sql`create table live_facts as select * from sla_facts`);
    await database.db.execute(sql`delete from sla_facts`);
    await database.db.execute(sql`alter table sla_facts enable trigger sla_facts_append_only`);
    await backfillSlaFacts(database.db);
    const rebuilt = await database.db.execute<{ n: string; t: string; k: string; at: string }>(
      sql`select incident_number as n, target as t, kind as k, to_json(at) #>> '{}' as at from sla_facts where kind in ('met', 'breached') order by 1, 2`,
    );
    expect(rebuilt.map((r) => `${r.n} ${r.t} ${r.k} ${r.at}`)).toEqual(live.map((r) => `${r.n} ${r.t} ${r.k} ${r.at}`));
    const levels = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from sla_facts where kind = 'level'`);
    const liveLevels = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from live_facts where kind = 'level'`);
    expect(levels[0]!.n).toBe(liveLevels[0]!.n);
  });

  it('a retried step, or an older one delivered late, writes no fact twice', async () => {
    const { recordIncidentEvent } = createIncidentProjectionActivities({ db: database.db });
    const count = async () => (await database.db.execute<{ n: number }>(sql`select count(*)::int as n from sla_facts where incident_number = 'INC-2026-000104'`))[0]!.n;
    const before = await count();
    const events = await database.db.execute<{ seq: number; type: string; payload: Record<string, unknown>; at: string }>(
      sql`select seq, type, payload, to_json(occurred_at) #>> '{}' as at from incident_events where incident_number = 'INC-2026-000104' order by seq`,
    );
    const state = finals.get('INC-2026-000104')!;
    // Every step again, each as the workflow would retry it, last state included.
    for (const e of events) {
      await recordIncidentEvent({ incident: { ...state, seq: e.seq }, event: { seq: e.seq, type: e.type as 'created', actor: agent, at: new Date(e.at).toISOString(), payload: e.payload } });
    }
    expect(await count()).toBe(before);
  });

  it('the log is append-only', async () => {
    const refusal = async (statement: Promise<unknown>) => statement.then(() => 'accepted', (err: Error) => String((err.cause as Error | undefined)?.message ?? err.message));
    expect(await refusal(database.db.execute(sql`update sla_facts set at = now()`))).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(database.db.execute(sql`delete from sla_facts`))).toMatch(/append-only: DELETE refused/);
  });
});
