"""Ingestion: source files → documents → articles → sentences, with exact offsets."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.dates import MAX_PUB_YEAR, MIN_PUB_YEAR
from kg.errors import SourceError
from kg.ingest.clean import clean
from kg.ingest.decode import MAX_BYTES, read_text, sha256
from kg.ingest.frontmatter import normalize_date, parse_front_matter
from kg.ingest.layout import parse_page
from kg.ingest.sentences import split_pieces
from kg.model import Article, Author, Document, Sentence, Skipped

__all__ = ["SUFFIXES", "Ingested", "iter_files", "read_file", "read_sources", "read_string"]

#: File suffixes kg reads.
SUFFIXES = (".md", ".markdown", ".txt", ".text", ".jsonl", ".html", ".htm")


@dataclass(frozen=True)
class Ingested:
    """What ingestion produced: documents, their articles, and the files it skipped (with why)."""

    documents: tuple[Document, ...]
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]

    @property
    def sentences(self) -> int:
        """Number of sentences over all articles."""
        return sum(len(a.sentences) for a in self.articles)


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def iter_files(sources: Iterable[str | os.PathLike[str]],
               exclude: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Path | Skipped]:
    """Files to read, in a stable order: each given file, and each readable file under a folder.

    A missing path, or a file given by name with a suffix kg cannot read, yields a
    :class:`Skipped`. Hidden files and folders are ignored when walking a folder.

    ``exclude`` are paths never read, with everything under them (a build's outputs): they are
    passed over silently while walking a folder, and a file given by name among them is
    skipped with its reason. An excluded folder that is a given source folder, or holds a
    given source, does not apply to that source (``kg build d --out d`` reads ``d`` but not
    the outputs inside it). Paths are compared after resolving symlinks.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("a.md", "out/kg.html"):
    ...     (d / name).parent.mkdir(exist_ok=True)
    ...     _ = (d / name).write_text("# 标题", encoding="utf-8")
    >>> [str(p.relative_to(d)) for p in iter_files([d], exclude=[d / "out"])]
    ['a.md']
    """
    excluded = [_real(e) for e in exclude]
    for src in sources:
        p = Path(src)
        real = _real(p)
        is_dir = p.is_dir()
        active = [e for e in excluded if e not in real.parents and not (is_dir and e == real)]
        if is_dir:
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                    continue
                if active and _inside(_real(f), active):
                    continue
                if f.suffix.lower() in SUFFIXES:
                    yield f
                else:
                    yield Skipped(str(f), f"unsupported file type {f.suffix or '(none)'!r}")
        elif p.is_file():
            if _inside(real, active):
                yield Skipped(str(p), "an output of this build (inside its output folder), not a source")
            elif p.suffix.lower() in SUFFIXES or not p.suffix:
                yield p
            else:
                yield Skipped(str(p), f"unsupported file type {p.suffix!r}")
        else:
            yield Skipped(str(p), "no such file or folder")


def _doc_key(path: str, text: str) -> str:
    return sha256(path + "\x00" + text)[:12]


def read_string(text: str, path: str = "<text>", encoding: str = "utf-8",
                date: str | None = None) -> tuple[Document, list[Article]]:
    """Parse already-decoded page text into a document and its articles.

    Control and bidi characters become spaces (:func:`~kg.ingest.clean.clean`), so the
    document's text has the length of ``text`` and offsets into one are offsets into the other.

    Examples
    --------
    >>> doc, arts = read_string("date: 2025-01-02\\n## 标题\\n\\n记者 王一\\n\\n正文第一句。第二句。")
    >>> doc.date, arts[0].title, arts[0].date, len(arts[0].body)
    ('2025-01-02', '标题', '2025-01-02', 2)
    """
    text = clean(text)  # controls and bidi characters: spaces, so offsets keep
    meta, begin = parse_front_matter(text)
    doc_date = normalize_date(date) if date else None
    if meta.get("date"):
        doc_date = normalize_date(meta["date"]) or doc_date
    doc = Document(path=path, text=text, sha256=sha256(text), encoding=encoding, date=doc_date,
                   newspaper=meta.get("newspaper"), edition=meta.get("edition"),
                   meta=tuple(sorted(meta.items())))
    key = _doc_key(path, text)
    articles = parse_page(text, begin, path, key)
    if not any(a.title for a in articles) and articles and meta.get("title") and len(articles) == 1:
        articles[0] = _replace(articles[0], title=meta["title"])
    articles = [_replace(a, date=doc_date, newspaper=doc.newspaper) for a in articles]
    return doc, articles


def _replace(a: Article, **kw: object) -> Article:
    from dataclasses import replace

    return replace(a, **kw)  # type: ignore[arg-type]


#: A JSON Lines file holds many documents, each read apart: the file may be this many times
#: larger than the limit of one document (a year of articles), while each record's text keeps
#: the limit of a file.
JSONL_FILE_FACTOR = 16


def _read_jsonl(path: Path, text: str, encoding: str, date: str | None,
                skipped: list[Skipped], max_bytes: int = MAX_BYTES) -> tuple[list[Document], list[Article]]:
    docs: list[Document] = []
    arts: list[Article] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            skipped.append(Skipped(where, f"invalid JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or not rec["text"].strip():
            skipped.append(Skipped(where, "record has no 'text' string"))
            continue
        if len(rec["text"].encode("utf-8")) > max_bytes:
            skipped.append(Skipped(where, f"record text too large (> {max_bytes / 1e6:.1f} MB limit of a document)"))
            continue
        body = clean(rec["text"].replace("\r\n", "\n").replace("\r", "\n"))
        fields = {k: _field(rec, k, where, skipped) for k in ("title", "url", "source", "date")}
        rec_date = normalize_date(fields["date"]) if fields["date"] else None
        if fields["date"] and rec_date is None:
            skipped.append(Skipped(where, f"field 'date' {fields['date']!r} is not a date YYYY-MM-DD: left out"))
        doc_date = rec_date or (normalize_date(date) if date else None)
        names = _names(rec.get("author"), where, skipped)
        meta = {k: v for k, v in fields.items() if v} | ({"author": "、".join(names)} if names else {})
        doc = Document(path=where, text=body, sha256=sha256(body), encoding=encoding, date=doc_date,
                       newspaper=fields["source"], meta=tuple(sorted(meta.items())))
        key = _doc_key(where, body)
        art_id = f"{key}-0"
        pieces = _body_paragraphs(body)
        sentences: list[Sentence] = []
        for para in pieces:
            for spans in split_pieces(body, [para]):
                sentences.append(Sentence(where, art_id, len(sentences), spans[0][0], spans[-1][1],
                                          "".join(body[a:b] for a, b in spans), tuple(spans)))
        # the record names its authors apart from its text: they have no offsets
        authors = tuple(Author(n, "作者") for n in names)
        arts.append(Article(id=art_id, document=where, index=0, title=fields["title"], start=0, end=len(body),
                            authors=authors, date=doc_date, newspaper=doc.newspaper, url=fields["url"],
                            paragraphs=tuple(pieces), sentences=tuple(sentences)))
        docs.append(doc)
    return docs, arts


def _field(rec: dict[str, object], key: str, where: str, skipped: list[Skipped]) -> str | None:
    """A record's string field (cleaned, stripped); None when absent or null. A value of another
    type (a number, a list) is left out with a warning in ``skipped``."""
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return clean(value).strip() or None
    skipped.append(Skipped(where, f"field {key!r} is {_kind(value)}, not a string: left out"))
    return None


def _kind(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__)


def _names(value: object, where: str, skipped: list[Skipped]) -> list[str]:
    """The author names of a record: a string (names split at spaces, 、 and commas) or a list of
    strings. Numbers, objects or nested lists are not names: left out with a warning, and so is a
    "name" with no letter (3, —)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = [x for x in clean(value).replace("、", " ").replace(",", " ").replace("，", " ").split() if x]
    elif isinstance(value, list):
        parts = []
        for x in value:
            if isinstance(x, str):
                parts.extend(p for p in clean(x).split() if p)
            elif x is not None:
                skipped.append(Skipped(where, f"an author in field 'author' is {_kind(x)}, not a name: left out"))
    else:
        skipped.append(Skipped(where, f"field 'author' is {_kind(value)}, not a name or a list of names: "
                                      "left out"))
        return []
    names = []
    for p in parts:
        if any(c.isalpha() for c in p):
            names.append(p)
        else:
            skipped.append(Skipped(where, f"author {p!r} is not a name: left out"))
    return names


def _body_paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        while a < b and text[a] in " \t\u3000\u00a0":
            a += 1
        while b > a and text[b - 1] in " \t\u3000\u00a0":
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def read_file(path: Path, date: str | None = None,
              max_bytes: int = MAX_BYTES) -> tuple[list[Document], list[Article], list[Skipped]]:
    """Read one file. Raises :class:`SourceError` when the whole file is unusable.

    What was left out of a file that is read (a damaged byte, a record, a field) is listed in
    the third item, as :class:`Skipped` with the file (or record) and the reason.
    """
    jsonl = path.suffix.lower() == ".jsonl"
    found = read_text(path, max_bytes * JSONL_FILE_FACTOR if jsonl else max_bytes)
    text, enc = found.text, found.encoding
    skipped = [Skipped(str(path), w) for w in found.warnings]
    if jsonl:
        docs, arts = _read_jsonl(path, text, enc, date, skipped, max_bytes)
        if not docs and not skipped:
            raise SourceError(str(path), "no records")
        return docs, arts, skipped
    if path.suffix.lower() in (".html", ".htm"):
        from kg.ingest.html import html_to_page

        # the document text is the page's readable text; offsets point into it
        text, title = html_to_page(text)
        if title and not text.lstrip().startswith("#"):
            text = f"# {title}\n\n{text}"
        enc = f"{enc}+html"
    doc, arts = read_string(text, str(path), enc, date)
    if not arts:
        raise SourceError(str(path), "no text found")
    return [doc], arts, skipped


def read_sources(sources: Iterable[str | os.PathLike[str]], date: str | None = None,
                 progress: Callable[[str], None] | None = None, max_bytes: int = MAX_BYTES,
                 exclude: Iterable[str | os.PathLike[str]] = ()) -> Ingested:
    """Read every source; a bad file is skipped with its reason and never stops the rest.

    Parameters
    ----------
    sources : files or folders (walked recursively).
    date : publication date (``YYYY-MM-DD``) for sources that do not state one.
    progress : called with each file's path as it is read.
    max_bytes : files larger than this are skipped.
    exclude : paths never read (a build's outputs), see :func:`iter_files`.
    """
    if date is not None and normalize_date(date) is None:
        raise SourceError(date, f"not a valid date (expected YYYY-MM-DD, years {MIN_PUB_YEAR}-{MAX_PUB_YEAR})")
    docs: list[Document] = []
    arts: list[Article] = []
    skipped: list[Skipped] = []
    for item in iter_files(sources, exclude):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        if progress:
            progress(str(item))
        try:
            d, a, s = read_file(item, date, max_bytes)
        except SourceError as e:
            skipped.append(Skipped(e.path, e.reason))
            continue
        docs.extend(d)
        arts.extend(a)
        skipped.extend(s)
    return Ingested(tuple(docs), tuple(arts), tuple(skipped))
