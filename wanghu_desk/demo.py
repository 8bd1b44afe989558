"""The 望湖街道 demo (SPEC §11): a deterministic, realistic sub-district in one transaction.

`build_demo(today, seed)` fills an empty database with 5 communities, 29 estates, 74
branches (29 estate branches), 233 building groups, about 3,000 members, the 1+X estate
governance teams (29 党建指导员, 52 红色小管家, 28 大学生社区小管家), volunteer teams and
their service records, a finalized star rating of the previous year (66 branches at one
star or more, 7 at five stars) and this year's ledgers (¥10,000 to every estate branch).

The same `today` and `seed` always give the same data: everything is drawn from one
`random.Random(seed)`, and the only date used is `today`. Rows are generated in memory
first and then written with `executemany`, all in one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models import (
    Account,
    Branch,
    BranchAlias,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    Estate,
    EstateRole,
    Fund,
    LedgerEntry,
    Member,
    MemberTransfer,
    Organization,
    Rating,
    RatingCriterion,
    RatingRound,
    RatingScheme,
    RatingScore,
    ServiceProject,
    ServiceRecord,
    Setting,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
    db,
)
from models.base import BaseModel
from wanghu_desk import vocab
from wanghu_desk.errors import UsageError
from wanghu_desk.pinyin import initials
from wanghu_desk.rating_rules import (
    DEFAULT_CAPS,
    DEFAULT_CRITERIA,
    DEFAULT_THRESHOLDS_CP,
    stars_for,
)
from wanghu_desk.services.base import writing
from wanghu_desk.validation import id_check_char

DEFAULT_SEED = 20240601
ORGANIZATION_NAME = "望湖街道"
SPECIAL_FUND = "小区党组织服务群众专项经费"
PARTY_FUND = "党建工作经费"
ESTATE_ALLOCATION_FEN = 1_000_000
REGISTER_START = dt.date(2019, 3, 1)
SECOND_APPROVER_FEN = 200_000

#: Target star distribution of the previous year's rating (seed 000: 74 branches,
#: 66 at one star or more, 7 at five stars). Two of the eight 0-star branches are vetoed.
STAR_COUNTS = {5: 7, 4: 24, 3: 19, 2: 10, 1: 6, 0: 6}
VETOES = 2

# ---------------------------------------------------------------- names and places

# Surnames with rough national frequencies (per mille); 汪, 程, 方, 葛 … a little higher,
# as in Anhui.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 23),
    ("赵", 23), ("吴", 21), ("周", 20), ("徐", 17), ("孙", 15), ("马", 15), ("朱", 13),
    ("胡", 13), ("郭", 12), ("何", 12), ("高", 11), ("林", 11), ("罗", 9), ("郑", 8),
    ("梁", 8), ("谢", 7), ("宋", 6), ("唐", 6), ("许", 6), ("韩", 6), ("冯", 5), ("邓", 5),
    ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 4), ("董", 4), ("袁", 4), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 7), ("苏", 3),
    ("魏", 3), ("吕", 3), ("丁", 4), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 8), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 2), ("贾", 2), ("夏", 3), ("韦", 2), ("付", 2), ("方", 5), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 3), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 3), ("黎", 1), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 1),
    ("武", 2), ("戴", 2), ("葛", 2), ("储", 1), ("檀", 0.5), ("查", 0.5), ("单", 0.5),
    ("翟", 0.5), ("欧阳", 0.5), ("司马", 0.1), ("诸葛", 0.1),
)  # fmt: skip
_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

# Given names by birth era and gender: whole names, then single characters for combinations.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "男"): ("建国", "国庆", "建华", "志强", "德福", "宝山", "永福", "福生", "长林",
                   "光明", "振华", "国栋", "家声", "树林", "占武", "汉生", "学文", "正义",
                   "春生", "和平", "跃进", "德胜", "世荣", "厚德", "金山", "守田"),
    ("old", "女"): ("秀英", "桂英", "玉兰", "秀兰", "凤英", "桂兰", "淑珍", "桂芳", "玉珍",
                   "秀珍", "素英", "翠华", "兰英", "美华", "秀芳", "桂珍", "玉梅", "淑华",
                   "凤兰", "秀云", "巧云", "金凤"),
    ("mid", "男"): ("卫东", "红军", "建军", "志刚", "立新", "建平", "伟", "勇", "军", "斌",
                   "强", "海涛", "东升", "向阳", "文军", "国强", "晓东", "永刚", "宏伟",
                   "卫国", "庆丰", "爱民", "敬东", "明"),
    ("mid", "女"): ("丽", "红", "敏", "艳", "霞", "静", "丽华", "红梅", "晓燕", "海燕",
                   "春霞", "慧敏", "丽萍", "秀梅", "小红", "冬梅", "卫红", "爱华", "玲"),
    ("young", "男"): ("磊", "鹏", "超", "杰", "涛", "浩", "亮", "俊杰", "晓明", "鑫", "文博",
                     "志远", "子豪", "宇航", "一鸣", "天宇", "浩宇", "俊豪", "子轩", "博文",
                     "嘉豪", "浩然", "宇", "晨"),
    ("young", "女"): ("婷", "倩", "娟", "丹", "颖", "婷婷", "晓丽", "佳", "雪", "丽娜", "倩倩",
                     "欣怡", "思雨", "雨婷", "佳怡", "梦琪", "雨欣", "子涵", "诗涵", "心怡",
                     "蕾", "璐"),
}  # fmt: skip
GIVEN_CHARS = {
    "男": "建国华明军伟强平志永文新海林涛斌波勇杰刚峰磊超鹏飞宇浩俊博晨辉亮东春德荣忠福宝祥成庆龙云洪兵生学家振",
    "女": "秀英华兰玉芳桂珍凤琴梅红丽敏静娟霞燕萍婷雪颖琳慧洁倩欣怡佳晶蕾璐悦晓雯芬莉娜艳丹",
}

#: Names written with the separator "·" (维吾尔族 residents of Hefei).
MINORITY_NAMES = (
    ("艾力·买买提", "男"), ("阿不都·热合曼", "男"), ("买买提·吐尔逊", "男"),
    ("艾买提·司马义", "男"), ("古丽·阿不都", "女"), ("阿依古丽·艾力", "女"),
    ("帕提古丽·吐尔洪", "女"), ("努尔兰·哈力克", "男"), ("迪丽拜尔·玉素甫", "女"),
    ("吐尔逊·卡德尔", "男"),
)
OTHER_ETHNICITIES = (("回族", 12), ("满族", 4), ("壮族", 2), ("蒙古族", 2), ("土家族", 2), ("苗族", 1))

#: Area codes of the place of registration: mostly Hefei (包河 first), some of Anhui, a few others.
AREA_CODES: tuple[tuple[str, float], ...] = (
    ("340111", 30), ("340104", 10), ("340102", 8), ("340103", 8), ("340121", 4),
    ("340122", 5), ("340123", 5), ("340124", 4), ("340181", 4), ("340202", 2),
    ("340302", 2), ("340403", 2), ("340822", 2), ("341021", 1), ("341122", 1),
    ("341202", 3), ("341302", 2), ("341502", 3), ("341602", 2), ("341702", 1),
    ("341802", 1), ("320102", 1), ("330106", 1), ("410102", 1), ("420102", 1),
)  # fmt: skip
_AREA_LIST = [a for a, _ in AREA_CODES]
_AREA_WEIGHTS = [w for _, w in AREA_CODES]
XINJIANG_AREAS = ("650102", "650103", "650104", "653101")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "193", "195", "198", "199",
)  # fmt: skip

COMMUNITIES = (
    ("望湖社区", "包河区望湖路88号"),
    ("南湖社区", "包河区南二环路1218号"),
    ("东湖社区", "包河区徽州大道4872号"),
    ("汇林社区", "包河区洞庭湖路236号"),
    ("大洋店社区", "包河区太湖路59号"),
)

#: (name, kind, community index, road): 29 estates, kinds as in seed 003's four models.
ESTATES = (
    ("望湖城北苑", "commercial", 0, "望湖路"),
    ("望湖城南苑", "commercial", 0, "望湖路"),
    ("望湖新村", "old", 0, "马鞍山路"),
    ("湖畔花园", "commercial", 0, "南二环路"),
    ("省建一公司宿舍", "work_unit", 0, "马鞍山路"),
    ("望湖安居苑", "resettlement", 0, "望湖路"),
    ("南湖春城", "commercial", 1, "南二环路"),
    ("南湖家园", "resettlement", 1, "巢湖路"),
    ("南湖小区", "old", 1, "巢湖路"),
    ("金色池塘", "commercial", 1, "南二环路"),
    ("铁四局宿舍", "work_unit", 1, "宁国路"),
    ("南湖雅苑", "commercial", 1, "巢湖路"),
    ("东湖新村", "old", 2, "徽州大道"),
    ("东湖景苑", "resettlement", 2, "徽州大道"),
    ("大溪地", "commercial", 2, "庐州大道"),
    ("都市清华", "commercial", 2, "徽州大道"),
    ("供电公司宿舍", "work_unit", 2, "宁国路"),
    ("塘西河花园", "resettlement", 2, "庐州大道"),
    ("汇林阁", "commercial", 3, "洞庭湖路"),
    ("逍遥苑", "commercial", 3, "洞庭湖路"),
    ("锦绣家园", "resettlement", 3, "太湖路"),
    ("徽州大道片区", "old", 3, "徽州大道"),
    ("粮食局宿舍", "work_unit", 3, "太湖路"),
    ("大洋店安居苑", "resettlement", 4, "太湖路"),
    ("洞庭湖小区", "old", 4, "洞庭湖路"),
    ("太湖路片区", "old", 4, "太湖路"),
    ("翡翠湖畔", "commercial", 4, "南二环路"),
    ("淝河花园", "resettlement", 4, "庐州大道"),
    ("新城国际", "commercial", 4, "庐州大道"),
)
HOUSEHOLDS = {"commercial": (900, 3000), "resettlement": (1000, 2800), "work_unit": (300, 800), "old": (400, 1500)}

PROPERTY_COMPANIES = (
    "合肥望湖物业服务有限公司", "安徽徽园物业管理有限公司", "合肥南湖物业服务有限公司",
    "安徽置地物业服务有限公司", "合肥安居物业管理有限公司", "合肥城建物业管理有限公司",
    "安徽国贸物业服务有限公司",
)  # fmt: skip

ENTERPRISES = (
    "合肥望湖物业服务有限公司", "安徽徽园物业管理有限公司", "合肥鑫源建筑工程有限公司",
    "安徽华信会计师事务所有限公司", "合肥同心电子科技有限公司", "安徽远航物流有限公司",
    "合肥康泰医药连锁有限公司", "合肥湖畔餐饮管理有限公司", "安徽盛华建设工程有限公司",
    "合肥智联信息技术有限公司",
)  # fmt: skip
SOCIAL_ORGS = (
    "望湖街道社会组织联合", "合肥市包河区益邻社会工作服务中心", "安徽恒信律师事务所",
    "包河区望湖养老服务中心", "合肥市包河区爱心家园志愿者协会",
)  # fmt: skip
FORMER_EMPLOYERS = (
    "合肥钢铁公司", "安徽省建工集团", "中铁四局", "合肥供电公司", "合肥市粮食局", "合肥百货大楼",
    "安徽省纺织厅", "合肥市第一人民医院", "合肥市第二中学", "包河区人民政府", "合肥江淮汽车厂",
    "合肥市公交公司", "安徽省邮电局", "合肥化工厂",
)  # fmt: skip
EMPLOYERS = (
    "合肥市第一人民医院护士", "安徽医科大学第二附属医院医生", "合肥市望湖小学教师",
    "合肥一六八中学教师", "中国移动合肥分公司职员", "国网合肥供电公司工程师",
    "科大讯飞股份有限公司工程师", "合肥京东方光电科技有限公司技术员", "徽商银行合肥分行职员",
    "合肥市包河区人民法院书记员", "包河区市场监督管理局科员", "安徽建工集团项目经理",
    "合肥公交集团驾驶员", "中铁四局集团工程师", "合肥百货大楼集团职员", "个体经营",
    "自由职业", "合肥工业大学教师", "安徽大学研究生", "合肥市包河区税务局科员",
    "安徽江淮汽车集团工程师", "合肥热电集团职员", "望湖社区居委会社区工作者",
)  # fmt: skip
AGENCY_POSTS = ("党政办科员", "党建办科员", "党建办副主任", "社会事务办科员", "城市管理办科员",
                "经济发展办科员", "综合执法队队员", "便民服务中心工作人员", "公共安全办科员")

SCHOOLS = ("安徽大学", "合肥工业大学", "安徽建筑大学", "合肥学院", "安徽医科大学", "安徽农业大学")
SKILLS = ("理发", "法律咨询", "医疗护理", "心理疏导", "家电维修", "书法", "摄影", "课业辅导",
          "驾驶", "文艺表演", "电脑操作", "烹饪", "手工", "急救")

# (name, kind, owner key, note); owner key "estate:N", "branch:NAME", "community:N".
TEAMS = (
    ("护花志愿服务队", "volunteer", "estate:0", "守护小区绿化，带动居民爱绿护绿"),
    ("“情暖桑榆”志愿服务队", "volunteer", "community:1", "关爱独居、高龄老人"),
    ("朝阳护学志愿服务队", "volunteer", "estate:14", "上下学时段校门口护学"),
    ("“乐夕阳”助老志愿服务队", "volunteer", "estate:6", "助餐、陪护、代办"),
    ("“老韩说法”法律服务志愿队", "volunteer", "community:3", "法律咨询、矛盾调解"),
    ("“幸福护卫”平安巡逻队", "vanguard", "community:4", "夜间平安巡逻、消防安全检查"),
    ("红色小管家服务队", "governance", "community:0", "小区治理团队的红色小管家"),
    ("大学生社区小管家服务队", "governance", "community:2", "入户走访、为老人送餐"),
    ("望湖街道党员先锋队", "vanguard", "branch:望湖街道机关第一党支部", "机关党员下沉小区"),
    ("邻里矛盾调解队", "governance", "estate:7", "警民联调、邻里纠纷调解"),
    ("“月月谈”议事协商队", "governance", "estate:18", "三级议事协商平台"),
    ("义诊志愿服务队", "volunteer", "branch:望湖街道社区卫生服务中心党支部", "免费义诊、健康讲座"),
    ("文明劝导志愿服务队", "volunteer", "estate:12", "文明养犬、机动车规范停放劝导"),
    ("垃圾分类督导志愿服务队", "volunteer", "estate:23", "垃圾分类桶边督导"),
)

# (name, team index or None, activities). The first ones are named in seed 000.
PROJECTS: tuple[tuple[str, int | None, tuple[str, ...]], ...] = (
    ("乐夕阳", 3, ("为独居老人送餐", "陪老人聊天", "代购生活用品")),
    ("朝阳护学", 2, ("上学时段路口护学", "放学时段路口护学")),
    ("爱在楼栋 友邻相伴", 6, ("楼栋邻里走访", "楼道清理", "楼栋议事")),
    ("老韩说法", 4, ("法律咨询", "普法讲座", "调解邻里纠纷")),
    ("幸福护卫", 5, ("夜间平安巡逻", "消防通道检查")),
    ("情暖桑榆", 1, ("高龄老人探访", "为老人理发", "助老陪诊")),
    ("开门一件事", 8, ("入户收集居民诉求", "协调解决居民诉求")),
    ("月月谈", 10, ("议事协商会", "居民意见收集")),
    ("护花行动", 0, ("修剪绿化", "认养花草", "清理绿化带垃圾")),
    ("大学生社区小管家入户送餐", 7, ("为老人送餐", "入户走访")),
    ("图书漂流", None, ("图书整理", "图书漂流角值守")),
    ("智慧健身驿站守护", None, ("健身驿站设施巡查", "健身器材使用指导")),
    ("免费义诊进小区", 11, ("免费义诊", "测量血压血糖", "健康讲座")),
    ("红色家访", 6, ("红色家访", "困难党员走访")),
    ("银龄课堂", None, ("智能手机教学", "防诈骗讲座")),
    ("四点半课堂", None, ("课业辅导", "手工课")),
    ("邻里守望", None, ("独居老人每日问候", "楼栋巡查")),
    ("微心愿认领", None, ("微心愿收集", "微心愿送达")),
    ("家电义修", None, ("家电义务维修",)),
    ("爱心义剪", None, ("义务理发",)),
    ("法律援助进小区", 4, ("法律援助咨询",)),
    ("反诈宣传进楼栋", 5, ("反诈宣传", "入户发放宣传单")),
    ("垃圾分类我先行", 13, ("垃圾分类督导", "垃圾分类宣传")),
    ("文明养犬劝导", 12, ("文明养犬劝导",)),
    ("机动车规范停放", 12, ("机动车停放劝导", "非机动车停车棚整理")),
    ("楼道清洁日", None, ("楼道清理", "清理小广告")),
    ("睦邻茶话会", None, ("睦邻茶话会",)),
    ("书香楼栋", None, ("读书分享会", "图书整理")),
    ("健康小屋", 11, ("健康咨询", "测量血压")),
    ("心灵驿站", None, ("心理疏导", "心理健康讲座")),
    ("助残帮扶", None, ("助残走访", "陪同就医")),
    ("困境儿童关爱", None, ("困境儿童探访", "课业辅导")),
    ("消防安全宣讲", 5, ("消防安全宣讲", "灭火器使用演示")),
    ("电动车充电安全", 5, ("电动车飞线充电劝导", "充电安全宣传")),
    ("防汛巡查", 8, ("防汛巡查", "排水口清理")),
    ("党员先锋岗", 8, ("党员先锋岗值守",)),
    ("小区议事厅", 10, ("议事协商会",)),
    ("物业服务监督", 10, ("物业服务满意度调查",)),
    ("红色电影进小区", None, ("红色电影放映",)),
    ("科普进小区", None, ("科普宣传", "科普展览布置")),
    ("巧手课堂", None, ("手工制作", "布艺教学")),
    ("光影望湖摄影展", None, ("摄影展布展", "摄影讲解")),
    ("便民服务日", None, ("便民服务", "磨刀修伞")),
    ("爱心菜园", None, ("菜园打理",)),
    ("楼栋微治理", 6, ("楼栋议事", "楼栋公约宣传")),
    ("社区夜校", None, ("夜校授课", "夜校签到服务")),
    ("亲子阅读", None, ("亲子阅读活动",)),
    ("暑期托管", None, ("暑期托管看护", "暑期课业辅导")),
    ("扶老助行", 1, ("陪老人就医", "助老出行")),
    ("平安夜巡", 5, ("夜间巡逻",)),
    ("绿色家园", 0, ("环境整治", "清理卫生死角")),
    ("旧衣回收", None, ("旧衣回收整理",)),
    ("无偿献血宣传", 11, ("献血宣传",)),
    ("退役军人之家", None, ("退役军人走访",)),
)

EXPENSE_TEMPLATES: dict[str, tuple[tuple[str, int, int], ...]] = {
    # subject: (summary, min fen, max fen); seasonal ones are picked only in their months
    # (see SEASONAL).
    "activity": (
        ("开展主题党日活动购买学习资料", 20_000, 120_000),
        ("“七一”党员活动场地布置", 50_000, 250_000),
        ("组织党员观看红色电影", 30_000, 150_000),
        ("“三会一课”学习用书采购", 15_000, 80_000),
        ("党员志愿服务活动物资", 30_000, 180_000),
    ),
    "service": (
        ("“乐夕阳”助老送餐食材费", 40_000, 220_000),
        ("小区非机动车停车棚维修", 80_000, 380_000),
        ("楼道照明灯更换", 30_000, 160_000),
        ("智慧健身驿站日常维护", 40_000, 200_000),
        ("为民服务项目物资采购", 30_000, 200_000),
        ("图书漂流角图书采购", 20_000, 120_000),
        ("小区议事协商会资料印制", 10_000, 50_000),
    ),
    "venue": (
        ("小区党群服务站桌椅维修", 30_000, 150_000),
        ("党群服务站宣传展板制作", 50_000, 300_000),
        ("党建宣传栏更新", 40_000, 240_000),
    ),
    "condolence": (
        ("春节走访慰问困难党员", 40_000, 200_000),
        ("“七一”慰问老党员", 30_000, 180_000),
        ("重阳节慰问高龄老人", 30_000, 150_000),
        ("走访慰问困难群众", 20_000, 120_000),
        ("看望慰问生病住院党员", 20_000, 80_000),
    ),
    "office": (
        ("购买打印纸、墨盒", 5_000, 40_000),
        ("台账资料装订", 3_000, 20_000),
    ),
    "other": (
        ("消防安全宣传资料印制", 10_000, 60_000),
        ("垃圾分类宣传横幅制作", 8_000, 40_000),
    ),
}
SEASONAL = {
    "春节走访慰问困难党员": (1, 2), "“七一”党员活动场地布置": (6, 7), "“七一”慰问老党员": (6, 7),
    "重阳节慰问高龄老人": (10,), "“乐夕阳”助老送餐食材费": tuple(range(1, 13)),
}
SUBJECT_WEIGHTS = {"activity": 5, "service": 7, "venue": 2, "condolence": 3, "office": 2, "other": 1}


# ---------------------------------------------------------------- helpers


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _bulk(model: type[BaseModel], rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows (dicts keyed by field name, all with the same keys) with executemany."""
    if not rows:
        return 0
    fields = model._meta.fields
    names = list(rows[0])
    columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    cursor = db.cursor()
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        cursor.executemany(sql, [tuple(_iso(row[n]) for n in names) for row in batch])
    return len(rows)


