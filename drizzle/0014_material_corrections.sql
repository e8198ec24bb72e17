CREATE TABLE "material_entry_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"material_entry_id" uuid NOT NULL,
	"incident_number" text NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"actor_name" text NOT NULL,
	"reason" text NOT NULL,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "material_entries" ADD COLUMN "override_reason" text;--> statement-breakpoint
ALTER TABLE "material_entries" ADD COLUMN "override_by" text;--> statement-breakpoint
ALTER TABLE "material_entries" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "material_entries" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
-- Entries booked before this migration were never changed since.
UPDATE "material_entries" SET "updated_at" = "created_at";--> statement-breakpoint
ALTER TABLE "material_entry_events" ADD CONSTRAINT "material_entry_events_material_entry_id_material_entries_id_fk" FOREIGN KEY ("material_entry_id") REFERENCES "public"."material_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "material_entry_events_material_entry_id_index" ON "material_entry_events" USING btree ("material_entry_id");--> statement-breakpoint
CREATE INDEX "material_entry_events_incident_number_index" ON "material_entry_events" USING btree ("incident_number");--> statement-breakpoint
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_amount" CHECK ("material_entries"."quantity" > 0 and "material_entries"."unit_price_cents" >= 0 and "material_entries"."amount_cents"::bigint = "material_entries"."quantity"::bigint * "material_entries"."unit_price_cents");