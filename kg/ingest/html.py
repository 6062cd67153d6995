"""HTML pages: the readable text (headings as ``#`` lines, paragraphs), without scripts or markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_page"]

_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "table", "tr", "td", "th", "blockquote",
          "header", "footer", "main", "aside", "figure", "figcaption", "pre", "dd", "dt", "dl"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.heading = 0
        self.in_title = False
        self.title = ""

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(self.cur)).strip()
        self.cur = []
        if text:
            self.blocks.append(("#" * self.heading + " " if self.heading else "") + text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP:
            self.skip += 1
        elif tag in _HEADINGS:
            self._flush()
            self.heading = _HEADINGS[tag]
        elif tag in _BLOCK or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _HEADINGS:
            self._flush()
            self.heading = 0
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip:
            self.cur.append(data)


def html_to_page(markup: str) -> tuple[str, str | None]:
    """``(page text, <title>)``: headings become ``#`` lines and blocks paragraphs; scripts are dropped.

    Broken markup is read as far as it goes (unclosed tags, stray ``<``).

    Examples
    --------
    >>> page, title = html_to_page("<html><head><title>T</title><script>alert(1)</script></head>"
    ...                            "<body><h2>标题</h2><p>第一段。<br>第二行<p>第三段")
    >>> page
    '## 标题\\n\\n第一段。\\n\\n第二行\\n\\n第三段\\n'
    >>> title
    'T'
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser._flush()
    title = re.sub(r"\s+", " ", parser.title).strip() or None
    return "".join(b + "\n\n" for b in parser.blocks).rstrip("\n") + "\n", title
