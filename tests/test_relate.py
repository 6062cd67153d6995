"""Relation rules: texts written here, run through ingestion, extraction, resolution and relations."""

from __future__ import annotations

import pytest

from kg.ingest import Ingested, read_string
from kg.model import HAPPENED, PLANNED, Corpus, EventInfo
from kg.pipeline import make_corpus
from kg.schema import ORGANIZATION


def corpus(body: str, date: str | None = None, title: str = "测试新闻") -> Corpus:
    head = f"date: {date}\n" if date else ""
    doc, arts = read_string(f"{head}## {title}\n\n{body}\n", "t.md")
    return make_corpus(Ingested((doc,), tuple(arts), ()))


def facts(c: Corpus, predicate: str) -> set[tuple[str, str]]:
    label = {e.key: e.label for e in c.entities}
    out = set()
    for r in c.relations:
        if r.predicate == predicate:
            obj = r.obj if isinstance(r.obj, str) else label.get(r.obj, r.obj.name)
            out.add((label.get(r.subject, r.subject.name), obj))
    return out


def test_title_chain_gives_employer_titles_and_a_sub_body():
    c = corpus("海河市总工会党组成员、财务审查委员会主任林晓峰表示，将继续做好服务。")
    assert ("林晓峰", "海河市总工会") in facts(c, "worksFor")
    titles = {t for p, t in facts(c, "jobTitle") if p == "林晓峰"}
    assert {"党组成员", "财务审查委员会主任"} <= titles
    assert ("财务审查委员会", "海河市总工会") in facts(c, "subOrganizationOf")


def test_possessive_and_list_share_the_title():
    c = corpus("海河市人民医院的工作人员陈雨和李娜耐心解答了问题。")
    works = facts(c, "worksFor")
    assert {("陈雨", "海河市人民医院"), ("李娜", "海河市人民医院")} <= works
    assert {("陈雨", "工作人员"), ("李娜", "工作人员")} <= facts(c, "jobTitle")


@pytest.mark.parametrize("body", [
    "林晓峰在海河市总工会作报告。",
    "海河市总工会邀请工程师林晓峰讲课。",
    "海河市总工会、工程师林晓峰和李娜参加了活动。",
])
def test_a_name_near_an_organization_it_does_not_work_for(body):
    c = corpus(body)
    assert not {p for p, _ in facts(c, "worksFor")} & {"林晓峰", "李娜"}


def test_title_without_employer_and_honours():
    c = corpus("省级劳动模范林晓峰来到车间。法律援助律师陈雨说，问题解决了。")
    titles = facts(c, "jobTitle")
    assert ("林晓峰", "省级劳动模范") in titles and ("陈雨", "法律援助律师") in titles
    assert ("林晓峰", "省级劳动模范") in facts(c, "honour")
    assert not facts(c, "worksFor")


def test_award_verb_links_a_person_to_an_honour():
    c = corpus("技术员林晓峰荣获“海河创新之星”称号。")
    assert any(p == "林晓峰" and h.startswith("海河创新之星") for p, h in facts(c, "honour"))


def test_places_from_names_and_the_division_hierarchy():
    c = corpus("杭州市总工会和宁波市总工会交流经验。浙江省有关部门参加。")
    located = facts(c, "locatedIn")
    assert ("杭州市总工会", "杭州市") in located and ("宁波市总工会", "宁波市") in located
    assert ("杭州市", "浙江省") in located and ("宁波市", "浙江省") in located


def test_parent_body_named_first():
    c = corpus("根据杭州市统计局城乡调查队的数据，收入增长了。")
    assert ("杭州市统计局城乡调查队", "杭州市统计局") in facts(c, "subOrganizationOf")


def test_implements_needs_a_verb_and_shares_with_partners():
    c = corpus("海河市总工会将与海河港务集团建立职工技能提升机制。")
    impl = facts(c, "implements")
    assert {("海河市总工会", "职工技能提升机制"), ("海河港务集团", "职工技能提升机制")} <= impl
    c2 = corpus("海河市总工会的负责人谈到了“职工之家”服务平台的问题。")
    assert not facts(c2, "implements")


def test_event_place_date_organizer_and_participants():
    c = corpus("5月8日，海河市总工会组织的职工技能大赛颁奖仪式在海河会展中心举行。", date="2025-05-10")
    events = [e for e in c.entities if e.type == "Event"]
    assert events
    ev = next(e for e in events if e.label.endswith("颁奖仪式"))
    assert ev.event == EventInfo("Ceremony", "2025-05-08", "5月8日", HAPPENED)
    assert (ev.label, "2025-05-08") in facts(c, "date")
    # the venue: where it was held (an organization's premises) or, for a place, located in
    assert (ev.label, "海河会展中心") in facts(c, "heldAt") | facts(c, "locatedIn")


