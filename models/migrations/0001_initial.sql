-- Migration 1: the whole schema of wanghu-desk 0.1.
-- Frozen: never edit this file once released; later changes are new migrations.
-- tests/test_models.py checks that models/tables.py still agrees with the schema
-- that the migrations build.

CREATE TABLE "community" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "address" VARCHAR(255), "phone" VARCHAR(255), "sort_order" INTEGER NOT NULL);
CREATE UNIQUE INDEX "community_name" ON "community" ("name");

CREATE TABLE "organization" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "area_name" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "parent_id" INTEGER, "community_id" INTEGER, "secretary" VARCHAR(255), "phone" VARCHAR(255), "sort_order" INTEGER NOT NULL,
    FOREIGN KEY ("parent_id") REFERENCES "organization" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "organization_name" ON "organization" ("name");
CREATE INDEX "organization_parent_id" ON "organization" ("parent_id");
CREATE INDEX "organization_community_id" ON "organization" ("community_id");

CREATE TABLE "estate" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "community_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "households" INTEGER NOT NULL, "address" VARCHAR(255), "property_company" VARCHAR(255), "property_contact" VARCHAR(255), "property_phone" VARCHAR(255), "owners_committee" VARCHAR(255), "owners_committee_contact" VARCHAR(255), "owners_committee_phone" VARCHAR(255), "sort_order" INTEGER NOT NULL,
    FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "estate_name" ON "estate" ("name");
CREATE INDEX "estate_community_id" ON "estate" ("community_id");

CREATE TABLE "building" (
    "id" INTEGER NOT NULL PRIMARY KEY, "estate_id" INTEGER NOT NULL, "number" VARCHAR(255) NOT NULL, "units" INTEGER NOT NULL, "households" INTEGER NOT NULL,
    FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE RESTRICT);
CREATE INDEX "building_estate_id" ON "building" ("estate_id");
CREATE UNIQUE INDEX "building_estate_id_number" ON "building" ("estate_id", "number");

CREATE TABLE "branch" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "full_name" VARCHAR(255), "category" VARCHAR(255) NOT NULL, "organization_id" INTEGER, "community_id" INTEGER, "secretary" VARCHAR(255), "phone" VARCHAR(255), "founded_on" DATE, "status" VARCHAR(255) NOT NULL, "dissolved_on" DATE, "note" TEXT, "sort_order" INTEGER NOT NULL,
    FOREIGN KEY ("organization_id") REFERENCES "organization" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "branch_name" ON "branch" ("name");
CREATE UNIQUE INDEX "branch_full_name" ON "branch" ("full_name");
CREATE INDEX "branch_category" ON "branch" ("category");
CREATE INDEX "branch_organization_id" ON "branch" ("organization_id");
CREATE INDEX "branch_community_id" ON "branch" ("community_id");
CREATE INDEX "branch_status" ON "branch" ("status");

CREATE TABLE "branch_alias" (
    "id" INTEGER NOT NULL PRIMARY KEY, "branch_id" INTEGER NOT NULL, "alias" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE CASCADE);
CREATE INDEX "branch_alias_branch_id" ON "branch_alias" ("branch_id");
CREATE UNIQUE INDEX "branch_alias_alias" ON "branch_alias" ("alias");

CREATE TABLE "branch_estate" (
    "id" INTEGER NOT NULL PRIMARY KEY, "branch_id" INTEGER NOT NULL, "estate_id" INTEGER NOT NULL,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE RESTRICT);
CREATE INDEX "branch_estate_branch_id" ON "branch_estate" ("branch_id");
CREATE INDEX "branch_estate_estate_id" ON "branch_estate" ("estate_id");
CREATE UNIQUE INDEX "branch_estate_branch_id_estate_id" ON "branch_estate" ("branch_id", "estate_id");

