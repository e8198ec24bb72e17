-- A token's rights are its user's role, read at each request; a role copied onto the token at
-- issue outlived a demotion.
ALTER TABLE "api_tokens" DROP COLUMN "role";
