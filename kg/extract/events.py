"""Events, first pass: a trigger word and the phrase that names the event (会议, 仪式, X在Y宣讲 …)."""

from __future__ import annotations

import re

from kg.extract.lexicon import table
from kg.extract.phrases import is_cjk, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token
from kg.model import Mention

__all__ = ["find_events", "event_kind"]

_NOUN_TRIGGERS = ("常委会会议", "全体会议", "座谈会", "研讨会", "发布会", "推进会", "报告会", "表彰会", "交流会", "开幕式",
                  "闭幕式", "博览会", "运动会", "会议", "大会", "论坛", "峰会", "仪式", "讲座", "竞赛", "大赛", "比赛")
_TRIGGER_ENDS = frozenset(t[-1] for t in _NOUN_TRIGGERS)
_STOP = frozenset("的 地 得 在 和 与 及 或 是 将 对 为 由 从 向 把 被 让 给 经 据 以 等 了 着 过 也 都 还 就 又 到 "
                  "这 那 该 各 其 本 此 我 你 他 她 它 我们 他们 举行 举办 召开 参加 出席 组织 日前 近日 昨天 今天 主持 列席 "
                  "开展 启动 发起 承办 主办 参与 推出 迎来".split())
_COUNTER = re.compile(r"第?[0-9一二三四五六七八九十百]+[届次期]")
_SITE_VERB = re.compile(r"在([^，。；、“”]{2,24}?)(宣讲|演讲|讲课|授课|调研|考察|举行|召开|举办|开幕|启动|签约|揭牌)")
_ORGANIZED = re.compile(r"(组织|举办|主办|承办|召开|举行|开展)([^，。；！？、“”]{4,30})(?=[，。；！？]|$)")
_NOTICE = re.compile(r"“([^“”]{6,40})”(公告|活动|行动|倡议)")


def event_kind(phrase: str) -> str:
    """The event kind (an ontology class name) of a phrase, from its trigger word.

    Examples
    --------
    >>> event_kind("第十五次会议"), event_kind("入会仪式"), event_kind("聚餐")
    ('Meeting', 'Ceremony', 'Event')
    """
    best = ""
    kinds = table("event_triggers.tsv")
    for trig in kinds:
        if trig in phrase and len(trig) > len(best):
            best = trig
    return kinds[best] if best else "Event"


def _ok(tok: Token) -> bool:
    w = tok.word
    if w in _STOP or not all(is_cjk(c) or c.isalnum() for c in w):
        return False
    if _COUNTER.fullmatch(w):
        return True
    return not tok.tag.startswith(("p", "c", "u", "d", "r", "y", "e", "o", "f", "q", "t", "m"))


def find_events(text: str) -> list[Mention]:
    """Event mentions named by the text: 某某第十五次会议, 某某集中入会仪式, 某人在某地宣讲, “……”公告.

    Examples
    --------
    >>> [m.text for m in find_events("5月8日，海河市职工技能大赛颁奖仪式在会展中心举行。")]
    ['海河市职工技能大赛颁奖仪式']
    >>> [m.text for m in find_events("劳动模范林晓峰在海河大学宣讲。")]
    ['林晓峰在海河大学宣讲']
    """
    toks = tokens_of(text)
    ends = {t.end for t in toks}
    out: list[Mention] = []
    used: set[int] = set()
    for trig in _NOUN_TRIGGERS:  # longest first
        occ = text.find(trig)
        while occ >= 0:
            end = occ + len(trig)
            nxt = text.find(trig, occ + 1)
            if end in used or end not in ends:
                occ = nxt
                continue  # 会议室: the trigger must end a word
            ti = next(k for k, t in enumerate(toks) if t.start <= occ < t.end)
            head = text[toks[ti].start:occ]
            if head in _STOP:
                occ = nxt
                continue  # 出席会议: a verb and its object, not a named event
            j = ti
            while j > 0 and _ok(toks[j - 1]) and end - toks[j - 1].start <= 30:
                j -= 1
            prefix = toks[j:ti + 1]
            if occ - toks[j].start < 2:
                occ = nxt
                continue
            named = any(t.tag in ("ns", "nt", "nz", "nr", "") or _COUNTER.fullmatch(t.word) for t in prefix
                        if t.start < occ)
            if not named and occ - toks[j].start < 4:
                occ = nxt
                continue  # 专题讲座: a kind of event, not a named one
            used.add(end)
            out.append(Mention(text[toks[j].start:end], "Event", toks[j].start, end, 0.75, "events"))
            occ = nxt
    from kg.extract.rules import find_persons  # a subject that is a person: 某人在某地宣讲

    persons = {m.end: m for m in find_persons(text) if m.confidence >= 0.6}
    for m in _SITE_VERB.finditer(text):
        who = persons.get(m.start())
        if who is None:
            continue
        out.append(Mention(text[who.start:m.end()], "Event", who.start, m.end(), 0.7, "events"))
    # 某某总工会组织某某集中入会: the organised phrase names the event
    from kg.extract.rules import find_organizations

    triggers = sorted(table("event_triggers.tsv"), key=len, reverse=True)
    for org in find_organizations(text):
        om = _ORGANIZED.match(text, org.end)
        if not om:
            continue
        phrase = om.group(2)
        ending = next((t for t in triggers if phrase.endswith(t) and len(t) >= 2), None)
        if ending and len(phrase) - len(ending) >= 2:
            out.append(Mention(phrase, "Event", om.start(2), om.end(2), 0.7, "events"))
    for m in _NOTICE.finditer(text):
        out.append(Mention(m.group(1), "Event", m.start(1), m.end(1), 0.7, "events"))
    # a phrase that goes on into a longer event name (某某大赛颁奖仪式) is part of it
    out = [m for m in out if not any(o is not m and o.start == m.start and o.end > m.end for o in out)]
    return sorted(out, key=lambda m: (m.start, m.end))


@register("events", "event mentions: meetings, ceremonies, lectures, notices (trigger + its phrase)")
def _make_events():
    return find_events
