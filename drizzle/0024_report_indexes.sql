-- Hand-written: indexes the reports read by (bench/reports). The final ends of a period come from
-- the index alone; whether a later fact of the same cycle exists is a lookup that reads no rows.
CREATE INDEX IF NOT EXISTS "sla_facts_ends_idx" ON "sla_facts" USING btree ("at") INCLUDE ("incident_number", "target", "cycle_started_at", "seq", "kind", "used_minutes", "priority") WHERE "kind" IN ('met', 'breached');--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sla_facts_cycle_kind_idx" ON "sla_facts" USING btree ("incident_number", "target", "cycle_started_at", "seq") INCLUDE ("kind");--> statement-breakpoint
DROP INDEX IF EXISTS "sla_facts_incident_idx";
