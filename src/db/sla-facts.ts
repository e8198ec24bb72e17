// Writing SLA facts (src/domain/sla-facts.ts), for the projection activity and the backfill.
import type { Db, Tx } from './client.js';
import { slaFacts } from './schema/index.js';
import type { SlaFact } from '../domain/sla-facts.js';

/** Appends the facts of one timeline step; a fact already written (a retry) is left as it is. */
export async function insertFacts(tx: Tx | Db, number: string, seq: number, facts: SlaFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx
    .insert(slaFacts)
    .values(
      facts.map((f) => ({
        incidentNumber: number,
        seq,
        kind: f.kind,
        target: f.target,
        cycleStartedAt: f.cycleStartedAt ? new Date(f.cycleStartedAt) : null,
        at: new Date(f.at),
        level: f.level,
        budgetMinutes: f.budgetMinutes,
        usedMinutes: f.usedMinutes,
        dueAt: f.dueAt ? new Date(f.dueAt) : null,
        priority: f.priority,
        policyId: f.policyId,
        policyName: f.policyName,
        policyVersion: f.policyVersion,
        recipients: f.recipients,
      })),
    )
    .onConflictDoNothing();
}
