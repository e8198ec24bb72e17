CREATE TABLE "incident_breach_causes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_number" text NOT NULL,
	"seq" integer,
	"cause" text NOT NULL,
	"note" text,
	"actor" text NOT NULL,
	"actor_name" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incident_breach_causes_step_key" UNIQUE("incident_number","seq")
);
--> statement-breakpoint
CREATE TABLE "sla_facts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_number" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"cycle_started_at" timestamp with time zone,
	"at" timestamp with time zone NOT NULL,
	"level" integer,
	"budget_minutes" integer,
	"used_minutes" double precision,
	"due_at" timestamp with time zone,
	"priority" text,
	"policy_id" text,
	"policy_name" text,
	"policy_version" integer,
	"recipients" jsonb,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_facts_step_key" UNIQUE("incident_number","seq","kind","target","at")
);
--> statement-breakpoint
CREATE INDEX "incident_breach_causes_incident_idx" ON "incident_breach_causes" USING btree ("incident_number","id");--> statement-breakpoint
CREATE INDEX "sla_facts_kind_at_idx" ON "sla_facts" USING btree ("kind","at");--> statement-breakpoint
CREATE INDEX "sla_facts_incident_idx" ON "sla_facts" USING btree ("incident_number","target","cycle_started_at","seq");--> statement-breakpoint
CREATE INDEX "sla_facts_level_idx" ON "sla_facts" USING btree ("at") WHERE "sla_facts"."kind" = 'level';--> statement-breakpoint
CREATE INDEX "incident_events_type_occurred_idx" ON "incident_events" USING btree ("type","occurred_at");--> statement-breakpoint
-- Hand-written: the fact log is append-only. (The backfill from the existing timelines runs once
-- after the SQL migrations, in code, as src/db/data-migrations.ts: it needs the business calendar.)
CREATE OR REPLACE FUNCTION sla_facts_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'sla_facts is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation'; END $$;--> statement-breakpoint
CREATE TRIGGER sla_facts_append_only BEFORE UPDATE OR DELETE ON "sla_facts" FOR EACH ROW EXECUTE FUNCTION sla_facts_append_only();--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "data_migrations" ("name" text PRIMARY KEY NOT NULL, "done_at" timestamp with time zone DEFAULT now() NOT NULL);
