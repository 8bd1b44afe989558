-- Migration 3: accounts lock after five wrong passwords (SPEC §10).
-- The count of wrong passwords in a row and the time the lock ends; both survive a restart.
ALTER TABLE "account" ADD COLUMN "failed_logins" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "account" ADD COLUMN "locked_until" VARCHAR(255);
