CREATE TABLE "material_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"contract_id" uuid,
	"project_id" uuid,
	"work_date" date NOT NULL,
	"follow_up_workflow_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"article_number" text NOT NULL,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_cents" integer NOT NULL,
	"amount_cents" integer NOT NULL,
	"billable" boolean DEFAULT true NOT NULL,
	"invoiced_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "material_entries_followUpWorkflowId_lineNo_unique" UNIQUE("follow_up_workflow_id","line_no")
);
--> statement-breakpoint
ALTER TABLE "invoice_lines" ALTER COLUMN "time_entry_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_lines" ALTER COLUMN "activity_type" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_lines" ALTER COLUMN "rate_cents" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "material_entry_id" uuid;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "article_number" text;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "quantity" integer;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "unit_price_cents" integer;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "follow_up_workflow_id" text;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "follow_up_line_no" integer;--> statement-breakpoint
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "material_entries_incident_number_index" ON "material_entries" USING btree ("incident_number");--> statement-breakpoint
CREATE INDEX "material_entries_customer_id_work_date_index" ON "material_entries" USING btree ("customer_id","work_date");--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_material_entry_id_material_entries_id_fk" FOREIGN KEY ("material_entry_id") REFERENCES "public"."material_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_materialEntryId_unique" UNIQUE("material_entry_id");--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_followUpWorkflowId_followUpLineNo_unique" UNIQUE("follow_up_workflow_id","follow_up_line_no");--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_one_entry" CHECK (num_nonnulls("invoice_lines"."time_entry_id", "invoice_lines"."material_entry_id") = 1);