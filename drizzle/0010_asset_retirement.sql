ALTER TABLE "assets" ADD COLUMN "retired_on" date;--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "retired_by" text;