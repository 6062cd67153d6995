"""Ingestion: formats, decoding, bad input, page layout rules and offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import SourceError
from kg.ingest import read_file, read_sources, read_string
from kg.ingest.decode import decode


def _check_offsets(doc_text: str, articles) -> None:
    for a in articles:
        for s in a.sentences:
            assert "".join(doc_text[x:y] for x, y in s.pieces) == s.text
            assert s.pieces[0][0] == s.start and s.pieces[-1][1] == s.end
            # only layout whitespace is removed between pieces
            gaps = [doc_text[s.pieces[i][1]:s.pieces[i + 1][0]] for i in range(len(s.pieces) - 1)]
            for g in gaps:
                assert not g.strip(" \t\u3000\n") or "转" in g or "接" in g, g


PAGE = """## 海河市推出职工服务新举措 让一线职工“有处说”

### 基层创新进行时

本报记者 林晓峰 本报通讯员 高鹏

“我们把服务送到车间。”海河市总工会负责人说。该市总工会今年推出职工服务热线，覆盖职工

10万余人次。（下转第3版）

## 另一地工会开展技能竞赛

# 千名职工同台比技能

周明 本报记者 陈雨
本报通讯员 李娜

3月12日，竞赛在会展中心举行。选手们说：“比出了水平！”赛后，组委会为获奖者颁奖。

### 赛场内外

参赛选手王强表示，通过比赛提升了技能，也拖

欠不了大家的期望。

本报记者 赵一鸣

2024年底，某省出台新办法。办法明确了各方责任。（下转第2版）

## 某省出台新办法保障劳动者权益

## 第三条新闻标题

本报讯（记者孙立 通讯员何欢）5月8日，会议召开。

### 图片新闻标题说明了内容




### 新线路开通运营

