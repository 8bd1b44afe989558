"""Members of every branch, the branches' rows and building groups, and the estate
governance teams (1+X) drawn from them."""

from __future__ import annotations

import datetime as dt

from models import (
    Branch,
    BranchAlias,
    BranchEstate,
    BuildingGroup,
    BuildingGroupBuilding,
    EstateRole,
    Member,
    MemberTransfer,
)
from wanghu_desk import vocab
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.demo._common import BranchPlan, Person, _full_name, add_years
from wanghu_desk.demo.data import AGENCY_POSTS, EMPLOYERS, ESTATES, FORMER_EMPLOYERS, REGISTER_START, SCHOOLS
from wanghu_desk.pinyin import initials


class _Members(_BuilderBase):
    """Builder part: members, branches' rows, building groups, 1+X teams."""

    def birth_range(self, profile: str) -> tuple[int, int]:
        rng = self.rng
        if profile == "retired":
            return rng.choices([(1935, 1950), (1950, 1962), (1962, 1975)], [4, 5, 1])[0]
        if profile == "agency":
            return rng.choices([(1966, 1980), (1980, 1992), (1992, 2002)], [3, 5, 3])[0]
        if profile == "working":
            return rng.choices([(1965, 1980), (1980, 1995), (1995, 2004)], [3, 5, 2])[0]
        if profile == "floating":
            return rng.choices([(1970, 1985), (1985, 2000)], [1, 2])[0]
        if profile == "young":
            return (1988, 2004)
        return rng.choices([(1935, 1950), (1950, 1965), (1965, 1980), (1980, 2004)], [2, 3, 2.5, 2.5])[0]

    def education(self, year: int) -> str:
        levels = vocab.EDUCATION_LEVELS  # 研究生 本科 专科 中专 高中 技工 初中 小学及以下
        if year < 1950:
            weights = [0, 0.3, 1, 2, 3, 0.5, 4, 3]
        elif year < 1965:
            weights = [0.1, 1, 2, 2, 4, 1, 3, 0.5]
        elif year < 1980:
            weights = [0.5, 3, 3, 2, 2, 0.5, 0.5, 0]
        else:
            weights = [2, 6, 2, 0.3, 0.3, 0.1, 0, 0]
        return self.rng.choices(levels, weights)[0]

    def employer(self, plan: BranchPlan, person: Person) -> str:
        rng = self.rng
        if self.age(person.birth) >= 60:
            return f"{rng.choice(FORMER_EMPLOYERS)}退休"
        if plan.profile == "agency":
            return f"望湖街道{rng.choice(AGENCY_POSTS)}"
        if plan.employer:
            post = rng.choice(("职员", "职员", "技术员", "部门经理", "办公室主任", "工作人员"))
            return f"{plan.employer}{post}"
        if plan.profile == "floating":
            return rng.choice(("外出务工", "个体经营", "快递员", "网约车司机", "自由职业"))
        if self.age(person.birth) < 23 and rng.random() < 0.6:
            return f"{rng.choice(SCHOOLS)}学生"
        return rng.choice(EMPLOYERS)

    def build_members(self) -> None:
        rng, today = self.rng, self.today
        self.members: list[dict] = []
        self.groups: list[dict] = []
        self.group_plan: dict[int, list[dict]] = {}  # branch id -> groups
        probation_days = ((0.04, 366, 395), (0.13, 336, 365), (1.0, 20, 335))
        for plan in self.branches:
            estate_idx = plan.estate
            groups: list[dict] = []
            group_buildings: list[list[dict]] = []
            if estate_idx is not None:
                buildings = self.estate_buildings[estate_idx]
                g = self.estate_groups[estate_idx]
                sizes = [1] * g
                for _ in range(len(buildings) - g):
                    choices = [k for k in range(g) if sizes[k] < 3]
                    sizes[rng.choice(choices)] += 1
                pos = 0
                for k, size in enumerate(sizes):
                    covered = buildings[pos : pos + size]
                    pos += size
                    first, last = covered[0]["number"], covered[-1]["number"]
                    label = first if size == 1 else f"{first[:-1]}-{last}"
                    grp = self.add(BuildingGroup, {
                        "branch": plan.id, "name": f"{label}党小组", "leader": None,
                        "status": "active", "note": None, "sort_order": k + 1,
                    })
                    groups.append(grp)
                    group_buildings.append(covered)
                    for b in covered:
                        self.add(BuildingGroupBuilding, {"group": grp["id"], "building": b["id"]})
                self.groups.extend(groups)
            self.group_plan[plan.id] = groups

            branch_members = []
            for _ in range(plan.size):
                low, high = self.birth_range(plan.profile)
                person = self.person(low, high, female_share=0.42 if plan.profile == "retired" else 0.36)
                birth18 = add_years(person.birth, 18)
                probationary = self.age(person.birth) < 60 and rng.random() < 0.15
                if probationary:
                    r = rng.random()
                    low_d, high_d = next((lo, hi) for share, lo, hi in probation_days if r < share)
                    joined = today - dt.timedelta(days=rng.randint(low_d, high_d))
                    confirmed = None
                else:
                    latest = today - dt.timedelta(days=400)
                    join_age = min(rng.triangular(18, 55, 24), 70)
                    # young members would all pile up on `latest`; spread them over ~3 years
                    # with a jitter taken from the ID (so the random stream stays unchanged)
                    spread = latest - dt.timedelta(days=int(person.id_number[-4:-1]))
                    joined = min(person.birth + dt.timedelta(days=int(join_age * 365.25)), spread)
                    joined = max(joined, birth18 + dt.timedelta(days=rng.randint(1, 200)))
                    joined = min(joined, latest)
                    confirmed = add_years(joined, 1)
                if estate_idx is not None:
                    estate_name = ESTATES[estate_idx][0]
                    gi = rng.randrange(len(groups))
                    building = rng.choice(group_buildings[gi])
                else:
                    ei = rng.randrange(len(ESTATES))
                    estate_name = ESTATES[ei][0]
                    gi = None
                    building = rng.choice(self.estate_buildings[ei])
                address = (f"{estate_name}{building['number']}{rng.randint(1, building['units'])}单元"
                           f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室")
                row = self.add(Member, {
                    "name": person.name, "name_initials": initials(person.name),
                    "gender": person.gender, "ethnicity": person.ethnicity, "birth_date": person.birth,
                    "id_number": person.id_number, "education": self.education(person.birth.year),
                    "category": "probationary" if probationary else "full",
                    "joined_on": joined, "confirmed_on": confirmed, "branch": plan.id, "group": None,
                    "employer": self.employer(plan, person), "phone": person.phone, "address": address,
                    "status": "active", "status_changed_on": None, "status_note": None,
                    "is_lost_contact": False, "is_floating": plan.profile == "floating",
                    "is_center_household": False, "reported_at_residence": False, "note": None,
                    "created_at": None, "updated_at": None,
                })
                row["_group_index"] = gi
                branch_members.append(row)

            # Leaving members (转出 / 去世), flags.
            for row in branch_members:
                if row["category"] != "full":
                    continue
                age = self.age(row["birth_date"])
                r = rng.random()
                if age >= 75 and r < 0.04:
                    row["status"] = "deceased"
                    row["status_note"] = "病故"
                elif r < 0.015:
                    row["status"] = "transferred_out"
                    row["status_note"] = rng.choice((
                        "转至蜀山区稻香村街道党工委", "转至庐阳区亳州路街道党工委", "转至瑶海区明光路街道党工委",
                        "转至滨湖新区锦绣社区党委", "转至肥西县上派镇党委", "转至南京市鼓楼区宁海路街道党工委",
                    ))
                if row["status"] != "active":
                    earliest = max(row["confirmed_on"], today - dt.timedelta(days=700))
                    row["status_changed_on"] = self.day_between(earliest, today - dt.timedelta(days=3))
                    continue
                if rng.random() < 0.05:
                    row["is_center_household"] = True
                if age < 60 and rng.random() < 0.42 and plan.profile != "floating":
                    row["reported_at_residence"] = True
                if rng.random() < 0.004:
                    row["is_lost_contact"] = True
                    row["note"] = "多次联系未果"
                if plan.profile != "floating" and rng.random() < 0.006:
                    row["is_floating"] = True
                    row["note"] = "在外地务工，已纳入流动党员管理"

            active = [m for m in branch_members if m["status"] == "active"]
            # Building groups: every group gets members, most estate-branch members are in one.
            if groups:
                for k, m in enumerate(active):
                    if k < 2 * len(groups):
                        gi = k % len(groups)
                    elif rng.random() < 0.9:
                        gi = m["_group_index"]
                    else:
                        continue
                    m["group"] = groups[gi]["id"]
                for grp in groups:
                    in_group = [m for m in active if m["group"] == grp["id"]]
                    full = [m for m in in_group if m["category"] == "full"] or in_group
                    leader = rng.choice(full)
                    grp["leader"] = leader["id"]
            # Secretary: an active full member of working age if possible.
            candidates = [m for m in active if m["category"] == "full" and 28 <= self.age(m["birth_date"]) <= 66]
            secretary = rng.choice(candidates or [m for m in active if m["category"] == "full"])
            plan.secretary = secretary
            plan.member_ids = [m["id"] for m in branch_members]
            plan.members = branch_members
            # The register went digital in spring 2019; later joiners were entered on joining.
            for m in branch_members:
                entered = min(max(m["joined_on"], REGISTER_START), today)
                m["created_at"] = self.stamp(entered)
                m["updated_at"] = self.stamp(max(entered, m["status_changed_on"] or entered))
            self.members.extend(branch_members)

        for m in self.members:
            m.pop("_group_index", None)
        # The register's history of the members who left by transfer.
        for m in self.members:
            if m["status"] == "transferred_out":
                self.add(MemberTransfer, {
                    "member": m["id"], "from_branch": m["branch"], "to_branch": None,
                    "moved_on": m["status_changed_on"], "note": m["status_note"],
                })

    def add_branches(self) -> None:
        rng = self.rng
        for i, p in enumerate(self.branches):
            sec = p.secretary
            self.add(Branch, {
                "id": p.id, "name": p.name, "full_name": _full_name(p.name), "category": p.category,
                "organization": p.organization_id,
                "community": self.communities[p.community]["id"] if p.community is not None else None,
                "secretary": sec["name"], "phone": sec["phone"], "founded_on": p.founded_on,
                "status": "active", "dissolved_on": None, "note": None, "sort_order": i + 1,
            })
            if p.estate is not None:
                self.add(BranchEstate, {"branch": p.id, "estate": self.estates[p.estate]["id"]})
        names = {p.name for p in self.branches}
        aliases = []
        for p in self.branches[:29]:
            if p.name.endswith("小区党支部") and rng.random() < 0.3:
                aliases.append((p.id, p.name.replace("小区党支部", "党支部")))
        for p in self.branches:
            if p.name.startswith("望湖街道机关第"):
                aliases.append((p.id, "机关" + p.name[len("望湖街道机关第"):].replace("党支部", "支部")))
            elif p.name.endswith("离退休党员党支部"):
                aliases.append((p.id, p.name.replace("离退休党员党支部", "老干部党支部")))
        for branch_id, alias in aliases:
            if alias not in names:
                names.add(alias)
                self.add(BranchAlias, {"branch": branch_id, "alias": alias})

    def build_estate_roles(self) -> None:
        rng, today = self.rng, self.today
        estate_plans = [p for p in self.branches if p.estate is not None]
        # One small estate has an instructor and a secretary but no team yet.
        no_team = min(range(29), key=lambda i: (self.estates[i]["households"], i))
        pairs_left = 52 - 28  # estates with two red stewards
        two_stewards = set(rng.sample([i for i in range(29) if i != no_team], pairs_left))
        agency_people = [m for p in self.branches if p.profile == "agency"
                         for m in p.members
                         if m["status"] == "active" and m["category"] == "full" and self.age(m["birth_date"]) < 58]
        instructors = rng.sample(agency_people, 29)
        for plan, instructor in zip(estate_plans, instructors):
            i = plan.estate
            estate_id = self.estates[i]["id"]
            since = self.day_between(dt.date(2021, 3, 1), min(dt.date(2023, 6, 30), today))

            def role(kind, name, phone, member=None, note=None, since=since, estate_id=estate_id):
                self.add(EstateRole, {
                    "estate": estate_id, "role": kind, "person_name": name, "phone": phone,
                    "member": member, "note": note, "since": since,
                })

            role("instructor", instructor["name"], instructor["phone"], instructor["id"],
                 "小区治理团队筹建中" if i == no_team else "街道机关干部下沉")
            sec = plan.secretary
            role("secretary", sec["name"], sec["phone"], sec["id"])
            active = [m for m in plan.members if m["status"] == "active" and m["id"] != sec["id"]]
            if i != no_team:
                n = 2 if i in two_stewards else 1
                for m in rng.sample(active, n):
                    role("red_steward", m["name"], m["phone"], m["id"])
                student = self.person(min(2002, self.today.year - 20), 2004, female_share=0.55,
                                      minority_ok=False, with_id=False)
                role("student_steward", student.name, student.phone, None,
                     f"{rng.choice(SCHOOLS)}{rng.choice(('社会工作', '行政管理', '法学', '护理学', '汉语言文学'))}专业")
            buildings = self.estate_buildings[i]
            for b in rng.sample(buildings, min(len(buildings), rng.randint(2, 5))):
                if rng.random() < 0.5 and active:
                    m = rng.choice(active)
                    role("building_head", m["name"], m["phone"], m["id"], b["number"])
                else:
                    p = self.person(1950, 1985, female_share=0.5, with_id=False)
                    role("building_head", p.name, p.phone, None, b["number"])
            estate = self.estates[i]
            if estate["owners_committee_contact"]:
                role("owners_committee", estate["owners_committee_contact"], estate["owners_committee_phone"],
                     None, "业委会主任")
            company = estate["property_company"]
            role("property", estate["property_contact"], estate["property_phone"], None,
                 "准物业管理员" if "托管" in company else f"{company}项目经理")
