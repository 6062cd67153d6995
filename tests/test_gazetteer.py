"""Tests of kg.gazetteer: administrative divisions of China, countries and world places."""

from __future__ import annotations

import time

import pytest

from kg.gazetteer import LEVELS, Division, Gazetteer, gazetteer, short_names


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return gazetteer()


def first(g: Gazetteer, name: str) -> Division:
    found = g.lookup(name)
    assert found, name
    return found[0]


def test_built_once_and_fast() -> None:
    gazetteer.cache_clear()
    t = time.perf_counter()
    built = gazetteer()
    assert time.perf_counter() - t < 1.0
    assert gazetteer() is built
    assert len(built) > 3000


@pytest.mark.parametrize(
    ("name", "full", "level"),
    [
        ("西藏自治区", "西藏自治区", "province"),
        ("西藏", "西藏自治区", "province"),
        ("广西", "广西壮族自治区", "province"),
        ("宁夏", "宁夏回族自治区", "province"),
        ("内蒙古", "内蒙古自治区", "province"),
        ("香港", "香港特别行政区", "province"),
        ("浙江", "浙江省", "province"),
        ("北京", "北京市", "province"),
        ("杭州市", "杭州市", "city"),
        ("杭州", "杭州市", "city"),
        ("延边朝鲜族自治州", "延边朝鲜族自治州", "city"),
        ("延边州", "延边朝鲜族自治州", "city"),
        ("喀什", "喀什地区", "city"),
        ("锡林郭勒", "锡林郭勒盟", "city"),
        ("万州区", "万州区", "district"),
        ("万州", "万州区", "district"),
        ("浦东", "浦东新区", "district"),
        ("神农架", "神农架林区", "district"),
    ],
)
def test_full_and_short_names(g: Gazetteer, name: str, full: str, level: str) -> None:
    d = first(g, name)
    assert (d.name, d.level) == (full, level)
    assert g.canonical(name) == full
    assert g.is_place(name)


def test_codes_and_levels(g: Gazetteer) -> None:
    js = first(g, "浙江省")
    nj = first(g, "杭州市")
    assert js.code == "330000" and nj.code == "330100"
    assert nj.parent == js.code
    assert g.get("330100") == nj
    assert g.get("999999") is None


def test_district_in_city_in_province(g: Gazetteer) -> None:
    assert [d.name for d in g.ancestors(first(g, "杭州"))] == ["浙江省", "中国"]
    gulou = [d for d in g.lookup("西湖区") if g.parent(d).name == "杭州市"]
    assert len(gulou) == 1
    assert [d.name for d in g.ancestors(gulou[0])] == ["杭州市", "浙江省", "中国"]


def test_municipality_districts_hang_off_the_municipality(g: Gazetteer) -> None:
    haidian = first(g, "海淀区")
    assert g.parent(haidian).name == "北京市"
    assert [d.name for d in g.ancestors(first(g, "万州"))] == ["重庆市", "中国"]
    assert g.parent(first(g, "浦东新区")).name == "上海市"


def test_county_level_city_directly_under_province(g: Gazetteer) -> None:
    jiyuan = first(g, "济源")
    assert jiyuan.level == "district"
    assert g.parent(jiyuan).name == "河南省"


@pytest.mark.parametrize("placeholder", ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"])
def test_placeholders_are_not_places(g: Gazetteer, placeholder: str) -> None:
    assert not g.is_place(placeholder)


def test_ambiguous_short_name_resolves_to_highest_level(g: Gazetteer) -> None:
    levels = [d.level for d in g.lookup("吉林")]
    assert levels == ["province", "city"]
    assert g.canonical("吉林") == "吉林省"
    # 海南 is a province, an autonomous prefecture of Qinghai and a district of Wuhai.
    assert [d.level for d in g.lookup("海南")][0] == "province"
    assert g.canonical("海南") == "海南省"
    assert len(g.lookup("海南")) >= 2


def test_full_name_wins_over_short_name(g: Gazetteer) -> None:
    # 朝阳区 is the full name of several districts; it is never widened to 朝阳市.
    found = g.lookup("朝阳区")
    assert len(found) >= 2 and {d.name for d in found} == {"朝阳区"}
    assert g.canonical("朝阳") == "朝阳市"


def test_one_character_remainders_keep_no_short_form(g: Gazetteer) -> None:
    assert short_names("忠县") == ()
    assert short_names("城区") == ()
    assert g.is_place("忠县") and not g.is_place("忠")


def test_short_name_rules() -> None:
    assert short_names("巴音郭楞蒙古自治州") == ("巴音郭楞", "巴音郭楞州")
    assert short_names("恩施土家族苗族自治州") == ("恩施", "恩施州")
    assert short_names("本溪满族自治县") == ("本溪", "本溪县")
    assert short_names("鄂伦春自治旗") == ("鄂伦春", "鄂伦春旗")
    assert short_names("西藏自治区") == ("西藏",)
    assert short_names("澳门特别行政区") == ("澳门",)
    assert short_names("黑龙江省") == ("黑龙江",)


@pytest.mark.parametrize("name", ["", "火星", "某某区", "北", "中国人民", "张三"])
def test_unknown_names(g: Gazetteer, name: str) -> None:
    assert g.lookup(name) == []
    assert not g.is_place(name)
    with pytest.raises(KeyError):
        g.canonical(name)


def test_countries_and_foreign_places(g: Gazetteer) -> None:
    china = first(g, "中国")
    assert china.level == "country"
    assert g.canonical("中华人民共和国") == "中国"
    assert g.parent(first(g, "浙江")) == china
    usa = first(g, "美国")
    assert usa.level == "foreign"
    assert g.parent(first(g, "纽约")) == usa
    assert g.ancestors(first(g, "东京")) == [first(g, "日本")]


def test_names_cover_every_surface_form(g: Gazetteer) -> None:
    names = set(g.names())
    assert {"北京市", "北京", "海淀区", "海淀", "延边州", "中国", "巴黎"} <= names
    assert all(len(n) >= 2 for n in names)
    for d in g:
        assert d.level in LEVELS
        assert set(d.names) <= names
        assert d in g.lookup(d.name)


def test_every_division_of_china_reaches_china(g: Gazetteer) -> None:
    china = first(g, "中国")
    for d in g:
        if d.code.isdigit():
            chain = g.ancestors(d)
            assert chain and chain[-1] == china, d
            assert [a.level for a in chain[:-1]] == sorted((a.level for a in chain[:-1]), key=LEVELS.index)[
                ::-1
            ]


def test_resolve_reads_a_name_with_the_other_places_named(g: Gazetteer) -> None:
    assert g.resolve("杭州").name == "杭州市"
    assert g.resolve("朝阳区") is None  # two districts of that name, nothing to choose
    assert g.resolve("朝阳区", {"北京市"}).code == "110105"
    assert g.resolve("朝阳区", ["长春"]).code == "220104"
    assert g.resolve("吉林").level == "province"
    assert g.resolve("吉林", {"长春市"}).level == "province"  # 长春 is in 吉林省, not in 吉林市
    assert g.resolve("某个想象的地方") is None
