"""resolve(): aliases, truncations, district references, place names, program short forms, persons."""

from __future__ import annotations

import pytest

from kg.ingest import read_string
from kg.model import Article, Entity, EntityKey, Evidence, Mention
from kg.resolve import Located, abbreviates, canonical_name, locate, norm, resolve, strip_places

_pos = iter(range(0, 10**9, 100))


def L(text: str, type_: str, doc: str = "d1", art: str = "a1") -> Located:  # noqa: N802
    """A located mention at a fresh offset of ``doc`` / ``art``."""
    start = next(_pos)
    return Located(Mention(text, type_, 0, len(text), 0.9, "test"),
                   Evidence(doc, art, 0, start, start + len(text), text))


def _by_label(entities: list[Entity], type_: str) -> dict[str, Entity]:
    return {e.label: e for e in entities if e.type == type_}


def _in_page(page: str, wanted: list[tuple[str, str]], path: str = "page.md") -> tuple[list[Located], list[Article]]:
    """Locate every occurrence of each ``(surface, type)`` in the sentences of an ingested page."""
    doc, arts = read_string(page, path)
    out = []
    for art in arts:
        for s in art.sentences:
            for surface, type_ in wanted:
                i = s.text.find(surface)
                while i >= 0:
                    out.append(locate(art, s.index, Mention(surface, type_, i, i + len(surface)), doc.text))
                    i = s.text.find(surface, i + 1)
    return out, arts


# --- organizations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("浙江海河半导体有限责任公司", "海河半导体公司"),
        ("浙江省杭州市海河半导体有限公司", "杭州海河半导体公司"),
        ("湖北青松光电股份有限公司", "青松光电公司"),
    ],
)
def test_truncated_and_short_company_names_merge(full, short):
    ents = resolve([L(full, "Organization"), L(short, "Organization")])
    assert [(e.label, e.aliases) for e in ents] == [(full, (short,))]
    assert len(ents[0].mentions) == 2


def test_different_companies_stay_apart():
    ents = resolve([L("浙江海河半导体有限责任公司", "Organization"), L("海河光电公司", "Organization")])
    assert {e.label for e in ents} == {"海河光电公司", "浙江海河半导体有限责任公司"}


def test_short_forms_merge_only_within_a_document():
    ents = resolve([L("浙江海河半导体有限责任公司", "Organization", doc="d1", art="a1"),
                    L("海河半导体公司", "Organization", doc="d2", art="b1")])
    assert len(ents) == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("海淀区工商联", "朝阳区工商联"),
        ("浙江省总工会", "安徽省总工会"),
        ("杭州市人民医院", "宁波市人民医院"),
        ("海淀区第一中学", "朝阳区第一中学"),
    ],
)
def test_same_body_of_two_places_stays_two(a, b):
    ents = resolve([L(a, "Organization"), L(b, "Organization")])
    assert sorted(e.label for e in ents) == sorted([a, b])


# --- references to the article's district --------------------------------------------------------


def test_district_reference_takes_the_article_district():
    ents = resolve([L("海淀区", "Place"), L("区工商联", "Organization")])
    org = _by_label(ents, "Organization")
    assert list(org) == ["海淀区工商联"]
    assert "区工商联" in org["海淀区工商联"].aliases


def test_district_reference_merges_with_the_full_name():
    ents = resolve([L("海淀区", "Place"), L("海淀区工商联", "Organization"), L("区工商联", "Organization")])
    org = _by_label(ents, "Organization")
    assert list(org) == ["海淀区工商联"]
    assert len(org["海淀区工商联"].mentions) == 2


def test_reference_without_a_district_stays_as_is():
    ents = resolve([L("杭州市", "Place"), L("区工商联", "Organization")])
    assert list(_by_label(ents, "Organization")) == ["区工商联"]


def test_city_reference_takes_the_article_city():
    ents = resolve([L("杭州市", "Place"), L("市总工会", "Organization")])
    assert list(_by_label(ents, "Organization")) == ["杭州市总工会"]


def test_reference_in_an_ingested_article():
    page = "## 海淀区职工运动会开幕\n\n海淀区举办职工运动会。该区工商联主席林晓峰说，参赛职工超过三千人。\n"
    located, arts = _in_page(page, [("海淀区", "Place"), ("区工商联", "Organization"), ("林晓峰", "Person")])
    ents = resolve(located, arts)
    assert "海淀区工商联" in _by_label(ents, "Organization")


