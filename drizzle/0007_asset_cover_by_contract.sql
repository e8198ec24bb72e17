-- Asset cover moves from one pointer per asset to a list per contract (renewals list the same asset again).
INSERT INTO "contract_assets" ("contract_id", "asset_id") SELECT "contract_id", "id" FROM "assets" WHERE "contract_id" IS NOT NULL ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Every contract has its support project; contracts from before projects get one now.
INSERT INTO "projects" ("project_number", "contract_id", "customer_id", "kind", "name") SELECT 'P-' || "contract_number", "id", "customer_id", 'support', 'Support ' || "contract_number" FROM "contracts" ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "assets" DROP CONSTRAINT "assets_contract_id_contracts_id_fk";
--> statement-breakpoint
ALTER TABLE "assets" DROP COLUMN "contract_id";