"""Volunteer teams, volunteers (members among them), projects and the service records."""

from __future__ import annotations

import datetime as dt

from models import ServiceProject, ServiceRecord, TeamMembership, Volunteer, VolunteerTeam
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.demo.data import PROJECTS, SKILLS, TEAMS
from wanghu_desk.pinyin import initials


class _Volunteers(_BuilderBase):
    """Builder part: volunteer teams, volunteers, projects, service records."""

    def build_volunteers(self) -> None:
        rng, today = self.rng, self.today
        plan_by_name = {p.name: p for p in self.branches}
        estate_plans = [p for p in self.branches if p.estate is not None]
        teams = []
        for name, kind, owner, note in TEAMS:
            what, key = owner.split(":", 1)
            branch_id = community_id = None
            if what == "estate":
                branch_id = estate_plans[int(key)].id
            elif what == "branch":
                branch_id = plan_by_name[key].id
            else:
                community_id = self.communities[int(key)]["id"]
            teams.append(self.add(VolunteerTeam, {
                "name": name, "kind": kind, "branch": branch_id, "community": community_id,
                "leader_name": None, "leader_phone": None,
                "founded_on": self.day_between(dt.date(2018, 3, 1), min(dt.date(2022, 10, 1), today)),
                "is_active": True, "note": note,
            }))
        self.teams = teams

        # Volunteers: a third are members (same person, same ID), the rest residents.
        active_members = [m for m in self.members if m["status"] == "active" and self.age(m["birth_date"]) < 80]
        linked = rng.sample(active_members, 135)
        volunteers = []
        serial = 0

        def volunteer(name, gender, birth, id_number, phone, member_id):
            nonlocal serial
            serial += 1
            skills = "、".join(rng.sample(SKILLS, rng.choice((0, 1, 1, 2))))
            return self.add(Volunteer, {
                "name": name, "name_initials": initials(name), "id_number": id_number, "phone": phone,
                "gender": gender, "birth_date": birth, "member": member_id, "skills": skills or None,
                "registration_no": f"WH{serial:05d}", "note": None, "created_at": None,
            })

        for m in linked:
            volunteers.append(volunteer(m["name"], m["gender"], m["birth_date"], m["id_number"], m["phone"], m["id"]))
        for _ in range(200):
            p = self.person(1950, 2004, female_share=0.55)
            volunteers.append(volunteer(p.name, p.gender, p.birth, p.id_number, p.phone, None))
        for _ in range(67):
            gender = "女" if rng.random() < 0.55 else "男"
            name = self.han_name(gender, rng.randint(1950, 2004))
            volunteers.append(volunteer(name, gender, None, None, self.mobile(), None))
        rng.shuffle(volunteers)
        self.volunteers = volunteers

        # Team memberships; a team's leader is one of its volunteers.
        memberships: dict[int, list[tuple[dict, dt.date]]] = {}
        team_members: dict[int, list[dict]] = {t["id"]: [] for t in teams}
        for k, v in enumerate(volunteers):
            chosen = [teams[k % len(teams)]]
            if rng.random() < 0.3:
                other = rng.choice(teams)
                if other is not chosen[0]:
                    chosen.append(other)
            for team in chosen:
                joined = self.day_between(team["founded_on"], today - dt.timedelta(days=120))
                memberships.setdefault(v["id"], []).append((team, joined))
                team_members[team["id"]].append(v)
                self.add(TeamMembership, {"team": team["id"], "volunteer": v["id"], "joined_on": joined,
                                          "left_on": None})
            v["created_at"] = self.stamp(min(j for _, j in memberships[v["id"]]))
        for team in teams:
            leader = rng.choice(team_members[team["id"]])
            team["leader_name"], team["leader_phone"] = leader["name"], leader["phone"]

        # Service projects (为民服务项目), 50+.
        projects = []
        projects_by_team: dict[int, list[tuple[dict, tuple[str, ...]]]] = {}
        loose: list[tuple[dict, tuple[str, ...]]] = []
        for name, team_index, acts in PROJECTS:
            team = teams[team_index] if team_index is not None else None
            if team is not None:
                branch_id, community_id = team["branch"], team["community"]
            elif rng.random() < 0.6:
                branch_id, community_id = rng.choice(estate_plans).id, None
            else:
                branch_id, community_id = None, rng.choice(self.communities)["id"]
            project = self.add(ServiceProject, {
                "name": name, "team": team["id"] if team else None, "branch": branch_id,
                "community": community_id, "description": "、".join(acts),
                "started_on": self.day_between(dt.date(2019, 5, 1), min(dt.date(2024, 6, 30), today)),
                "is_active": True,
            })
            projects.append(project)
            if team is not None:
                projects_by_team.setdefault(team["id"], []).append((project, acts))
            else:
                loose.append((project, acts))

        # Service records for the last ~15 months; at most 1440 minutes a volunteer a day.
        window_start = today - dt.timedelta(days=456)
        minutes_choices = (30, 60, 60, 90, 120, 120, 120, 150, 180, 180, 240, 240, 300, 360, 480)
        generic = ("环境整治", "政策宣传", "入户走访", "便民服务", "活动秩序维护")
        day_total: dict[tuple[int, dt.date], int] = {}
        for v in volunteers:
            tier = rng.random()
            count = rng.randint(40, 90) if tier < 0.1 else rng.randint(6, 20) if tier < 0.6 else rng.randint(1, 5)
            own = memberships[v["id"]]
            for _ in range(count):
                team, joined = rng.choice(own)
                served = self.day_between(max(window_start, joined), today)
                minutes = rng.choice(minutes_choices)
                key = (v["id"], served)
                if day_total.get(key, 0) + minutes > 1440:
                    continue
                day_total[key] = day_total.get(key, 0) + minutes
                options = projects_by_team.get(team["id"], [])
                if options and rng.random() < 0.8:
                    project, acts = rng.choice(options)
                elif rng.random() < 0.5:
                    project, acts = rng.choice(loose)
                else:
                    project, acts = None, generic
                self.add(ServiceRecord, {
                    "volunteer": v["id"], "team": team["id"], "project": project["id"] if project else None,
                    "served_on": served, "activity": rng.choice(acts), "minutes": minutes,
                    "created_at": self.stamp(served, 20),
                })
        records = self.rows.get(ServiceRecord, [])
        if records:
            first_id = min(r["id"] for r in records)
            records.sort(key=lambda r: (r["served_on"], r["id"]))
            for new_id, row in enumerate(records, start=first_id):
                row["id"] = new_id
