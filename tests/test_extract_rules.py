"""Rule components (persons, organizations, places, programs, events) and the component contract.

Every text here is invented: fictional people (林晓峰, 高鹏 …) and bodies (海河市总工会 …); real
places only where the gazetteer must know them (杭州市, 湖北省 …).
"""

from __future__ import annotations

import pytest

import kg.extract
from kg.extract import extract, get
from kg.extract.events import event_kind, find_events
from kg.extract.programs import find_programs
from kg.extract.rules import find_organizations, find_persons, find_places
from kg.model import ENTITY_TYPES, Mention


def _spans(ms: list[Mention], type_: str | None = None) -> list[tuple[str, str]]:
    return [(m.text, m.type) for m in ms if type_ is None or m.type == type_]


def _texts(ms: list[Mention], type_: str | None = None) -> list[str]:
    return [m.text for m in ms if type_ is None or m.type == type_]


def _check_offsets(text: str, ms: list[Mention]) -> None:
    for m in ms:
        assert text[m.start:m.end] == m.text, m


# --- organizations and places -------------------------------------------------------------------


def test_organization_containing_a_place_keeps_the_whole_name():
    text = "海河市总工会主席林晓峰说，今年将新建二十个服务站。"
    orgs = find_organizations(text)
    assert ("海河市总工会", "Organization") in _spans(orgs)
    combined = extract(text)
    assert ("海河市总工会", "Organization") in _spans(combined)
    # no piece of the name survives as a name of its own
    assert not [m for m in combined if m.type in ("Place", "Organization") and m.text != "海河市总工会"
                and 0 <= m.start < 6]
    _check_offsets(text, combined)


def test_nested_mode_also_keeps_the_place_inside_an_organization():
    text = "杭州市总工会举办职工运动会。"
    assert ("杭州市", "Place") in _spans(find_places(text))
    flat = extract(text)
    assert _spans(flat, "Organization") == [("杭州市总工会", "Organization")]
    assert _spans(flat, "Place") == []
    nested = extract(text, nested=True)
    assert ("杭州市总工会", "Organization") in _spans(nested)
    assert ("杭州市", "Place") in _spans(nested)
    place = next(m for m in nested if m.type == "Place")
    assert (place.start, place.end) == (0, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他在湖北省武汉市工作。", ["湖北省", "武汉市"]),
        ("他来自广西壮族自治区南宁市。", ["广西壮族自治区", "南宁市"]),
        ("她在四川省成都市读书。", ["四川省", "成都市"]),
    ],
)
def test_nested_places_are_split_into_each_division(text, expected):
    found = find_places(text)
    assert _texts(found, "Place") == expected
    _check_offsets(text, found)
    assert _texts(extract(text), "Place") == expected


def test_organization_with_chain_of_places_is_one_name():
    text = "湖北省武汉市江汉区工商联成立。"
    assert _spans(extract(text), "Organization") == [("湖北省武汉市江汉区工商联", "Organization")]
    nested = _texts(extract(text, nested=True), "Place")
    assert nested == ["湖北省", "武汉市", "江汉区"]


def test_organization_inside_organization_name():
    found = _texts(find_organizations("海河市总工会劳动保护委员会主任林晓峰说"))
    assert "海河市总工会" in found
    assert "海河市总工会劳动保护委员会" in found


# --- persons -------------------------------------------------------------------------------------


def test_enumeration_after_a_title_gives_every_person():
    text = "技术员高鹏、陈雨和李娜参加了比赛。"
    found = find_persons(text)
    assert _texts(found) == ["高鹏", "陈雨", "李娜"]
    _check_offsets(text, found)
    assert _texts(extract(text), "Person") == ["高鹏", "陈雨", "李娜"]


