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

-- The default categories; the 55-category 议事协商指导目录 (公共管理、公共服务、公益事业、物业管理).
-- Deadlines come from the setting per kind unless a category sets its own.
INSERT INTO "matter_category" ("kind", "name", "domain", "is_active", "sort_order") VALUES
    ('deliberation', '机动车停放管理', '公共管理', 1, 1),
    ('deliberation', '非机动车停放与充电', '公共管理', 1, 2),
    ('deliberation', '占道经营', '公共管理', 1, 3),
    ('deliberation', '违章搭建', '公共管理', 1, 4),
    ('deliberation', '楼道杂物堆放', '公共管理', 1, 5),
    ('deliberation', '高空抛物', '公共管理', 1, 6),
    ('deliberation', '飞线充电', '公共管理', 1, 7),
    ('deliberation', '噪音扰民', '公共管理', 1, 8),
    ('deliberation', '广场舞扰民', '公共管理', 1, 9),
    ('deliberation', '流动摊贩', '公共管理', 1, 10),
    ('deliberation', '宠物管理', '公共管理', 1, 11),
    ('deliberation', '垃圾分类', '公共管理', 1, 12),
    ('deliberation', '消防通道占用', '公共管理', 1, 13),
    ('deliberation', '群租房管理', '公共管理', 1, 14),
    ('deliberation', '加装电梯', '公共服务', 1, 15),
    ('deliberation', '养老助餐', '公共服务', 1, 16),
    ('deliberation', '居家养老服务', '公共服务', 1, 17),
    ('deliberation', '托幼与四点半课堂', '公共服务', 1, 18),
    ('deliberation', '健身设施建设', '公共服务', 1, 19),
    ('deliberation', '社区医疗服务', '公共服务', 1, 20),
    ('deliberation', '便民服务网点', '公共服务', 1, 21),
    ('deliberation', '文体活动场所', '公共服务', 1, 22),
    ('deliberation', '老年活动室', '公共服务', 1, 23),
    ('deliberation', '道路照明', '公共服务', 1, 24),
    ('deliberation', '公共厕所', '公共服务', 1, 25),
    ('deliberation', '公交出行', '公共服务', 1, 26),
    ('deliberation', '就业创业服务', '公共服务', 1, 27),
    ('deliberation', '残疾人关爱服务', '公共服务', 1, 28),
    ('deliberation', '微心愿认领', '公益事业', 1, 29),
    ('deliberation', '困难群众帮扶', '公益事业', 1, 30),
    ('deliberation', '志愿服务活动', '公益事业', 1, 31),
    ('deliberation', '邻里互助', '公益事业', 1, 32),
    ('deliberation', '慈善募捐', '公益事业', 1, 33),
    ('deliberation', '关爱留守儿童', '公益事业', 1, 34),
    ('deliberation', '关爱独居老人', '公益事业', 1, 35),
    ('deliberation', '文明创建', '公益事业', 1, 36),
    ('deliberation', '移风易俗', '公益事业', 1, 37),
    ('deliberation', '红白理事', '公益事业', 1, 38),
    ('deliberation', '法律援助', '公益事业', 1, 39),
    ('deliberation', '心理疏导', '公益事业', 1, 40),
    ('deliberation', '物业服务质量', '物业管理', 1, 41),
    ('deliberation', '物业费收缴', '物业管理', 1, 42),
    ('deliberation', '公共维修资金使用', '物业管理', 1, 43),
    ('deliberation', '电梯维修保养', '物业管理', 1, 44),
    ('deliberation', '二次供水', '物业管理', 1, 45),
    ('deliberation', '屋面漏水', '物业管理', 1, 46),
    ('deliberation', '外墙脱落', '物业管理', 1, 47),
    ('deliberation', '小区绿化', '物业管理', 1, 48),
    ('deliberation', '公共设施维修', '物业管理', 1, 49),
    ('deliberation', '安防监控与门禁', '物业管理', 1, 50),
    ('deliberation', '小区道路维修', '物业管理', 1, 51),
    ('deliberation', '业委会组建与换届', '物业管理', 1, 52),
    ('deliberation', '物业选聘与更换', '物业管理', 1, 53),
    ('deliberation', '停车位分配', '物业管理', 1, 54),
    ('deliberation', '公共收益使用', '物业管理', 1, 55);
INSERT INTO "matter_category" ("kind", "name", "domain", "is_active", "sort_order") VALUES
    ('opinion', '环境卫生', NULL, 1, 1),
    ('opinion', '设施维修', NULL, 1, 2),
    ('opinion', '停车管理', NULL, 1, 3),
    ('opinion', '噪音扰民', NULL, 1, 4),
    ('opinion', '物业服务', NULL, 1, 5),
    ('opinion', '安全隐患', NULL, 1, 6),
    ('opinion', '政策咨询', NULL, 1, 7),
    ('opinion', '其他', NULL, 1, 8);
INSERT INTO "matter_category" ("kind", "name", "domain", "is_active", "sort_order") VALUES
    ('qr_report', '环境卫生', NULL, 1, 1),
    ('qr_report', '设施维修', NULL, 1, 2),
    ('qr_report', '停车管理', NULL, 1, 3),
    ('qr_report', '噪音扰民', NULL, 1, 4),
    ('qr_report', '物业服务', NULL, 1, 5),
    ('qr_report', '安全隐患', NULL, 1, 6),
    ('qr_report', '其他', NULL, 1, 7);
INSERT INTO "matter_category" ("kind", "name", "domain", "is_active", "sort_order") VALUES
    ('dispute', '邻里纠纷', NULL, 1, 1),
    ('dispute', '家庭纠纷', NULL, 1, 2),
    ('dispute', '物业纠纷', NULL, 1, 3),
    ('dispute', '租赁纠纷', NULL, 1, 4),
    ('dispute', '相邻权纠纷', NULL, 1, 5),
    ('dispute', '其他', NULL, 1, 6);
INSERT INTO "matter_category" ("kind", "name", "domain", "is_active", "sort_order") VALUES
    ('wish', '生活用品', NULL, 1, 1),
    ('wish', '助学', NULL, 1, 2),
    ('wish', '助老', NULL, 1, 3),
    ('wish', '助残', NULL, 1, 4),
    ('wish', '医疗健康', NULL, 1, 5),
    ('wish', '文体用品', NULL, 1, 6),
    ('wish', '其他', NULL, 1, 7);
