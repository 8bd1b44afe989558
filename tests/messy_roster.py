"""A generated member roster with every kind of cell the importer meets: clean rows,
and rows with spaces, full-width forms, masked or wrong ID numbers, dates as text,
numbers and serials, impossible party dates, unknown branches, 是/否 look-alikes …
Used by the equivalence test of the member import's fast paths (one seed, one file)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook

from wanghu_desk.validation import id_check_char

HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "人员类别", "入党日期", "转正日期",
           "延长预备期至", "延长预备期原因", "所在党支部", "楼栋党小组", "工作单位及职务", "联系电话", "家庭住址",
           "党籍状态", "失联党员", "流动党员", "党员中心户", "在职党员报到", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐曾单解仇查区覃乐翟尉种召朴盖长"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅兰玉春晓文斌浩宇欣怡子涵雨婷俊博鑫鹏飞亮行重乐"


def _pick(rng: random.Random, clean, *odd, p: float = 0.25):
    """`clean` most of the time, else one of the odd values."""
    if not odd or rng.random() > p:
        return clean
    return rng.choice(odd)


def _id(rng: random.Random, birth: dt.date) -> str:
    first17 = f"{rng.choice(['340104', '340111', '110105'])}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def make_messy_roster(path: Path, rows: int, branches: list[str], seed: int = 11) -> None:
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["望湖街道党员花名册"])
    ws.append(HEADERS)
    used: list[str] = []
    today = dt.date.today()
    for i in range(rows):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 64 * 365))
        id_number = _id(rng, birth)
        if used and rng.random() < 0.01:
            id_number = rng.choice(used)  # a duplicate
        used.append(id_number)
        gender = "男" if int(id_number[16]) % 2 else "女"
        joined = birth + dt.timedelta(days=rng.randrange(17 * 365, 60 * 365))
        confirmed = joined + dt.timedelta(days=rng.choice((366, 400, 200)))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 3))))
        category = _pick(rng, "正式党员", "预备党员", "预备", "正式", "积极分子", None, "", p=0.2)
        extended = reason = None
        if rng.random() < 0.05:
            extended = joined + dt.timedelta(days=rng.choice((500, 700, 900)))
            reason = _pick(rng, "考察期间表现不足", None, "  需继续考察\n一年 ", p=0.4)
        ws.append([
            i + 1,
            _pick(rng, name, f"{name[0]} {name[1:]}", "阿依古丽.买买提", "张3", "无", None, "Anna  Li", 123,
                  "王＊", "李·", p=0.08),
            _pick(rng, gender, "男" if gender == "女" else "女", "M", "F", "男性", 1, 2.0, "x", None, " 女 ", p=0.15),
            _pick(rng, "汉族", "汉", "回族", "回", "火星族", None, " 汉族 ", "满", p=0.15),
            _pick(rng, birth, dt.datetime.combine(birth, dt.time()), birth.isoformat(), f"{birth:%Y.%m.%d}",
                  f"{birth:%Y%m%d}", f"{birth:%Y年%m月%d日}", f"{birth:%Y.%m}", "abc", today + dt.timedelta(days=30),
                  birth + dt.timedelta(days=1), None, p=0.2),
            _pick(rng, id_number, id_number.lower(), id_number[:6] + "********" + id_number[-4:], id_number[:-1] + "0",
                  id_number[:6] + id_number[8:17], f" {id_number} ", None, "", float(id_number[:15]), p=0.08),
            _pick(rng, "大学本科", "本科", "大专", "研究生", "博士后", "高中", None, "初中", " 中专", p=0.3),
            category,
            _pick(rng, joined, joined.isoformat(), birth + dt.timedelta(days=17 * 365), today + dt.timedelta(days=3),
                  birth - dt.timedelta(days=2), "不详", None, f"{joined:%Y-%m}", p=0.1),
            _pick(rng, confirmed, None, confirmed.isoformat(), joined + dt.timedelta(days=100), "", p=0.2),
            extended if extended is not None else _pick(rng, None, "2030-01-01", "延长", p=0.01),
            reason,
            _pick(rng, rng.choice(branches), "不存在的支部", None, f" {branches[0]}", branches[1].replace("党支部", ""),
                  p=0.05),
            _pick(rng, None, "1号楼党小组", "2号楼党小组", " 3 号楼党小组", "新党小组", p=0.4),
            _pick(rng, "退休", "社区网格员", "包河区税务局 干部", "信达科技\n工程师", "　自由职业　", None, "—", p=0.5),
            _pick(rng, f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", "0551-62345678", "12345", None,
                  float(f"139{rng.randrange(10**8):08d}"), "138 0000 0000", "１３９００００００００", p=0.2),
            _pick(rng, f"合肥市包河区宁国路{rng.randrange(1, 999)}号", "合肥市　包河区", "地址\n第二行", None,
                  "Ｂ座 1201", "  前后空格  ", p=0.2),
            _pick(rng, None, "正常", "已故", "已转出", "停止党籍党员", "失踪", p=0.3),
            _pick(rng, None, "是", "否", "√", "×", 1, 0, True, "也许", "Y", p=0.3),
            _pick(rng, None, "是", "否", "Yes", False, p=0.2),
            _pick(rng, None, "是", "否", "1", p=0.2),
            _pick(rng, None, "已报到", "未报到", "否", p=0.2),
            _pick(rng, None, "备注一", "  多个  空格 ", "无", p=0.2),
        ])
    ws.append([None, "合计", None])
    wb.save(str(path))