def _with_alarm(fn, *args, seconds: int = 5):
    """Run ``fn(*args)``; raise TimeoutError if it takes longer than ``seconds`` (SIGALRM, main thread)."""
    import signal

    def on_alarm(signum, frame):  # noqa: ARG001
        raise TimeoutError(f"{fn.__name__} took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return fn(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("text", ["技术员陈雨和高洋参加了比赛。", "技术员林晓峰和华明参加了比赛。"])
def test_enumeration_with_a_rejected_name_terminates(text):
    found = _with_alarm(find_persons, text)
    assert [m.text for m in found][:1] == [text[3:text.index("和")]]


def test_two_char_name_with_a_place_tag_after_a_title():
    assert _texts(find_persons("技术员高洋和陈雨参加了比赛。")) == ["高洋", "陈雨"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("车间主任林晓峰带领大家加班。", "林晓峰"),
        ("技术员高鹏今年拿到了证书。", "高鹏"),
        ("工程师欧阳明远正在调试设备。", "欧阳明远"),
        ("劳动模范陈雨来到车间。", "陈雨"),
    ],
)
def test_title_before_a_name(text, name):
    found = find_persons(text)
    assert _texts(found) == [name]
    assert found[0].confidence >= 0.85
    assert text[found[0].start:found[0].end] == name


@pytest.mark.parametrize("verb", ["说", "表示", "介绍", "指出", "强调", "透露"])
def test_speech_verb_after_a_name_does_not_join_the_name(verb):
    text = f"林晓峰{verb}，今年的产量提升了两成。"
    found = find_persons(text)
    assert _spans(found) == [("林晓峰", "Person")]
    assert (found[0].start, found[0].end) == (0, 3)
    assert _texts(extract(text), "Person") == ["林晓峰"]


def test_speech_verb_after_title_and_name():
    text = "车间主任林晓峰介绍，今年产量提升。"
    assert _texts(find_persons(text)) == ["林晓峰"]
    assert _texts(extract(text), "Person") == ["林晓峰"]


@pytest.mark.parametrize(
    "text",
    [
        "方面表示，将加快进度。",
        "公司负责人表示，将加快进度。",
        "同时表示欢迎。",
        "大家表示支持。",
        "他们说，效果很好。",
        "黄金周期间游客众多。",
    ],
)
def test_words_before_a_speech_verb_are_not_persons(text):
    assert find_persons(text) == []
    assert _texts(extract(text), "Person") == []


# --- programs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "program", "min_conf"),
    [
        ("该市推出“职工之家”服务平台。", "“职工之家”服务平台", 0.8),
        ("该市出台《海河省安全生产条例》。", "《海河省安全生产条例》", 0.9),
        ("该市开通海河12345政务服务热线。", "海河12345政务服务热线", 0.6),
        ("海河市推出职工技能提升计划，覆盖全市。", "职工技能提升计划", 0.6),
    ],
)
def test_programs(text, program, min_conf):
    found = find_programs(text)
    hit = [m for m in found if m.text == program]
    assert hit, _texts(found)
    assert hit[0].confidence >= min_conf
    _check_offsets(text, found)
    assert program in _texts(extract(text), "Program")


def test_places_inside_a_program_name_do_not_eat_the_program():
    text = "该市出台《海河省安全生产条例》。"
    combined = extract(text)
    assert _texts(combined, "Program") == ["《海河省安全生产条例》"]


def test_program_phrase_does_not_swallow_the_verb_before_it():
    text = "市民可拨打12345政务服务热线反映问题。"
    assert _texts(find_programs(text)) == ["12345政务服务热线"]


def test_declared_short_form_is_found_as_a_mention_too():
    text = "海河市推出职工技能提升计划（以下简称“技能计划”），“技能计划”覆盖全市。"
    progs = _texts(extract(text), "Program")
    assert progs.count("“技能计划”") == 2
    assert "职工技能提升计划" in progs
    text = "海河市总工会（以下简称“市总工会”）召开会议。"
    orgs = [m for m in extract(text) if m.type == "Organization"]
    assert [m.text for m in orgs] == ["海河市总工会", "市总工会"]
    assert text[orgs[1].start - 1] == "“"


# --- events --------------------------------------------------------------------------------------


def test_numbered_meeting_is_one_event():
    text = "海河市总工会第十次会员代表大会第三次会议召开。"
    found = find_events(text)
    assert _texts(found) == ["海河市总工会第十次会员代表大会第三次会议"]
    assert event_kind(found[0].text) == "Meeting"
    combined = extract(text, nested=True)
    # in the graph the event and the organization inside it are both kept (events are chosen among
    # themselves; a mention list may follow news NER corpora, which tag 某会第N次代表大会 as one body)
    assert ("海河市总工会", "Organization") in _spans(combined)
    assert ("海河市总工会第十次会员代表大会第三次会议", "Event") in _spans(combined)