CREATE TABLE "member" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "name_initials" VARCHAR(255) NOT NULL, "gender" VARCHAR(255), "ethnicity" VARCHAR(255), "birth_date" DATE, "id_number" VARCHAR(255) NOT NULL, "education" VARCHAR(255), "category" VARCHAR(255) NOT NULL, "joined_on" DATE, "confirmed_on" DATE, "branch_id" INTEGER NOT NULL, "employer" VARCHAR(255), "phone" VARCHAR(255), "address" VARCHAR(255), "status" VARCHAR(255) NOT NULL, "status_changed_on" DATE, "status_note" VARCHAR(255), "is_lost_contact" INTEGER NOT NULL, "is_floating" INTEGER NOT NULL, "is_center_household" INTEGER NOT NULL, "reported_at_residence" INTEGER NOT NULL, "note" TEXT, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "group_id" INTEGER,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("group_id") REFERENCES "building_group" ("id") ON DELETE SET NULL);
CREATE INDEX "member_name" ON "member" ("name");
CREATE INDEX "member_name_initials" ON "member" ("name_initials");
CREATE UNIQUE INDEX "member_id_number" ON "member" ("id_number");
CREATE INDEX "member_category" ON "member" ("category");
CREATE INDEX "member_branch_id" ON "member" ("branch_id");
CREATE INDEX "member_phone" ON "member" ("phone");
CREATE INDEX "member_status" ON "member" ("status");
CREATE INDEX "member_group_id" ON "member" ("group_id");

CREATE TABLE "building_group" (
    "id" INTEGER NOT NULL PRIMARY KEY, "branch_id" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "leader_id" INTEGER, "status" VARCHAR(255) NOT NULL, "note" TEXT, "sort_order" INTEGER NOT NULL,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("leader_id") REFERENCES "member" ("id") ON DELETE SET NULL);
CREATE INDEX "building_group_branch_id" ON "building_group" ("branch_id");
CREATE INDEX "building_group_leader_id" ON "building_group" ("leader_id");
CREATE UNIQUE INDEX "building_group_branch_id_name" ON "building_group" ("branch_id", "name");

CREATE TABLE "building_group_building" (
    "id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "building_id" INTEGER NOT NULL,
    FOREIGN KEY ("group_id") REFERENCES "building_group" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("building_id") REFERENCES "building" ("id") ON DELETE RESTRICT);
CREATE INDEX "building_group_building_group_id" ON "building_group_building" ("group_id");
CREATE INDEX "building_group_building_building_id" ON "building_group_building" ("building_id");
CREATE UNIQUE INDEX "building_group_building_group_id_building_id" ON "building_group_building" ("group_id", "building_id");

CREATE TABLE "member_transfer" (
    "id" INTEGER NOT NULL PRIMARY KEY, "member_id" INTEGER NOT NULL, "from_branch_id" INTEGER, "to_branch_id" INTEGER, "moved_on" DATE NOT NULL, "note" VARCHAR(255),
    FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("from_branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("to_branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT);
CREATE INDEX "member_transfer_member_id" ON "member_transfer" ("member_id");
CREATE INDEX "member_transfer_from_branch_id" ON "member_transfer" ("from_branch_id");
CREATE INDEX "member_transfer_to_branch_id" ON "member_transfer" ("to_branch_id");

CREATE TABLE "estate_role" (
    "id" INTEGER NOT NULL PRIMARY KEY, "estate_id" INTEGER NOT NULL, "role" VARCHAR(255) NOT NULL, "person_name" VARCHAR(255) NOT NULL, "phone" VARCHAR(255), "member_id" INTEGER, "note" VARCHAR(255), "since" DATE,
    FOREIGN KEY ("estate_id") REFERENCES "estate" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE SET NULL);
CREATE INDEX "estate_role_estate_id" ON "estate_role" ("estate_id");
CREATE INDEX "estate_role_role" ON "estate_role" ("role");
CREATE INDEX "estate_role_member_id" ON "estate_role" ("member_id");

CREATE TABLE "volunteer_team" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "branch_id" INTEGER, "community_id" INTEGER, "leader_name" VARCHAR(255), "leader_phone" VARCHAR(255), "founded_on" DATE, "is_active" INTEGER NOT NULL, "note" TEXT,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "volunteer_team_name" ON "volunteer_team" ("name");
CREATE INDEX "volunteer_team_branch_id" ON "volunteer_team" ("branch_id");
CREATE INDEX "volunteer_team_community_id" ON "volunteer_team" ("community_id");

CREATE TABLE "volunteer" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "name_initials" VARCHAR(255) NOT NULL, "id_number" VARCHAR(255), "phone" VARCHAR(255), "gender" VARCHAR(255), "birth_date" DATE, "member_id" INTEGER, "skills" VARCHAR(255), "registration_no" VARCHAR(255), "note" TEXT, "created_at" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE SET NULL);
CREATE INDEX "volunteer_name" ON "volunteer" ("name");
CREATE INDEX "volunteer_name_initials" ON "volunteer" ("name_initials");
CREATE UNIQUE INDEX "volunteer_id_number" ON "volunteer" ("id_number");
CREATE INDEX "volunteer_phone" ON "volunteer" ("phone");
CREATE UNIQUE INDEX "volunteer_member_id" ON "volunteer" ("member_id");

