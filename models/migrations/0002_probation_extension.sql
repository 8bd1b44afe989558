-- Migration 2: 延长预备期 (an extended probation of a 预备党员, at most one more year).
-- The new end of the probation and the reason; empty for every existing member.
ALTER TABLE "member" ADD COLUMN "probation_extended_to" DATE;
ALTER TABLE "member" ADD COLUMN "probation_extension_reason" VARCHAR(255);