def test_an_organization_as_venue_is_held_at_never_located_in():
    c = corpus("5月8日，职工技能大赛颁奖仪式在海河会展中心举行。劳动模范林晓峰在海河大学路小学宣讲。")
    venue = next(e for e in c.entities if e.label == "海河会展中心")
    assert venue.type == ORGANIZATION  # a venue the extractor reads as an organization
    assert ("职工技能大赛颁奖仪式", "海河会展中心") in facts(c, "heldAt")
    org_names = {e.label for e in c.entities if e.type == ORGANIZATION}
    assert not {o for _, o in facts(c, "locatedIn")} & org_names  # locatedIn's range is Place


def test_lecture_by_a_person_at_a_site():
    c = corpus("劳动模范林晓峰在海河大学路小学宣讲。")
    ev = next(e for e in c.entities if e.type == "Event")
    assert ev.label == "林晓峰在海河大学路小学宣讲"
    assert ("林晓峰", ev.label) in facts(c, "participatedIn")
    assert not any(p == "海河大学路小学" for p, _ in facts(c, "participatedIn"))


@pytest.mark.parametrize(("pub", "expected"), [
    ("2025-01-03", "2024-12-28"),  # December news read in January belongs to last year
    ("2024-12-30", "2024-12-28"),
])
def test_implicit_year_resolves_around_year_end(pub, expected):
    c = corpus("12月28日，海河市第十次职工代表大会召开。", date=pub)
    ev = next(e for e in c.entities if e.type == "Event")
    assert ev.event is not None and ev.event.date == expected


def test_date_without_publication_date_is_kept_as_written():
    c = corpus("12月28日，海河市第十次职工代表大会召开。")
    ev = next(e for e in c.entities if e.type == "Event")
    assert ev.event is not None and ev.event.date_text == "12月28日" and ev.event.date is None
    assert not facts(c, "date")


def test_byline_roles_become_job_titles_with_evidence():
    doc, arts = read_string("## 标题\n\n本报记者 林晓峰 本报通讯员 高鹏\n\n正文一句。\n", "b.md")
    c = make_corpus(Ingested((doc,), tuple(arts), ()))
    titles = facts(c, "jobTitle")
    assert ("林晓峰", "记者") in titles and ("高鹏", "通讯员") in titles
    for r in c.relations:
        for ev in r.evidence:
            assert doc.text[ev.start:ev.end] == ev.quote


def test_every_fact_has_evidence_and_a_component():
    c = corpus("海河市总工会党组成员林晓峰表示，将在海河会展中心召开第三次职工代表大会。", date="2025-03-01")
    assert c.relations
    for r in c.relations:
        assert r.evidence and r.component and 0 < r.confidence <= 1


def test_a_meeting_still_to_be_held_is_planned():
    c = corpus("海河市总工会将于6月在海河会展中心召开第三次职工代表大会。", date="2025-05-10")
    ev = next(e for e in c.entities if e.type == "Event" and e.label.endswith("职工代表大会"))
    assert ev.event is not None and ev.event.status == PLANNED


_PARALLEL_TEXTS = (
    "5月8日，海河市总工会组织的职工技能大赛颁奖仪式在海河会展中心举行。技术员林晓峰荣获“海河创新之星”称号。",
    "海河市总工会党组成员、财务审查委员会主任林晓峰表示，将继续做好服务。杭州市总工会和宁波市总工会交流经验。",
    "海河市总工会将于6月在海河会展中心召开第三次职工代表大会。海河市总工会将与海河港务集团建立职工技能提升机制。",
    "根据杭州市统计局城乡调查队的数据，收入增长了。劳动模范林晓峰在海河大学路小学宣讲。",
)


def test_components_in_several_processes_find_what_one_process_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.forked
    import kg.relate
    from kg.relate import relations_for

    docs, arts = [], []
    for i in range(24):  # the same kinds of news again and again: event keys collide and are renumbered
        doc, a = read_string(f"date: 2025-05-{10 + i % 9:02d}\n## 新闻{i}\n\n{_PARALLEL_TEXTS[i % 4]}\n", f"n{i:02d}.md")
        docs.append(doc)
        arts.extend(a)
    c = make_corpus(Ingested(tuple(docs), tuple(arts), ()))
    entities = [e for e in c.entities if e.type != "Event"]  # the event components add them again
    forks: list[object] = []

    class Counted(kg.forked.Forked):  # type: ignore[type-arg]
        def __init__(self, *args: object) -> None:
            forks.append(args)
            super().__init__(*args)

    monkeypatch.setattr(kg.forked, "Forked", Counted)
    monkeypatch.setattr(kg.relate, "PARALLEL_MIN_ARTICLES", 1)
    facts1, infos1 = relations_for(arts, docs, entities, jobs=1)
    assert not forks
    for jobs in (2, 3, 7):
        facts_n, infos_n = relations_for(arts, docs, entities, jobs=jobs)
        assert len(forks) == jobs - 1
        forks.clear()
        assert facts_n == facts1 and dict(infos_n) == dict(infos1)
        assert infos_n.added == infos1.added
    assert len(facts1) > 10 and len({e.key for e in infos1.added}) > 10
