"""A year of residents' matters (事项) whose figures echo the seeds: a few hundred 扫码报事
with about 98 % settled on time and every resident satisfied (seed 004: 1,175 issues, 98 %,
100 %), about 500 微心愿 with about 320 fulfilled (seed 004), deliberations such as
非机动车停车棚, 智慧健身驿站, 机动车乱停放 (seed 000) and 加装电梯 (seed 003) walked
through the 六事 steps, 社情民意 and 矛盾调解 mostly settled in the estate ("小事不出小区、
大事不出社区、难事不出街道"), a few escalated, a few overdue.

This part draws from its own random generator (seeded from the builder's, after every other
part has drawn), so the rest of the demo is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random

from models import Matter, MatterCategory, MatterEscalation, MatterStep
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.services.matters import vocab
from wanghu_desk.services.matters.deadlines import deadline_after

#: How many of each kind a year brings, and how their stories go.
QR_REPORTS = 380
WISHES = 500
WISHES_DONE = 320
WISHES_CLAIMED_OPEN = 60
OPINIONS = 130
DISPUTES = 42

#: Deadlines of the demo (the office's setting): a wish may wait half a year for a claimant.
DEMO_DEADLINES = {"wish": [6, "month"]}

DELIBERATIONS = (
    ("修建非机动车停车棚", "非机动车停放与充电", "同意在小区东门旁修建非机动车停车棚并安装充电桩，费用从公共收益列支",
     "停车棚建成，可停放电动自行车 120 辆，配充电口 40 个"),
    ("新建智慧健身驿站", "健身设施建设", "同意利用小区中心绿地闲置空间新建智慧健身驿站，由共建单位捐建",
     "智慧健身驿站建成开放，每天 6:00—21:00 免费使用"),
    ("治理机动车乱停放", "机动车停放管理", "同意划定临时停车位、消防通道设置禁停标识，物业每日巡查",
     "新划停车位 86 个，消防通道全部畅通"),
    ("老旧楼栋加装电梯", "加装电梯", "3 栋 2 单元 12 户中 11 户同意加装电梯，费用按楼层分摊",
     "电梯完成安装并通过验收，投入使用"),
    ("广场舞音响扰民", "广场舞扰民", "约定晚 8:30 后停止使用音响，音量不超过 60 分贝",
     "舞蹈队签订文明公约，投诉明显减少"),
    ("小区停车位分配方案", "停车位分配", "按先业主后租户、摇号分配的方案表决通过", "完成摇号分配 214 个车位"),
    ("楼道杂物清理", "楼道杂物堆放", "约定两周内各户自行清理，逾期由物业统一清运", "清理楼道杂物 36 车"),
    ("飞线充电整治", "飞线充电", "同意禁止楼道飞线充电，增设集中充电桩", "拆除飞线 52 处，新增充电桩 2 组"),
    ("公共维修资金使用（屋面防水）", "公共维修资金使用", "同意动用公共维修资金对 5 栋屋面做防水", "屋面防水完工，雨季无渗漏"),
    ("养老助餐点选址", "养老助餐", "同意在党群服务站一楼设置养老助餐点", "助餐点开业，日均就餐老人 48 人"),
    ("小区绿化补植", "小区绿化", "同意补植桂花树 30 棵，居民认养", "补植完成，成立护绿志愿小组"),
    ("宠物文明饲养公约", "宠物管理", "表决通过宠物文明饲养公约", "公约张贴到每个单元，设置宠物便袋箱"),
    ("物业服务质量提升", "物业服务质量", "物业承诺保洁每日两次、报修 24 小时内上门", "物业满意度测评由 72 分升至 88 分"),
    ("业委会换届筹备", "业委会组建与换届", "同意成立换届筹备组，由小区党支部牵头", "新一届业委会选举产生"),
    ("垃圾分类投放点改造", "垃圾分类", "同意将 4 处投放点改为定时定点并加装洗手池", "投放点改造完成"),
    ("消防通道占用整治", "消防通道占用", "划设消防通道标线，占用车辆限期移走", "消防通道全部划线，设置警示桩"),
    ("四点半课堂开设", "托幼与四点半课堂", "同意利用活动室开设四点半课堂，大学生志愿者辅导", "四点半课堂开课，报名学生 35 人"),
    ("小区道路坑洼修补", "小区道路维修", "同意修补主干道坑洼路面", "修补路面 420 平方米"),
    ("安防监控补盲", "安防监控与门禁", "同意在北门和地下车库增设监控探头", "增设探头 16 个"),
    ("二次供水水箱清洗", "二次供水", "同意每半年清洗一次水箱并公示水质检测报告", "水箱清洗完成，水质检测合格"),
    ("电梯维保单位更换", "电梯维修保养", "表决同意更换电梯维保单位", "新维保单位进场"),
    ("外墙瓷砖脱落排险", "外墙脱落", "同意先拉设警戒区，再申请维修资金排险", "排险完成"),
)
RECENT_DELIBERATION_STATES = ("raise", "listen", "deliberate", "decide", "act")

QR_TOPICS = (
    ("设施维修", "{b}楼道声控灯不亮"), ("设施维修", "{b}单元门禁坏了"), ("环境卫生", "{b}门口垃圾没有及时清运"),
    ("停车管理", "{b}楼下消防通道有车辆乱停"), ("设施维修", "{b}电梯按键失灵"), ("安全隐患", "{b}楼道有电动车充电"),
    ("噪音扰民", "{b}楼上夜间装修噪音"), ("物业服务", "{b}绿化带杂草太多"), ("环境卫生", "{b}化粪池外溢有异味"),
    ("设施维修", "{b}屋顶漏水"), ("安全隐患", "{b}窨井盖破损"), ("停车管理", "{b}地下车库照明不足"),
)
OPINION_TOPICS = (
    ("政策咨询", "咨询高龄津贴申领办法"), ("物业服务", "反映物业费上涨未公示"), ("环境卫生", "反映小区周边流动摊贩油烟"),
    ("噪音扰民", "反映夜间施工噪音"), ("安全隐患", "反映小区围墙破损"), ("设施维修", "反映路灯不亮"),
    ("停车管理", "建议增设非机动车停车位"), ("其他", "建议增设老年人休息座椅"),
)
DISPUTE_TOPICS = (
    ("邻里纠纷", "楼上漏水导致楼下天花板受损"), ("邻里纠纷", "占用公共楼道堆放杂物引发争执"),
    ("物业纠纷", "业主拒交物业费与物业产生纠纷"), ("相邻权纠纷", "违规搭建阻挡邻居采光"),
    ("家庭纠纷", "老人赡养问题家庭矛盾"), ("租赁纠纷", "租客退租押金纠纷"),
)
WISH_TOPICS = (
    ("生活用品", "独居老人想要一台电风扇"), ("生活用品", "困难家庭需要一床冬被"), ("助学", "小学生想要一套课外读物"),
    ("助学", "希望有人辅导孩子功课"), ("助老", "高龄老人希望有人陪同就医"), ("助老", "希望帮忙更换家中灯泡"),
    ("助残", "残疾人需要一辆轮椅"), ("医疗健康", "希望上门测量血压"), ("文体用品", "老年合唱队想要一台音箱"),
)
CO_UNITS = ("包河区城管局望湖中队", "望湖派出所", "中铁四局共建党支部", "安徽大市场红色理事会", "合肥供电公司包河分公司",
            "包河区住建局", "社区卫生服务中心")
CLOSE_NOTES = ("电话回访居民", "现场告知居民", "在楼栋群内公告")


class _Matters(_BuilderBase):
    """Builder part: a year of matters."""

    def build_matters(self) -> None:
        rng = random.Random(self.rng.getrandbits(64))
        self.mrng = rng
        today = self.today
        self.first_day = today - dt.timedelta(days=364)
        self.categories = {(c.kind, c.name): c.id for c in MatterCategory.select()}
        self.seqs: dict[tuple[int, str], int] = {}
        self.pending: list[tuple[dict, list[dict], list[dict]]] = []
        estates = [e for e in self.estates]
        self.demo_estates = estates
        for i in range(QR_REPORTS):
            self._default_matter("qr_report", "qr", QR_TOPICS, late=rng.random() < 0.02, i=i, total=QR_REPORTS,
                                 satisfied=1.0)
        for i in range(OPINIONS):
            source = rng.choice(("phone", "visit", "grid", "online", "hotline", "hotline"))
            self._default_matter("opinion", source, OPINION_TOPICS, late=rng.random() < 0.06, i=i, total=OPINIONS,
                                 satisfied=0.93, overdue=i in (3, 17, 40))
        for i in range(DISPUTES):
            self._default_matter("dispute", rng.choice(("visit", "grid", "phone")), DISPUTE_TOPICS,
                                 late=rng.random() < 0.08, i=i, total=DISPUTES, satisfied=0.9, overdue=i == 5)
        self._wishes()
        self._deliberations()
        self.pending.sort(key=lambda p: (p[0]["received_on"], p[0]["_order"]))
        for matter, steps, escalations in self.pending:
            key = (matter["received_on"].year, matter["kind"])
            seq = self.seqs[key] = self.seqs.get(key, 0) + 1
            matter.pop("_order")
            matter.update(id=self.new_id(Matter), year=key[0], seq=seq,
                          number=f"{vocab.KIND_PREFIX[matter['kind']]}{key[0]}-{seq:04d}")
            self.rows.setdefault(Matter, []).append(matter)
            for step in steps:
                self.add(MatterStep, {"matter": matter["id"], **step})
            for esc in escalations:
                self.add(MatterEscalation, {"matter": matter["id"], **esc})
        self.add_setting("matters.deadlines", DEMO_DEADLINES)

    def add_setting(self, key: str, value: object) -> None:
        import json

        from models import Setting

        if not Setting.select().where(Setting.key == key).exists():
            self.add(Setting, {"key": key, "value_json": json.dumps(value, ensure_ascii=False)})

    # ------------------------------------------------------------ helpers
    def _place(self) -> tuple[dict, dict | None]:
        rng = self.mrng
        index = rng.randrange(len(self.demo_estates))
        buildings = self.estate_buildings[index]
        return self.demo_estates[index], (rng.choice(buildings) if buildings else None)

    def _deadline(self, kind: str, received: dt.date) -> dt.date:
        amount, unit = DEMO_DEADLINES.get(kind) or vocab.DEFAULT_DEADLINES[kind]
        return deadline_after(received, amount, unit)

    def _matter(self, kind: str, source: str, category: str, content: str, received: dt.date,
                estate: dict, building: dict | None) -> dict:
        rng = self.mrng
        gender = rng.choice("男女")
        return {
            "_order": len(self.pending), "external_no": None, "kind": kind,
            "category": self.categories.get((kind, category)), "source": source, "estate": estate["id"],
            "building": building["id"] if building else None, "grid": f"第{rng.randint(1, 6)}网格",
            "raiser_name": self.han_name(gender, rng.randint(1945, 1998)), "raiser_phone": self.mobile(),
            "content": content, "received_on": received, "deadline_on": self._deadline(kind, received),
            "level": "estate", "state": None, "handler_branch": None, "handler_members": None, "handler_unit": None,
            "result": None, "evaluation": None, "closed_on": None, "claimant_kind": None, "claimant_name": None,
            "note": None, "created_at": self.stamp_m(received), "updated_at": self.stamp_m(received),
        }

    def stamp_m(self, day: dt.date, hour: int = 9) -> str:
        return f"{day.isoformat()}T{hour:02d}:{self.mrng.randint(0, 59):02d}:00"

    def _step(self, code: str, day: dt.date, **values) -> dict:
        row = {"step": code, "step_on": day, "participants": None, "decision": None, "votes_for": None,
               "votes_against": None, "votes_abstain": None, "note": None, "created_at": self.stamp_m(day, 10),
               "created_by": "admin", "undone_at": None, "undone_reason": None}
        row.update(values)
        return row

    def _branch_of(self, estate: dict) -> int | None:
        for plan in self.branches:
            if plan.estate is not None and self.estates[plan.estate]["id"] == estate["id"]:
                return plan.id
        return None

    def _received(self, i: int, total: int) -> dt.date:
        """Spread over the year, a little busier in summer."""
        span = (self.today - self.first_day).days
        base = int(span * (i + self.mrng.random()) / total)
        return min(self.today, self.first_day + dt.timedelta(days=base))

    # ------------------------------------------------------------ the kinds
    def _default_matter(self, kind: str, source: str, topics, *, late: bool, i: int, total: int,
                        satisfied: float, overdue: bool = False) -> None:
        rng, today = self.mrng, self.today
        category, text = rng.choice(topics)
        estate, building = self._place()
        received = today - dt.timedelta(days=rng.randint(40, 70)) if overdue else self._received(i, total)
        content = text.format(b=building["number"] if building else "")
        m = self._matter(kind, source, category, content, received, estate, building)
        deadline = m["deadline_on"]
        span = max(1, (deadline - received).days)
        steps = [self._step("accept", received)]
        escalations: list[dict] = []
        roll = rng.random()
        level = "estate" if roll < 0.80 else "community" if roll < 0.97 else "street"
        if kind == "qr_report" and level == "street":
            level = "community"
        when = received
        for to in vocab.LEVEL_ORDER[1:vocab.LEVEL_ORDER.index(level) + 1]:
            when = min(today, when + dt.timedelta(days=rng.randint(0, 1)))
            escalations.append({"from_level": vocab.LEVEL_ORDER[vocab.LEVEL_ORDER.index(to) - 1], "to_level": to,
                                "escalated_on": when,
                                "reason": "涉及多个小区，需要社区协调" if to == "community" else "需要职能部门执法处置",
                                "created_at": self.stamp_m(when, 11)})
        m["level"] = level
        if late:
            closed = deadline + dt.timedelta(days=rng.randint(1, 6))
        else:
            closed = received + dt.timedelta(days=rng.randint(0, span))
        stop_at = len(vocab.steps_of(kind))
        if overdue:
            stop_at = rng.choice((2, 3))
        elif closed > today:
            # still open today: somewhere along the way, by its own pace
            stop_at = 1 + min(4, int(5 * (today - received).days / max(1, (closed - received).days)))
            if deadline < today:  # a matter open past its deadline would be overdue: settle it today
                closed, stop_at = today, len(vocab.steps_of(kind))
        days = sorted([received + dt.timedelta(days=rng.randint(0, max(0, (min(closed, today) - received).days)))
                       for _ in range(4)])
        days = [max(d, when) for d in days] + [closed]
        codes = [s.code for s in vocab.steps_of(kind)]
        branch = self._branch_of(estate)
        for k, code in enumerate(codes[1:stop_at], start=1):
            day = min(days[k - 1] if k < 5 else closed, today)
            if code == "assign":
                if level == "estate":
                    m["handler_branch"] = branch
                    m["handler_unit"] = estate.get("property_company") if kind != "dispute" else "小区调解小组"
                else:
                    m["handler_unit"] = rng.choice(CO_UNITS)
            elif code == "handle":
                m["result"] = "已处理完毕" if kind != "dispute" else "双方达成调解协议"
            elif code == "evaluate":
                m["evaluation"] = ("satisfied" if rng.random() < 0.85 else "basic") if rng.random() < satisfied \
                    else "unsatisfied"
            elif code == "close":
                m["closed_on"] = day
            steps.append(self._step(code, day, note=rng.choice(CLOSE_NOTES) if code == "feedback" else None))
        m["state"] = codes[stop_at - 1]
        # step dates never go backwards
        for a, b in zip(steps, steps[1:], strict=False):
            if b["step_on"] < a["step_on"]:
                b["step_on"] = a["step_on"]
        if m["closed_on"] is not None:
            m["closed_on"] = steps[-1]["step_on"]
        self.pending.append((m, steps, escalations))

    def _wishes(self) -> None:
        rng, today = self.mrng, self.today
        teams = [t["name"] for t in getattr(self, "teams", [])] or ["护花志愿服务队"]
        members = [m["name"] for p in self.branches for m in p.members[:3] if m.get("status") == "active"]
        for i in range(WISHES):
            category, text = rng.choice(WISH_TOPICS)
            estate, building = self._place()
            received = self._received(i, WISHES)
            m = self._matter("wish", rng.choice(("online", "online", "grid", "visit")), category, text, received,
                             estate, building)
            steps = [self._step("collect", received)]
            # the oldest are done, the next claimed, the newest wait for a claimant
            if i < WISHES_DONE + WISHES_CLAIMED_OPEN:
                claimed = min(today, received + dt.timedelta(days=rng.randint(1, 20)))
                kind = rng.choices(("member", "unit", "team"), (5, 2, 3))[0]
                name = {"member": lambda: rng.choice(members) if members else "张伟",
                        "unit": lambda: rng.choice(CO_UNITS), "team": lambda: rng.choice(teams)}[kind]()
                m.update(claimant_kind=kind, claimant_name=name, state="claim")
                steps.append(self._step("claim", claimed))
                if i < WISHES_DONE:
                    done = min(today, claimed + dt.timedelta(days=rng.randint(1, 25)))
                    m.update(state="fulfil", closed_on=done, result="心愿已实现")
                    steps.append(self._step("fulfil", done))
            else:
                m["state"] = "collect"
            self.pending.append((m, steps, []))
        # the newest wishes are the open ones
        wishes = [p for p in self.pending if p[0]["kind"] == "wish"]
        dates = sorted(p[0]["received_on"] for p in wishes)
        for (m, steps, _e), day in zip(sorted(wishes, key=lambda p: p[0]["_order"]), dates, strict=True):
            shift = day - m["received_on"]
            m["received_on"] = day
            m["deadline_on"] = self._deadline("wish", day)
            for step in steps:
                step["step_on"] = min(today, step["step_on"] + shift)
            if m["closed_on"] is not None:
                m["closed_on"] = steps[-1]["step_on"]

    def _deliberations(self) -> None:
        rng, today = self.mrng, self.today
        n = len(DELIBERATIONS)
        for i, (title, category, decision, result) in enumerate(DELIBERATIONS):
            estate, _building = self._place()
            received = self.first_day + dt.timedelta(days=int(340 * i / n) + rng.randint(0, 10))
            m = self._matter("deliberation", rng.choice(("meeting", "grid", "online")), category,
                             f"居民提出：{title}", received, estate, None)
            m["raiser_name"] = f"{estate['name']}居民代表"
            states = [s.code for s in vocab.steps_of("deliberation")]
            stop = len(states) if i < n - 4 else states.index(RECENT_DELIBERATION_STATES[i - (n - 4) + 1]) + 1
            day = received
            steps = [self._step("raise", day)]
            people = rng.randint(18, 40)
            yes = people - rng.randint(0, 4)
            against = rng.randint(0, people - yes)
            for code in states[1:stop]:
                day = min(today, day + dt.timedelta(days=rng.randint(3, 14 if code != "act" else 40)))
                values: dict = {}
                if code == "listen":
                    values["participants"] = "网格员、楼栋长"
                    values["note"] = "网格员入户听取意见，收集居民诉求"
                elif code == "deliberate":
                    values["participants"] = vocab.THREE_PARTIES
                    values["note"] = "“月月谈”议事会协商，形成初步方案"
                elif code == "decide":
                    values.update(participants=f"居民代表 {people} 人", decision=decision, votes_for=yes,
                                  votes_against=against, votes_abstain=people - yes - against)
                elif code == "act":
                    m["handler_branch"] = self._branch_of(estate)
                    m["handler_unit"] = rng.choice(CO_UNITS)
                    m["result"] = result
                    values["participants"] = "小区党支部、物业、共建单位"
                elif code == "review":
                    m["evaluation"] = "satisfied" if rng.random() < 0.85 else "basic"
                    m["closed_on"] = day
                    values["participants"] = "居民代表"
                    values["note"] = "群众评议会测评"
                steps.append(self._step(code, day, **values))
            m["state"] = states[stop - 1]
            m["deadline_on"] = self._deadline("deliberation", received)
            if m["closed_on"] is not None and m["closed_on"] > m["deadline_on"]:
                m["deadline_on"] = m["closed_on"]  # the demo's deliberations were settled in time
            self.pending.append((m, steps, []))