def test_ambiguous_district_reference_is_not_expanded():
    ents = resolve([L("海淀区", "Place"), L("朝阳区", "Place"), L("区工商联", "Organization")])
    assert list(_by_label(ents, "Organization")) == ["区工商联"]


def test_references_in_two_articles_name_two_bodies():
    ents = resolve([L("海淀区", "Place", art="a1"), L("区工商联", "Organization", art="a1"),
                    L("朝阳区", "Place", art="a2"), L("区工商联", "Organization", art="a2")])
    assert set(_by_label(ents, "Organization")) == {"朝阳区工商联", "海淀区工商联"}


# --- places --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "official"),
    [("广西", "广西壮族自治区"), ("内蒙古", "内蒙古自治区"), ("宁夏", "宁夏回族自治区"), ("浙江", "浙江省"), ("杭州", "杭州市")],
)
def test_places_take_their_official_name(short, official):
    assert canonical_name(short, "Place") == official
    ents = resolve([L(short, "Place"), L(official, "Place")])
    assert [(e.label, e.aliases, len(e.mentions)) for e in ents] == [(official, (short,), 2)]
    # the short form alone still gets the official name
    alone = resolve([L(short, "Place")])
    assert [(e.key, e.label) for e in alone] == [(EntityKey("Place", official), official)]


def test_unknown_place_keeps_its_name():
    assert canonical_name("青松岭", "Place") == "青松岭"
    assert [e.label for e in resolve([L("青松岭", "Place")])] == ["青松岭"]


def test_strip_places():
    assert strip_places("浙江省杭州市海河半导体有限公司") == ["杭州市海河半导体有限公司", "海河半导体有限公司"]
    assert strip_places("海河半导体有限公司") == []


# --- programs ------------------------------------------------------------------------------------


def test_quoted_and_bare_program_names_merge():
    ents = resolve([L("“职工之家”服务平台", "Program"), L("职工之家服务平台", "Program")])
    assert [(e.label, e.aliases) for e in ents] == [("职工之家服务平台", ("“职工之家”服务平台",))]


def test_declared_short_form_merges_with_the_program():
    page = ("## 海河市推出新举措\n\n"
            "海河市推出职工技能提升行动（以下简称“提升行动”）。今年，“提升行动”已覆盖全市两万名职工。\n")
    located, arts = _in_page(page, [("职工技能提升行动", "Program"), ("“提升行动”", "Program")])
    assert len(located) == 3
    ents = resolve(located, arts)
    progs = _by_label(ents, "Program")
    assert list(progs) == ["职工技能提升行动"]
    assert "提升行动" in progs["职工技能提升行动"].aliases
    assert len(progs["职工技能提升行动"].mentions) == 3


def test_short_form_without_declaration_stays_apart():
    located = [L("职工技能提升行动", "Program"), L("“提升行动”", "Program")]
    assert sorted(e.label for e in resolve(located)) == ["提升行动", "职工技能提升行动"]


def test_declared_short_form_of_an_organization():
    page = "## 会议召开\n\n海河市职工服务中心（以下简称“服务中心”）成立。服务中心主任林晓峰说，中心已开放。\n"
    located, arts = _in_page(page, [("海河市职工服务中心", "Organization"), ("服务中心", "Organization")])
    located = [x for x in located if not (x.mention.text == "服务中心" and x.mention.start == 5)]
    ents = resolve(located, arts)
    assert list(_by_label(ents, "Organization")) == ["海河市职工服务中心"]


@pytest.mark.parametrize(
    ("short", "long"),
    [("技提", "技能提升工程"), ("职保", "职工权益保障行动"), ("安服", "安全生产服务平台")],
)
def test_quoted_abbreviation_merges_with_the_long_program(short, long):
    assert abbreviates(short, long)
    ents = resolve([L(long, "Program"), L(f"“{short}”", "Program")])
    assert len(ents) == 1
    assert ents[0].label == long
    assert short in ents[0].aliases and f"“{short}”" in ents[0].aliases


@pytest.mark.parametrize(("short", "long"), [("提技", "技能提升工程"), ("技能提升", "技能提升工程")])
def test_not_an_abbreviation(short, long):
    assert not abbreviates(short, long)


def test_near_identical_program_names_merge():
    ents = resolve([L("职工法律援助服务工作机制", "Program"), L("职工法律援助服务机制", "Program")])
    assert len(ents) == 1
    assert ents[0].label == "职工法律援助服务工作机制"


def test_norm():
    assert norm("《海河省安全生产条例》") == "海河省安全生产条例"
    assert norm("“一站式” 服务") == "一站式服务"


# --- persons -------------------------------------------------------------------------------------


