"""zh/en labels of every enum of the rules: code -> (zh, en). Codes are stable (stored, sent over the API);
the texts may be reworded. ``label(table, code)`` gives a ``shared.schemas.Label``; ``ENUMS`` names every
table, for an endpoint that lists them (the document checklist lives in ``documents``)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.schemas import Label

Texts = Mapping[str, tuple[str, str]]

# WP-2
PERMIT_CLASSES: Texts = {
    "A": ("外国高端人才（A类）", "foreign high-end talent (class A)"),
    "B": ("外国专业人才（B类）", "foreign professional (class B)"),
    "C": ("其他外国人员（C类）", "other foreign personnel (class C)"),
}

# WP-1 education or skills; WP-3 reads the degrees among them.
EDUCATION: Texts = {
    "doctorate": ("博士", "doctorate"),
    "top_skills_certificate": (
        "国际通用最高等级职业技能资格证书或高级技师",
        "top-level international vocational skills certificate or senior technician",
    ),
    "master": ("硕士", "master's degree"),
    "technician": ("技师", "technician"),
    "bachelor": ("学士", "bachelor's degree"),
    "senior_worker": ("高级工", "senior skilled worker"),
    "other": ("其他", "other"),
}

# WP-1 factors, in the order of the table.
FACTORS: Texts = {
    "salary": ("国内聘用单位支付年薪", "annual salary from the employer in China"),
    "education": ("受教育程度或职业技能资格", "education or vocational skills"),
    "work_years": ("相关工作年限", "years of relevant work"),
    "months_in_china": ("每年在华工作时间", "months worked in China per year"),
    "chinese": ("汉语水平", "Chinese language"),
    "work_location": ("工作地区", "work location"),
    "age": ("年龄", "age"),
    "bonus": ("加分项目", "bonus items"),
    "provincial": ("地方鼓励性加分", "provincial encouragement"),
}

# WP-1 bonus items (5 points each, 5 in total by default).
BONUSES: Texts = {
    "renowned_university": ("毕业于国（境）外高水平大学", "graduate of a renowned foreign university"),
    "fortune_500": ("有世界500强企业任职经验", "experience at a Fortune Global 500 company"),
    "intellectual_property": ("具有专利等知识产权", "holds patents or other intellectual property"),
    "five_years_in_china": ("已连续在华工作5年及以上", "5 or more consecutive years working in China"),
}

# WP-2 the A-class criteria an employer may claim.
A_CRITERIA: Texts = {
    "talent_programme": (
        "入选副省级以上人才引进计划",
        "selected for a talent programme at vice-provincial level or above",
    ),
    "recognised_achievement": (
        "符合国际公认的专业成就认定标准（诺贝尔奖、图灵奖、菲尔兹奖、沃尔夫奖、阿贝尔奖、院士等）",
        "internationally recognised achievement (Nobel, Turing, Fields, Wolf, Abel, academy member and like)",
    ),
    "encouraged_post": ("符合市场导向的鼓励类岗位", "a market-oriented encouraged post"),
    "innovation_talent": ("创新创业人才", "innovation or entrepreneurship talent"),
    "young_talent": ("优秀青年人才", "outstanding young talent"),
}

# WP-2 the kinds of post; all but ``regular`` are the posts the state lists for class C.
POST_KINDS: Texts = {
    "regular": ("常规岗位", "regular post"),
    "temporary": ("临时性工作", "temporary work"),
    "seasonal": ("季节性工作", "seasonal work"),
    "short_term": ("90日以下短期工作", "short-term work of 90 days or less"),
    "quota_programme": (
        "配额管理项目（政府间协议、实习等）",
        "quota programme (intergovernmental agreements, internships and like)",
    ),
}
C_LISTED_POSTS = frozenset({"temporary", "seasonal", "short_term", "quota_programme"})

# WP-2 routes into a class: every one that qualified is shown.
ROUTES: Texts = {
    "a_talent_programme": ("A类：入选副省级以上人才引进计划", "A: talent programme at vice-provincial level or above"),
    "a_recognised_achievement": ("A类：国际公认的专业成就", "A: internationally recognised achievement"),
    "a_encouraged_post": ("A类：市场导向的鼓励类岗位", "A: market-oriented encouraged post"),
    "a_innovation_talent": ("A类：创新创业人才", "A: innovation or entrepreneurship talent"),
    "a_young_talent": ("A类：优秀青年人才", "A: outstanding young talent"),
    "a_points": ("A类：计点积分达到A类分数线", "A: points at or above the A threshold"),
    "a_salary": ("A类：年薪不低于上年度全省平均工资的6倍", "A: salary at least 6 times the province's average wage"),
    "b_points": (
        "B类：符合基本条件且计点积分达到B类分数线",
        "B: basic conditions hold and points at or above the B threshold",
    ),
    "b_salary": (
        "B类：符合基本条件且年薪不低于上年度全省平均工资的4倍",
        "B: basic conditions hold and salary at least 4 times the province's average wage",
    ),
    "c_temporary": ("C类：临时性工作", "C: temporary work"),
    "c_seasonal": ("C类：季节性工作", "C: seasonal work"),
    "c_short_term": ("C类：90日以下短期工作", "C: work of 90 days or less"),
    "c_quota_programme": ("C类：配额管理项目", "C: quota programme"),
    "c_not_listed": ("C类：不属于国家规定的C类岗位，不予许可", "C: not a post the state lists; cannot be approved"),
}

# WP-3 the basic conditions of class B.
CONDITIONS: Texts = {
    "age": ("年龄不超过60周岁", "aged 60 or under"),
    "degree_and_experience": (
        "学士及以上学位且2年以上相关工作经历，或中国高校、世界前100名大学硕士及以上学位",
        "bachelor's degree and 2 years of relevant work, or a master's from a Chinese or a world top-100 university",
    ),
    "teacher_native_speaker": ("语言教师：母语为所教语言", "language teacher: native speaker"),
    "teacher_degree": ("语言教师：学士及以上学位", "language teacher: bachelor's degree or higher"),
    "teacher_experience": (
        "语言教师：2年以上语言教学经历（教育类、语言类专业学位，教师资格证书或120学时以上TEFL证书可免）",
        "language teacher: 2 years of experience (waived with an education or language "
        "degree, a teaching certificate or 120 hours of TEFL)",
    ),
}

# WP-5 the limits of the valid-until date.
VALIDITY_LIMITS: Texts = {
    "contract": ("劳动合同期满", "end of the employment contract"),
    "passport": ("护照有效期", "passport expiry"),
    "licence": ("用人单位营业执照（登记证书）有效期", "expiry of the employer's licence"),
    "class_cap": ("类别最长期限", "the class's maximum term"),
}

ENUMS: Mapping[str, Texts] = {
    "permit_classes": PERMIT_CLASSES,
    "education": EDUCATION,
    "factors": FACTORS,
    "bonuses": BONUSES,
    "a_criteria": A_CRITERIA,
    "post_kinds": POST_KINDS,
    "routes": ROUTES,
    "conditions": CONDITIONS,
    "validity_limits": VALIDITY_LIMITS,
}


def label(table: Texts, code: str) -> Label:
    """The label of ``code``; an unknown code is its own label in both languages (never a KeyError in a read)."""
    zh, en = table.get(code, (code, code))
    return Label(zh=zh, en=en)


def text(zh: str, en: str) -> Label:
    return Label(zh=zh, en=en)