5月30日，一列列车在站内等待发车。
中新社发（韩冬 摄）
"""


@pytest.fixture()
def page_articles():
    return read_string(PAGE, "page.md")


def test_page_articles_and_headlines(page_articles):
    doc, arts = page_articles
    titles = [a.title for a in arts]
    assert titles == ["海河市推出职工服务新举措 让一线职工“有处说”", "千名职工同台比技能",
                      "某省出台新办法保障劳动者权益", "第三条新闻标题", "新线路开通运营"]
    assert arts[0].alt_titles == ("基层创新进行时",)
    assert arts[0].column == "基层创新进行时"
    assert arts[1].alt_titles == ("另一地工会开展技能竞赛",)
    _check_offsets(doc.text, arts)


def test_bylines_become_authors_with_roles(page_articles):
    _, arts = page_articles
    assert [(a.name, a.role) for a in arts[0].authors] == [("林晓峰", "记者"), ("高鹏", "通讯员")]
    assert [(a.name, a.role) for a in arts[1].authors] == [("周明", "作者"), ("陈雨", "记者"), ("李娜", "通讯员")]
    assert [(a.name, a.role) for a in arts[2].authors] == [("赵一鸣", "记者")]
    assert [(a.name, a.role) for a in arts[3].authors] == [("孙立", "记者"), ("何欢", "通讯员")]
    assert [(a.name, a.role) for a in arts[4].authors] == [("韩冬", "摄影")]
    text = PAGE
    for art in arts:
        for au in art.authors:
            assert text[au.start:au.end] == au.name
        body = "".join(s.text for s in art.body)
        assert "本报记者" not in body and "本报讯" not in body and "摄）" not in body
        for au in art.authors:
            assert au.name not in body  # a byline name is not body text


def test_byline_removed_and_dateline_body_kept(page_articles):
    _, arts = page_articles
    assert arts[3].sentences[0].text == "5月8日，会议召开。"
    kinds = {(s.kind, s.text) for s in arts[3].sentences if s.kind != "body"}
    assert kinds == {("headline", "第三条新闻标题"), ("byline", "本报讯（记者孙立 通讯员何欢）")}


def test_continuation_marks_recorded_and_removed(page_articles):
    _, arts = page_articles
    assert arts[0].continuations == ("（下转第3版）",)
    assert all("下转" not in s.text for a in arts for s in a.sentences)
    assert arts[2].continuations == ("（下转第2版）",)


def test_column_break_joined_even_inside_a_word(page_articles):
    _, arts = page_articles
    texts = [s.text for s in arts[0].sentences]
    assert "该市总工会今年推出职工服务热线，覆盖职工10万余人次。" in texts
    texts = [s.text for s in arts[1].sentences]
    assert "参赛选手王强表示，通过比赛提升了技能，也拖欠不了大家的期望。" in texts


def test_genuine_paragraph_ends_not_joined(page_articles):
    _, arts = page_articles
    texts = [s.text for s in arts[1].sentences]
    assert "赛后，组委会为获奖者颁奖。" in texts
    assert "赛场内外" in texts  # a section heading stays its own sentence


def test_quoted_speech_stays_with_its_sentence(page_articles):
    _, arts = page_articles
    assert arts[0].sentences[0].text == "“我们把服务送到车间。”海河市总工会负责人说。"
    assert "选手们说：“比出了水平！”" in [s.text for s in arts[1].sentences]


def test_misplaced_headline_goes_to_its_article(page_articles):
    _, arts = page_articles
    # the headline printed after the untitled article's body belongs to it
    assert arts[2].sentences[0].text.startswith("2024年底")
    assert arts[2].title == "某省出台新办法保障劳动者权益"


def test_no_sentence_crosses_articles(page_articles):
    _, arts = page_articles
    for a, b in zip(arts, arts[1:], strict=False):
        if a.body and b.body:
            assert a.body[-1].end <= b.body[0].start


def test_front_matter_dash_block(tmp_path: Path):
    p = tmp_path / "a.md"
    p.write_text("---\ndate: 2025-05-31\nnewspaper: 示例日报\nedition: 第1版\n---\n## 标题\n\n正文。", encoding="utf-8")
    docs, arts, _ = read_file(p)
    assert docs[0].date == "2025-05-31" and docs[0].newspaper == "示例日报" and docs[0].edition == "第1版"
    assert arts[0].date == "2025-05-31" and arts[0].title == "标题"
    assert arts[0].sentences[0].text == "正文。"


def test_date_option_and_first_line_date(tmp_path: Path):
    (tmp_path / "a.txt").write_text("date: 2024-12-30\n正文。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("正文二。", encoding="utf-8")
    r = read_sources([tmp_path], date="2025-01-02")
    by = {Path(d.path).name: d.date for d in r.documents}
    assert by == {"a.txt": "2024-12-30", "b.txt": "2025-01-02"}
    with pytest.raises(SourceError):
        read_sources([tmp_path], date="2025-13-01")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str):
    p = tmp_path / "x.txt"
    p.write_bytes("## 新闻标题\n\n职工们表示：“很满意。”".encode(encoding))
    docs, arts, _ = read_file(p)
    assert arts[0].title == "新闻标题"
    assert docs[0].encoding in {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030",
                                "gbk": "gb18030", "utf-16": "utf-16"}[encoding]
    assert arts[0].sentences[0].text == "职工们表示：“很满意。”"


def test_crlf_line_ends(tmp_path: Path):
    p = tmp_path / "x.md"
    p.write_bytes("## 标题\r\n\r\n第一段没有\r\n\r\n结束。\r\n".encode())
    docs, arts, _ = read_file(p)
    assert [s.text for s in arts[0].body] == ["第一段没有结束。"]
    _check_offsets(docs[0].text, arts)


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(256)) * 4, "binary"),
])
def test_bad_files_are_skipped_with_reason(tmp_path: Path, content: bytes, reason: str):
    (tmp_path / "bad.txt").write_bytes(content)
    (tmp_path / "good.txt").write_text("## 好新闻\n\n内容。", encoding="utf-8")
    r = read_sources([tmp_path])
    assert [a.title for a in r.articles] == ["好新闻"]
    assert len(r.skipped) == 1 and r.skipped[0].path.endswith("bad.txt")
    assert reason in r.skipped[0].reason


def test_undecodable_and_huge_and_missing(tmp_path: Path):
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9 \xff\xfe\xfd\x80\x81 na\xefve " * 3)
    (tmp_path / "big.txt").write_text("很长的文字。" * 2000, encoding="utf-8")
    r = read_sources([tmp_path, tmp_path / "missing.md"], max_bytes=10_000)
    reasons = {Path(s.path).name: s.reason for s in r.skipped}
    assert "too large" in reasons["big.txt"]
    assert "no such file" in reasons["missing.md"]
    assert "latin.txt" in reasons


def test_unsupported_suffix_listed(tmp_path: Path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / ".hidden.txt").write_text("不读", encoding="utf-8")
    r = read_sources([tmp_path])
    assert [Path(s.path).name for s in r.skipped] == ["photo.jpg"]
    assert r.articles == ()


def test_jsonl_records(tmp_path: Path):
    p = tmp_path / "news.jsonl"
    recs = [{"title": "标题一", "text": "第一句。第二句！", "date": "2025-03-01", "url": "https://example.org/1",
             "source": "示例网", "author": "王一、李二"},
            {"title": "标题二", "text": "只有一句。"}]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n{broken\n\n{\"title\": 1}\n",
                 encoding="utf-8")
    r = read_sources([p])
    assert [a.title for a in r.articles] == ["标题一", "标题二"]
    a = r.articles[0]
    assert a.date == "2025-03-01" and a.url == "https://example.org/1" and a.newspaper == "示例网"
    assert [x.name for x in a.authors] == ["王一", "李二"]
    assert [s.text for s in a.sentences] == ["第一句。", "第二句！"]
    assert len(r.skipped) == 2 and "invalid JSON" in r.skipped[0].reason
    for d, art in zip(r.documents, r.articles, strict=True):
        _check_offsets(d.text, [art])


def test_plain_text_without_headings():
    doc, arts = read_string("今天天气很好。大家都出门了。\n第二段。")
    assert len(arts) == 1 and arts[0].title is None
    assert [s.text for s in arts[0].body] == ["今天天气很好。", "大家都出门了。", "第二段。"]


def test_full_width_forms_kept():
    doc, arts = read_string("　　全角ＡＢＣ１２３和半角ABC123。")
    s = arts[0].sentences[0]
    assert s.text == "全角ＡＢＣ１２３和半角ABC123。" and doc.text[s.start:s.end] == s.text


def test_decode_rejects_binary():
    with pytest.raises(SourceError, match="binary"):
        decode(b"\x00\x01\x02abc" * 10, "f.bin")


_alphabet = st.sampled_from(list("职工会议在北京举行。，！？“”‘’（）#\n 　下转第3版本报记者王林摄…ab1"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_alphabet, max_size=300))
def test_offsets_always_map_back_to_source(text: str):
    doc, arts = read_string(text)
    _check_offsets(doc.text, arts)
    for a in arts:
        assert 0 <= a.start <= a.end <= len(doc.text)
        for au in a.authors:
            assert doc.text[au.start:au.end] == au.name
        for s in a.sentences:
            assert s.text.strip() == s.text and s.text


def test_html_pages_keep_text_drop_scripts_and_survive_broken_markup(tmp_path: Path):
    p = tmp_path / "news.html"
    p.write_text("<html><head><title>网页标题</title><script>window.x=1</script></head><body>"
                 "<h2>海河市召开职工大会</h2><p>本报记者 林晓峰</p><p>会议在<b>海河会展中心</b>举行。"
                 "<p>代表们说：“很好。”<div><img src=x onerror=alert(1)>最后一段", encoding="utf-8")
    docs, arts, _ = read_file(p)
    assert arts[0].title == "海河市召开职工大会"
    assert [(a.name, a.role) for a in arts[0].authors] == [("林晓峰", "记者")]
    body = [s.text for s in arts[0].body]
    assert body == ["会议在海河会展中心举行。", "代表们说：“很好。”", "最后一段"]
    assert "window.x" not in docs[0].text and "onerror" not in docs[0].text
    assert docs[0].encoding == "utf-8+html"
    _check_offsets(docs[0].text, arts)


# --- long input (issue #16): bounded sentences, linear splitting -------------------------------

LONG_CLAUSE = "海河市总工会主席林晓峰走访青川县职工服务中心，"


def test_a_sentence_without_an_end_is_cut_at_the_bound():
    from kg.ingest.sentences import MAX_SENTENCE

    text = "## 标题\n\n" + LONG_CLAUSE * 200 + "会议结束。\n"
    doc, arts = read_string(text)
    body = arts[0].body
    assert len(body) > 1 and all(len(s.text) <= MAX_SENTENCE for s in body)
    # cut after a clause mark, and nothing is lost between the pieces
    assert all(s.text.endswith("，") for s in body[:-1])
    assert "".join(s.text for s in body) == LONG_CLAUSE * 200 + "会议结束。"
    _check_offsets(doc.text, arts)


def test_a_run_without_any_break_is_cut_hard():
    from kg.ingest.sentences import MAX_SENTENCE

    doc, arts = read_string("林" * (MAX_SENTENCE * 2 + 5))
    assert [len(s.text) for s in arts[0].body] == [MAX_SENTENCE, MAX_SENTENCE, 5]
    _check_offsets(doc.text, arts)


def test_sentence_splitting_is_linear():
    """Ten times the text takes about ten times as long (quadratic splitting took ~100 times)."""
    import time

    from kg.ingest.sentences import split_pieces

    def seconds(n: int) -> float:
        text = ("“" + LONG_CLAUSE + "（" * 3 + "。）") * n
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            split_pieces(text, [(0, len(text))])
            best = min(best, time.perf_counter() - t0)
        return best

    small, large = seconds(200), seconds(2000)
    assert large < 30 * small + 0.05, (small, large)


# --- encodings are detected, never guessed (issue #16) ------------------------------------------

ZH = "## 海河市职工技能大赛开幕\n\n5月8日，海河市总工会主席林晓峰出席开幕式并讲话。技术员周文涛获得优秀技术能手称号。\n"
ZH_TW = "## 臺北市職工技能大賽開幕\n\n5月8日，臺北市總工會主席林曉峰出席開幕式並講話。技術員周文濤獲得優秀技術能手稱號。\n"


@pytest.mark.parametrize("text,encoding,read_as", [
    (ZH, "gb18030", "gb18030"),
    (ZH, "gbk", "gb18030"),
    (ZH, "utf-16-le", "utf-16-le"),  # no byte order mark
    (ZH, "utf-16-be", "utf-16-be"),
    ("## 海河新闻\n\n海河市总工会主席林晓峰表示", "utf-16-le", "utf-16-le"),  # no zero byte at all
    (ZH_TW, "big5", "big5"),  # Taiwanese and Hong Kong news
    (ZH_TW, "utf-8", "utf-8"),
    ("Le président a annoncé une réforme « ambitieuse » : café, naïve, œuvre.", "cp1252", "cp1252"),
])
def test_encodings_are_detected(tmp_path: Path, text: str, encoding: str, read_as: str):
    p = tmp_path / "x.txt"
    p.write_bytes(text.encode(encoding))
    docs, arts, skipped = read_file(p)
    assert docs[0].encoding == read_as and docs[0].text == text and not skipped


@pytest.mark.parametrize("text,encoding,reason", [
    ("東京都の記者会見で、山田太郎さんは新しいサービスを発表しました。", "shift_jis", "Japanese text"),
    ("東京都の記者会見で、山田太郎さんは新しいサービスを発表しました。", "euc_jp", "Japanese text"),
    ("서울시 기자회견에서 김철수 씨는 새로운 서비스를 발표했습니다.", "euc_kr", "Korean text"),
    ("東京都の記者会見で、山田太郎さんは新しいサービスを発表しました。", "utf-8", "Japanese text"),
])
def test_japanese_and_korean_are_refused_not_read_as_mojibake(tmp_path: Path, text: str, encoding: str,
                                                              reason: str):
    (tmp_path / "x.txt").write_bytes(text.encode(encoding))
    r = read_sources([tmp_path])
    assert not r.documents and len(r.skipped) == 1
    assert reason in r.skipped[0].reason and "not Chinese" in r.skipped[0].reason


def test_a_truncated_utf8_character_at_the_end_drops_only_that_character(tmp_path: Path):
    data = ZH.rstrip("\n").encode("utf-8")
    (tmp_path / "x.txt").write_bytes(data[:-1])  # the last character (。) is cut
    docs, arts, skipped = read_file(tmp_path / "x.txt")
    assert docs[0].text == ZH.rstrip("\n")[:-1] and docs[0].encoding == "utf-8"
    assert [s.reason for s in skipped] == [f"an incomplete UTF-8 character at the end (byte {len(data) - 3}) "
                                           "was dropped"]
    _check_offsets(docs[0].text, arts)


def test_a_damaged_byte_in_utf8_becomes_a_replacement_character(tmp_path: Path):
    data = "王".encode() + b"\x8a" + ZH.encode()
    (tmp_path / "x.txt").write_bytes(data)
    docs, _arts, skipped = read_file(tmp_path / "x.txt")
    assert docs[0].text == "王\ufffd" + ZH and "replaced by U+FFFD (the first at byte 3)" in skipped[0].reason


def test_random_bytes_are_refused_with_the_reason():
    with pytest.raises(SourceError, match="not text in an encoding kg reads"):
        decode(b"caf\xe9 \xff\xfe\xfd\x80\x81 na\xefve " * 3, "x.txt")


zh_sentences = st.lists(st.sampled_from([
    "海河市总工会主席林晓峰表示，", "职工服务平台已经上线。", "技术员周文涛获得优秀技术能手称号。",
    "5月8日，青川县工商联召开座谈会。", "“我们准备好了。”", "东岭区人民医院开展义诊活动，"]), min_size=1, max_size=8).map("".join)


@settings(max_examples=40, deadline=None)
@given(zh_sentences, st.sampled_from(["utf-8", "gb18030", "big5", "utf-16-le", "utf-16-be", "utf-16"]),
       st.booleans())
def test_chinese_text_decodes_to_itself(text: str, encoding: str, traditional: bool):
    """No mojibake: Chinese text in any encoding kg reads comes back as it was written."""
    if traditional or encoding == "big5":
        from opencc import OpenCC

        text = OpenCC("s2tw").convert(text)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a character Big5 has no code for
        return
    assert decode(data, "x.txt").text == text


# --- broken HTML, control characters, ill-typed records (issue #16) -----------------------------


@pytest.mark.parametrize("markup,page", [
    ("<h1>海河新闻<p>第一段。<p>第二段。", "# 海河新闻\n\n第一段。\n\n第二段。\n"),  # an unclosed <h1>
    ("<p>前文。<script>var a = 1;<p>正文一。<p>正文二。", "前文。\n\n正文一。\n\n正文二。\n"),
    ("<p>前文。<style>p { color: red }<p>正文一。", "前文。\n\n正文一。\n"),
    ("<p>前文。<iframe src=x><p>正文一。<p>正文二。", "前文。\n\n正文一。\n\n正文二。\n"),
    ("<p>前文。<!-- 注释 <p>正文一。<b>粗</b>", "前文。\n\n正文一。粗\n"),  # an unclosed comment
    ("<p>前文。<script>x()</script>后文。<iframe>广告</iframe><p>再见。", "前文。后文。\n\n再见。\n"),
    ("<html><head><title>标题</title><body><p>正文。", "正文。\n"),  # <head> never closed
    ("<p>正文。<a href=\"x", "正文。\n"),  # an unclosed tag at the end
    ("<h2>" + "长" * 300 + "<p>正文。", "长" * 300 + "\n\n正文。\n"),  # too long for a headline
])
def test_broken_html_is_read_as_far_as_it_goes(markup: str, page: str):
    from kg.ingest.html import html_to_page

    text, _title = html_to_page(markup)
    assert text == page
    assert "<" not in text and "var a" not in text and "color" not in text


def test_control_and_bidi_characters_become_spaces_and_offsets_keep():
    raw = "## 海河\u202e新闻\n\n海河市总工会主席林晓峰\x07说，\x00服务\u200b平台\x7f已上线\x08。\u2066第二句\u2069。\x0c第三段。\n"
    doc, arts = read_string(raw)
    assert len(doc.text) == len(raw)
    import re

    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u200b\u2066\u2069\u202e]", doc.text)
    assert arts[0].title == "海河 新闻"
    assert [s.text for s in arts[0].body] == ["海河市总工会主席林晓峰 说， 服务 平台 已上线 。", "第二句 。", "第三段。"]
    _check_offsets(doc.text, arts)


def test_html_character_references_to_controls_are_cleaned(tmp_path: Path):
    (tmp_path / "a.html").write_text("<p>林晓峰&#8238;说&#7;：好。</p>", encoding="utf-8")
    docs, arts, _ = read_file(tmp_path / "a.html")
    assert arts[0].body[0].text == "林晓峰 说：好。"  # &#7; is no character in HTML: dropped


@pytest.mark.parametrize("author,names,warned", [
    (None, [], False),
    (3, [], True),
    (["林晓峰", 3, None, ["周文涛"]], ["林晓峰"], True),
    ({"name": "林晓峰"}, [], True),
    ("林晓峰、周文涛", ["林晓峰", "周文涛"], False),
    ("3", [], True),
    (True, [], True),
])
def test_jsonl_authors_of_the_wrong_type_are_left_out_with_a_warning(tmp_path: Path, author, names, warned):
    rec = {"title": "标题", "text": "海河市总工会召开座谈会。", "author": author, "url": 7, "date": 20250508}
    (tmp_path / "a.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    r = read_sources([tmp_path])
    art = r.articles[0]
    assert [a.name for a in art.authors] == names
    assert "None" not in [a.name for a in art.authors] and art.url is None and art.date is None
    reasons = [s.reason for s in r.skipped]
    assert any("'url' is a number" in x for x in reasons) and any("'date'" in x for x in reasons)
    assert any("author" in x for x in reasons) == warned


def test_jsonl_limits_each_record_not_the_file(tmp_path):
    import json

    from kg.ingest import read_file

    rec = {"title": "海河市职工技能大赛", "text": "海河市总工会主席林晓峰出席开幕式并讲话。" * 20}
    p = tmp_path / "many.jsonl"
    p.write_text("\n".join(json.dumps(rec, ensure_ascii=False) for _ in range(40)) + "\n", encoding="utf-8")
    small = p.stat().st_size // 10  # the file is ten times the limit of one document
    docs, _arts, skipped = read_file(p, max_bytes=small)
    assert len(docs) == 40 and not skipped
    big = {"title": "长", "text": "海河" * small}
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(big, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    docs, _arts, skipped = read_file(p, max_bytes=small)
    assert len(docs) == 1 and "too large" in skipped[0].reason
