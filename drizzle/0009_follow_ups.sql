CREATE TABLE "follow_up_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"actor_name" text NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "follow_up_events_workflowId_seq_unique" UNIQUE("workflow_id","seq")
);
--> statement-breakpoint
CREATE TABLE "follow_ups" (
	"workflow_id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"incident_number" text,
	"customer_number" text,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"ended" boolean DEFAULT false NOT NULL,
	"assignee_id" uuid,
	"due_at" timestamp with time zone,
	"details" jsonb NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "follow_up_events" ADD CONSTRAINT "follow_up_events_workflow_id_follow_ups_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."follow_ups"("workflow_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "follow_ups_incident_number_index" ON "follow_ups" USING btree ("incident_number");--> statement-breakpoint
CREATE INDEX "follow_ups_kind_ended_index" ON "follow_ups" USING btree ("kind","ended");--> statement-breakpoint
CREATE INDEX "follow_ups_due_at_index" ON "follow_ups" USING btree ("due_at");