"""The words of 在职党员双报到 and 三单制 as data: unit kinds, order states with the steps
allowed from each, evaluations and the suggested service posts and needs.

The database stores the codes; the labels are what a clerk reads.
"""

from __future__ import annotations

UNIT_KINDS = {
    "agency": "区直机关",
    "institution": "事业单位",
    "enterprise": "企业",
    "other": "其他单位",
}
UNIT_KIND_SYNONYMS = {
    "机关": "agency", "区直机关单位": "agency", "党政机关": "agency", "事业": "institution",
    "企事业单位": "enterprise", "国有企业": "enterprise", "国企": "enterprise", "民营企业": "enterprise",
    "其他": "other",
}

MEMBER_STATUSES = {"active": "在册", "withdrawn": "已退出"}

#: 三单制: 居民点单 → 支部下单 → 党员接单 → 完成; 取消 for a need that went away.
STATES = {
    "ordered": "居民点单",
    "assigned": "支部已下单",
    "accepted": "党员已接单",
    "done": "已完成",
    "cancelled": "已取消",
}
OPEN_STATES = ("ordered", "assigned", "accepted")
STEP_LABELS = {"assign": "下单", "accept": "接单", "complete": "完成", "cancel": "取消"}
#: The steps each state allows, and the state a step leads to.
ALLOWED = {
    "ordered": ("assign", "cancel"),
    "assigned": ("assign", "accept", "cancel"),
    "accepted": ("accept", "complete", "cancel"),
    "done": (),
    "cancelled": (),
}
LEADS_TO = {"assign": "assigned", "accept": "accepted", "complete": "done", "cancel": "cancelled"}

EVALUATIONS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
EVALUATION_SYNONYMS = {"非常满意": "satisfied", "很满意": "satisfied", "比较满意": "basic", "一般": "basic",
                       "较满意": "basic", "不太满意": "unsatisfied"}

#: Suggested 岗位 (a member may name others) and needs (需求类别).
POSTS = ("政策宣讲岗", "文明劝导岗", "环境整治岗", "平安巡逻岗", "关爱帮扶岗", "法律咨询岗",
         "医疗健康岗", "教育辅导岗", "文体活动岗", "矛盾调解岗")
NEED_CATEGORIES = ("助老助残", "环境整治", "法律咨询", "健康义诊", "学业辅导", "文明劝导",
                   "设施维修", "政策宣讲", "心理疏导", "其他")
