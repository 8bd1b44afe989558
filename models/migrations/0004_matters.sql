-- Migration 4: residents' matters (事项): 社情民意, 议事协商, 矛盾调解, 扫码报事, 微心愿.
-- Categories with their deadlines, the register, each matter's steps and its escalations.

CREATE TABLE "matter_category" (
    "id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "domain" VARCHAR(255), "deadline_amount" INTEGER, "deadline_unit" VARCHAR(255), "is_active" INTEGER NOT NULL, "sort_order" INTEGER NOT NULL);
CREATE UNIQUE INDEX "matter_category_kind_name" ON "matter_category" ("kind", "name");

CREATE TABLE "matter" (
    "id" INTEGER NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "number" VARCHAR(255) NOT NULL, "external_no" VARCHAR(255), "kind" VARCHAR(255) NOT NULL, "category_id" INTEGER, "source" VARCHAR(255), "estate_id" INTEGER, "building_id" INTEGER, "grid" VARCHAR(255), "raiser_name" VARCHAR(255), "raiser_phone" VARCHAR(255), "content" TEXT NOT NULL, "received_on" DATE NOT NULL, "deadline_on" DATE, "level" VARCHAR(255) NOT NULL, "state" VARCHAR(255) NOT NULL, "handler_branch_id" INTEGER, "handler_members" VARCHAR(255), "handler_unit" VARCHAR(255), "result" TEXT, "evaluation" VARCHAR(255), "closed_on" DATE, "claimant_kind" VARCHAR(255), "claimant_name" VARCHAR(255), "note" TEXT, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, FOREIGN KEY ("category_id") REFERENCES "matter_category" ("id") ON DELETE RESTRICT, FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE RESTRICT, FOREIGN KEY ("building_id") REFERENCES "building" ("id") ON DELETE RESTRICT, FOREIGN KEY ("handler_branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "matter_number" ON "matter" ("number");
CREATE UNIQUE INDEX "matter_external_no" ON "matter" ("external_no");
CREATE INDEX "matter_kind" ON "matter" ("kind");
CREATE INDEX "matter_category_id" ON "matter" ("category_id");
CREATE INDEX "matter_estate_id" ON "matter" ("estate_id");
CREATE INDEX "matter_building_id" ON "matter" ("building_id");
CREATE INDEX "matter_received_on" ON "matter" ("received_on");
CREATE INDEX "matter_state" ON "matter" ("state");
CREATE INDEX "matter_handler_branch_id" ON "matter" ("handler_branch_id");
CREATE INDEX "matter_closed_on" ON "matter" ("closed_on");
CREATE UNIQUE INDEX "matter_year_kind_seq" ON "matter" ("year", "kind", "seq");

CREATE TABLE "matter_step" (
    "id" INTEGER NOT NULL PRIMARY KEY, "matter_id" INTEGER NOT NULL, "step" VARCHAR(255) NOT NULL, "step_on" DATE NOT NULL, "participants" TEXT, "decision" TEXT, "votes_for" INTEGER, "votes_against" INTEGER, "votes_abstain" INTEGER, "note" TEXT, "created_at" VARCHAR(255) NOT NULL, "created_by" VARCHAR(255), "undone_at" VARCHAR(255), "undone_reason" VARCHAR(255), FOREIGN KEY ("matter_id") REFERENCES "matter" ("id") ON DELETE CASCADE);
CREATE INDEX "matter_step_matter_id" ON "matter_step" ("matter_id");

CREATE TABLE "matter_escalation" (
    "id" INTEGER NOT NULL PRIMARY KEY, "matter_id" INTEGER NOT NULL, "from_level" VARCHAR(255) NOT NULL, "to_level" VARCHAR(255) NOT NULL, "escalated_on" DATE NOT NULL, "reason" VARCHAR(255) NOT NULL, "created_at" VARCHAR(255) NOT NULL, FOREIGN KEY ("matter_id") REFERENCES "matter" ("id") ON DELETE CASCADE);
CREATE INDEX "matter_escalation_matter_id" ON "matter_escalation" ("matter_id");
