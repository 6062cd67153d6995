"""The one place that wires the stages: ingest → extract → resolve → relate → rdf → store → analyze → view."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.cache import ExtractCache
from kg.errors import NothingToBuild, ValidationError
from kg.executors import DEFAULT_EXECUTOR, executors, start_executor
from kg.extract import DEFAULT_COMPONENTS, extract_many
from kg.extract.tokens import release as release_segmenter
from kg.forked import Forked
from kg.heap import LongLived, collected_by_hand, returning_large_blocks
from kg.ingest import Ingested, read_sources
from kg.ingest.sentences import MAX_SENTENCE, split_pieces
from kg.ingest.simplify import is_traditional, model_text, to_simplified
from kg.model import Article, Corpus, Document, Entity, EntityKey, Evidence, Located, Mention, Skipped
from kg.resolve import locate, more_mentions, resolve
from kg.schema import ORGANIZATION, PERSON, entity_types

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from kg.analyze import Analysis
    from kg.analyze.graph import NetworkBuilder, Reading
    from kg.rdf import PartsValidation, Triples

__all__ = ["BuildReport", "extract_articles", "make_corpus", "build", "worker_count", "extract_texts", "DEFAULT_SOURCES",
           "DEFAULT_OUT", "CHECK_CHARS", "check_sample", "map_blocks"]

DEFAULT_SOURCES = ("source",)
DEFAULT_OUT = "exports"

Progress = Callable[[str, int, int], None]  # (stage, done, total)
OnStage = Callable[[str, float, dict[str, int]], None]  # (stage, seconds, counts) as a stage ends


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
    #: characters of the documents read
    characters: int = 0
    #: documents extracted by this build, and documents whose mentions came from the cache
    extracted: int = 0
    reused: int = 0
    #: True when the sources and configuration were the current build's: nothing was written
    unchanged: bool = False
    #: documents whose parts the SHACL check read: every one, unless the build was larger than
    #: :data:`CHECK_CHARS` and checked a sample of them (`check_sample`); 0 when not validated
    checked: int = 0


def _extract_texts(texts: list[str], components: Sequence[str] | None) -> list[list[Mention]]:
    """The mentions of each text (one batch: the models read the texts together)."""
    return extract_many(texts, components, nested=True)


def _extract_groups(groups: list[list[str]], components: Sequence[str] | None) -> list[list[list[Mention]]]:
    """A worker's task: the mentions of each text of each group, every group a batch of its own
    (only the texts travel to the worker, never whole documents)."""
    return [_extract_texts(g, components) for g in groups]


#: A build of this many characters or more (about 100,000 triples) checks its parts (SHACL) in
#: child processes on the other cores (`check_count`), beside the mapping, the analysis and the exports
#: (:mod:`kg.forked`); a smaller one as its parts are mapped.
BESIDE_MIN_CHARS = 150_000
#: The report and the view of a graph of this many triples or more are written in a child
#: process, beside the exports and the store.
BESIDE_MIN_TRIPLES = 100_000

#: The folder of a generation where kg.ttl's sorted runs wait to be merged (:class:`kg.rdf.TurtleParts`).
TURTLE_RUNS = ".turtle-runs"

#: Sentences are extracted in groups of about this many characters (and progress is shown after each).
GROUP_CHARS = 50_000


def _groups(sizes: Sequence[int], limit: int) -> list[range]:
    """Consecutive runs of items whose sizes add up to about ``limit`` (at least one item each).

    Examples
    --------
    >>> _groups([3, 3, 3, 10, 1], 6)
    [range(0, 2), range(2, 3), range(3, 4), range(4, 5)]
    """
    out: list[range] = []
    lo = size = 0
    for i, n in enumerate(sizes):
        if i > lo and size + n > limit:
            out.append(range(lo, i))
            lo, size = i, 0
        size += n
    if lo < len(sizes):
        out.append(range(lo, len(sizes)))
    return out


#: Below this many characters a build extracts in its own process (starting workers and loading
#: their models costs a second or two); above, in worker processes, one at least, so the
#: build's own process never holds the models (≈ 290 MB) in the stages after extraction.
PARALLEL_MIN_CHARS = 300_000
#: The memory one extraction worker takes (its own copy of the models and segmenter, and its
#: tasks: 0.44-0.50 GB peak on 300 and 1,200 news articles), for the cap on the number of workers.
WORKER_BYTES = 512 * 2**20


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _available_memory() -> int | None:
    """Bytes of memory available to new processes (``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def worker_count(jobs: int | None, chars: int, tasks: int) -> int:
    """How many extraction processes to run: ``jobs`` (default: one per CPU once there are
    :data:`PARALLEL_MIN_CHARS` characters to read), never more than the CPUs, the tasks, or the
    workers that fit in the available memory (:data:`WORKER_BYTES` each).

    Examples
    --------
    >>> worker_count(1000, 10**9, 3) <= 3
    True
    >>> worker_count(None, 1000, 50)
    1
    """
    if jobs is None:
        jobs = _cpus() if chars >= PARALLEL_MIN_CHARS else 1
    free = _available_memory()
    fit = max(1, free // WORKER_BYTES) if free else jobs
    return max(1, min(jobs, _cpus(), tasks, fit))


#: The least memory a SHACL check beside the build is given of its own, for the cap on the number
#: of checks; a check also makes its own copy of the pages of the corpus it reads (Python writes
#: the reference counts of the objects it touches), so it is given the build's own memory when that
#: is more: on 4,585 articles a check's private memory peaked at 566-574 MB.
CHECK_BYTES = 512 * 2**20
#: At most this many checks: share 0 (the facts, the corpus part, and a light reading of every
#: document) takes about two fifths of one check's time, so shares of the documents beyond two
#: shorten nothing (4,585 articles: one check 69-76 s; two, 35 s and 50-54 s).
MAX_CHECKS = 3


def check_count(jobs: int | None, each: int = CHECK_BYTES) -> int:
    """How many processes check a large build's graph (SHACL) beside it: one per core the
    build's own process leaves (``jobs`` cores at most, default: all), at least one and at most
    :data:`MAX_CHECKS`, never more than fit in the available memory (``each`` bytes each, at
    least :data:`CHECK_BYTES`). With two or more, one checks the facts and the entities and the
    others share out the documents (`_check_parts`).

    Examples
    --------
    >>> check_count(1)
    1
    >>> 1 <= check_count(None) <= MAX_CHECKS
    True
    """
    n = max(1, min(jobs or _cpus(), _cpus(), MAX_CHECKS + 1) - 1)
    free = _available_memory()
    return max(1, min(n, free // max(each, CHECK_BYTES))) if free else n


def _resident() -> int:
    """Bytes of memory this process holds (resident), or 0 when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def _bundles(groups: list[list[str]], limit: int) -> list[list[list[str]]]:
    """Consecutive groups in tasks of about ``limit`` characters (at least one group each)."""
    spans = _groups([sum(len(t) for t in g) for g in groups], limit)
    return [groups[r.start:r.stop] for r in spans]


def extract_articles(articles: Sequence[Article], documents: Iterable[Document],
                     components: Sequence[str] | None = None,
                     progress: Progress | None = None, jobs: int | None = None,
                     cache: ExtractCache | None = None, executor: str | None = None,
                     scheduler: str | None = None) -> list[Located]:
    """Run the extractor components over every article sentence (body and headlines).

    A document's sentences go to the extractor in groups of about :data:`GROUP_CHARS`
    characters of that document alone (a long document in several groups), so what is found in
    a document depends on nothing but the document: a large build spreads the groups over
    ``jobs`` worker processes (see :func:`worker_count`), and ``cache``
    (:class:`~kg.cache.ExtractCache`) gives back the mentions of a document it has seen, with
    the same result. ``progress("extract", done, total)`` counts sentences.

    ``executor`` names where the groups not in the cache go (:mod:`kg.executors`; default
    ``"process"``: worker processes here, for large builds only); any other executor, e.g.
    ``"dask"`` with the address of its ``scheduler``, takes all of them, and the mentions are
    the same.
    """
    docs = list(documents)
    texts = {d.path: d.text for d in docs}
    by_path = {d.path: d for d in docs}
    # traditional characters reach the models as simplified ones, one for one: offsets stay
    reads = {d.path: model_text(d) for d in docs}
    todo = [(a, s) for a in articles for s in a.sentences]
    inputs = [reads[a.document](s.text) for a, s in todo]
    where: dict[str, list[int]] = {}  # document → the positions of its sentences in todo
    for i, (a, _s) in enumerate(todo):
        where.setdefault(a.document, []).append(i)
    found: list[list[Mention] | None] = [None] * len(todo)
    done_count = 0

    def fill(positions: Sequence[int], part: Sequence[list[Mention]]) -> None:
        nonlocal done_count
        for i, ms in zip(positions, part, strict=True):
            found[i] = ms
        done_count += len(positions)
        if progress:
            progress("extract", done_count, len(todo))

    # the groups still to extract: (document, positions in todo, texts)
    work: list[tuple[str, list[int]]] = []
    keys: dict[str, str] = {}
    for path, positions in where.items():
        doc_inputs = [inputs[i] for i in positions]
        if cache is not None:
            doc = by_path.get(path)
            keys[path] = key = cache.key(doc.sha256 if doc else path, doc_inputs)
            hit = cache.get(key, doc_inputs)
            if hit is not None:
                fill(positions, hit)
                continue
        for g in _groups([len(t) for t in doc_inputs], GROUP_CHARS):
            work.append((path, positions[g.start:g.stop]))
    pending = Counter(path for path, _ in work)

    def finished(path: str, positions: list[int], part: list[list[Mention]]) -> None:
        fill(positions, part)
        pending[path] -= 1
        if cache is not None and pending[path] == 0:  # the document is whole: keep it
            ps = where[path]
            cache.put(keys[path], [inputs[i] for i in ps], [found[i] or [] for i in ps])

    groups = [[inputs[i] for i in positions] for _, positions in work]
    chars = sum(len(t) for g in groups for t in g)
    name = executor or DEFAULT_EXECUTOR
    local = name == DEFAULT_EXECUTOR  # worker processes only for a large build; others take all
    workers = worker_count(jobs if local else jobs or _cpus(), chars, len(groups)) if groups else 1
    if not groups or (local and workers <= 1 and chars < PARALLEL_MIN_CHARS):
        for (path, positions), texts_ in zip(work, groups, strict=True):
            finished(path, positions, _extract_texts(texts_, components))
    else:  # a large build extracts in workers, even in one (their models go with them); dask, always
        pool = start_executor(name, workers, components, scheduler)
        try:
            # small tasks: the last one to end keeps only one worker busy
            limit = max(2_000, min(GROUP_CHARS, chars // (pool.workers * 16) or 1))
            tasks = _bundles(groups, limit)
            k = 0
            for parts in pool.map(_extract_groups, tasks, components):
                for part in parts:
                    path, positions = work[k]
                    finished(path, positions, part)
                    k += 1
        except BaseException:  # Ctrl-C or an error: stop the workers now, not after their batches
            pool.abort()
            raise
        pool.close()
    out: list[Located] = []
    kinds = set(entity_types())
    for (art, s), ms in zip(todo, found, strict=True):
        for m in ms or ():
            # a byline names its authors (read by ingestion) and maybe their agency (某某社发)
            if s.kind == "byline" and m.type != ORGANIZATION:
                continue
            if m.type in kinds:
                out.append(locate(art, s.index, m, texts[art.document]))
    return out


def _text_parts(text: str, limit: int) -> list[tuple[int, int]]:
    """``text`` as consecutive runs of whole sentences of at most about ``limit`` characters
    (one run when it is that short): ``(start, end)`` offsets."""
    if len(text) <= limit:
        return [(0, len(text))]
    parts: list[tuple[int, int]] = []
    for spans in split_pieces(text, [(0, len(text))]):
        a, b = spans[0][0], spans[-1][1]
        if parts and b - parts[-1][0] <= limit:
            parts[-1] = (parts[-1][0], b)
        else:
            parts.append((a, b))
    return parts


def extract_texts(texts: Sequence[str], components: Sequence[str] | None = None) -> list[list[Mention]]:
    """The mention list of each text (what ``kg extract`` prints), offsets into that text.

    A text longer than :data:`~kg.ingest.sentences.MAX_SENTENCE` characters is read in runs of
    whole sentences of about that length, so a long file takes time in proportion to its length;
    a shorter text is read as it is (:func:`~kg.extract.extract_many`). A text in traditional
    characters is read as simplified (:func:`~kg.ingest.simplify.to_simplified`); the mentions
    are the text as written.

    Examples
    --------
    >>> long = "海河市总工会主席林晓峰说，服务平台已上线。" * 200
    >>> found = extract_texts(["林晓峰说，", long])
    >>> [m.text for m in found[0]], len(long) > 1000, {long[m.start:m.end] for m in found[1]} >= {"林晓峰"}
    (['林晓峰'], True, True)
    """
    where: list[tuple[int, int]] = []  # (text, offset) of each piece handed to the extractor
    pieces: list[str] = []
    for k, text in enumerate(texts):
        read = to_simplified(text) if is_traditional(text) else text
        for a, b in _text_parts(read, MAX_SENTENCE):
            where.append((k, a))
            pieces.append(read[a:b])
    out: list[list[Mention]] = [[] for _ in texts]
    for (k, a), ms in zip(where, extract_many(pieces, components), strict=True):
        text = texts[k]
        # a mention is the text as written (a traditional text was read as simplified, one for one)
        out[k].extend(replace(m, text=text[m.start + a:m.end + a], start=m.start + a, end=m.end + a) for m in ms)
    return out


def make_corpus(ingested: Ingested, components: Sequence[str] | None = None,
                progress: Progress | None = None, jobs: int | None = None,
                relations: Sequence[str] | None = None, events: Sequence[str] | None = None,
                cache: ExtractCache | None = None, lap: Callable[[str], None] | None = None,
                executor: str | None = None, scheduler: str | None = None) -> Corpus:
    """Extract, resolve and relate: everything the RDF stage needs.

    ``components`` names the extractor components, ``relations`` and ``events`` the relation
    and event components (:mod:`kg.relate`) to run; ``None`` runs the registered defaults.
    ``cache`` gives back the mentions of documents extracted before (:func:`extract_articles`);
    resolution and relations always run over every document, so the corpus is the same with
    or without it. ``lap(stage)`` is called as each of ``extract``, ``resolve`` and ``relate``
    ends. ``executor`` and ``scheduler`` say where the extraction runs (:mod:`kg.executors`).
    """
    from kg.relate import relations_for, with_events

    located = extract_articles(ingested.articles, ingested.documents, components, progress, jobs, cache,
                               executor, scheduler)
    if lap:
        lap("extract")
    entities = resolve(located, ingested.articles)
    del located
    entities = more_mentions(entities, ingested.articles, {d.path: d.text for d in ingested.documents})
    entities = _with_authors(entities, ingested)
    if lap:
        lap("resolve")
    # the article components in as many processes as the extraction had (forked: kg.relate)
    chars = sum(len(d.text) for d in ingested.documents)
    facts, infos = relations_for(ingested.articles, ingested.documents, entities, relations, events,
                                 jobs=worker_count(jobs, chars, len(ingested.articles)))
    entities = with_events(entities, infos)
    if lap:
        lap("relate")
    return Corpus(ingested.documents, ingested.articles, tuple(entities), tuple(facts), ingested.skipped)


def _with_authors(entities: list[Entity], ingested: Ingested) -> list[Entity]:
    """Byline authors are persons too, with their byline as evidence (one person per name and document)."""
    texts = {d.path: d.text for d in ingested.documents}
    by_key = {e.key: e for e in entities}
    found: dict[EntityKey, set[Evidence]] = {}
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
            found.setdefault(EntityKey(PERSON, au.name), set()).add(ev)
    out = []
    for e in entities:
        if e.key in found:
            e = replace(e, mentions=tuple(sorted(set(e.mentions) | found.pop(e.key),
                                                 key=lambda v: (v.document, v.article, v.start, v.end))))
        out.append(e)
    for key, evs in sorted(found.items()):
        if key not in by_key:
            out.append(Entity(key, PERSON, key.name, (), tuple(sorted(
                evs, key=lambda v: (v.document, v.article, v.start, v.end)))))
    return sorted(out, key=lambda e: (e.type, e.key))


def _check_components(components: Sequence[str] | None, relations: Sequence[str] | None,
                      events: Sequence[str] | None) -> None:
    """Fail before reading anything when a component name is unknown (the error lists the known)."""
    from kg.extract import get
    from kg.relate import event_components, relation_components

    for name in components or ():
        get(name)
    relation_components.resolve(relations)
    event_components.resolve(events)


def _nothing_read(sources: Sequence[str | os.PathLike[str]], out: Path, ingested: Ingested) -> NothingToBuild:
    reasons = [f"{sk.path}: {sk.reason}" for sk in ingested.skipped]
    if not reasons:
        reasons = ["no .md, .txt, .html or .jsonl file found"]
    more = f" (and {len(reasons) - 3} more)" if len(reasons) > 3 else ""
    named = ", ".join(str(x) for x in sources) or "(no source)"
    return NothingToBuild(f"nothing read from {named}: {'; '.join(reasons[:3])}{more}; {out} is left as it "
                          "was (--allow-empty builds an empty graph)", ingested.skipped)


def _fingerprint(ingested: Ingested) -> list[list[object]]:
    """What the output depends on of the sources: each document's path, content hash and
    metadata, in order, and the files and records left out (with why)."""
    docs: list[list[object]] = [["document", d.path, d.sha256, d.encoding, d.date, d.newspaper, d.edition,
                                 [list(kv) for kv in d.meta]] for d in ingested.documents]
    return docs + [["skipped", sk.path, sk.reason] for sk in ingested.skipped]


def _public(location: str) -> str:
    """A server location without its password (what a manifest may keep)."""
    from kg.remote import parse_location

    return parse_location(location).location


_SAVED = ("files", "documents", "articles", "sentences", "characters", "entities", "relations", "triples",
          "checked")


def _saved_report(report: BuildReport) -> dict[str, object]:
    """The part of a report a manifest keeps (what an unchanged build reports again)."""
    return {**{k: getattr(report, k) for k in _SAVED},
            "violations": list(report.violations), "outputs": [Path(o).name for o in report.outputs],
            "by_type": [list(x) for x in report.by_type]}


def _unchanged(out: Path, config: dict[str, object], sources: list[list[object]]) -> BuildReport | None:
    """The report of the current build of ``out`` when it was built from these sources with this
    configuration and is whole; None otherwise (the build has work to do)."""
    from kg.cache import digest, read_manifest
    from kg.output import current_generation

    gen = current_generation(out)
    manifest = read_manifest(gen)
    if gen is None or manifest is None:
        return None
    if digest(manifest.get("config")) != digest(config) or digest(manifest.get("sources")) != digest(sources):
        return None
    saved = manifest.get("report")
    try:
        assert isinstance(saved, dict)
        names = [str(n) for n in saved["outputs"]]
        if not names or not all(os.path.lexists(gen / n) for n in names):
            return None
        counts: dict[str, Any] = {k: int(saved[k]) for k in _SAVED}
        return BuildReport(**counts, violations=tuple(str(v) for v in saved["violations"]),
                           outputs=tuple(str(out / n) for n in names),
                           by_type=tuple((str(t), int(n)) for t, n in saved["by_type"]),
                           generation=str(gen), unchanged=True)
    except (AssertionError, KeyError, TypeError, ValueError):
        return None


def _parts(corpus: Corpus, light: bool = False, only: frozenset[str] | None = None,
           blocks: int = 1) -> Iterator[tuple[Graph | Triples, bool]]:
    """The graph of ``corpus`` but its corpus part (:func:`kg.rdf.corpus_part`), a part at a time:
    the documents' parts (of the documents ``only`` names: content hashes; of the first of
    ``blocks`` blocks of them, the others being mapped by `_map_block`), then the facts' (of
    those documents: `kg.rdf.fact_parts`; each with ``True``); with ``light`` as
    :class:`kg.rdf.Triples` (faster to build; nothing checks them with SHACL)."""
    from kg.rdf import document_parts, fact_parts

    block = (0, blocks) if blocks > 1 else None
    # map, not a generator expression, which would hold the last part given until the next
    return chain(map(_a_document_part, document_parts(corpus, light=light, only=only, block=block)),
                 map(_a_fact_part, fact_parts(corpus, light=light, only=only)))


#: At most this many processes map a large build's documents (`map_blocks`): the build's own
#: and the children it forks, each a block of the documents.
MAX_MAP_BLOCKS = 4


def map_blocks(jobs: int | None) -> int:
    """How many processes map a large build's documents to RDF: ``jobs`` (default: one per
    CPU), never more than the CPUs or :data:`MAX_MAP_BLOCKS`; one where no child can be forked.

    Examples
    --------
    >>> map_blocks(1)
    1
    >>> 1 <= map_blocks(None) <= MAX_MAP_BLOCKS
    True
    """
    from kg.forked import can_fork

    if not can_fork():
        return 1
    return max(1, min(jobs or _cpus(), _cpus(), MAX_MAP_BLOCKS))


@dataclass(frozen=True)
class _Mapped:
    """What a child mapped of a block of the documents (`_map_block`): kg.ttl's runs and how
    many of the store's Turtle pieces it wrote (files: `_piece_path`), its triples, and what the
    graph of entities read."""

    runs: tuple[str, ...]
    pieces: int
    triples: int
    reading: Reading | None


def _piece_path(folder: Path, block: int, k: int) -> Path:
    """The k-th Turtle piece for the store that the mapper of ``block`` writes (`_map_block`)."""
    return folder / f"block{block}-{k:06d}.ttl"


def _load_pieces(folder: Path, block: int, start: int, each: Callable[[str], None], until: int | None = None) -> int:
    """Give ``each`` the text of the pieces of ``block`` from the ``start``-th on that are there
    (up to ``until``: all those written), removing their files; the number of the next piece."""
    k = start
    while until is None or k < until:
        path = _piece_path(folder, block, k)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if until is None:
                break
            raise
        each(text)
        path.unlink()
        k += 1
    return k


def _map_block(corpus: Corpus, network: NetworkBuilder | None, folder: Path, k: int, n: int) -> _Mapped:
    """In a forked child: the k-th of n blocks of the documents' parts (`kg.rdf.document_parts`,
    light), written to kg.ttl's runs in ``folder`` and, for the store, to Turtle pieces there,
    and read by a `fresh` copy of the graph of entities' builder."""
    from kg.atomic import atomic_write
    from kg.rdf import TurtleParts, document_parts, release

    turtle = TurtleParts(folder, name=f"block{k}")
    reader = network.fresh() if network is not None else None
    pieces = triples = 0

    def piece(text: str) -> None:
        nonlocal pieces
        atomic_write(_piece_path(folder, k, pieces), text)  # whole when it appears: loaded as it comes
        pieces += 1

    with LongLived() as heap:  # as in the build's process: the collector walks each part once
        for part in document_parts(corpus, light=True, block=(k, n)):
            triples += len(part)
            if reader is not None:
                reader.add(part)
            turtle.add(part, each=piece)
            release(part)
            del part
            heap.keep()
    return _Mapped(tuple(str(p) for p in turtle.runs), pieces, triples,
                   reader.reading() if reader is not None else None)


