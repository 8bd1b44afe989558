"""The builder's state (one `random.Random(seed)`, the rows in memory, the next ids) and its
small generators: days, phones, ID numbers, names, people."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from models import Setting
from models.base import BaseModel
from wanghu_desk.demo._common import Person
from wanghu_desk.demo.data import (
    _AREA_LIST,
    _AREA_WEIGHTS,
    _SURNAME_LIST,
    _SURNAME_WEIGHTS,
    GIVEN_CHARS,
    GIVEN_NAMES,
    MINORITY_NAMES,
    MOBILE_PREFIXES,
    OTHER_ETHNICITIES,
    XINJIANG_AREAS,
)
from wanghu_desk.validation import id_check_char


class _BuilderBase:
    """The builder's state and small generators; the parts below add one area each."""

    def __init__(self, today: dt.date, seed: int):
        self.today = today
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_minority_names: set[str] = set()
        self.rows: dict[type[BaseModel], list[dict[str, Any]]] = {}
        self.ids: dict[type[BaseModel], int] = {}

    def new_id(self, model: type[BaseModel]) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def add(self, model: type[BaseModel], row: dict[str, Any]) -> dict[str, Any]:
        if "id" not in row and model not in (Setting,):
            row = {"id": self.new_id(model), **row}
        self.rows.setdefault(model, []).append(row)
        return row

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        return f"0551-6{self.rng.randint(0, 9_999_999):07d}"

    def id_number(self, birth: dt.date, gender: str, area: str | None = None) -> str:
        rng = self.rng
        while True:
            code = area or rng.choices(_AREA_LIST, _AREA_WEIGHTS)[0]
            sex_digit = rng.choice("13579" if gender == "男" else "02468")
            first17 = f"{code}{birth:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def han_name(self, gender: str, birth_year: int) -> str:
        rng = self.rng
        surname = rng.choices(_SURNAME_LIST, _SURNAME_WEIGHTS)[0]
        era = "old" if birth_year < 1958 else "mid" if birth_year < 1980 else "young"
        if rng.random() < 0.55:
            given = rng.choice(GIVEN_NAMES[(era, gender)])
        else:
            chars = GIVEN_CHARS[gender]
            single = rng.random() < (0.35 if era == "young" else 0.15)
            given = rng.choice(chars) if single else rng.choice(chars) + rng.choice(chars)
            if len(given) == 2 and given[0] == given[1] and rng.random() < 0.5:
                given = given[0]
        return surname + given

    def birth_in(self, first_year: int, last_year: int) -> dt.date:
        last_year = min(last_year, self.today.year - 21)
        first_year = min(first_year, last_year)
        year = self.rng.randint(first_year, last_year)
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))

    def person(self, first_year: int, last_year: int, *, female_share: float = 0.38,
               minority_ok: bool = True, with_id: bool = True) -> Person:
        rng = self.rng
        birth = self.birth_in(first_year, last_year)
        roll = rng.random()
        unused = [n for n in MINORITY_NAMES if n[0] not in self.used_minority_names]
        if minority_ok and roll < 0.0015 and unused:
            name, gender = rng.choice(unused)
            self.used_minority_names.add(name)
            ethnicity = "维吾尔族"
            area: str | None = rng.choice(XINJIANG_AREAS)
        else:
            gender = "女" if rng.random() < female_share else "男"
            name = self.han_name(gender, birth.year)
            ethnicity = "汉族"
            area = None
            if minority_ok and roll < 0.025:
                ethnicity = rng.choices([e for e, _ in OTHER_ETHNICITIES], [w for _, w in OTHER_ETHNICITIES])[0]
        id_number = self.id_number(birth, gender, area) if with_id else None
        return Person(name, gender, birth, ethnicity, id_number, self.mobile())

    def age(self, birth: dt.date) -> int:
        t = self.today
        return t.year - birth.year - ((t.month, t.day) < (birth.month, birth.day))

    def stamp(self, day: dt.date, hour: int = 9) -> str:
        return f"{day.isoformat()}T{hour:02d}:{self.rng.randint(0, 59):02d}:00"
