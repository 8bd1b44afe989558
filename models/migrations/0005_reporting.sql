-- Migration 5: 在职党员双报到与三单制（报到登记、居民点单、支部下单、党员接单、完成评价）.

CREATE TABLE "reporting_member" (
    "id" INTEGER NOT NULL PRIMARY KEY, "member_id" INTEGER NOT NULL, "work_unit" VARCHAR(255) NOT NULL, "unit_kind" VARCHAR(255) NOT NULL, "unit_party_org" VARCHAR(255), "community_id" INTEGER NOT NULL, "estate_id" INTEGER, "reported_on" DATE NOT NULL, "skills" VARCHAR(255), "posts" VARCHAR(255), "status" VARCHAR(255) NOT NULL, "withdrawn_on" DATE, "note" TEXT, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT, FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT, FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "reporting_member_member_id" ON "reporting_member" ("member_id");
CREATE INDEX "reporting_member_community_id" ON "reporting_member" ("community_id");
CREATE INDEX "reporting_member_estate_id" ON "reporting_member" ("estate_id");
CREATE INDEX "reporting_member_reported_on" ON "reporting_member" ("reported_on");
CREATE INDEX "reporting_member_status" ON "reporting_member" ("status");

CREATE TABLE "reporting_order" (
    "id" INTEGER NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "number" VARCHAR(255) NOT NULL, "content" TEXT NOT NULL, "category" VARCHAR(255), "community_id" INTEGER, "estate_id" INTEGER, "resident_name" VARCHAR(255), "resident_phone" VARCHAR(255), "matter_id" INTEGER, "ordered_on" DATE NOT NULL, "state" VARCHAR(255) NOT NULL, "branch_id" INTEGER, "assigned_on" DATE, "accepted_on" DATE, "done_on" DATE, "minutes" INTEGER, "evaluation" VARCHAR(255), "result" TEXT, "cancelled_on" DATE, "cancel_reason" VARCHAR(255), "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT, FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE RESTRICT, FOREIGN KEY ("matter_id") REFERENCES "matter" ("id") ON DELETE SET NULL, FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "reporting_order_number" ON "reporting_order" ("number");
CREATE INDEX "reporting_order_community_id" ON "reporting_order" ("community_id");
CREATE INDEX "reporting_order_estate_id" ON "reporting_order" ("estate_id");
CREATE INDEX "reporting_order_matter_id" ON "reporting_order" ("matter_id");
CREATE INDEX "reporting_order_ordered_on" ON "reporting_order" ("ordered_on");
CREATE INDEX "reporting_order_state" ON "reporting_order" ("state");
CREATE INDEX "reporting_order_branch_id" ON "reporting_order" ("branch_id");
CREATE INDEX "reporting_order_done_on" ON "reporting_order" ("done_on");
CREATE UNIQUE INDEX "reporting_order_year_seq" ON "reporting_order" ("year", "seq");

CREATE TABLE "reporting_order_member" (
    "id" INTEGER NOT NULL PRIMARY KEY, "order_id" INTEGER NOT NULL, "member_id" INTEGER NOT NULL, "accepted_on" DATE, FOREIGN KEY ("order_id") REFERENCES "reporting_order" ("id") ON DELETE CASCADE, FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT);
CREATE INDEX "reporting_order_member_order_id" ON "reporting_order_member" ("order_id");
CREATE INDEX "reporting_order_member_member_id" ON "reporting_order_member" ("member_id");
CREATE UNIQUE INDEX "reporting_order_member_order_id_member_id" ON "reporting_order_member" ("order_id", "member_id");
