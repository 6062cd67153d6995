"""HTML pages: the readable text (headings as ``#`` lines, paragraphs), without scripts or markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_page"]

_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "table", "tr", "td", "th", "blockquote",
          "header", "footer", "main", "aside", "figure", "figcaption", "pre", "dd", "dt", "dl"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}


#: A heading longer than this is text whose heading was never closed, not a headline.
MAX_HEADING = 200


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.cur: list[str] = []
        # open elements whose content is dropped when they close: (tag, blocks then, text then)
        self.skips: list[tuple[str, int, list[str]]] = []
        self.heading = 0
        self.in_title = False
        self.title = ""

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(self.cur)).strip()
        self.cur = []
        if text:
            heading = self.heading if len(text) <= MAX_HEADING else 0
            self.blocks.append(("#" * heading + " " if heading else "") + text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
            return
        if tag in _SKIP:
            self.skips.append((tag, len(self.blocks), list(self.cur)))
            return
        if tag in _HEADINGS or tag in _BLOCK:
            self.in_title = False  # a title left open ends where the page begins
        if tag in _HEADINGS:
            self._flush()
            self.heading = _HEADINGS[tag]
        elif tag in _BLOCK or tag == "br":
            ends_heading = tag != "br" and self.heading and "".join(self.cur).strip()
            self._flush()
            if ends_heading:
                self.heading = 0  # a heading left open ends where a block begins

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP:
            for k in range(len(self.skips) - 1, -1, -1):
                if self.skips[k][0] == tag:  # drop what the element held (and elements left open in it)
                    _tag, blocks, cur = self.skips[k]
                    del self.skips[k:]
                    del self.blocks[blocks:]
                    self.cur = cur
                    break
        elif tag in _HEADINGS:
            self._flush()
            self.heading = 0
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        else:
            self.cur.append(data)

    def unclosed_raw_text(self) -> str | None:
        """After the last feed: the markup after a ``<script>`` or ``<style>`` never closed, which the
        parser holds back as that element's code (None when there is none); the element is dropped."""
        tag = getattr(self, "cdata_elem", None)
        if tag is None:
            return None
        rest = self.rawdata
        self.rawdata = ""
        self.clear_cdata_mode()
        for k in range(len(self.skips) - 1, -1, -1):
            if self.skips[k][0] == tag:
                del self.skips[k]
                break
        return rest


def html_to_page(markup: str) -> tuple[str, str | None]:
    """``(page text, <title>)``: headings become ``#`` lines and blocks paragraphs; scripts are dropped.

    Broken markup is read as far as it goes and never swallows the page or leaks into the text:
    a heading left open ends where the next block begins; a ``<script>``, ``<style>``,
    ``<iframe>`` … left open drops only its own code (up to the next tag); an unclosed comment or
    tag at the end is dropped up to the next tag.

    Examples
    --------
    >>> page, title = html_to_page("<html><head><title>T</title><script>alert(1)</script></head>"
    ...                            "<body><h2>标题</h2><p>第一段。<br>第二行<p>第三段")
    >>> page
    '## 标题\\n\\n第一段。\\n\\n第二行\\n\\n第三段\\n'
    >>> title
    'T'
    >>> html_to_page("<h1>标题<p>正文。<script>var a;<p>后文。<!-- 注释 <p>末段。")[0]
    '# 标题\\n\\n正文。\\n\\n后文。\\n\\n末段。\\n'
    """
    parser = _Text()
    parser.feed(markup)
    while parser.rawdata:
        rest = parser.unclosed_raw_text()
        if rest is None:
            rest = parser.rawdata
            if not rest.startswith("<"):
                break
            parser.rawdata = ""  # an unclosed comment, declaration or tag
            rest = rest[1:]
        k = rest.find("<")  # the element's own code or markup ends where the next tag begins
        if k < 0:
            break
        parser.feed(rest[k:])
    parser.close()
    parser._flush()
    title = re.sub(r"\s+", " ", parser.title).strip() or None
    return "".join(b + "\n\n" for b in parser.blocks).rstrip("\n") + "\n", title