def test_ceremony_held_at_a_site():
    text = "5月8日，杭州市职工技能大赛颁奖仪式在会展中心举行。"
    found = find_events(text)
    assert _texts(found) == ["杭州市职工技能大赛颁奖仪式"]  # not also the contained 职工技能大赛
    assert event_kind(found[0].text) == "Ceremony"
    _check_offsets(text, found)


def test_person_lecturing_at_a_place_is_an_event():
    text = "劳动模范林晓峰在海河大学宣讲。"
    found = find_events(text)
    assert _texts(found) == ["林晓峰在海河大学宣讲"]
    assert event_kind(found[0].text) == "Lecture"
    combined = extract(text)
    assert ("林晓峰", "Person") in _spans(combined)
    assert ("海河大学", "Organization") in _spans(combined)


@pytest.mark.parametrize("text", ["市里举办了一场专题讲座。", "大家在会议上发言。", "他在车间宣讲。"])
def test_unnamed_events_are_not_mentions(text):
    assert find_events(text) == []


def test_event_name_does_not_include_the_verb_before_it():
    found = find_events("海河市总工会开展技能竞赛")
    assert not [m.text for m in found if "开展" in m.text]


# --- negatives -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["要平衡各方利益，形成新格局。", "这是一个利益格局的调整。", "全局观念和大局意识都很重要。"])
def test_ordinary_words_are_not_names(text):
    for name in kg.extract.DEFAULT_COMPONENTS:
        found = [m for m in get(name)(text) if m.type in ("Person", "Organization", "Place")]
        assert found == [], (name, found)
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("某服饰公司负责人说，订单增加了。", "服饰公司"),
        ("该公司今年扩产。", "公司"),
        ("某某公司已经停产。", "某某公司"),
    ],
)
def test_unnamed_and_anaphoric_bodies_are_not_names(text, word):
    orgs = _texts(extract(text), "Organization")
    assert not [o for o in orgs if word in o], orgs


def test_book_title_is_not_an_organization_in_the_graph():
    text = "他读完了《海河春行》这本书。"
    combined = extract(text, nested=True)
    assert "海河春行" not in _texts(combined)


def test_a_newspaper_in_book_title_marks_is_an_organization():
    # news NER corpora annotate 《某某日报》 as an organization; so does the graph, but not a poem's title
    from kg.extract import combine
    from kg.model import Mention

    paper = "王立群在《海河日报》发表文章。"
    poem = "王立群读了《海河春行》。"
    m1 = Mention("海河日报", "Organization", 5, 9, 0.95, "crf")
    m2 = Mention("海河春行", "Organization", 6, 10, 0.95, "crf")
    assert [m.text for m in combine([m1], nested=True, text=paper)] == ["海河日报"]
    assert combine([m2], nested=True, text=poem) == []
    assert [m.text for m in combine([m2], text=poem)] == ["海河春行"]  # a mention list keeps the model's call


def test_district_reference_is_kept_for_resolution():
    # 该区工商联: the anaphor 该 is dropped, 区工商联 is kept to be resolved in the article
    text = "该区工商联为职工送去清凉。"
    found = find_organizations(text)
    assert _spans(found) == [("区工商联", "Organization")]
    assert found[0].start == 1
    assert _spans(extract(text, nested=True), "Organization") == [("区工商联", "Organization")]


def test_bare_district_reference_is_kept_for_resolution():
    text = "区工商联为职工送去清凉。"
    found = find_organizations(text)
    assert _spans(found) == [("区工商联", "Organization")]
    assert 0.6 <= found[0].confidence < 0.85  # a reference, weaker than a full name
    assert _spans(extract(text, nested=True), "Organization") == [("区工商联", "Organization")]


# --- the component contract ----------------------------------------------------------------------