def _next_id(model: type[BaseModel]) -> int:
    (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.table_name}"').fetchone()
    return top + 1


def _full_name(short: str) -> str:
    """中共…支部委员会 from a short branch name ending in 党支部."""
    stem = short[: -len("党支部")] if short.endswith("党支部") else short
    return f"中共{stem}支部委员会"


def _estate_branch_name(estate: str) -> str:
    return f"{estate}党支部" if estate.endswith(("小区", "片区")) else f"{estate}小区党支部"


@dataclass
class Person:
    name: str
    gender: str
    birth: dt.date
    ethnicity: str = "汉族"
    id_number: str | None = None
    phone: str | None = None


@dataclass
class BranchPlan:
    id: int
    name: str
    category: str
    community: int | None  # index into COMMUNITIES
    organization_id: int
    estate: int | None = None  # index into ESTATES
    size: int = 0
    profile: str = "mixed"
    employer: str | None = None
    founded_on: dt.date | None = None
    member_ids: list[int] = field(default_factory=list)
    secretary: dict = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)
    quality: float = 0.0


class _Builder:
    def __init__(self, today: dt.date, seed: int):
        self.today = today
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_minority_names: set[str] = set()
        self.rows: dict[type[BaseModel], list[dict[str, Any]]] = {}
        self.ids: dict[type[BaseModel], int] = {}

    # ------------------------------------------------------------ small generators

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

    # ------------------------------------------------------------ organisation

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

    # ------------------------------------------------------------ branches

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

    # ------------------------------------------------------------ members

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

    # ------------------------------------------------------------ estate governance teams (1+X)

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

    # ------------------------------------------------------------ volunteers

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

    # ------------------------------------------------------------ rating (previous year)

    def split_points(self, total: int, maxima: list[int]) -> list[int]:
        """Points per item (multiples of 50 cp, within each maximum) that sum to `total`."""
        rng = self.rng
        ratio = total / sum(maxima)
        points = []
        for top in maxima:
            share = min(1.0, max(0.0, ratio + rng.gauss(0, 0.07)))
            points.append(min(top, int(round(top * share / 50)) * 50))
        diff = total - sum(points)
        while diff:
            step = 50 if diff > 0 else -50
            room = [k for k, p in enumerate(points) if 0 <= p + step <= maxima[k]]
            k = rng.choice(room)
            points[k] += step
            diff -= step
        return points

    def build_rating(self) -> None:
        rng, today = self.rng, self.today
        year = today.year - 1
        scheme = self.add(RatingScheme, {
            "name": f"{year}年度星级党支部评定标准",
            "thresholds_json": json.dumps({str(k): v for k, v in DEFAULT_THRESHOLDS_CP.items()}),
            "caps_json": json.dumps({str(k): v for k, v in DEFAULT_CAPS.items()}),
            "note": "百分制：五星 90 分以上，四星 80 分以上，三星 70 分以上，二星 60 分以上，一星 50 分以上；"
                    "五星党支部不超过 10%。",
            "created_at": self.stamp(dt.date(year, 12, 10) if dt.date(year, 12, 10) < today else today),
        })
        criteria = []
        for k, c in enumerate(DEFAULT_CRITERIA):
            criteria.append(self.add(RatingCriterion, {
                "scheme": scheme["id"], "kind": c.kind, "dimension": c.dimension, "item": c.item,
                "max_cp": c.max_cp, "sort_order": k + 1,
            }))
        score_rows = [r for r in criteria if r["kind"] == "score"]
        maxima = [r["max_cp"] for r in score_rows]

        start = dt.date(today.year, 3, rng.randint(6, 16))
        if start + dt.timedelta(days=6) > today:
            start = today - dt.timedelta(days=10)
        end = start + dt.timedelta(days=5)
        finalized_on = end + dt.timedelta(days=1)
        rnd = self.add(RatingRound, {
            "year": year, "scheme": scheme["id"], "status": "finalized",
            "publicity_start": start, "publicity_end": end,
            "finalized_at": f"{finalized_on.isoformat()}T10:30:00", "finalized_by": "admin",
        })
        self.rating_round = rnd
        self.finalized_on = finalized_on

        for p in self.branches:
            base = 0.76 if p.category == "estate" else 0.66 if p.category in ("agency", "functional", "grid") else 0.55
            p.quality = base + rng.gauss(0, 0.1)
        small = [p for p in self.branches if p.category in ("enterprise", "social_org")]
        vetoed = {p.id: reason for p, reason in zip(sorted(rng.sample(small, VETOES), key=lambda p: p.id),
                                                    ("三年未发展党员", "严重违法违纪"))}
        ranked = sorted((p for p in self.branches if p.id not in vetoed), key=lambda p: (-p.quality, p.id))
        bands = {5: (9000, 9750), 4: (8000, 8950), 3: (7000, 7950), 2: (6000, 6950), 1: (5000, 5950),
                 0: (3800, 4950)}
        targets: dict[int, int] = {}
        pos = 0
        for star in (5, 4, 3, 2, 1, 0):
            for p in ranked[pos : pos + STAR_COUNTS[star]]:
                targets[p.id] = star
            pos += STAR_COUNTS[star]
        self.stars: dict[int, int] = {}
        for p in self.branches:
            is_vetoed = p.id in vetoed
            if is_vetoed:
                total = rng.randint(120, 150) * 50
            else:
                low, high = bands[targets[p.id]]
                total = rng.randint(low // 50, high // 50) * 50
            stars = stars_for(total, is_vetoed)
            assert is_vetoed or stars == targets[p.id]
            self_total = min(10000, total + rng.choice((0, 0, 100, 200, 300, 500)))
            rating = self.add(Rating, {
                "round": rnd["id"], "branch": p.id, "self_stars": stars_for(self_total, False),
                "vetoed": is_vetoed, "veto_reason": vetoed.get(p.id), "total_cp": total, "stars": stars,
                "cap_decision": None,
                "note": "经街道党工委审定，一票否决" if is_vetoed else None,
            })
            self.stars[p.id] = stars
            stages = [("self", self_total), ("street", total)]
            if p.community is not None:
                stages.insert(1, ("community", min(10000, max(0, total + rng.choice((-100, 0, 0, 50, 100))))))
            for stage, stage_total in stages:
                for crit, points in zip(score_rows, self.split_points(stage_total, maxima)):
                    self.add(RatingScore, {"rating": rating["id"], "criterion": crit["id"], "stage": stage,
                                           "points_cp": points})

    # ------------------------------------------------------------ ledger (current year)

    def ledger_entry(self, own: list[dict], branch_id: int, fund: dict, day: dt.date, kind: str,
                     subject: str, summary: str, amount: int, handler: str, approver: str,
                     second_approver: str | None = None) -> dict:
        row = {
            "id": None, "branch": branch_id, "fund": fund["id"], "year": day.year, "voucher_no": None,
            "entry_date": day, "kind": kind, "subject": subject, "summary": summary,
            "amount_fen": amount, "handler": handler, "approver": approver,
            "second_approver": second_approver, "reverses": None,
            "created_at": self.stamp(day, 10), "created_by": "admin", "_order": len(own),
        }
        own.append(row)
        return row

    def expenses(self, own: list[dict], plan: BranchPlan, fund: dict, budget: int, first_day: dt.date,
                 second: str) -> int:
        """Expenses of one branch from one fund, dated after `first_day`, within `budget`."""
        rng, today = self.rng, self.today
        sec = plan.secretary["name"]
        others = [m["name"] for m in plan.members if m["status"] == "active" and m["name"] != sec] or [sec]
        subjects = list(SUBJECT_WEIGHTS)
        weights = list(SUBJECT_WEIGHTS.values())
        spent = 0
        for _ in range(40):
            if budget - spent < 5_000:
                break
            day = self.day_between(first_day + dt.timedelta(days=3), today)
            subject = rng.choices(subjects, weights)[0]
            fitting = [t for t in EXPENSE_TEMPLATES[subject] if day.month in SEASONAL.get(t[0], (day.month,))]
            summary, low, high = rng.choice(fitting)
            amount = rng.randint(low // 100, high // 100) * 100 + rng.choice((0, 0, 0, 50))
            if spent + amount > budget:
                continue
            spent += amount
            self.ledger_entry(own, plan.id, fund, day, "expense", subject, summary, amount,
                              rng.choice(others), sec, second if amount >= SECOND_APPROVER_FEN else None)
        return spent

    def build_ledger(self) -> None:
        rng, today = self.rng, self.today
        year = today.year
        special = self.add(Fund, {"name": SPECIAL_FUND, "carries_over": False, "minimum_fen": ESTATE_ALLOCATION_FEN})
        party = self.add(Fund, {"name": PARTY_FUND, "carries_over": False, "minimum_fen": 0})
        office_clerk = self.han_name("女", 1990)
        top_secretary = self.top["secretary"]
        alloc_day = min(dt.date(year, 1, rng.randint(8, 20)), today)
        party_day = self.finalized_on + dt.timedelta(days=rng.randint(10, 30))
        party_amount = {5: 500_000, 4: 300_000, 3: 200_000, 2: 100_000, 1: 50_000}
        elapsed = (today - dt.date(year, 1, 1)).days / 365
        committee_secretary = {c["id"]: c["secretary"] for c in self.committees}
        entries: list[dict] = []
        reversal_done = False

        for p in self.branches:
            own: list[dict] = []
            sec = p.secretary["name"]
            second = committee_secretary.get(p.organization_id, top_secretary)
            stars = self.stars.get(p.id, 0)
            if p.category == "estate":
                self.ledger_entry(own, p.id, special, alloc_day, "allocation", "service",
                                  f"{year}年小区党组织服务群众专项经费拨付", ESTATE_ALLOCATION_FEN,
                                  office_clerk, top_secretary)
                if (today - alloc_day).days > 5:
                    share = min(0.95, elapsed * rng.uniform(0.55, 1.05))
                    budget = int(ESTATE_ALLOCATION_FEN * share)
                    spent = self.expenses(own, p, special, budget, alloc_day, second)
                    # One entry keyed in twice, corrected by a reversal (as an accountant would).
                    done = [e for e in own if e["kind"] == "expense"]
                    if not reversal_done and done:
                        original = max(done, key=lambda e: (e["entry_date"], e["_order"]))
                        if (spent + original["amount_fen"] <= ESTATE_ALLOCATION_FEN
                                and original["entry_date"] + dt.timedelta(days=3) <= today):
                            dup = self.ledger_entry(
                                own, p.id, special, original["entry_date"], "expense", original["subject"],
                                original["summary"], original["amount_fen"], original["handler"],
                                original["approver"], original["second_approver"])
                            fix_day = original["entry_date"] + dt.timedelta(days=rng.randint(1, 3))
                            rev = self.ledger_entry(own, p.id, special, fix_day, "reversal", original["subject"],
                                                    "冲销重复录入的凭证", original["amount_fen"],
                                                    original["handler"], sec)
                            rev["_reverses"] = dup
                            reversal_done = True
            if stars >= 1 and party_day <= today:
                amount = party_amount[stars]
                self.ledger_entry(own, p.id, party, party_day, "allocation", "activity",
                                  f"{year - 1}年度{stars}星级党支部党建工作经费", amount, office_clerk,
                                  top_secretary)
                if (today - party_day).days > 5:
                    self.expenses(own, p, party, int(amount * rng.uniform(0.3, 0.9)), party_day, second)
            own.sort(key=lambda e: (e["entry_date"], e["kind"] != "allocation", e["_order"]))
            for n, row in enumerate(own, start=1):
                row["voucher_no"] = n
            entries.extend(own)

        entries.sort(key=lambda e: (e["entry_date"], e["branch"], e["voucher_no"]))
        for row in entries:
            row["id"] = self.new_id(LedgerEntry)
        for row in entries:
            dup = row.pop("_reverses", None)
            if dup is not None:
                row["reverses"] = dup["id"]
                row["summary"] = f"冲销第{dup['voucher_no']}号凭证（重复录入）"
            row.pop("_order")
            self.rows.setdefault(LedgerEntry, []).append(row)

    # ------------------------------------------------------------ everything

    def generate(self) -> None:
        for model in (Community, Organization, Estate, Building, Branch, BranchAlias, BranchEstate,
                      Member, BuildingGroup, BuildingGroupBuilding, MemberTransfer, EstateRole,
                      VolunteerTeam, Volunteer, TeamMembership, ServiceProject, ServiceRecord,
                      RatingScheme, RatingCriterion, RatingRound, Rating, RatingScore, Fund,
                      LedgerEntry, Account):
            self.ids[model] = _next_id(model)
        self.build_organisation()
        self.plan_branches()
        self.build_members()
        self.add_branches()
        self.build_estate_roles()
        self.build_volunteers()
        self.build_rating()
        self.build_ledger()
        if not Account.select().where(Account.username == "admin").exists():
            self.add(Account, {
                "username": "admin", "display_name": "管理员", "role": "admin", "password_hash": None,
                "is_active": True, "created_at": self.stamp(self.today), "last_login_at": None,
            })
        if not Setting.select().where(Setting.key == "organization.name").exists():
            self.add(Setting, {"key": "organization.name",
                               "value_json": json.dumps(ORGANIZATION_NAME, ensure_ascii=False)})


#: Insert order: parents before children (building groups and members refer to each
#: other; foreign keys are checked at commit).
INSERT_ORDER: tuple[type[BaseModel], ...] = (
    Community, Organization, Estate, Building, Branch, BranchAlias, BranchEstate,
    BuildingGroup, BuildingGroupBuilding, Member, MemberTransfer, EstateRole,
    VolunteerTeam, Volunteer, TeamMembership, ServiceProject, ServiceRecord,
    RatingScheme, RatingCriterion, RatingRound, Rating, RatingScore, Fund, LedgerEntry,
    Account, Setting,
)


def _ensure_empty() -> None:
    for model in (Branch, Community, Estate, Member):
        if model.select().exists():
            raise UsageError(
                "数据库中已经有组织或党员数据，演示数据只能装入空数据库。请新建一个数据库后再装入演示数据。"
            )


def build_demo(today: dt.date | None = None, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Fill the open, empty database with the 望湖街道 demo as of `today`.

    Raises `UsageError` if the database already holds branches, communities, estates or
    members. Returns the number of rows written per kind.
    """
    today = today or dt.date.today()
    _ensure_empty()
    with writing("demo.build", permission="admin") as tx:
        _ensure_empty()
        db.execute_sql("PRAGMA defer_foreign_keys = ON")
        builder = _Builder(today, seed)
        builder.generate()
        for model in INSERT_ORDER:
            _bulk(model, builder.rows.get(model, []))
        counts = _counts(builder)
        tx.audit("database", None, "demo", after=counts, note=_summary(counts, today))
    return counts


def _summary(counts: dict[str, int], today: dt.date) -> str:
    return (
        f"装入「望湖街道」演示数据（截至 {today.isoformat()}）：社区 {counts['communities']} 个，"
        f"小区 {counts['estates']} 个，党支部 {counts['branches']} 个（小区党支部 {counts['estate_branches']} 个），"
        f"楼栋党小组 {counts['building_groups']} 个，党员 {counts['members']} 名，"
        f"志愿者 {counts['volunteers']} 名，志愿服务记录 {counts['service_records']} 条，"
        f"经费台账 {counts['ledger_entries']} 笔。"
    )


def _counts(b: _Builder) -> dict[str, int]:
    rows = b.rows
    members = rows.get(Member, [])
    roles = rows.get(EstateRole, [])
    return {
        "communities": len(rows.get(Community, [])),
        "organizations": len(rows.get(Organization, [])),
        "estates": len(rows.get(Estate, [])),
        "buildings": len(rows.get(Building, [])),
        "branches": len(rows.get(Branch, [])),
        "estate_branches": sum(r["category"] == "estate" for r in rows.get(Branch, [])),
        "branch_aliases": len(rows.get(BranchAlias, [])),
        "building_groups": len(rows.get(BuildingGroup, [])),
        "members": len(members),
        "members_active": sum(m["status"] == "active" for m in members),
        "probationary": sum(m["category"] == "probationary" and m["status"] == "active" for m in members),
        "estate_roles": len(roles),
        "instructors": sum(r["role"] == "instructor" for r in roles),
        "red_stewards": sum(r["role"] == "red_steward" for r in roles),
        "student_stewards": sum(r["role"] == "student_steward" for r in roles),
        "volunteer_teams": len(rows.get(VolunteerTeam, [])),
        "volunteers": len(rows.get(Volunteer, [])),
        "team_memberships": len(rows.get(TeamMembership, [])),
        "service_projects": len(rows.get(ServiceProject, [])),
        "service_records": len(rows.get(ServiceRecord, [])),
        "ratings": len(rows.get(Rating, [])),
        "rating_scores": len(rows.get(RatingScore, [])),
        "ledger_entries": len(rows.get(LedgerEntry, [])),
    }
