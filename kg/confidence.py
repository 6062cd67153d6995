"""The confidences the rule components give their mentions and the thresholds the combiner applies."""

from __future__ import annotations

__all__ = [
    "MIN_CONFIDENCE",
    "MODEL_FLOOR",
    "UNSUPPORTED",
    "SURE_MODEL_SPAN",
    "NESTED_INNER_MIN",
    "LAC_CONFIDENCE",
    "PERSON_AFTER_TITLE",
    "PERSON_BY_CONTEXT",
    "PERSON_GUESS",
    "ORG_NAMED",
    "ORG_KIND",
    "ORG_LEVEL_REFERENCE",
    "ORG_REFERENCE",
    "PLACE_DIVISION",
    "PLACE_SHORT_DISTRICT",
    "PLACE_SITE",
    "PLACE_WEAK_SITE",
    "PROGRAM_LAW_TITLE",
    "PROGRAM_TITLE",
    "PROGRAM_INNER_TITLE",
    "PROGRAM_QUOTED_WITH_WORD",
    "PROGRAM_QUOTED",
    "PROGRAM_QUOTED_BY_CONTEXT",
    "PROGRAM_QUOTED_AFTER_VERB",
    "PROGRAM_LAW_WORD",
    "PROGRAM_PHRASE_PROPER",
    "PROGRAM_PHRASE_AFTER_VERB",
    "PROGRAM_PHRASE",
    "EVENT_NAMED",
    "EVENT_BY_CONTEXT",
    "EVENT_SUBJECT_MIN",
]

# --- the combiner -------------------------------------------------------------------------------

#: Mentions below this confidence are dropped unless another component agrees (two independent
#: mentions of 0.55 combine to about 0.8). The rules' values below are set around it: what a rule finds
#: on its own only when its evidence is good enough is at or above it, a guess below it.
MIN_CONFIDENCE = 0.6

#: The lowest confidence at which a statistical model's own Person / Organization / Place name
#: stays in a mention list (``kg extract``): the model's decisions stand there, only its least
#: sure spans go.
MODEL_FLOOR = 0.3

#: The highest confidence a statistical model's name keeps when a check finds nothing that
#: supports it (no body word, no gazetteer entry, a dictionary word read as a person): below
#: :data:`MIN_CONFIDENCE`, so in the graph it needs another component's agreement.
UNSUPPORTED = 0.55

#: A model's long organization span (over eight characters) that does not end with a body word
#: keeps its confidence only at or above this value.
SURE_MODEL_SPAN = 0.9

#: In the graph (nested mode) an organization or place inside a chosen name is kept as a name of
#: its own (a parent body, the place in a name) from this confidence on.
NESTED_INNER_MIN = 0.75

#: Confidence of a LAC name: LAC decodes one best path and gives no probabilities; its names
#: are about as precise as our models' on news, so they pass the combiner's threshold alone.
LAC_CONFIDENCE = 0.8

# --- persons (kg.extract.rules) -----------------------------------------------------------------

#: A name right after a title (车间主任林晓峰): the surest context.
PERSON_AFTER_TITLE = 0.9

#: A name before a speech verb (林晓峰说, 林晓峰介绍), or listed next to a name found so
#: (高鹏和陈雨): a name on its own. Names at or above it lend it to their list neighbours.
PERSON_BY_CONTEXT = 0.85

#: An unknown word of jieba with a name's shape and a name's right context: a guess that needs
#: another component.
PERSON_GUESS = 0.5

# --- organizations (kg.extract.rules) -----------------------------------------------------------

#: A body word with a proper noun or a level word for a named place before it (海河市总工会).
ORG_NAMED = 0.85

#: A body word after common words only (上市公司, 各级党委): a kind of body unless another
#: component agrees.
ORG_KIND = 0.55

#: A level word and a long body word (区工商联, 市人民医院): the article's own district, a
#: reference resolved later, but a name.
ORG_LEVEL_REFERENCE = 0.65

#: A generic or demonstrative prefix (该公司, 本单位): a reference, not a name.
ORG_REFERENCE = 0.5

# --- places (kg.extract.rules) ------------------------------------------------------------------

#: An administrative division of the gazetteer, full name or an accepted short name (杭州市, 浙江).
PLACE_DIVISION = 0.9

#: Only a district's short name (新建, 古城, 安宁): often an ordinary word, so it needs another
#: component's support.
PLACE_SHORT_DISTRICT = 0.55

#: A named site: a name before a site word (某某火车站, 某某酒店).
PLACE_SITE = 0.8

#: A site word that also ends ordinary nouns (某市就业市场), after a city or district.
PLACE_WEAK_SITE = 0.75

# --- programs (kg.extract.programs) -------------------------------------------------------------

#: A law or regulation in 《》 (《劳动合同法》, 《某某条例》).
PROGRAM_LAW_TITLE = 0.9

#: Another title in 《》 that ends with a program word (《某某行动计划》).
PROGRAM_TITLE = 0.75

#: A law named inside a title (《某省实施〈某某法〉办法》).
PROGRAM_INNER_TITLE = 0.85

#: A quote followed by a program word (“职工之家”服务平台).
PROGRAM_QUOTED_WITH_WORD = 0.85

#: A quote that ends with a program word (“某某工作法”).
PROGRAM_QUOTED = 0.8

#: A quote without a program word that reads as a program's name by its form or context: with
#: digits or a plus (“互联网+”), after a verb of setting up and in a list, or a list that ends
#: with a kind of practice (“某某”“某某”等服务).
PROGRAM_QUOTED_BY_CONTEXT = 0.7

#: A quote of four or more characters after a verb of setting up (推行“某某某某”): weaker, a
#: slogan reads the same.
PROGRAM_QUOTED_AFTER_VERB = 0.65

#: An unquoted noun ending with 法 that is no method word (安全生产法).
PROGRAM_LAW_WORD = 0.7

#: An unquoted phrase ending with a program word with a proper noun or a number in it.
PROGRAM_PHRASE_PROPER = 0.75

#: An unquoted phrase ending with a program word right after a verb of setting up (构建某某机制).
PROGRAM_PHRASE_AFTER_VERB = 0.65

#: Any other unquoted phrase ending with a program word: needs another component's support.
PROGRAM_PHRASE = 0.55

# --- events (kg.extract.events) -----------------------------------------------------------------

#: A named phrase ending with an event noun (海河市职工技能大赛颁奖仪式).
EVENT_NAMED = 0.75

#: An event named by its context: a person acting at a site (某人在某地宣讲), the phrase an
#: organization organises, a quoted notice (“……”公告).
EVENT_BY_CONTEXT = 0.7

#: The persons that can be the subject of 某人在某地宣讲: those the combiner would keep alone.
EVENT_SUBJECT_MIN = MIN_CONFIDENCE
