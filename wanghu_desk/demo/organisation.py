"""The organisation plan: communities, committees, estates and buildings, and the 74
branches with their size, profile and committee."""

from __future__ import annotations

import datetime as dt

from models import Branch, Building, Community, Estate, Organization
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.demo._common import BranchPlan, _estate_branch_name
from wanghu_desk.demo.data import (
    COMMUNITIES,
    ENTERPRISES,
    ESTATES,
    HOUSEHOLDS,
    ORGANIZATION_NAME,
    PROPERTY_COMPANIES,
    SOCIAL_ORGS,
)


class _OrganisationPlan(_BuilderBase):
    """Builder part: the organisation and the plan of the branches."""

    def build_organisation(self) -> None:
        rng = self.rng
        self.communities = []
        for i, (name, address) in enumerate(COMMUNITIES):
            self.communities.append(self.add(Community, {
                "name": name, "address": address, "phone": self.landline(), "sort_order": i + 1,
            }))
        self.top = self.add(Organization, {
            "name": "中共合肥市包河区望湖街道工作委员会", "area_name": ORGANIZATION_NAME,
            "kind": "working_committee", "parent": None, "community": None,
            "secretary": self.han_name("男", 1975), "phone": "0551-63517010", "sort_order": 0,
        })
        self.committees = []
        for i, community in enumerate(self.communities):
            self.committees.append(self.add(Organization, {
                "name": f"中共{community['name']}委员会", "area_name": community["name"],
                "kind": "community_committee", "parent": self.top["id"], "community": community["id"],
                "secretary": self.han_name(rng.choice("男女"), rng.randint(1972, 1988)),
                "phone": community["phone"], "sort_order": i + 1,
            }))

        # Estates and their buildings; building groups per estate sum to 233.
        self.estates = []
        households = []
        for _name, kind, _cidx, _road in ESTATES:
            low, high = HOUSEHOLDS[kind]
            households.append(rng.randint(low, high) // 10 * 10)
        total = sum(households)
        groups = [max(3, round(h / total * 233)) for h in households]
        while sum(groups) != 233:
            i = rng.randrange(len(groups))
            if sum(groups) > 233 and groups[i] > 3:
                groups[i] -= 1
            elif sum(groups) < 233 and groups[i] < 16:
                groups[i] += 1
        self.estate_groups = groups
        self.estate_buildings: list[list[dict]] = []
        for i, (name, kind, cidx, road) in enumerate(ESTATES):
            has_committee = kind in ("commercial", "resettlement") and rng.random() < 0.85
            company = None if kind == "old" and rng.random() < 0.5 else rng.choice(PROPERTY_COMPANIES)
            estate = self.add(Estate, {
                "name": name, "community": self.communities[cidx]["id"], "kind": kind,
                "households": households[i],
                "address": f"合肥市包河区{road}{rng.randint(1, 60) * 10 + rng.randint(0, 9)}号",
                "property_company": company or "社区托管（准物业）",
                "property_contact": self.han_name(rng.choice("男女"), rng.randint(1970, 1992)),
                "property_phone": self.mobile(),
                "owners_committee": f"{name}业主委员会" if has_committee else "未成立",
                "owners_committee_contact": self.han_name("男", rng.randint(1955, 1980)) if has_committee else None,
                "owners_committee_phone": self.mobile() if has_committee else None,
                "sort_order": i + 1,
            })
            self.estates.append(estate)
            g = groups[i]
            n_buildings = max(g, min(3 * g, households[i] // rng.randint(50, 110)))
            shares = [rng.uniform(0.7, 1.3) for _ in range(n_buildings)]
            per = [max(6, int(households[i] * s / sum(shares))) for s in shares]
            per[-1] = max(6, per[-1] + households[i] - sum(per))
            estate["households"] = sum(per)
            buildings = []
            for k in range(n_buildings):
                buildings.append(self.add(Building, {
                    "estate": estate["id"], "number": f"{k + 1}栋",
                    "units": rng.randint(1, 4) if kind != "old" else rng.randint(1, 3),
                    "households": per[k],
                }))
            self.estate_buildings.append(buildings)

    def plan_branches(self) -> None:
        rng, today = self.rng, self.today
        plans: list[BranchPlan] = []
        com = [c["name"] for c in self.communities]

        def plan(name, category, cidx, *, org=None, estate=None, size=(10, 20), profile="mixed",
                 employer=None, founded=(1985, 2018)):
            org_id = org if org is not None else self.committees[cidx]["id"]
            p = BranchPlan(
                id=self.new_id(Branch), name=name, category=category, community=cidx,
                organization_id=org_id, estate=estate, size=rng.randint(*size), profile=profile,
                employer=employer,
            )
            start = dt.date(founded[0], 1, 1)
            end = min(dt.date(founded[1], 12, 31), today - dt.timedelta(days=30))
            p.founded_on = self.day_between(start, end)
            plans.append(p)
            return p

        for i, (name, kind, cidx, _road) in enumerate(ESTATES):
            g = self.estate_groups[i]
            p = plan(_estate_branch_name(name), "estate", cidx, estate=i,
                     founded=(2019, 2021), profile="retired" if kind in ("old", "work_unit") else "mixed")
            p.size = 4 * g + rng.randint(24, 44)
        for cidx in range(5):
            plan(f"{com[cidx]}离退休党员党支部", "functional", cidx, size=(55, 100), profile="retired")
        for cidx in (0, 1):
            plan(f"{com[cidx]}流动党员党支部", "functional", cidx, size=(15, 35), profile="floating")
        for name, cidx in (("东湖社区老年协会党支部", 2), ("望湖社区志愿服务党支部", 0),
                           ("南湖社区文体协会党支部", 1), ("汇林社区退役军人党支部", 3),
                           ("大洋店社区新就业群体党支部", 4)):
            plan(name, "functional", cidx, size=(15, 35),
                 profile="young" if "新就业" in name else "retired" if "老年" in name else "mixed")
        for cidx in range(5):
            for n in ("一", "二"):
                plan(f"{com[cidx]}第{n}网格党支部", "grid", cidx, size=(20, 45))
        for n in ("一", "二", "三"):
            plan(f"望湖街道机关第{n}党支部", "agency", None, org=self.top["id"], size=(18, 30),
                 profile="agency", founded=(2002, 2012))
        plan("望湖街道综合执法队党支部", "agency", None, org=self.top["id"], size=(12, 22), profile="agency",
             founded=(2010, 2018))
        plan("望湖街道社区卫生服务中心党支部", "agency", 0, size=(12, 25), profile="working",
             employer="望湖街道社区卫生服务中心", founded=(2008, 2016))
        plan("望湖街道便民服务中心党支部", "agency", 2, size=(8, 16), profile="agency", founded=(2012, 2018))
        for i, company in enumerate(ENTERPRISES):
            plan(f"{company}党支部", "enterprise", i % 5, size=(5, 20), profile="working", employer=company,
                 founded=(2008, 2020))
        for i, org in enumerate(SOCIAL_ORGS):
            plan(f"{org}党支部", "social_org", (i + 2) % 5, size=(4, 12), profile="working",
                 employer=org if i else None, founded=(2012, 2021))
        plan("望湖社区商户联合党支部", "other", 0, size=(8, 20), profile="working", founded=(2015, 2020))
        plan("汇林社区楼宇党支部", "other", 3, size=(8, 20), profile="working", founded=(2016, 2021))
        self.branches = plans
        assert len(plans) == 74 and sum(p.category == "estate" for p in plans) == 29