def _a_document_part(part: Graph | Triples) -> tuple[Graph | Triples, bool]:
    return part, False


def _a_fact_part(part: Graph | Triples) -> tuple[Graph | Triples, bool]:
    return part, True


#: A build's SHACL check reads the parts of its documents up to about this many characters of
#: them (some 800 news articles): every document of a build that size or smaller, a sample of
#: that size of a larger one (`check_sample`) with the facts they give evidence for and the
#: entities they mention (4,585 articles, 5.8 million characters, checked whole: 66 s, 42 of them
#: the documents, 8 the facts, 16 the entities). ``build(check_all=True)`` (``kg build
#: --check-all``) checks everything.
CHECK_CHARS = 1_000_000
#: A large build's check is forked before its parts are mapped when it reads at least this share
#: of the build's characters, and after them otherwise. The check takes about four times as
#: long per character it reads as the analysis and the exports that follow the mapping take per
#: character of the build, so a check of more than about a quarter of the build would outlast
#: them and keep the build waiting (1,200 articles, a 62 % sample: 8.6 s); a smaller one ends
#: beside them, off the mapping's two busy cores (4,585 articles, 17 %: forked beside the
#: mapping it made that 4.7 s longer).
EARLY_CHECK_SHARE = 1 / 3


def check_sample(documents: Sequence[Document], chars: int | None = None) -> frozenset[str] | None:
    """The content hashes (`Document.sha256`) of the documents a build's SHACL check reads, or
    None for all of them: when the documents have more than ``chars`` characters (default:
    :data:`CHECK_CHARS`), those of the smallest hashes up to about ``chars`` (the same documents
    give the same sample, whatever their order or paths, and any document is as likely to be in
    it as another).

    Examples
    --------
    >>> docs = [Document(f"{k}.txt", "新闻" * 300, f"{k:064x}", "utf-8") for k in (3, 1, 2)]
    >>> check_sample(docs) is None
    True
    >>> sorted(int(h, 16) for h in check_sample(docs, chars=1000))
    [1, 2]
    """
    if chars is None:
        chars = CHECK_CHARS
    if sum(len(d.text) for d in documents) <= chars:
        return None
    picked: set[str] = set()
    size = 0
    for d in sorted(documents, key=lambda d: d.sha256):
        if size >= chars:
            break
        if d.sha256 not in picked:
            picked.add(d.sha256)
            size += len(d.text)
    return frozenset(picked)