CREATE TABLE "team_membership" (
    "id" INTEGER NOT NULL PRIMARY KEY, "team_id" INTEGER NOT NULL, "volunteer_id" INTEGER NOT NULL, "joined_on" DATE, "left_on" DATE,
    FOREIGN KEY ("team_id") REFERENCES "volunteer_team" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("volunteer_id") REFERENCES "volunteer" ("id") ON DELETE CASCADE);
CREATE INDEX "team_membership_team_id" ON "team_membership" ("team_id");
CREATE INDEX "team_membership_volunteer_id" ON "team_membership" ("volunteer_id");
CREATE UNIQUE INDEX "team_membership_team_id_volunteer_id_joined_on" ON "team_membership" ("team_id", "volunteer_id", "joined_on");

CREATE TABLE "service_project" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "team_id" INTEGER, "branch_id" INTEGER, "community_id" INTEGER, "description" TEXT, "started_on" DATE, "is_active" INTEGER NOT NULL,
    FOREIGN KEY ("team_id") REFERENCES "volunteer_team" ("id") ON DELETE SET NULL,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE SET NULL,
    FOREIGN KEY ("community_id") REFERENCES "community" ("id") ON DELETE SET NULL);
CREATE UNIQUE INDEX "service_project_name" ON "service_project" ("name");
CREATE INDEX "service_project_team_id" ON "service_project" ("team_id");
CREATE INDEX "service_project_branch_id" ON "service_project" ("branch_id");
CREATE INDEX "service_project_community_id" ON "service_project" ("community_id");

CREATE TABLE "service_record" (
    "id" INTEGER NOT NULL PRIMARY KEY, "volunteer_id" INTEGER NOT NULL, "team_id" INTEGER, "project_id" INTEGER, "served_on" DATE NOT NULL, "activity" VARCHAR(255) NOT NULL, "minutes" INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440), "created_at" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("volunteer_id") REFERENCES "volunteer" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("team_id") REFERENCES "volunteer_team" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("project_id") REFERENCES "service_project" ("id") ON DELETE RESTRICT);
CREATE INDEX "service_record_volunteer_id" ON "service_record" ("volunteer_id");
CREATE INDEX "service_record_team_id" ON "service_record" ("team_id");
CREATE INDEX "service_record_project_id" ON "service_record" ("project_id");
CREATE INDEX "service_record_served_on" ON "service_record" ("served_on");
CREATE INDEX "service_record_volunteer_id_served_on" ON "service_record" ("volunteer_id", "served_on");

CREATE TABLE "rating_scheme" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "thresholds_json" TEXT NOT NULL, "caps_json" TEXT NOT NULL, "note" TEXT, "created_at" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "rating_scheme_name" ON "rating_scheme" ("name");

CREATE TABLE "rating_criterion" (
    "id" INTEGER NOT NULL PRIMARY KEY, "scheme_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "dimension" VARCHAR(255) NOT NULL, "item" VARCHAR(255) NOT NULL, "max_cp" INTEGER NOT NULL, "sort_order" INTEGER NOT NULL,
    FOREIGN KEY ("scheme_id") REFERENCES "rating_scheme" ("id") ON DELETE CASCADE);
CREATE INDEX "rating_criterion_scheme_id" ON "rating_criterion" ("scheme_id");

