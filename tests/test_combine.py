"""combine(): agreement, weak mentions, whole names, crossing spans, nested mode, anonymised names."""

from __future__ import annotations

import pytest

from kg.extract.combine import MIN_CONFIDENCE, combine
from kg.model import Mention


def M(text: str, type_: str, start: int, conf: float = 0.9, comp: str = "a") -> Mention:  # noqa: N802
    return Mention(text, type_, start, start + len(text), conf, comp)


def _spans(ms: list[Mention]) -> list[tuple[str, str, int]]:
    return [(m.text, m.type, m.start) for m in ms]


def test_agreement_raises_confidence_and_joins_components():
    a = M("林晓峰", "Person", 0, 0.8, "persons")
    b = M("林晓峰", "Person", 0, 0.7, "crf")
    out = combine([a, b])
    assert len(out) == 1
    assert out[0].confidence == pytest.approx(1 - 0.2 * 0.3)
    assert out[0].confidence > max(a.confidence, b.confidence)
    assert out[0].component == "crf+persons"


def test_same_span_different_type_is_not_agreement():
    out = combine([M("海河大学", "Organization", 0, 0.8, "x"), M("海河大学", "Place", 0, 0.7, "y")])
    assert len(out) == 1  # they compete for the same characters
    assert out[0].type == "Organization" and out[0].confidence == 0.8


@pytest.mark.parametrize("conf", [0.3, 0.5, MIN_CONFIDENCE - 0.01])
def test_weak_mention_alone_is_dropped(conf):
    assert combine([M("高鹏", "Person", 0, conf, "persons")]) == []


def test_weak_mentions_confirmed_by_another_component_are_kept():
    out = combine([M("高鹏", "Person", 0, 0.5, "persons"), M("高鹏", "Person", 0, 0.5, "crf")])
    assert _spans(out) == [("高鹏", "Person", 0)]
    assert out[0].confidence == pytest.approx(0.75)


def test_mention_at_threshold_is_kept():
    assert len(combine([M("高鹏", "Person", 0, MIN_CONFIDENCE)])) == 1


def test_whole_name_wins_over_its_pieces():
    text = "海河市总工会主席林晓峰"
    ms = [M("海河市", "Place", 0, 0.9, "places"), M("海河市总工会", "Organization", 0, 0.85, "organizations"),
          M("总工会", "Organization", 3, 0.95, "crf"), M("林晓峰", "Person", 8, 0.9, "persons")]
    out = combine(ms, text=text)
    assert _spans(out) == [("海河市总工会", "Organization", 0), ("林晓峰", "Person", 8)]


def test_crossing_spans_the_longer_wins():
    # 海河市总 (wrong) crosses 市总工会; the longer span wins, whatever the order given
    ms = [M("海河市总", "Place", 0, 0.95, "x"), M("市总工会会员", "Organization", 2, 0.7, "y")]
    for order in (ms, ms[::-1]):
        assert _spans(combine(order)) == [("市总工会会员", "Organization", 2)]


def test_crossing_spans_of_equal_length_the_more_confident_wins():
    ms = [M("海河市总", "Place", 0, 0.7, "x"), M("市总工会", "Organization", 2, 0.9, "y")]
    assert _spans(combine(ms)) == [("市总工会", "Organization", 2)]
    ms = [M("海河市总", "Place", 0, 0.95, "x"), M("市总工会", "Organization", 2, 0.9, "y")]
    assert _spans(combine(ms)) == [("海河市总", "Place", 0)]


def test_rule_type_beats_the_statistical_model_on_the_same_span_in_the_graph():
    ms = [M("海河宾馆", "Organization", 0, 0.99, "crf"), M("海河宾馆", "Place", 0, 0.8, "places")]
    out = combine(ms, nested=True)
    assert [(m.type, m.component) for m in out] == [("Place", "places")]


def test_model_type_stands_on_the_same_span_in_a_mention_list():
    ms = [M("海河宾馆", "Organization", 0, 0.99, "ner"), M("海河宾馆", "Place", 0, 0.8, "places")]
    out = combine(ms)
    assert [(m.type, m.component) for m in out] == [("Organization", "ner")]