def test_one_name_in_two_documents_is_two_persons():
    ents = resolve([L("林晓峰", "Person", doc="d1", art="a1"), L("海河市总工会", "Organization", doc="d1", art="a1"),
                    L("林晓峰", "Person", doc="d2", art="b1"), L("青松光电公司", "Organization", doc="d2", art="b1")])
    persons = [e for e in ents if e.type == "Person"]
    assert sorted(str(e.key) for e in persons) == ["Person/林晓峰", "Person/林晓峰#2"]
    assert all(e.label == "林晓峰" for e in persons)
    assert all(len(e.mentions) == 1 for e in persons)


def test_one_name_in_two_documents_sharing_an_organization_is_one_person():
    ents = resolve([L("林晓峰", "Person", doc="d1", art="a1"), L("海河市总工会", "Organization", doc="d1", art="a1"),
                    L("林晓峰", "Person", doc="d2", art="b1"), L("海河市总工会", "Organization", doc="d2", art="b1")])
    persons = [e for e in ents if e.type == "Person"]
    assert [(str(e.key), len(e.mentions)) for e in persons] == [("Person/林晓峰", 2)]


def test_one_name_within_a_document_is_one_person():
    ents = resolve([L("林晓峰", "Person", art="a1"), L("林晓峰", "Person", art="a2")])
    assert [(str(e.key), len(e.mentions)) for e in ents] == [("Person/林晓峰", 2)]


def test_two_names_are_two_persons():
    ents = resolve([L("林晓峰", "Person"), L("林晓锋", "Person")])
    assert sorted(e.label for e in ents) == ["林晓峰", "林晓锋"]


# --- events and general properties ---------------------------------------------------------------


def test_contained_event_name_merges_within_an_article():
    ents = resolve([L("海河市职工技能大赛颁奖仪式", "Event", art="a1"), L("颁奖仪式", "Event", art="a1")])
    assert [(e.label, e.aliases, len(e.mentions)) for e in ents] == [("海河市职工技能大赛颁奖仪式", ("颁奖仪式",), 2)]


def test_contained_event_name_in_another_document_stays_apart():
    ents = resolve([L("海河市职工技能大赛颁奖仪式", "Event", doc="d1", art="a1"),
                    L("颁奖仪式", "Event", doc="d2", art="b1")])
    assert len(ents) == 2


def test_contained_event_name_in_another_article_stays_apart():
    ents = resolve([L("海河市职工技能大赛颁奖仪式", "Event", art="a1"), L("颁奖仪式", "Event", art="a1"),
                    L("颁奖仪式", "Event", art="a2")])
    labels = {(e.label, len(e.mentions)) for e in ents}
    assert labels == {("海河市职工技能大赛颁奖仪式", 2), ("颁奖仪式", 1)}


def test_types_never_merge():
    ents = resolve([L("海河大学", "Organization"), L("海河大学", "Place")])
    assert sorted(e.type for e in ents) == ["Organization", "Place"]


def test_resolve_is_order_independent_and_keys_are_unique():
    located = [L("浙江海河半导体有限责任公司", "Organization"), L("海河半导体公司", "Organization"),
               L("广西", "Place"), L("林晓峰", "Person", doc="d2", art="b1"), L("林晓峰", "Person"),
               L("技能提升工程", "Program"), L("“技提”", "Program")]
    a = resolve(located)
    b = resolve(list(reversed(located)))
    assert a == b
    assert len({e.key for e in a}) == len(a)
    assert resolve([]) == []


def test_bare_word_is_no_abbreviation_but_a_place_prefixed_law_is_its_short_name():
    ents = resolve([L("“国企”改革工作法", "Program"), L("国企法", "Program"),
                    L("中华人民共和国安全生产法", "Program"), L("安全生产法", "Program")])
    labels = {e.label: e.aliases for e in ents}
    assert "国企法" in labels  # not merged into 国企改革工作法 (a bare word, not a quoted short form)
    assert "安全生产法" in labels["中华人民共和国安全生产法"]


# --- one-character country abbreviations ---------------------------------------------------------

def test_country_abbreviations_resolve_to_the_country():
    located, arts = _in_page("两国关系\n\n中美两国外长在电话中交换意见，美国国务院随后发表声明。\n",
                             [("中", "Place"), ("美", "Place"), ("美国", "Place")])
    places = _by_label(resolve(located, arts), "Place")
    assert "美国" in places and "中国" in places
    assert "美" not in places and "中" not in places
    assert {ev.quote for ev in places["美国"].mentions} == {"美", "美国"}  # one entity