def _checked_share(documents: Sequence[Document], sample: frozenset[str] | None, chars: int) -> float:
    """The share of the build's ``chars`` characters that a check of ``sample`` reads (1 for all).

    Examples
    --------
    >>> docs = [Document(f"{k}.txt", "新闻" * 300, f"{k:064x}", "utf-8") for k in (1, 2, 3, 4)]
    >>> _checked_share(docs, None, 2400), _checked_share(docs, check_sample(docs, chars=1000), 2400)
    (1.0, 0.5)
    """
    if sample is None or not chars:
        return 1.0
    return sum(len(d.text) for d in documents if d.sha256 in sample) / chars


def _forked_checks(corpus: Corpus, entities: Graph | Triples, sample: frozenset[str] | None,
                   jobs: int | None) -> list[Forked[list[str]]]:
    """A large build's SHACL check in `check_count` children, each on its share (`_check_parts`)."""
    shares = check_count(jobs, _resident())
    return [Forked(_check_parts, corpus, entities, k, shares, sample) for k in range(shares)]


def _check_parts(corpus: Corpus, entities: Graph | Triples, share: int = 0, shares: int = 1,
                 only: frozenset[str] | None = None) -> list[str]:
    """The SHACL violations of the graph of ``corpus`` whose corpus part is ``entities``, checked
    a part at a time (:class:`kg.rdf.PartsValidation`), sorted.

    With ``shares`` above 1 this is one of as many checks, each in a process of its own, whose
    violations together are the graph's: share 0 checks the facts' parts and the corpus part
    (it maps the documents' parts lightly, for the entities and sentences they point at, and
    checks none of them), share k ≥ 1 the k-th of the others' shares of the documents
    (:func:`kg.rdf.document_parts`). ``only`` (content hashes: `check_sample`) checks the parts
    of those documents alone, the facts they give evidence for (which may cite sentences of
    other documents: every sentence is known without mapping them) and the entities they point
    at (the corpus part without the other entities' nodes; divisions and the ontology whole).
    """
    from kg.rdf import (
        PartsValidation,
        Triples,
        document_parts,
        entity_iris,
        fact_parts,
        new_graph,
        release,
        sentence_iris,
    )

    if not 0 <= share < shares:
        raise ValueError(f"share must be in range({shares}), not {share}")
    checker = PartsValidation()
    if only is not None and share == 0:  # facts cite sentences of documents not read
        checker.note_sentences(sentence_iris(corpus))
    # each part's garbage collected once, and what the checker keeps of it (the sentences and the
    # entities the documents point at) not walked again: walking it after every part took 13 of
    # the 67 s of the check of 4,585 articles
    with LongLived() as heap:
        if shares == 1:
            parts: Iterable[tuple[Graph | Triples, bool]] = _parts(corpus, only=only)
        elif share == 0:
            for light in document_parts(corpus, light=True, only=only):
                checker.note(light)
                del light
            heap.keep()
            parts = map(_a_fact_part, fact_parts(corpus, only=only))
        else:
            parts = map(_a_document_part, document_parts(corpus, share=(share - 1, shares - 1), only=only))
        for part, facts in parts:
            _check_part(checker, part, facts)
            release(part)  # its triples freed now, not walked by the collection
            del part
            heap.keep()
    if shares > 1 and share > 0:
        return checker.found()
    if only is not None:  # the entities the sample points at, not the others
        pointed = {o for _p, o in checker.pointed}
        others = entity_iris(corpus) - pointed
        kept = new_graph()
        for t in entities:
            if t[0] not in others:
                kept.add(t)
        return checker.finish(kept)
    if isinstance(entities, Triples):  # the build's light part, as a graph for pySHACL
        entities, light_part = new_graph(), entities
        entities += light_part
    return checker.finish(entities)