def test_a_body_named_before_a_title_keeps_its_last_character():
    # 国防部长 = 国防部 + 部长: the organization is not cut to 国防
    text = "江北国国防部长林晓峰说"
    out = combine([M("江北国国防部", "Organization", 0, 0.9, "ner")], text=text)
    assert [m.text for m in out] == ["江北国国防部"]
    # but a body named before the title 党组成员 is cut there
    text = "海河市总工会党组成员林晓峰说"
    out = combine([M("海河市总工会党组", "Organization", 0, 0.9, "ner")], text=text)
    assert [m.text for m in out] == ["海河市总工会"]


def test_one_character_abbreviation_from_the_model_stays_in_a_mention_list_only():
    text = "甲乙两党"
    ms = [M("甲", "Organization", 0, 0.9, "ner"), M("乙", "Organization", 1, 0.9, "ner")]
    assert [m.text for m in combine(ms, text=text)] == ["甲", "乙"]
    assert combine(ms, nested=True, text=text) == []


def test_disjoint_mentions_all_survive_sorted():
    ms = [M("李娜", "Person", 9), M("高鹏", "Person", 3), M("陈雨", "Person", 6)]
    out = combine(ms)
    assert [m.start for m in out] == [3, 6, 9]


def test_programs_and_events_keep_the_names_inside_them():
    text = "推出“海河工匠学院”培养计划"
    prog = M("“海河工匠学院”培养计划", "Program", 2, 0.85, "programs")
    org = M("海河工匠学院", "Organization", 3, 0.85, "organizations")
    event = M("海河工匠学院开学典礼", "Event", 3, 0.75, "events")
    out = combine([prog, org, event], text=text)
    assert {m.type for m in out} == {"Program", "Organization", "Event"}


def test_programs_compete_among_themselves():
    outer = M("职工技能提升计划", "Program", 0, 0.7, "programs")
    inner = M("技能提升计划", "Program", 2, 0.9, "programs")
    assert _spans(combine([outer, inner])) == [("职工技能提升计划", "Program", 0)]


def test_nested_mode_keeps_places_and_parent_bodies_inside_names():
    text = "杭州市统计局城乡调查总队发布数据"
    place = M("杭州市", "Place", 0, 0.9, "places")
    parent = M("杭州市统计局", "Organization", 0, 0.85, "organizations")
    whole = M("杭州市统计局城乡调查总队", "Organization", 0, 0.85, "organizations")
    flat = combine([place, parent, whole], text=text)
    assert _spans(flat) == [("杭州市统计局城乡调查总队", "Organization", 0)]
    nested = combine([place, parent, whole], nested=True, text=text)
    assert sorted(m.text for m in nested) == ["杭州市", "杭州市统计局", "杭州市统计局城乡调查总队"]


def test_nested_mode_keeps_only_divisions_as_inner_places():
    text = "海河大厦工会联合会"
    ms = [M("海河大厦工会联合会", "Organization", 0, 0.85, "organizations"), M("海河大厦", "Place", 0, 0.8, "places")]
    assert [m.text for m in combine(ms, nested=True, text=text)] == ["海河大厦工会联合会"]


def test_nested_mode_ignores_weak_inner_mentions_and_legal_form_words():
    text = "海河科技集团有限公司"
    ms = [M("海河科技集团有限公司", "Organization", 0, 0.85, "organizations"),
          M("海河科技集团", "Organization", 0, 0.85, "crf"),  # + 有限公司: a legal form, no body of its own
          M("海河", "Place", 0, 0.7, "crf")]  # below 0.75
    assert [m.text for m in combine(ms, nested=True, text=text)] == ["海河科技集团有限公司"]


def test_nested_mode_does_not_keep_persons_inside_names():
    text = "林晓峰工作室"
    ms = [M("林晓峰工作室", "Organization", 0, 0.85, "organizations"), M("林晓峰", "Person", 0, 0.9, "persons")]
    assert [m.text for m in combine(ms, nested=True, text=text)] == ["林晓峰工作室"]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("某某公司已经停产", M("某某公司", "Organization", 0)),
        ("记者来到某服饰公司", M("服饰公司", "Organization", 5)),
        ("该公司今年扩产", M("公司", "Organization", 1)),
        ("他读完了《海河春行》", M("海河春行", "Organization", 5)),
        ("林说", M("林", "Person", 0)),
    ],
)
def test_anonymised_anaphoric_and_title_mentions_are_dropped(text, mention):
    assert text[mention.start:mention.end] == mention.text
    assert combine([mention], nested=True, text=text) == []
    if (len(mention.text) > 1 or mention.type == "Organization") and "《" not in text:
        assert combine([mention], text=text) == []


