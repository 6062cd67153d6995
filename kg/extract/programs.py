"""Programs: named reforms, mechanisms, methods, platforms, hotlines, honours, laws and regulations."""

from __future__ import annotations

import re

from kg.extract.lexicon import longest_suffix, table, words
from kg.extract.phrases import is_cjk, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token
from kg.model import Mention

__all__ = ["find_programs", "program_suffix"]

_TRIGGERS = ("实施", "推出", "开展", "建立", "建立起", "打造", "实现", "秉持", "推行", "推广", "启动", "开通", "发布",
             "设立", "构建", "探索出", "创新", "落实", "深化", "推进", "开设", "上线", "组织", "举办", "获评", "荣获",
             "获得", "锚定", "坚持", "践行", "依托", "通过", "以", "共建", "参与", "加入", "打响")
_GENERIC = frozenset(("工作机制", "机制", "体系", "工作体系", "平台", "改革", "模式", "理念", "工作理念", "办法", "系统",
                      "制度", "项目", "计划", "行动", "工程", "系列", "品牌", "战略", "法律体系", "新模式", "长效机制"))
_NOT_LAW = frozenset(("办法", "方法", "做法", "看法", "想法", "说法", "用法", "手法", "写法", "工作法", "立法", "执法",
                      "违法", "守法", "依法", "合法", "非法", "司法", "语法", "算法", "疗法", "兵法", "书法", "魔法", "技法",
                      "战法", "打法", "玩法", "宪法"))
_QUOTE = re.compile(r"“([^“”]{1,60})”|‘([^‘’]{1,40})’")
_BOOK = re.compile(r"《([^《》]{1,80})》")
_INNER_BOOK = re.compile(r"〈([^〈〉]{1,60})〉")


def program_suffix(phrase: str) -> tuple[str, str] | None:
    """``(suffix, kind)`` when ``phrase`` ends with a program word (kind: '', 'law' or 'honour')."""
    suf = longest_suffix(phrase, "program_suffixes.txt")
    return (suf, table("program_suffixes.txt")[suf]) if suf else None


_FUNCTION = frozenset("的 地 得 在 和 与 及 或 是 将 对 为 由 从 向 把 被 让 给 经 据 以 等 了 着 过 也 都 还 就 又 到 "
                      "这 那 该 各 其 本 此 我 你 他 她 它 我们 他们 首批 一批 每个 一个".split())


def _phrase_tokens_ok(tok: Token, inside_quote_phrase: bool = False) -> bool:
    w = tok.word
    if w in _FUNCTION or (w in _TRIGGERS and not (inside_quote_phrase and w == "创新")):
        return False
    if not all(is_cjk(c) or c.isalnum() for c in w):
        return False
    return not tok.tag.startswith(("p", "c", "u", "d", "r", "y", "e", "o", "f", "q"))


def _suffix_after(text: str, toks: tuple[Token, ...], pos: int, max_chars: int = 8) -> int | None:
    """End of a program-word phrase starting at ``pos`` (“…”宣讲体系, “…”的创新模式), or None."""
    k = next((i for i, t in enumerate(toks) if t.start == pos), None)
    if k is None:
        return None
    if toks[k].word == "的":
        k += 1
    best = None
    acc = ""
    start = toks[k].start if k < len(toks) else pos
    while k < len(toks) and toks[k].end - start <= max_chars and (
            _phrase_tokens_ok(toks[k], True) or program_suffix(acc + toks[k].word)):
        acc += toks[k].word
        if program_suffix(acc):
            best = toks[k].end
        k += 1
    return best