def _check_part(checker: PartsValidation, part: Graph | Triples, facts: bool) -> None:
    """Check one part of `_parts` (a part of the facts' nodes or of documents)."""
    from kg.rdf import Triples

    assert not isinstance(part, Triples), "light parts are not checked"
    checker.add_facts(part) if facts else checker.add(part)


def _strict(violations: Sequence[str]) -> None:
    """Raise :class:`ValidationError` for the violations of a ``strict`` build."""
    if violations:
        raise ValidationError(f"{len(violations)} SHACL violations; first: {violations[0]}")


def _write_pages(analysis: Analysis | None, graph: nx.MultiDiGraph | None, folder: Path, view: bool) -> list[Path]:
    """The report (when there is an analysis) and the view (when asked for) of a build."""
    written = []
    if analysis is not None:
        from kg.analyze import write_report

        written.append(write_report(analysis, folder / "report.html"))
    if view:
        from kg.visualize import write_view

        view_of = analysis if analysis is not None else graph
        assert view_of is not None, "a view needs the graph of the entities"
        written.append(write_view(view_of, folder / "kg.html"))
    return written


def build(sources: Sequence[str | os.PathLike[str]] = DEFAULT_SOURCES, out: str | os.PathLike[str] = DEFAULT_OUT,
          date: str | None = None, components: Sequence[str] | None = None, progress: Progress | None = None,
          validate: bool = True, analyze: bool = True, view: bool = True, strict: bool = False,
          jobs: int | None = None, wait: bool = True, on_wait: Callable[[str], None] | None = None,
          allow_empty: bool = False, relations: Sequence[str] | None = None,
          events: Sequence[str] | None = None, full: bool = False,
          on_stage: OnStage | None = None, remote: str | None = None, executor: str | None = None,
          scheduler: str | None = None, check_all: bool = False) -> BuildReport:
    """Build the knowledge graph of ``sources`` into ``out``.

    Writes ``kg.ttl`` (sorted, byte-identical for the same input), ``ontology.ttl``, the store
    (``store/``) and, unless switched off, ``report.html`` and ``kg.html``, all into a new
    generation of ``out`` that replaces the previous build in one atomic switch at the end
    (:mod:`kg.output`): ``out`` always holds one complete build, and a build that fails or is
    interrupted leaves the previous one as it was. SHACL violations are reported (``strict``
    raises :class:`ValidationError` instead); a build of more than :data:`CHECK_CHARS`
    characters checks a sample of its documents with their facts and the entities they mention
    (`check_sample`; ``report.checked`` counts them), unless ``check_all``.

    Builds are incremental: the mentions of each document are kept in ``out/.cache``
    (:mod:`kg.cache`) and only new or changed documents are extracted again; resolution,
    relations and everything after run over all documents, so the output is the one a full
    build gives. When the sources and the configuration are those of the current build
    (its manifest), nothing is written and the report says ``unchanged``.

    Parameters
    ----------
    sources : files and folders to read; nothing under ``out`` that a build wrote is read.
    out : the output folder.
    wait : when another build is writing ``out``, wait for it (after calling ``on_wait`` with a
        message) or raise :class:`~kg.errors.OutputLocked` (``wait=False``).
    allow_empty : build an empty graph when no document was read; otherwise that raises
        :class:`~kg.errors.NothingToBuild` and ``out`` is not touched.
    components, relations, events : the extractor, relation and event components to run
        (default: the registered defaults; ``kg relations --list`` shows them).
    full : build everything again (no cached mentions, no "unchanged"); the cache is rewritten.
    on_stage : called as each stage ends with its name, its seconds and its counts.
    remote : a SPARQL server (``sparql+http://…``, :mod:`kg.remote`) that the complete build is
        published to before the switch: a server failure fails the build and ``out`` keeps the
        previous one (the next build publishes in full).
    executor, scheduler : where the documents not in the cache are extracted
        (:mod:`kg.executors`): ``"process"`` (the default: worker processes here, for a large
        build) or ``"dask"``, the cluster of the dask.distributed ``scheduler`` (an address,
        ``tcp://host:8786``), or without one a local cluster of ``jobs`` processes started for
        the build. The output is the same on any executor, and neither is part of the build's
        configuration: a build on another executor finds the cache and "unchanged" as before.
        A scheduler that cannot be reached raises :class:`~kg.errors.ExecutorError`.
    """
    from kg.analyze.graph import NetworkBuilder
    from kg.cache import build_config, extraction_config, write_manifest
    from kg.export import write_exports
    from kg.output import CACHE, clean_output, lock_output, new_generation, output_paths
    from kg.rdf import PartsValidation, Triples, TurtleParts, corpus_part, new_graph, release
    from kg.relate import event_components, relation_components
    from kg.store import Store

    with LongLived() as heap:  # what each stage leaves is kept out of later collections (kg.heap)
        t0 = time.perf_counter()
        timings: list[tuple[str, float]] = []
        mark = [t0]

        def lap(name: str, less: float = 0.0, more: float = 0.0, **counts: int) -> None:
            """The stage ``name`` ends: its time since the last, ``less`` seconds counted elsewhere
            (``more`` seconds counted here)."""
            now = time.perf_counter()
            seconds = now - mark[0] - less + more
            timings.append((name, round(seconds, 3)))
            if on_stage:
                on_stage(name, seconds, counts)
            heap.keep()  # what the stage made and kept lives on: no collection walks it again
            mark[0] = now

        files: list[str] = []

        def on_file(path: str) -> None:
            files.append(path)
            if progress:
                progress("read", len(files), 0)

        _check_components(components, relations, events)
        executors.get(executor or DEFAULT_EXECUTOR)  # an unknown name fails before anything is read
        out_dir = Path(out)
        ingested = read_sources(sources, date=date, progress=on_file, exclude=output_paths(out_dir))
        if not ingested.documents and not allow_empty:
            raise _nothing_read(sources, out_dir, ingested)
        chars = sum(len(d.text) for d in ingested.documents)
        lap("ingest", files=len(files), documents=len(ingested.documents), characters=chars)
        comps = list(components or DEFAULT_COMPONENTS)
        config = build_config(comps, [r.name for r in relation_components.resolve(relations)],
                              [e.name for e in event_components.resolve(events)], date,
                              {"validate": validate, "analyze": analyze, "view": view, "strict": strict,
                               "check_all": check_all,
                               **({"remote": _public(remote)} if remote else {})})
        fingerprint = _fingerprint(ingested)
        with lock_output(out_dir, wait=wait, on_wait=on_wait):
            lap("lock")
            same = None if full else _unchanged(out_dir, config, fingerprint)
            if same is not None:
                clean_output(out_dir)  # what killed builds left (the current build stays as it is)
                lap("check", documents=len(ingested.documents))
                return replace(same, files=len(files), skipped=ingested.skipped,
                               seconds=round(time.perf_counter() - t0, 3), timings=tuple(timings))
            cache = ExtractCache(out_dir / CACHE, extraction_config(comps), read=not full)
            with new_generation(out_dir) as gen, ExitStack() as after_extraction:
                sentences = sum(len(a.sentences) for a in ingested.articles)

                def corpus_lap(name: str) -> None:
                    if name == "extract":
                        lap(name, sentences=sentences, characters=chars, extracted=cache.misses, reused=cache.hits)
                    else:
                        lap(name)

                corpus = make_corpus(ingested, comps, progress, jobs, relations, events, cache, corpus_lap,
                                     executor, scheduler)
                if chars >= BESIDE_MIN_CHARS:  # a large build's sentences are segmented: its memory
                    release_segmenter()  # goes to the stages after (a small build keeps it for the next)
                # from here a stage's large blocks go back to the system when it is done with them (not
                # during extraction, whose models make and free large arrays sentence after sentence)
                after_extraction.enter_context(returning_large_blocks())
                # what the report says of the sources; then the corpus alone holds them, and they go with it
                n_documents, n_articles = len(ingested.documents), len(ingested.articles)
                n_sentences, skipped = sum(len(a.body) for a in ingested.articles), ingested.skipped
                del ingested
                # the graph in parts (kg.rdf): the entities, facts and ontology, then the documents a
                # part at a time, each checked, read by the analysis and written to kg.ttl's runs at once
                # a large build is checked (SHACL, a part at a time) on the other cores, by children that
                # map the parts again as rdflib graphs (kg.forked; one per core the build leaves, at least
                # one: check_count); the build maps its own lighter parts
                # (kg.rdf.Triples) for the analysis and kg.ttl; a small build checks its parts as it goes
                beside = validate and chars >= BESIDE_MIN_CHARS
                entities_part = corpus_part(corpus, facts=False, light=beside or not validate)
                by_type = Counter(e.type for e in corpus.entities)
                n_entities, n_relations = len(corpus.entities), len(corpus.relations)
                network = NetworkBuilder(entities_part, comention="sentence") if analyze or view else None
                if isinstance(entities_part, Triples):
                    entities_part.forget()  # read: what is left of it is written to kg.ttl at the end
                turtle = TurtleParts(gen.path / TURTLE_RUNS)
                whole = new_graph() if remote else None  # a server's named graphs are cut from the whole graph
                # a large build checks a sample of its documents (a small one is checked as it is mapped)
                sample = None if check_all or not beside else check_sample(corpus.documents)
                n_checked = 0 if not validate else len(corpus.documents) if sample is None \
                    else sum(d.sha256 in sample for d in corpus.documents)
                checker = PartsValidation() if validate and not beside else None
                # a large build's check, forked before the store's loader thread starts (no child
                # starts with it) when it outlasts what follows the mapping, else once the parts are loaded
                early = beside and _checked_share(corpus.documents, sample, chars) >= EARLY_CHECK_SHARE
                checks = _forked_checks(corpus, entities_part, sample, jobs) if early else []
                # a large build's documents are mapped in blocks by this process and children forked
                # now (before the loader thread starts), each writing its runs and store pieces
                blocks = map_blocks(jobs) if beside and whole is None else 1
                runs_folder = gen.path / TURTLE_RUNS
                mappers = [Forked(_map_block, corpus, network, runs_folder, k, blocks) for k in range(1, blocks)]
                loaded = [0] * len(mappers)  # of each mapper's pieces, how many are in the store's queue
                try:
                    # the store is bulk-loaded with each part's Turtle as the part is written, on a thread
                    # of its own (Oxigraph's loader releases the GIL), while the next part is mapped
                    store = after_extraction.enter_context(Store.open(gen.path / "store", create=True))
                    load = store.loader()
                    after_extraction.callback(load.abandon)  # an error: the queued parts are dropped
                    n_triples, checking = len(entities_part), 0.0
                    # each part's garbage is collected once (the build's collector runs only when told:
                    # kg.heap), and what the graph of entities keeps of it is not walked again
                    for part, facts in _parts(corpus, light=checker is None, blocks=blocks):
                        n_triples += len(part)
                        if network is not None:
                            network.add(part)
                        turtle.add(part, each=load)
                        if whole is not None:
                            whole += part
                        if checker is not None:
                            t = time.perf_counter()
                            _check_part(checker, part, facts)
                            checking += time.perf_counter() - t
                        release(part)
                        del part
                        heap.keep()  # the part's garbage collected, what the network keeps of it kept
                        for k in range(1, blocks):  # the pieces the other blocks' mappers wrote so far
                            loaded[k - 1] = _load_pieces(runs_folder, k, loaded[k - 1], load)
                    for k in range(1, blocks):  # the other blocks: runs, the rest of their pieces, readings
                        mapped = mappers.pop(0).result()  # (the job, which keeps its value, dropped)
                        n_triples += mapped.triples
                        turtle.runs.extend(Path(p) for p in mapped.runs)
                        if network is not None and mapped.reading is not None:
                            network.merge(mapped.reading)
                        _load_pieces(runs_folder, k, loaded[k - 1], load, until=mapped.pieces)
                        del mapped
                        heap.keep()
                    load.close()  # the documents' parts are in the store (before a child is forked)
                    if beside and not early:
                        # checked by children forked now, when no loader thread runs and the rdf
                        # stage's two busy threads are done, beside the analysis (one core)
                        checks = _forked_checks(corpus, entities_part, sample, jobs)
                    del corpus  # the parts are written: the corpus's memory goes to the stages after
                    lap("rdf", less=checking, triples=n_triples)
                    violations: list[str] = []
                    if checker is not None:
                        assert not isinstance(entities_part, Triples)
                        violations = checker.finish(entities_part)
                    if strict:
                        _strict(violations)
                    if not checks:
                        lap("validate", more=checking, violations=len(violations))
                    written: list[Path] = []
                    analysis = None
                    scores: list[Triples] = []  # the entities' scores, written to kg.ttl with them
                    graph_of_entities = network.network(keep=False) if network is not None else None
                    del network
                    if analyze:
                        from kg.analyze import analyze as run_analysis
                        from kg.analyze import score_triples

                        assert graph_of_entities is not None
                        analysis = run_analysis(graph_of_entities)
                        scores.append(score_triples(analysis))
                        lap("analyze")
                    # the report and the view of a large graph are written beside the exports and the store
                    pages = Forked(_write_pages, analysis, graph_of_entities, gen.path, view) \
                        if n_triples >= BESIDE_MIN_TRIPLES and (analysis is not None or view) else None
                    try:
                        with collected_by_hand() as collect:
                            # the entities and their scores are loaded while kg.ttl's runs are merged
                            with store.loader() as last:
                                turtle.add(entities_part, *scores, each=last)
                                if isinstance(entities_part, Triples):
                                    # its lookups, made to write it alone (no scores), would be
                                    # walked by every collection of the merge: 9 s on 4,585 articles
                                    entities_part.forget()
                                collect()

                                def each(piece: str) -> None:
                                    collect()  # the merge's garbage of that piece, walked once

                                written.extend(write_exports(turtle, gen.path, each=each))
                            triples = len(store)
                        store.close()
                        written.append(gen.path / "store")
                        lap("store", triples=triples)
                        written.extend(pages.result() if pages is not None
                                       else _write_pages(analysis, graph_of_entities, gen.path, view))
                    finally:
                        if pages is not None:
                            pages.cancel()
                    lap("view")
                    if checks:
                        violations = sorted(set(chain.from_iterable(c.result() for c in checks)))
                        lap("validate", more=checking, violations=len(violations))
                        if strict:
                            _strict(violations)
                finally:  # an error or Ctrl-C: the checks and the mappers stop with the build
                    for c in checks:
                        c.cancel()
                    for mapper in mappers:
                        mapper.cancel()
                report = BuildReport(
                    files=len(files), documents=n_documents, articles=n_articles, sentences=n_sentences,
                    entities=n_entities, relations=n_relations, triples=triples, skipped=skipped,
                    violations=tuple(violations), outputs=tuple(str(out_dir / p.name) for p in written),
                    by_type=tuple(sorted(by_type.items())), generation=str(gen.path), characters=chars,
                    extracted=cache.misses, reused=cache.hits, checked=n_checked)
                write_manifest(gen.path, config, fingerprint, _saved_report(report))
                if remote:  # the complete build, to the server, before the switch
                    from kg.output import current_generation
                    from kg.remote import publish

                    assert whole is not None
                    whole += entities_part
                    for extra in scores:
                        whole += extra
                    publish(whole, remote, gen.path, current_generation(out_dir))
                    lap("publish")
            cache.prune()  # the entries of documents this build no longer has
            lap("switch")
        return replace(report, seconds=round(time.perf_counter() - t0, 3), timings=tuple(timings))
