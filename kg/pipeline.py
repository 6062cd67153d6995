"""The one place that wires the stages: ingest → extract → resolve → relate → rdf → store → analyze → view."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import NothingToBuild, ValidationError
from kg.extract import DEFAULT_COMPONENTS, extract_many
from kg.ingest import Ingested, read_sources
from kg.model import Article, Corpus, Document, Entity, Evidence, Skipped
from kg.resolve import Located, locate, more_mentions, resolve

__all__ = ["BuildReport", "extract_articles", "make_corpus", "build", "DEFAULT_SOURCES", "DEFAULT_OUT"]

DEFAULT_SOURCES = ("source",)
DEFAULT_OUT = "exports"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildReport:
    """What a build read, found and wrote."""

    files: int
    documents: int
    articles: int
    sentences: int
    entities: int
    relations: int
    triples: int
    skipped: tuple[Skipped, ...] = ()
    violations: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    by_type: tuple[tuple[str, int], ...] = ()
    seconds: float = 0.0
    timings: tuple[tuple[str, float], ...] = field(default=())
    #: The generation folder the build wrote (``<out>/.generations/<id>``), current once it returned.
    generation: str = ""


def _extract_batch(batch: list[tuple[Article, str]], components: Sequence[str] | None) -> list[list[Located]]:
    """The located mentions of each article of ``batch``: every sentence of every article goes
    to the components in one call (the statistical models run them together)."""
    sents = [(k, s) for k, (art, _t) in enumerate(batch) for s in art.sentences]
    found = extract_many([s.text for _, s in sents], components, nested=True)
    out: list[list[Located]] = [[] for _ in batch]
    for (k, s), ms in zip(sents, found, strict=True):
        art, doc_text = batch[k]
        for m in ms:
            # a byline names its authors (read by ingestion) and maybe their agency (某某社发)
            if s.kind == "byline" and m.type != "Organization":
                continue
            if m.type in ("Person", "Organization", "Place", "Program", "Event"):
                out[k].append(locate(art, s.index, m, doc_text))
    return out


#: Articles are extracted in groups of about this many characters.
GROUP_CHARS = 50_000


def _groups(articles: Sequence[Article], texts: dict[str, str], limit: int) -> list[list[tuple[Article, str]]]:
    groups: list[list[tuple[Article, str]]] = []
    size = limit
    for a in articles:
        n = sum(len(s.text) for s in a.sentences)
        if size + n > limit and (not groups or groups[-1]):
            groups.append([])
            size = 0
        groups[-1].append((a, texts[a.document]))
        size += n
    return [g for g in groups if g]


#: Below this many characters a build extracts in its own process (starting workers costs seconds).
PARALLEL_MIN_CHARS = 300_000


def extract_articles(articles: Sequence[Article], documents: Iterable[Document],
                     components: Sequence[str] | None = None,
                     progress: Progress | None = None, jobs: int | None = None) -> list[Located]:
    """Run the extractor components over every article sentence (body and headlines).

    Articles are independent, so a large build spreads them over ``jobs`` worker processes
    (default: one per CPU once the text is long enough); the result does not depend on it.
    """
    texts = {d.path: d.text for d in documents}
    chars = sum(len(s.text) for a in articles for s in a.sentences)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if chars >= PARALLEL_MIN_CHARS else 1
    out: list[Located] = []
    if jobs <= 1 or len(articles) < 2:
        done = 0
        for group in _groups(articles, texts, GROUP_CHARS):
            for part in _extract_batch(group, components):
                out.extend(part)
                done += 1
                if progress:
                    progress("extract", done, len(articles))
        return out
    from concurrent.futures import ProcessPoolExecutor

    limit = max(2_000, min(GROUP_CHARS, chars // (jobs * 4) or 1))
    batches = _groups(articles, texts, limit)
    done = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for found in pool.map(_extract_batch, batches, [components] * len(batches)):
            for part in found:
                out.extend(part)
                done += 1
                if progress:
                    progress("extract", done, len(articles))
    return out


def make_corpus(ingested: Ingested, components: Sequence[str] | None = None,
                progress: Progress | None = None, jobs: int | None = None) -> Corpus:
    """Extract, resolve and relate: everything the RDF stage needs."""
    from kg.relate import relations_for, with_attributes

    located = extract_articles(ingested.articles, ingested.documents, components, progress, jobs)
    entities = resolve(located, ingested.articles)
    entities = more_mentions(entities, ingested.articles, {d.path: d.text for d in ingested.documents})
    entities = _with_authors(entities, ingested)
    relations, attributes = relations_for(ingested.articles, ingested.documents, entities)
    entities = with_attributes(entities, attributes)
    return Corpus(ingested.documents, ingested.articles, tuple(entities), tuple(relations), ingested.skipped)


def _with_authors(entities: list[Entity], ingested: Ingested) -> list[Entity]:
    """Byline authors are persons too, with their byline as evidence (one person per name and document)."""
    texts = {d.path: d.text for d in ingested.documents}
    by_key = {e.key: e for e in entities}
    found: dict[str, set[Evidence]] = {}
    for art in ingested.articles:
        bylines = [s for s in art.sentences if s.kind == "byline"]
        for au in art.authors:
            if au.start is None or au.end is None:  # named outside the text (a record's author field)
                continue
            start, end = au.start, au.end
            sent = next((s for s in bylines if s.start <= start and end <= s.end), None)
            if sent is None:
                continue
            ev = Evidence(art.document, art.id, sent.index, start, end, texts[art.document][start:end])
            found.setdefault(f"Person/{au.name}", set()).add(ev)
    out = []
    for e in entities:
        if e.key in found:
            e = replace(e, mentions=tuple(sorted(set(e.mentions) | found.pop(e.key),
                                                 key=lambda v: (v.document, v.article, v.start, v.end))))
        out.append(e)
    for key, evs in sorted(found.items()):
        if key not in by_key:
            out.append(Entity(key, "Person", key.split("/", 1)[1], (), tuple(sorted(
                evs, key=lambda v: (v.document, v.article, v.start, v.end)))))
    return sorted(out, key=lambda e: (e.type, e.key))


def _nothing_read(sources: Sequence[str | os.PathLike[str]], out: Path, ingested: Ingested) -> NothingToBuild:
    reasons = [f"{sk.path}: {sk.reason}" for sk in ingested.skipped]
    if not reasons:
        reasons = ["no .md, .txt, .html or .jsonl file found"]
    more = f" (and {len(reasons) - 3} more)" if len(reasons) > 3 else ""
    named = ", ".join(str(x) for x in sources) or "(no source)"
    return NothingToBuild(f"nothing read from {named}: {'; '.join(reasons[:3])}{more}; {out} is left as it "
                          "was (--allow-empty builds an empty graph)", ingested.skipped)


def build(sources: Sequence[str | os.PathLike[str]] = DEFAULT_SOURCES, out: str | os.PathLike[str] = DEFAULT_OUT,
          date: str | None = None, components: Sequence[str] | None = None, progress: Progress | None = None,
          validate: bool = True, analyze: bool = True, view: bool = True, strict: bool = False,
          jobs: int | None = None, wait: bool = True, on_wait: Callable[[str], None] | None = None,
          allow_empty: bool = False) -> BuildReport:
    """Build the knowledge graph of ``sources`` into ``out``.

    Writes ``kg.ttl`` (sorted, byte-identical for the same input), ``ontology.ttl``, the store
    (``store/``) and, unless switched off, ``report.html`` and ``kg.html``, all into a new
    generation of ``out`` that replaces the previous build in one atomic switch at the end
    (:mod:`kg.output`): ``out`` always holds one complete build, and a build that fails or is
    interrupted leaves the previous one as it was. SHACL violations are reported (``strict``
    raises :class:`ValidationError` instead).

    Parameters
    ----------
    sources : files and folders to read; nothing under ``out`` that a build wrote is read.
    out : the output folder.
    wait : when another build is writing ``out``, wait for it (after calling ``on_wait`` with a
        message) or raise :class:`~kg.errors.OutputLocked` (``wait=False``).
    allow_empty : build an empty graph when no document was read; otherwise that raises
        :class:`~kg.errors.NothingToBuild` and ``out`` is not touched.
    """
    from kg.export import write_exports
    from kg.output import lock_output, new_generation, output_paths
    from kg.rdf import corpus_to_graph
    from kg.rdf import validate as shacl_validate
    from kg.store import Store

    t0 = time.perf_counter()
    timings: list[tuple[str, float]] = []

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings.append((name, round(now - since, 3)))
        return now

    files: list[str] = []

    def on_file(path: str) -> None:
        files.append(path)
        if progress:
            progress("read", len(files), 0)

    out_dir = Path(out)
    ingested = read_sources(sources, date=date, progress=on_file, exclude=output_paths(out_dir))
    if not ingested.documents and not allow_empty:
        raise _nothing_read(sources, out_dir, ingested)
    t = lap("ingest", t0)
    with lock_output(out_dir, wait=wait, on_wait=on_wait), new_generation(out_dir) as gen:
        t = lap("lock", t)
        corpus = make_corpus(ingested, components or DEFAULT_COMPONENTS, progress, jobs)
        t = lap("extract", t)
        graph = corpus_to_graph(corpus)
        t = lap("rdf", t)
        violations: list[str] = shacl_validate(graph) if validate else []
        if violations and strict:
            raise ValidationError(f"{len(violations)} SHACL violations; first: {violations[0]}")
        t = lap("validate", t)
        written: list[Path] = []
        analysis = None
        if analyze:
            from kg.analyze import analyze as run_analysis
            from kg.analyze import write_report, write_scores

            analysis = run_analysis(graph)
            write_scores(graph, analysis)
            t = lap("analyze", t)
        written.extend(write_exports(graph, gen.path))
        with Store.open(gen.path / "store", create=True) as store:
            triples = store.replace(graph)
        written.append(gen.path / "store")
        t = lap("store", t)
        if analysis is not None:
            written.append(write_report(analysis, gen.path / "report.html"))
        if view:
            from kg.visualize import write_view

            written.append(write_view(analysis if analysis is not None else graph, gen.path / "kg.html"))
        t = lap("view", t)
    lap("switch", t)
    by_type = Counter(e.type for e in corpus.entities)
    return BuildReport(
        files=len(files), documents=len(ingested.documents), articles=len(ingested.articles),
        sentences=sum(len(a.body) for a in ingested.articles), entities=len(corpus.entities),
        relations=len(corpus.relations), triples=triples, skipped=ingested.skipped,
        violations=tuple(violations), outputs=tuple(str(out_dir / p.name) for p in written),
        by_type=tuple(sorted(by_type.items())), seconds=round(time.perf_counter() - t0, 3),
        timings=tuple(timings), generation=str(gen.path))