def test_district_reference_after_gai_is_kept():
    text = "该区工商联为职工送去清凉"
    m = M("区工商联", "Organization", 1, 0.65, "organizations")
    assert _spans(combine([m], text=text)) == [("区工商联", "Organization", 1)]


def test_program_in_book_title_marks_is_kept():
    text = "依据《海河省安全生产条例》"
    m = M("《海河省安全生产条例》", "Program", 2, 0.9, "programs")
    assert combine([m], text=text) == [m]


def test_organization_running_into_a_title_is_cut():
    # 海河市总工会党组 + 成员: the name ends before the title 党组成员
    text = "海河市总工会党组成员林晓峰"
    m = M("海河市总工会党组", "Organization", 0, 0.85, "crf")
    out = combine([m], text=text)
    assert _spans(out) == [("海河市总工会", "Organization", 0)]
    assert out[0].end == 6


def test_statistical_place_unknown_to_the_gazetteer_needs_confirmation_in_the_graph():
    text = "他去了青松岭看看"
    alone = M("青松岭", "Place", 3, 0.95, "crf")
    assert combine([alone], nested=True, text=text) == []
    # a mention list (kg extract) keeps the model's place, as news NER corpora annotate it
    assert [m.text for m in combine([alone], text=text)] == ["青松岭"]
    known = M("杭州", "Place", 0, 0.95, "crf")
    assert len(combine([known], nested=True, text="杭州很美")) == 1


def test_single_character_places_in_the_graph_only_for_country_abbreviations():
    text = "中美与京津"
    ms = [M("中", "Place", 0, 0.9, "crf"), M("美", "Place", 1, 0.9, "crf"), M("京", "Place", 3, 0.9, "crf"),
          M("美", "Place", 1, 0.9, "places")]
    assert [m.text for m in combine(ms, text=text)] == ["中", "美", "京"]
    # the graph keeps a model's 中 and 美 (they resolve to 中国 and 美国), never a province's 京
    assert [(m.text, m.component) for m in combine(ms, nested=True, text=text)] == [
        ("中", "crf"), ("美", "crf")]


def test_empty_and_deterministic():
    assert combine([]) == []
    ms = [M("海河市", "Place", 0, 0.9, "places"), M("海河市总工会", "Organization", 0, 0.85, "organizations"),
          M("林晓峰", "Person", 8, 0.9, "persons"), M("林晓峰", "Person", 8, 0.9, "crf")]
    assert combine(ms) == combine(list(reversed(ms)))


@pytest.mark.parametrize("nested", [False, True])
def test_a_name_read_across_a_list_mark_is_split_there(nested):
    text = "青禾大学、海河理工大学和林晓峰"
    out = combine([M("青禾大学、海河理工大学", "Organization", 0, 0.9, "ner")], nested=nested, text=text)
    assert [(m.text, m.start, m.end) for m in out] == [("青禾大学", 0, 4), ("海河理工大学", 5, 11)]
    assert all(text[m.start:m.end] == m.text for m in out)
    # a one-character piece is no name
    assert [m.text for m in combine([M("京，青禾大学", "Organization", 0, 0.9, "ner")], text="京，青禾大学")] == ["青禾大学"]


def test_a_demonstrative_is_no_part_of_a_name():
    text = "该县商会调解中心成立"
    out = combine([M("该县商会调解中心", "Organization", 0, 0.9, "ner")], nested=True, text=text)
    assert [(m.text, m.start) for m in out] == [("县商会调解中心", 1)]


def test_an_organization_running_into_a_title_is_cut_the_same_way_in_every_process():
    """Two titles fit (书记 and 副书记 after 副书): the longer is taken, whatever the order of
    Python's sets in the process (its hash seed)."""
    import os
    import subprocess
    import sys

    code = ("from kg.extract.combine import _cut_before_title\n"
            "from kg.model import Mention\n"
            "m = Mention('海河市委员会副书', 'Organization', 0, 8, 0.9, 'ner')\n"
            "print(_cut_before_title(m, '海河市委员会副书记林晓峰说').text)\n")
    cuts = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                           capture_output=True, text=True, check=True).stdout.strip() for seed in range(6)}
    assert cuts == {"海河市委员会"}
