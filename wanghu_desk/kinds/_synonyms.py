"""Header spellings that several kinds share (a branch, an ID number, a phone)."""

from __future__ import annotations

BRANCH_SYNONYMS = (
    "所在党组织", "党支部", "所属党支部", "所在支部", "所属支部", "支部", "所属党组织",
    "所在党组织名称", "所在党支部名称", "党支部名称", "支部名称",
)  # fmt: skip
ID_SYNONYMS = (
    "身份证号", "身份证号码", "身份证", "居民身份证号码", "居民身份证号", "身份证件号码",
    "证件号码", "公民身份证号码", "公民身份证号", "身份号码",
)  # fmt: skip
PHONE_SYNONYMS = ("联系方式", "手机号码", "手机号", "手机", "电话", "电话号码", "联系电话号码")