CREATE TABLE "rating_round" (
    "id" INTEGER NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL, "scheme_id" INTEGER NOT NULL, "status" VARCHAR(255) NOT NULL, "publicity_start" DATE, "publicity_end" DATE, "finalized_at" VARCHAR(255), "finalized_by" VARCHAR(255),
    FOREIGN KEY ("scheme_id") REFERENCES "rating_scheme" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "rating_round_year" ON "rating_round" ("year");
CREATE INDEX "rating_round_scheme_id" ON "rating_round" ("scheme_id");

CREATE TABLE "rating" (
    "id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT NULL, "branch_id" INTEGER NOT NULL, "self_stars" INTEGER, "vetoed" INTEGER NOT NULL, "veto_reason" VARCHAR(255), "total_cp" INTEGER, "stars" INTEGER, "cap_decision" TEXT, "note" TEXT,
    FOREIGN KEY ("round_id") REFERENCES "rating_round" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT);
CREATE INDEX "rating_round_id" ON "rating" ("round_id");
CREATE INDEX "rating_branch_id" ON "rating" ("branch_id");
CREATE UNIQUE INDEX "rating_round_id_branch_id" ON "rating" ("round_id", "branch_id");

CREATE TABLE "rating_score" (
    "id" INTEGER NOT NULL PRIMARY KEY, "rating_id" INTEGER NOT NULL, "criterion_id" INTEGER NOT NULL, "stage" VARCHAR(255) NOT NULL, "points_cp" INTEGER NOT NULL,
    FOREIGN KEY ("rating_id") REFERENCES "rating" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("criterion_id") REFERENCES "rating_criterion" ("id") ON DELETE RESTRICT);
CREATE INDEX "rating_score_rating_id" ON "rating_score" ("rating_id");
CREATE INDEX "rating_score_criterion_id" ON "rating_score" ("criterion_id");
CREATE UNIQUE INDEX "rating_score_rating_id_criterion_id_stage" ON "rating_score" ("rating_id", "criterion_id", "stage");

CREATE TABLE "fund" (
    "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "carries_over" INTEGER NOT NULL, "minimum_fen" INTEGER NOT NULL);
CREATE UNIQUE INDEX "fund_name" ON "fund" ("name");

CREATE TABLE "ledger_entry" (
    "id" INTEGER NOT NULL PRIMARY KEY, "branch_id" INTEGER NOT NULL, "fund_id" INTEGER NOT NULL, "year" INTEGER NOT NULL, "voucher_no" INTEGER NOT NULL, "entry_date" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL, "subject" VARCHAR(255) NOT NULL, "summary" VARCHAR(255) NOT NULL, "amount_fen" INTEGER NOT NULL CHECK (amount_fen > 0), "handler" VARCHAR(255), "approver" VARCHAR(255), "second_approver" VARCHAR(255), "reverses_id" INTEGER, "created_at" VARCHAR(255) NOT NULL, "created_by" VARCHAR(255),
    FOREIGN KEY ("branch_id") REFERENCES "branch" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("fund_id") REFERENCES "fund" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("reverses_id") REFERENCES "ledger_entry" ("id") ON DELETE RESTRICT);
CREATE INDEX "ledger_entry_branch_id" ON "ledger_entry" ("branch_id");
CREATE INDEX "ledger_entry_fund_id" ON "ledger_entry" ("fund_id");
CREATE UNIQUE INDEX "ledger_entry_reverses_id" ON "ledger_entry" ("reverses_id");
CREATE UNIQUE INDEX "ledger_entry_branch_id_year_voucher_no" ON "ledger_entry" ("branch_id", "year", "voucher_no");
CREATE INDEX "ledger_entry_year_kind" ON "ledger_entry" ("year", "kind");

CREATE TABLE "account" (
    "id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL, "display_name" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL, "password_hash" VARCHAR(255), "is_active" INTEGER NOT NULL, "created_at" VARCHAR(255) NOT NULL, "last_login_at" VARCHAR(255));
CREATE UNIQUE INDEX "account_username" ON "account" ("username");

CREATE TABLE "audit_event" (
    "id" INTEGER NOT NULL PRIMARY KEY, "at" VARCHAR(255) NOT NULL, "account_id" INTEGER, "account_name" VARCHAR(255) NOT NULL, "entity" VARCHAR(255) NOT NULL, "entity_id" INTEGER, "action" VARCHAR(255) NOT NULL, "before_json" TEXT, "after_json" TEXT, "note" TEXT,
    FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE SET NULL);
CREATE INDEX "audit_event_at" ON "audit_event" ("at");
CREATE INDEX "audit_event_account_id" ON "audit_event" ("account_id");
CREATE INDEX "audit_event_entity_entity_id" ON "audit_event" ("entity", "entity_id");

CREATE TABLE "setting" (
    "key" VARCHAR(255) NOT NULL PRIMARY KEY, "value_json" TEXT NOT NULL);

-- Ledger entries are immutable once saved (SPEC §5): a mistake is corrected by a
-- reversal entry. The service layer refuses too; the triggers keep any other writer honest.
CREATE TRIGGER "ledger_entry_no_update" BEFORE UPDATE ON "ledger_entry"
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER "ledger_entry_no_delete" BEFORE DELETE ON "ledger_entry"
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
