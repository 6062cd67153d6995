"""Events anchored at trigger words (issue #12): sentences written here, run through the whole
pipeline (ingestion, extraction, resolution, relations and events, RDF)."""

from __future__ import annotations

import pytest

from kg.ingest import Ingested, read_string
from kg.model import DENIED, HAPPENED, PLANNED, Corpus, Entity
from kg.ns import KGO, RDF
from kg.pipeline import make_corpus
from kg.rdf import corpus_to_graph, validate
from kg.relate.triggers import find_triggers, status_of
from kg.schema import EVENT, schema


def corpus(body: str, date: str | None = "2024-05-10") -> Corpus:
    head = f"date: {date}\n" if date else ""
    doc, arts = read_string(f"{head}## 测试新闻\n\n{body}\n", "t.md")
    return make_corpus(Ingested((doc,), tuple(arts), ()))


def events(c: Corpus) -> list[Entity]:
    return [e for e in c.entities if e.type == EVENT and e.event is not None and e.event.kind]


def roles(c: Corpus, e: Entity) -> set[tuple[str, str]]:
    label = {x.key: x.label for x in c.entities}
    return {(r.predicate, label.get(r.obj, str(r.obj)) if not isinstance(r.obj, str) else r.obj)
            for r in c.relations if r.subject == e.key}


def the(c: Corpus, kind: str) -> Entity:
    found = [e for e in events(c) if e.event is not None and e.event.kind == kind]
    assert found, [(e.label, e.event) for e in events(c)]
    return found[0]


@pytest.mark.parametrize(("body", "kind"), [
    ("海河集团董事长林晓峰8日宣布辞职。", "Resignation"),
    ("海河市人民政府8日任命陈雨为海河港务局局长。", "Appointment"),
    ("海河集团8日宣布收购星河电子有限公司。", "Acquisition"),
    ("8日，海河集团与星河电子有限公司签约。", "Agreement"),
    ("海河市市长陈雨8日会见了星河电子有限公司董事长林晓峰。", "Meet"),
    ("海河市公安局8日依法逮捕了犯罪嫌疑人高鹏。", "Arrest"),
    ("8日凌晨，海河市东城区一栋居民楼起火，造成2人死亡、3人受伤。", "Fire"),
    ("海河队8日在决赛中以3比1战胜星河队。", "Victory"),
    ("星河电子有限公司8日在海河市发布了新款手机。", "Release"),
    ("海河市人民政府8日印发《海河市促进就业办法》。", "PolicyIssue"),
    ("著名作家林晓峰8日在海河市病逝。", "Death"),
])
def test_each_family_has_its_trigger_type_and_a_date(body: str, kind: str) -> None:
    c = corpus(body)
    e = the(c, kind)
    assert e.event is not None and e.event.date == "2024-05-08" and e.event.status == HAPPENED
    assert schema().has_event_type(kind)
    # every event is anchored at its trigger: its mention is the trigger word
    assert any(m.quote in {t.word for _, _, t in find_triggers(body)} for m in e.mentions)


def test_roles_subject_object_and_casualties() -> None:
    c = corpus("海河队8日在决赛中以3比1战胜星河队。")
    assert {("winner", "海河队"), ("loser", "星河队")} <= roles(c, the(c, "Victory"))
    c = corpus("8日凌晨，海河市东城区一栋居民楼起火，造成2人死亡、3人受伤。")
    fire = the(c, "Fire")
    assert {("deadCount", "2"), ("injuredCount", "3")} <= roles(c, fire)


def test_a_passive_makes_the_subject_the_affected() -> None:
    c = corpus("犯罪嫌疑人高鹏8日被海河市公安局刑事拘留。")
    e = the(c, "Detention")
    assert ("affected", "高鹏") in roles(c, e) and ("actor", "海河市公安局") in roles(c, e)


def test_a_list_of_participants() -> None:
    c = corpus("海河市教育局、海河市科技局和海河市财政局8日联合印发《海河市科普工作方案》。")
    got = {o for p, o in roles(c, the(c, "PolicyIssue")) if p == "actor"}
    assert {"海河市教育局", "海河市科技局", "海河市财政局"} <= got


def test_partners_and_the_venue() -> None:
    c = corpus("海河市市长陈雨8日在海河国际会议中心同星河市市长林晓峰举行会谈。")
    e = the(c, "Talk")
    r = roles(c, e)
    assert ("actor", "陈雨") in r and ("actor", "林晓峰") in r


@pytest.mark.parametrize(("body", "status"), [
    ("海河市东城区未发生重大交通事故。", DENIED),
    ("星河电子有限公司否认裁员。", DENIED),
    ("星河电子有限公司将于下月在海河证券交易所上市。", PLANNED),
    ("海河集团计划收购星河电子有限公司。", PLANNED),
    ("星河电子有限公司8日在海河证券交易所上市。", HAPPENED),
])
def test_negation_and_modality_keep_the_status(body: str, status: str) -> None:
    c = corpus(body)
    assert [e.event.status for e in events(c) if e.event is not None][:1] == [status]


def test_status_cues_in_the_clause() -> None:
    assert status_of("公司并未裁员", 4, 0) == DENIED
    assert status_of("公司拟于明年上市", 6, 0) == PLANNED