def find_programs(text: str) -> list[Mention]:
    """Program names: quoted names with a program word (“…”工作法), 《laws》, and …机制 / …平台 phrases.

    Examples
    --------
    >>> [m.text for m in find_programs("该市推出“职工之家”服务平台，并依据《劳动合同法》和《某某条例》。")]
    ['“职工之家”服务平台', '《劳动合同法》', '《某某条例》']
    """
    toks = tokens_of(text)
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, conf: float) -> None:
        if e - s < 3:
            return
        out.append(Mention(text[s:e], "Program", s, e, conf, "programs"))
        taken.append((s, e))

    for m in _BOOK.finditer(text):
        inner = m.group(1)
        suf = program_suffix(inner)
        if suf and (suf[1] == "law" or suf[0] in ("办法", "条例", "决定")):
            add(m.start(), m.end(), 0.9)
        elif suf:
            add(m.start(), m.end(), 0.75)
        for n in _INNER_BOOK.finditer(inner):
            if program_suffix(n.group(1)):
                add(m.start(1) + n.start(), m.start(1) + n.end(), 0.85)
    for m in _QUOTE.finditer(text):
        q = m.group(1) or m.group(2)
        if any(a <= m.start() < b for a, b in taken):
            continue
        end = _suffix_after(text, toks, m.end())
        if end is not None:
            add(m.start(), end, 0.85)
            continue
        if re.match(r"[一二三四五六七八九十两几多]+[大个项]", q):
            continue  # “三大平台”: a count of programs, not one
        if len(q) >= 3 and program_suffix(q) and q not in _GENERIC:
            lead = next((t for t in _TRIGGERS if q.startswith(t) and len(q) - len(t) >= 4), None)
            if lead:  # “推进某某改革”: the program is what the verb acts on
                add(m.start(1) + len(lead), m.end(1), 0.8)
            else:
                add(m.start(), m.end(), 0.8)
            continue
        if len(q) > 14 or re.search(r"[，。！？；]", q):
            continue
        before = text[max(0, m.start() - 4):m.start()]
        listed = text[m.end():m.end() + 1] in ("“",) or text[m.start() - 1:m.start()] == "”"
        followed = re.match(r"[^，。；！？]{0,30}?等[\u4e00-\u9fff]{0,8}?(?:辅导|活动|举措|措施|服务|工作|项目|做法|经验|"
                            r"模式|机制|平台|行动|工程)", text[m.end():])
        if re.search(r"[+＋·]|\d", q) and not re.fullmatch(r"[\d.%％]+", q):
            add(m.start(), m.end(), 0.7)
        elif any(before.endswith(t) for t in _TRIGGERS) and (listed or followed):
            add(m.start(), m.end(), 0.7)
        elif any(before.endswith(t) for t in _TRIGGERS) and len(q) >= 4 and "、" not in q:
            add(m.start(), m.end(), 0.65)
        elif followed and (tail := re.match(r"[\u4e00-\u9fff]{0,3}(?=[、等“‘])", text[m.end():])):
            # an enumeration of named practices: ‘某某’减负、‘某某’等一批做法
            add(m.start(), m.end() + len(tail.group()), 0.7)
        elif listed and followed:
            add(m.start(), m.end(), 0.7)
    # unquoted phrases ending with a program word: 纠纷调处机制, 某某问政平台, 安全生产法
    for i, tok in enumerate(toks):
        if any(a <= tok.start < b for a, b in taken):
            continue
        if tok.tag.startswith("n") and tok.word.endswith("法") and 3 <= len(tok.word) <= 6 \
                and tok.word not in _NOT_LAW and not tok.word.endswith(tuple(_NOT_LAW)):
            add(tok.start, tok.end, 0.7)
            continue
        suf = program_suffix(tok.word)
        if not suf or suf[1] or len(suf[0]) < 2:
            continue
        j = i
        while j > 0 and _phrase_tokens_ok(toks[j - 1]) and tok.end - toks[j - 1].start <= 16:
            j -= 1
        # 市民可拨打某某热线: the name starts after a verb of use
        for k in range(i - 1, j - 1, -1):
            if any(toks[k].word.endswith(v) for v in words("access_verbs.txt")):
                j = k + 1
                break
        name = text[toks[j].start:tok.end]
        if name in _GENERIC or len(name) < 5 or i - j < 1:
            continue
        if any(a < tok.end and toks[j].start < b for a, b in taken):
            continue
        proper = any(t.tag in ("ns", "nt", "nz", "") or t.word.isdigit() for t in toks[j:i])
        led = j > 0 and toks[j - 1].word in _TRIGGERS  # 构建某某处置机制: a verb names what it sets up
        add(toks[j].start, tok.end, 0.75 if proper else (0.65 if led else 0.55))
    return sorted(out, key=lambda m: (m.start, m.end))


@register("programs", "programs: quoted names with a program word, laws in 《》, …机制/…平台 phrases")
def _make_programs():
    return find_programs

