ALTER TABLE "sla_policies" ADD COLUMN "pause_on_pending_change" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD COLUMN "callback_minutes" integer;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "parent_number" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "follow_ups" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "incidents_parent_number_index" ON "incidents" USING btree ("parent_number");