@pytest.mark.parametrize(("body", "pub", "date"), [
    ("昨天，海河集团宣布收购星河电子有限公司。", "2024-05-10", "2024-05-09"),
    ("星河电子有限公司9日在海河证券交易所上市。", "2024-05-10", "2024-05-09"),
    ("北京时间9日凌晨，海河队在决赛中以3比1战胜星河队。", "2024-05-10", "2024-05-09"),
])
def test_relative_dates_resolve_against_the_publication_date(body: str, pub: str, date: str) -> None:
    c = corpus(body, pub)
    e = events(c)[0]
    assert e.event is not None and e.event.date == date


def test_a_date_stated_earlier_in_the_paragraph_and_when_it_was_the_same_day() -> None:
    c = corpus("5月8日，海河市举行职工运动会。当日，海河队在决赛中以3比1战胜星河队。", "2024-05-10")
    e = the(c, "Victory")
    assert e.event is not None and e.event.date == "2024-05-08"


def test_one_event_reported_twice_is_one_event() -> None:
    c = corpus("海河集团董事长林晓峰8日宣布辞职。林晓峰辞职后，陈雨接任。")
    quits = [e for e in events(c) if e.event is not None and e.event.kind == "Resignation"]
    assert len(quits) == 1 and len(quits[0].mentions) == 2


def test_the_graph_has_the_types_status_roles_and_conforms() -> None:
    c = corpus("海河集团将于下月收购星河电子有限公司。8日凌晨，海河市一栋居民楼起火，造成2人死亡。")
    g = corpus_to_graph(c)
    assert validate(g) == []
    acq = next(iter(g.subjects(RDF.type, KGO.Acquisition)))
    assert (acq, KGO.eventStatus, KGO.Planned) in g and (acq, RDF.type, KGO.Event) in g
    fire = next(iter(g.subjects(RDF.type, KGO.Fire)))
    assert (fire, KGO.eventStatus, KGO.Happened) in g
    assert any(g.objects(fire, KGO.deadCount))


def test_every_lexicon_type_is_an_ontology_event_type_with_roles() -> None:
    from kg.relate.triggers import _lexicon

    kinds = {t.kind for t in _lexicon().values()}
    for k in kinds:
        t = schema().event_type(k)
        assert {"participant", "date", "locatedIn"} <= {r.predicate for r in t.roles}
    assert {"winner", "loser"} <= {r.predicate for r in schema().event_type("Victory").roles}
    assert {"deadCount", "injuredCount"} <= {r.predicate for r in schema().event_type("Fire").roles}


def test_the_events_query_and_the_report_timeline_show_type_date_place_and_participants() -> None:
    from kg.analyze import analyze
    from kg.analyze.report import render_report
    from kg.sparql import run

    c = corpus("海河市市长陈雨8日在海河市会见了星河电子有限公司董事长林晓峰。")
    g = corpus_to_graph(c)
    res = run(g, "events")
    rows = [dict(zip(res.columns, map(str, r), strict=True)) for r in res.rows]
    meet = next(r for r in rows if r.get("kind") == "Meet")
    assert meet["date"] == "2024-05-08" and meet["status"] == "Happened"
    assert "陈雨（actor）" in meet["participants"] and "林晓峰（participant）" in meet["participants"]
    page = render_report(analyze(g))
    timeline = page[page.index("事件时间线"):]
    assert "会见" in timeline and "陈雨" in timeline and "2024-05-08" in timeline


@pytest.mark.parametrize(("text", "word"), [
    ("各地谈判药品采购进展顺利。", "谈判"),  # a modifier of a head noun
    ("该中心以调解方式结案。", "调解"),
    ("采用“直通车”等形式服务企业。", "通车"),  # inside a noun
])
def test_a_trigger_used_as_a_modifier_or_inside_a_noun_is_no_event(text: str, word: str) -> None:
    assert word not in [t.word for _, _, t in find_triggers(text)]


def test_habits_and_the_reporters_own_acts_are_no_events() -> None:
    c = corpus("海河市每年会举办数场读书活动。\n\n近日，记者来到海河湿地实地走访。\n\n"
               "（记者王某）海河集团董事长林晓峰8日走访海河大学。")
    kinds = [(e.label, e.event.kind) for e in events(c) if e.event is not None]
    assert [k for _, k in kinds] == ["Visit"], kinds
    assert "林晓峰" in kinds[0][0]


def test_two_triggers_of_one_type_in_a_clause_are_one_mention() -> None:
    c = corpus("第二届海河杯围棋决赛24日在海河棋院开赛。")
    matches = [e for e in events(c) if e.event is not None and e.event.kind == "Match"]
    assert len(matches) == 1 and [m.quote for m in matches[0].mentions] == ["开赛"]


def test_an_event_name_inside_a_longer_name_is_no_event() -> None:
    from kg.extract.events import find_events

    assert find_events("第七届世界军人运动会主媒体中心一楼大厅很忙碌。") == []
    assert [m.text for m in find_events("第七届世界军人运动会在武汉开幕。")] == ["第七届世界军人运动会"]
