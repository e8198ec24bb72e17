CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"language" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_number" text NOT NULL,
	"name" text NOT NULL,
	"mail_domains" text[] DEFAULT '{}' NOT NULL,
	"language" text DEFAULT 'de' NOT NULL,
	"credit_hold" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_customerNumber_unique" UNIQUE("customer_number")
);
--> statement-breakpoint
CREATE TABLE "business_calendars" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL,
	"week" jsonb NOT NULL,
	"holiday_region" text,
	"closed_dates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"special_days" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "business_calendars_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"tier" text,
	"calendar_id" uuid NOT NULL,
	"targets" jsonb NOT NULL,
	"escalation" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_policies_name_unique" UNIQUE("name"),
	CONSTRAINT "sla_policies_tier_unique" UNIQUE("tier")
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"serial_number" text NOT NULL,
	"ident_number" text,
	"product" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"contract_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assets_serialNumber_unique" UNIQUE("serial_number"),
	CONSTRAINT "assets_identNumber_unique" UNIQUE("ident_number")
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contract_number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"tier" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"covers_all_assets" boolean DEFAULT false NOT NULL,
	"sla_policy_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contracts_contractNumber_unique" UNIQUE("contract_number")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"group_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "incident_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_number" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"actor_name" text NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "incident_events_incidentNumber_seq_unique" UNIQUE("incident_number","seq")
);
--> statement-breakpoint
CREATE TABLE "incident_intakes" (
	"number" text PRIMARY KEY NOT NULL,
	"request" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"workflow_started_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "incident_number_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last_value" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"number" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"customer_number" text,
	"contact_id" uuid,
	"contact_email" text,
	"asset_id" uuid,
	"serial_number" text,
	"contract_id" uuid,
	"contract_tier" text,
	"sla_policy_id" uuid,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"channel" text NOT NULL,
	"impact" text,
	"urgency" text,
	"priority" text NOT NULL,
	"status" text NOT NULL,
	"assignee_id" uuid,
	"assignee_name" text,
	"assigned_group" text,
	"resolution" text,
	"first_response_due_at" timestamp with time zone,
	"next_response_due_at" timestamp with time zone,
	"resolution_due_at" timestamp with time zone,
	"escalation_level" integer DEFAULT 0 NOT NULL,
	"sla_breached" boolean DEFAULT false NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_sla_policy_id_sla_policies_id_fk" FOREIGN KEY ("sla_policy_id") REFERENCES "public"."sla_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_number_incidents_number_fk" FOREIGN KEY ("incident_number") REFERENCES "public"."incidents"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contacts_customer_id_index" ON "contacts" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "assets_customer_id_index" ON "assets" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "contracts_customer_id_index" ON "contracts" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "incidents_status_index" ON "incidents" USING btree ("status");--> statement-breakpoint
CREATE INDEX "incidents_customer_number_index" ON "incidents" USING btree ("customer_number");--> statement-breakpoint
CREATE INDEX "incidents_priority_index" ON "incidents" USING btree ("priority");--> statement-breakpoint
CREATE INDEX "incidents_received_at_index" ON "incidents" USING btree ("received_at");