# --- generic references stay in their article -------------------------------------------------------


def _two_articles(first: str, second: str):  # type: ignore[no-untyped-def]
    from kg.ingest import Ingested, read_string
    from kg.pipeline import make_corpus

    doc, arts = read_string(f"## 第一篇\n\n{first}\n\n## 第二篇\n\n{second}\n", "two.md")
    return make_corpus(Ingested((doc,), tuple(arts), ()))


def test_two_articles_with_their_own_village_committee_give_two_nodes():
    c = _two_articles("林晓峰来到村委会，和干部们商量修路的事。", "陈雨说，村委会已经把方案公示了。")
    committees = [e for e in c.entities if e.label == "村委会"]
    assert len(committees) == 2
    assert {e.key.name for e in committees} == {f"村委会~{a.id}" for a in c.articles}
    assert all(len({m.article for m in e.mentions}) == 1 for e in committees)


def test_a_generic_reference_key_is_stable_and_a_region_word_is_no_organization():
    from kg.resolve import generic_reference, not_an_organization

    a = _two_articles("林晓峰来到村委会。", "陈雨说，村委会已经公示了。")
    b = _two_articles("林晓峰来到村委会。", "陈雨说，村委会已经公示了。")
    assert sorted(e.key for e in a.entities) == sorted(e.key for e in b.entities)
    assert generic_reference("该公司") and generic_reference("人大") and not generic_reference("杭州市总工会")
    assert not_an_organization("中西部")


# --- a national body named bare belongs to the country the article speaks of ----------------------


def test_a_bare_ministry_takes_the_country_of_its_article():
    first = "外交部发言人林晓峰表示，双方将继续保持沟通。"
    second = "尼泊尔副总理兼外交部长陈雨表示，两国合作成果丰硕。"
    c = _two_articles(first, second)
    ministries = {e.key.name: e for e in c.entities if e.type == "Organization" and e.label.endswith("外交部")}
    assert set(ministries) == {"中国外交部", "尼泊尔外交部"}
    assert all("外交部" in e.aliases for e in ministries.values())
    again = _two_articles(first, second)
    assert sorted(e.key for e in c.entities) == sorted(e.key for e in again.entities)


def test_a_country_with_a_person_between_does_not_scope_the_ministry():
    c = _two_articles("法国总统马克龙会见了国务委员兼外交部长林晓峰。", "陈雨说，会谈很成功。")
    names = {e.key.name for e in c.entities if e.type == "Organization"}
    assert "中国外交部" in names and "法国外交部" not in names


def test_only_a_national_body_before_its_head_title_becomes_a_mention():
    from kg.resolve import bodies_in_titles, country_of, national_body

    doc, arts = read_string("## 第一篇\n\n宣传部长林晓峰和财政部长陈雨出席会议。\n", "one.md")
    found = bodies_in_titles(arts, [])
    assert [x.mention.text for x in found] == ["财政部"]
    assert bodies_in_titles(arts, found) == []  # already named: not again
    assert national_body("财政部") and not national_body("宣传部")
    assert country_of("慕尼黑") == "德国" and country_of("杭州") == "中国"


# --- a person named by surname and title ---------------------------------------------------------
def test_a_surname_and_title_is_the_one_person_of_that_surname_in_the_article() -> None:
    ents = resolve([L("林晓峰", "Person"), L("林主席", "Person"), L("高鹏", "Person")])
    people = _by_label(ents, "Person")
    assert set(people) == {"林晓峰", "高鹏"}
    assert "林主席" in people["林晓峰"].aliases
    assert len(people["林晓峰"].mentions) == 2


@pytest.mark.parametrize("others", [
    [L("林晓峰", "Person", art="a1"), L("林雨", "Person", art="a1")],  # two of that surname: which?
    [L("林晓峰", "Person", art="a2")],  # named in another article only
    [L("林晓峰", "Person", doc="d2", art="b1")],  # in another document
    [L("高鹏", "Person", art="a1")],  # nobody of that surname
])
def test_a_surname_and_title_stays_apart_when_the_article_does_not_say_who(others) -> None:
    ents = resolve([L("林主席", "Person", art="a1"), *others])
    assert "林主席" in _by_label(ents, "Person")


def test_title_reference_reads_surname_and_title_only() -> None:
    from kg.resolve import title_reference

    assert [title_reference(n) for n in ("林主席", "欧阳书记", "王记者", "林晓峰", "主席", "林主席团")] == \
        ["林", "欧阳", "王", None, None, None]
