"""在职党员双报到 and a year of 三单制 orders, echoing seeds 001 and 004: the members the
roster flags 已到居住地报到 (about a tenth, most working in 区直机关 or 企事业单位) registered
at the community where they live, with skills and posts; a few hundred orders over the
year (居民点单 → 支部下单 → 党员接单 → 完成), some from a 微心愿, most done and the
residents satisfied, the newest still open, a few cancelled.

This part draws from its own random generator, seeded from the builder's state without
drawing from it, so the rest of the demo is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random

from models import BranchEstate, Matter, Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.services.reporting import vocab

ORDERS = 360
CANCELLED_SHARE = 0.03
OPEN_DAYS = 20  # orders of the last weeks are still open

UNITS = (
    ("包河区财政局", "agency"), ("包河区住建局", "agency"), ("包河区教育体育局", "agency"),
    ("包河区卫生健康委", "agency"), ("包河区司法局", "agency"), ("包河区城管局", "agency"),
    ("包河区人社局", "agency"), ("合肥市第四十六中学", "institution"), ("包河区人民医院", "institution"),
    ("合肥供电公司包河分公司", "enterprise"), ("中铁四局集团", "enterprise"), ("安徽建工集团", "enterprise"),
    ("合肥燃气集团", "enterprise"), ("徽商银行包河支行", "enterprise"), ("科大讯飞", "enterprise"),
)
SKILLS = ("政策宣讲", "法律咨询", "医疗保健", "水电维修", "学业辅导", "心理疏导", "文艺演出", "摄影摄像",
          "财务咨询", "电脑维修", "书法", "理发")
NEEDS = (
    ("助老助残", "独居老人希望有人陪同去医院复查"), ("助老助残", "高龄老人需要代买米面油"),
    ("设施维修", "老人家中水龙头漏水需要维修"), ("设施维修", "楼道灯坏了需要更换"),
    ("法律咨询", "居民咨询房屋租赁合同纠纷"), ("法律咨询", "咨询遗产继承手续"),
    ("健康义诊", "希望上门为卧床老人量血压"), ("学业辅导", "双职工家庭孩子暑期需要作业辅导"),
    ("环境整治", "楼栋周边绿化带垃圾需要清理"), ("文明劝导", "小区门口电动车乱停需要劝导"),
    ("政策宣讲", "老人想了解医保异地结算政策"), ("心理疏导", "失独老人需要陪伴聊天"),
    ("其他", "帮助老人学习使用智能手机"),
)
RESULTS = ("已上门服务，居民表示感谢", "问题已解决，电话回访满意", "已协调物业处理完毕", "服务完成，居民签字确认")


class _Reporting(_BuilderBase):
    """Builder part: the reporting members and their orders."""

    def build_reporting(self) -> None:
        rng = random.Random(f"reporting-{self.rng.getstate()[1][:4]}")
        today = self.today
        estates = sorted(self.estates, key=lambda e: -len(e["name"]))
        by_estate: dict[int, list[dict]] = {}
        registered: list[dict] = []
        for m in self.rows.get(Member, []):
            if m["status"] != "active" or not m["reported_at_residence"]:
                continue
            estate = next((e for e in estates if (m["address"] or "").startswith(e["name"])), None)
            if estate is None:
                continue
            unit, kind = rng.choice(UNITS)
            earliest = max(m["joined_on"] or today, today - dt.timedelta(days=3 * 365))
            reported = self.day_between_r(rng, min(earliest, today - dt.timedelta(days=30)), today - dt.timedelta(days=7))
            posts = rng.sample(vocab.POSTS, rng.choice((1, 1, 2, 2, 3)))
            row = self.add(ReportingMember, {
                "member": m["id"], "work_unit": unit, "unit_kind": kind, "unit_party_org": f"{unit}机关党委"
                if kind == "agency" else f"{unit}党委", "community": estate["community"], "estate": estate["id"],
                "reported_on": reported, "skills": "、".join(rng.sample(SKILLS, rng.choice((1, 2)))),
                "posts": "、".join(posts), "status": "active", "withdrawn_on": None, "note": None,
                "created_at": f"{reported.isoformat()}T10:00:00", "updated_at": f"{reported.isoformat()}T10:00:00",
            })
            by_estate.setdefault(estate["id"], []).append(row)
            registered.append(row)
        if not registered:
            return
        branch_of = {}
        for link in self.rows.get(BranchEstate, []):
            branch_of.setdefault(link["estate"], link["branch"])
        wishes = [w for w in self.rows.get(Matter, []) if w["kind"] == "wish"]
        rng.shuffle(wishes)
        wishes = wishes[:40]
        start = today - dt.timedelta(days=364)
        served_estates = [e for e in self.estates if e["id"] in by_estate and e["id"] in branch_of]
        days = sorted(self.day_between_r(rng, start, today) for _ in range(ORDERS))
        seqs: dict[int, int] = {}
        for i, ordered in enumerate(days):
            wish = wishes[i % len(wishes)] if wishes and i % 9 == 0 else None
            if wish is not None and wish["received_on"] <= ordered and wish["estate"] in by_estate \
                    and wish["estate"] in branch_of:
                estate_id, content, category, matter = wish["estate"], wish["content"], "助老助残", wish["id"]
                ordered = wish["received_on"]
            else:
                estate_id = rng.choice(served_estates)["id"]
                category, content = rng.choice(NEEDS)
                matter = None
            estate = next(e for e in self.estates if e["id"] == estate_id)
            seq = seqs[ordered.year] = seqs.get(ordered.year, 0) + 1
            order = {
                "id": self.new_id(ReportingOrder), "year": ordered.year, "seq": seq,
                "number": f"DD{ordered.year}-{seq:04d}", "content": content, "category": category,
                "community": estate["community"], "estate": estate_id, "resident_name": self.resident_name(rng),
                "resident_phone": None, "matter": matter, "ordered_on": ordered, "state": "ordered",
                "branch": None, "assigned_on": None, "accepted_on": None, "done_on": None, "minutes": None,
                "evaluation": None, "result": None, "cancelled_on": None, "cancel_reason": None,
                "created_at": f"{ordered.isoformat()}T09:00:00", "updated_at": f"{ordered.isoformat()}T09:00:00",
            }
            age = (today - ordered).days
            candidates = [r for r in by_estate[estate_id] if r["reported_on"] <= ordered] or by_estate[estate_id]
            if rng.random() < CANCELLED_SHARE and age > 3:
                order.update(state="cancelled", cancelled_on=min(today, ordered + dt.timedelta(days=rng.randint(1, 3))),
                             cancel_reason=rng.choice(("居民已自行解决", "居民撤回需求", "已转交物业处理")))
            elif age >= 4 or rng.random() < 0.4:
                assigned = min(today, ordered + dt.timedelta(days=rng.randint(0, 2)))
                chosen = rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 1, 2, 2, 3))))
                order.update(state="assigned", branch=branch_of[estate_id], assigned_on=assigned)
                accepted = None
                if age > 5 or rng.random() < 0.4:
                    accepted = min(today, assigned + dt.timedelta(days=rng.randint(0, 2)))
                    order.update(state="accepted", accepted_on=accepted)
                if accepted is not None and (age > OPEN_DAYS or rng.random() < 0.3):
                    done = min(today, accepted + dt.timedelta(days=rng.randint(0, 6)))
                    order.update(state="done", done_on=done, minutes=rng.choice((30, 60, 60, 90, 120, 120, 180, 240)),
                                 evaluation=rng.choices(("satisfied", "basic", "unsatisfied"), (92, 7, 1))[0],
                                 result=rng.choice(RESULTS))
                for k, r in enumerate(chosen):
                    took = accepted if accepted is not None and (k == 0 or rng.random() < 0.8) else None
                    self.add(ReportingOrderMember, {"order": order["id"], "member": r["member"], "accepted_on": took})
            self.add(ReportingOrder, order)

    @staticmethod
    def day_between_r(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=rng.randint(0, (end - start).days))

    @staticmethod
    def resident_name(rng: random.Random) -> str:
        return rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何") + rng.choice(("奶奶", "大爷", "阿姨", "女士", "先生"))
