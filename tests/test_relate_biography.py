"""Posts, datelines, founders, headquarters, schools and origins: sentences written here."""

from __future__ import annotations

import pytest

from tests.test_relate import corpus, facts


def test_posts_after_a_verb_share_the_organization_before_them():
    c = corpus("林晓峰，男，历任海河港务集团有限公司工程师、副总经理，现任海河市总工会副主席。")
    works = facts(c, "worksFor")
    assert {("林晓峰", "海河港务集团有限公司"), ("林晓峰", "海河市总工会")} <= works
    assert {("林晓峰", "工程师"), ("林晓峰", "副总经理"), ("林晓峰", "副主席")} <= facts(c, "jobTitle")
    assert ("林晓峰", "海河港务集团有限公司") in facts(c, "formerlyWorkedFor")
    assert ("林晓峰", "海河市总工会") not in facts(c, "formerlyWorkedFor")


def test_a_title_in_a_list_belongs_to_the_nearest_organization():
    c = corpus("杭州市政协副主席、杭州市发展和改革委员会主任林晓峰出席会议。")
    works = facts(c, "worksFor")
    assert {("林晓峰", "杭州市政协"), ("林晓峰", "杭州市发展和改革委员会")} <= works
    titles = facts(c, "jobTitle")
    assert {("林晓峰", "副主席"), ("林晓峰", "主任")} <= titles
    assert ("杭州市发展和改革委员会", "杭州市政协") not in facts(c, "subOrganizationOf")


def test_graduating_is_not_employment():
    c = corpus("林晓峰毕业于海河大学，现在在海河港务集团有限公司工作。")
    assert ("林晓峰", "海河大学") in facts(c, "alumniOf")
    assert ("林晓峰", "海河大学") not in facts(c, "worksFor")


def test_a_founder_is_not_thereby_an_employee():
    c = corpus("海河星光科技有限公司创始人林晓峰说，产品已经上市。2015年，陈雨创办了海河绿源农业合作社。")
    founded = facts(c, "founder")
    assert ("海河星光科技有限公司", "林晓峰") in founded
    assert ("海河绿源农业合作社", "陈雨") in founded
    assert ("林晓峰", "海河星光科技有限公司") not in facts(c, "worksFor")
    assert ("林晓峰", "创始人") not in facts(c, "jobTitle")


def test_headquarters():
    c = corpus("总部位于杭州的海河星光科技有限公司发布了新产品。")
    assert ("海河星光科技有限公司", "杭州市") in facts(c, "locatedIn")


def test_nationality_birthplace_and_native_place():
    c = corpus("林晓峰，1968年出生于浙江省杭州市，中国国籍。法国经济学家皮埃尔·杜兰说，合作很重要。")
    assert ("林晓峰", "中国") in facts(c, "nationality")
    assert ("林晓峰", "杭州市") in facts(c, "birthPlace")
    assert ("皮埃尔·杜兰", "法国") in facts(c, "nationality")


@pytest.mark.parametrize("body", [
    "中国海河星光科技有限公司总裁林晓峰说，产品已上市。",  # a country inside an organization's name
    "林晓峰在法国参观了工厂。",
])
def test_a_country_near_a_name_is_not_a_nationality(body):
    assert not facts(corpus(body), "nationality")


def test_a_journalist_in_a_dateline():
    c = corpus("新华社北京5月1日电（记者林晓峰）海河市总工会主席陈雨说，服务平台已上线。")
    assert ("林晓峰", "记者") in facts(c, "jobTitle")
    assert ("林晓峰", "新华社") in facts(c, "worksFor")


def test_every_new_fact_has_evidence_a_component_and_a_declared_predicate():
    c = corpus("林晓峰毕业于海河大学，历任海河港务集团有限公司工程师、副总经理。")
    assert c.relations
    for r in c.relations:
        assert r.evidence and r.component and 0 < r.confidence <= 1


# --- a body inside a title, two posts joined by 兼 ---------------------------------------------------


def test_a_ministry_inside_a_title_is_the_employer_and_jian_joins_two_posts():
    c = corpus("国务委员兼外交部长林晓峰会见了来访的客人。")
    assert {("林晓峰", "国务委员"), ("林晓峰", "外交部长")} <= facts(c, "jobTitle")
    assert ("林晓峰", "中国外交部") in facts(c, "worksFor")


def test_a_head_title_of_a_body_that_is_no_national_body_names_no_employer():
    c = corpus("宣传部长林晓峰和董事长兼总经理陈雨出席了会议。")
    assert not facts(c, "worksFor")
    assert ("陈雨", "董事长") in facts(c, "jobTitle") and ("陈雨", "总经理") in facts(c, "jobTitle")
