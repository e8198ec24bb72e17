ALTER TABLE "incidents" ADD COLUMN "sla_policy" jsonb;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "sla_clocks" jsonb;