// Data migrations that SQL alone cannot do (they need the domain's business-calendar arithmetic).
// Each runs once, after the SQL migrations, under an advisory lock, and is recorded by name in
// data_migrations (created by migration 0021), so every process may call them at start-up.
import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { incidentEvents, incidents } from './schema/index.js';
import { slaFactsOf } from '../domain/sla-facts.js';
import { insertFacts } from './sla-facts.js';

interface DataMigration {
  name: string;
  run(db: Db): Promise<void>;
}

const dataMigrations: DataMigration[] = [{ name: '0021_sla_facts_backfill', run: backfillSlaFacts }];

export async function runDataMigrations(db: Db): Promise<void> {
  for (const migration of dataMigrations) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('helpdesk:data-migrations'))`);
      const done = await tx.execute(sql`select 1 from data_migrations where name = ${migration.name}`);
      if (done.length > 0) return;
      await migration.run(tx);
      await tx.execute(sql`insert into data_migrations (name) values (${migration.name})`);
    });
  }
}

/**
 * The SLA fact log for incidents recorded before it existed: their clocks as the projection holds
 * them (start, pauses, end with its verdict, the overdue instants passed) under seq 0, and a level
 * fact for each escalation change of their timelines, with its exact instant, under its seq.
 */
export async function backfillSlaFacts(db: Db): Promise<void> {
  const now = new Date().toISOString();
  let after = '';
  for (;;) {
    const batch = await db
      .select({ number: incidents.number, priority: incidents.priority, sla: incidents.slaPolicy, clocks: incidents.slaClocks, fr: incidents.firstResponseDueAt, nr: incidents.nextResponseDueAt, rs: incidents.resolutionDueAt })
      .from(incidents)
      .where(and(gt(incidents.number, after), isNotNull(incidents.slaPolicy)))
      .orderBy(asc(incidents.number))
      .limit(500);
    if (batch.length === 0) return;
    for (const row of batch) {
      const state = {
        sla: row.sla ?? undefined,
        clocks: row.clocks ?? undefined,
        priority: row.priority,
        due: { firstResponse: row.fr?.toISOString() ?? null, nextResponse: row.nr?.toISOString() ?? null, resolution: row.rs?.toISOString() ?? null },
      };
      await insertFacts(db, row.number, 0, slaFactsOf(null, state, { type: 'backfill', at: now, payload: {} }));
      const changes = await db
        .select({ seq: incidentEvents.seq, payload: incidentEvents.payload, at: incidentEvents.occurredAt })
        .from(incidentEvents)
        .where(and(eq(incidentEvents.incidentNumber, row.number), eq(incidentEvents.type, 'escalation_changed')));
      for (const change of changes) {
        const levels = slaFactsOf(null, state, { type: 'escalation_changed', at: change.at.toISOString(), payload: change.payload }).filter((f) => f.kind === 'level');
        await insertFacts(db, row.number, change.seq, levels);
      }
    }
    after = batch[batch.length - 1]!.number;
  }
}