_BASE = "海河市总工会主席林晓峰说，“职工之家”服务平台已上线。技术员高鹏、陈雨和李娜参加了杭州市职工技能大赛颁奖仪式。"
_LONG = (_BASE * (20_000 // len(_BASE) + 1))[:20_000]
_CONTRACT_TEXTS = {
    "empty": "",
    "blank": " \n\t\u3000",
    "latin": "The quick brown fox met WHO and UN officials in Geneva, 12345 times!",
    "html": "<script>alert(1)</script><p>林晓峰说，<b>海河市总工会</b>成立。</p>",
    "punctuation": "“”《》（）、。！？",
    "single": "林",
    "emoji": "😀林晓峰说😀",
    "long": _LONG,
}
_TYPES = set(ENTITY_TYPES) | {"Time"}


def _check_contract(name: str, text: str, found: list[Mention]) -> None:
    for m in found:
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.type in _TYPES
        assert 0 < m.confidence <= 1
        assert m.component == name


@pytest.mark.parametrize("name", kg.extract.names())
@pytest.mark.parametrize("case", sorted(_CONTRACT_TEXTS))
def test_component_contract(name, case):
    text = _CONTRACT_TEXTS[case]
    found = list(get(name)(text))
    _check_contract(name, text, found)
    if case in ("empty", "blank", "latin", "punctuation"):
        assert [m for m in found if m.type != "Time"] == []


@pytest.mark.parametrize("name", kg.extract.names())
def test_component_finds_something_in_its_own_domain(name):
    text = _BASE
    found = list(get(name)(text))
    if name in kg.extract.DEFAULT_COMPONENTS:
        assert found, name
    _check_contract(name, text, found)
    assert [m.start for m in found] == [m.start for m in list(get(name)(text))]  # deterministic


def test_long_text_mentions_repeat_with_the_text():
    found = extract(_LONG)
    _check_offsets(_LONG, found)
    n = len(_LONG) // len(_BASE)
    assert len([m for m in found if m.text == "林晓峰"]) >= n
    assert len([m for m in found if m.text == "海河市总工会"]) >= n


def test_html_markup_is_not_a_name():
    text = _CONTRACT_TEXTS["html"]
    found = extract(text)
    _check_offsets(text, found)
    assert not [m for m in found if "<" in m.text or ">" in m.text or "script" in m.text]
    assert ("林晓峰", "Person") in _spans(found)


def test_unknown_component_lists_known_names():
    from kg.errors import ExtractorNotFound

    with pytest.raises(ExtractorNotFound) as err:
        extract("林晓峰说", ["no-such-component"])
    msg = str(err.value)
    assert "no-such-component" in msg
    for name in kg.extract.DEFAULT_COMPONENTS:
        assert name in msg


def test_a_count_of_things_is_no_organization():
    from kg.extract.rules import find_organizations

    assert [m.text for m in find_organizations("车队今年新购置客车12部，淘汰旧车。")] == []
    assert "江北第271厂" in [m.text for m in find_organizations("江北第271厂的工人说")]



def test_mention_lists_made_with_a_model_take_their_names_from_it(monkeypatch):
    import kg.extract.registry as registry
    from kg.extract import extract_many

    for table in ("_FACTORIES", "_DOCS", "_INSTANCES"):
        monkeypatch.setattr(registry, table, dict(getattr(registry, table)))
    monkeypatch.setattr(registry, "_STATISTICAL", set(registry._STATISTICAL))
    text = "青禾县委书记林晓峰考察海河公司。"
    registry.register("test-model", statistical=True)(
        lambda: lambda t: [Mention("林晓峰", "Person", 6, 9, 0.9, "test-model")])
    registry.register("test-rule")(
        lambda: lambda t: [Mention("林晓峰", "Person", 6, 9, 0.9, "test-rule"),
                           Mention("海河公司", "Organization", 11, 15, 0.9, "test-rule")])
    listed = extract_many([text], ["test-model", "test-rule"])[0]
    assert [(m.text, m.component) for m in listed] == [("林晓峰", "test-model+test-rule")]
    # the graph (nested) reads the rule's name too, and so does a list made without a model
    assert "海河公司" in {m.text for m in extract_many([text], ["test-model", "test-rule"], nested=True)[0]}
    assert "海河公司" in {m.text for m in extract_many([text], ["test-rule"])[0]}
