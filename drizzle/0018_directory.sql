CREATE TABLE "staff_groups" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- The groups in use become the known groups, so existing users and incidents keep theirs.
INSERT INTO "staff_groups" ("name")
  SELECT "group_name" FROM "users" WHERE "group_name" IS NOT NULL
  UNION SELECT "assigned_group" FROM "incidents" WHERE "assigned_group" IS NOT NULL
  ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_group_name_staff_groups_name_fk" FOREIGN KEY ("group_name") REFERENCES "public"."staff_groups"("name") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
DO $$
DECLARE clash text;
BEGIN
  -- E-mail is unique regardless of case from now on; say which users clash rather than fail on the index.
  SELECT string_agg(emails, '; ') INTO clash FROM (
    SELECT string_agg("email", ', ' ORDER BY "email") AS emails FROM "users" GROUP BY lower("email") HAVING count(*) > 1
  ) d;
  IF clash IS NOT NULL THEN
    RAISE EXCEPTION 'users with the same e-mail in different case: %; give each a distinct e-mail (UPDATE users SET email = ...) and start again', clash;
  END IF;
END $$;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_idx" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "users_group_idx" ON "users" USING btree ("group_name");