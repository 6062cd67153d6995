"""The confidence of each kind of fact the built-in relation and event components state.

The values are the rule authors' estimates of how often each rule is right; they order the
rules (a byline is certain, a title right before a name nearly so, a place read off a name
usually right, an organization guessed as an article's main actor least sure) and are not
calibrated probabilities. A fact found by several rules keeps the highest.
"""

from __future__ import annotations

__all__ = [
    "BYLINE",
    "TITLE",
    "HONOUR_TITLE",
    "BODY_IN_TITLE",
    "BODY_OF_EMPLOYER",
    "PLACE_IN_NAME",
    "PARENT_IN_NAME",
    "SITE_OF_ORGANIZATION",
    "IMPLEMENTS",
    "IMPLEMENTS_PARTNER",
    "IMPLEMENTS_MAIN_ORGANIZATION",
    "AWARD",
    "EVENT_DATE",
    "EVENT_PERSON_IN_NAME",
    "EVENT_ORGANIZATION_IN_NAME",
    "EVENT_ORGANIZER_IN_NAME",
    "EVENT_PLACE_AFTER_AT",
    "EVENT_PLACE_IN_NAME",
    "EVENT_ORGANIZER_BEFORE",
    "EVENT_ORGANIZER_PARTICIPATES",
    "DIVISION_IN_DIVISION",
    "PARENT_BY_NAME",
    "PLACE_BY_NAME",
    "POST_AFTER_VERB",
    "POST_AFTER_NAME",
    "POST_AFTER_IS",
    "DATELINE",
    "FOUNDER_VERB",
    "FOUNDER_TITLE",
    "HEADQUARTERS",
    "ALUMNI",
    "NATIONALITY_STATED",
    "NATIONALITY_PEOPLE",
    "NATIONALITY_PROFESSION",
    "BIRTHPLACE",
    "NATIVE_PLACE",
]

#: A byline states the author's role (记者, 通讯员): certain.
BYLINE = 1.0
#: A title right before a name (某会主席张三): the person's job title, and the organization
#: before the title their employer.
TITLE = 0.85
#: A title ending in an honour word (劳动模范, 工匠) is also an honour.
HONOUR_TITLE = 0.8
#: A body of the employer named inside a list of titles (某会党组成员、某委员会主任张三): the
#: person works there too, less surely than for the employer itself.
BODY_IN_TITLE = 0.7
#: That body is part of the employer.
BODY_OF_EMPLOYER = 0.75
#: The most specific place named inside an organization's, site's or event's name.
PLACE_IN_NAME = 0.8
#: An organization named at the start of another's name (某区工商联调解委员会 ⊂ 某区工商联).
PARENT_IN_NAME = 0.8
#: An organization named at the start of a site's name: the site is at the organization.
SITE_OF_ORGANIZATION = 0.7
#: An organization, an implementing verb, then a program (某局推出某机制).
IMPLEMENTS = 0.75
#: A partner joined to that organization by 与/联合 (某会将与某公司建立…).
IMPLEMENTS_PARTNER = 0.7
#: A program launched with no organization in its sentence: the article's main organization.
IMPLEMENTS_MAIN_ORGANIZATION = 0.6
#: A person, an award verb, then a program (张三荣获某称号).
AWARD = 0.75
#: The date phrase before an event in its sentence.
EVENT_DATE = 0.8
#: A person named inside an event's name took part in it.
EVENT_PERSON_IN_NAME = 0.75
#: An organization named inside an event's name took part in it.
EVENT_ORGANIZATION_IN_NAME = 0.7
#: ... and organized it, when the event is a meeting.
EVENT_ORGANIZER_IN_NAME = 0.75
#: 在X举行 / 在X召开: the place after 在.
EVENT_PLACE_AFTER_AT = 0.8
#: A place named inside an event's name, when no 在X says where.
EVENT_PLACE_IN_NAME = 0.65
#: ORG 组织/举办/召开 EVENT: the organizer.
EVENT_ORGANIZER_BEFORE = 0.8
#: ... which also took part.
EVENT_ORGANIZER_PARTICIPATES = 0.7
#: A division inside a division named in the same build (海淀区 ⊂ 北京市), from the gazetteer.
DIVISION_IN_DIVISION = 0.9
#: An organization whose name begins with another's (from the canonical names).
PARENT_BY_NAME = 0.75
#: The most specific place an organization's or place's name begins with.
PLACE_BY_NAME = 0.8
#: 任/担任/历任 ORG 职务 after a person: the posts listed after the verb.
POST_AFTER_VERB = 0.85
#: NAME，ORG 职务 opening a biography (张三，某公司董事长).
POST_AFTER_NAME = 0.8
#: NAME是ORG职务 (张三是某局干部, 张三同志是某会主席).
POST_AFTER_IS = 0.8
#: 新华社…电（记者X）: X is the agency's reporter.
DATELINE = 0.95
#: PERSON 创办/创立 ORG, 由 PERSON 创办的 ORG.
FOUNDER_VERB = 0.8
#: ORG 创始人 PERSON.
FOUNDER_TITLE = 0.85
#: ORG 总部位于/设在 X.
HEADQUARTERS = 0.85
#: PERSON 毕业于 ORG.
ALUMNI = 0.85
#: X国籍 / X籍 with the person: stated outright.
NATIONALITY_STATED = 0.9
#: 是X人 with X a country.
NATIONALITY_PEOPLE = 0.75
#: A country before a profession and a name (法国经济学家X): usually the person's country.
NATIONALITY_PROFESSION = 0.7
#: 出生于/生于 X.
BIRTHPLACE = 0.85
#: 祖籍/籍贯 X, 浙江绍兴人.
NATIVE_PLACE = 0.75
