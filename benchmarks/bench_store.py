"""Benchmark the RDF store: bulk load and queries on a generated graph (not a test).

    python benchmarks/bench_store.py [--triples 1000000] [--runs 3] [--page FILE]

Generates N-Triples shaped like a kg build (people, organizations, places, facts with
provenance, sentences) with invented names, then measures (median of ``--runs``):

* Oxigraph bulk load of the file into a fresh on-disk store (``Store.load_file``);
* a GROUP BY query (people per organization) and the bundled ``stats`` query;
* for a 100k-triple slice: ``Store.replace`` from an rdflib graph and canonical Turtle.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.ns import KGO, NIF, PROV, RDF, RDFS, XSD, resource  # noqa: E402
from kg.rdf import canonical_turtle, new_graph  # noqa: E402
from kg.sparql import run  # noqa: E402
from kg.store import Store  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


def _lit(s: str, dt=None) -> str:
    return f'"{s}"' + (f"^^<{dt}>" if dt else "")


def generate(path: Path, triples: int) -> int:
    """Write about ``triples`` N-Triples lines; return the exact count."""
    n_people = max(1, triples * 50 // 951)  # 19 triples a person, 1 an article of 50
    n_orgs = max(1, n_people // 20)
    n_places = max(1, n_orgs // 10)
    t_ = f"<{RDF.type}>"
    label = f"<{RDFS.label}>"
    count = 0
    with path.open("w", encoding="utf-8") as fh:

        def w(s: str, p: str, o: str) -> None:
            nonlocal count
            fh.write(f"{s} {p} {o} .\n")
            count += 1

        for i in range(n_places):
            pl = f"<{resource('place', f'第{i}市')}>"
            w(pl, t_, f"<{KGO.Place}>")
            w(pl, label, _lit(f"第{i}市"))
            if i:
                w(pl, f"<{KGO.locatedIn}>", f"<{resource('place', f'第{i // 10}市')}>")
        for i in range(n_orgs):
            org = f"<{resource('organization', f'第{i}有限公司')}>"
            w(org, t_, f"<{KGO.Organization}>")
            w(org, label, _lit(f"第{i}有限公司"))
            w(org, f"<{KGO.locatedIn}>", f"<{resource('place', f'第{i % n_places}市')}>")
        for i in range(n_people):
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 30) % len(GIVEN)] + str(i)
            p = f"<{resource('person', name)}>"
            org = f"<{resource('organization', f'第{(i * 7) % n_orgs}有限公司')}>"
            sent = f"<{resource('article', '0123456789ab', str(i // 50), f's{i % 50}')}>"
            fact = f"<{resource('fact', f'{i:016x}')}>"
            art = f"<{resource('article', '0123456789ab', str(i // 50))}>"
            if i % 50 == 0:
                w(art, t_, f"<{KGO.Article}>")
            w(p, t_, f"<{KGO.Person}>")
            w(p, label, _lit(name))
            w(p, f"<{KGO.worksFor}>", org)
            w(p, f"<{KGO.jobTitle}>", _lit("工程师"))
            w(fact, t_, f"<{KGO.Fact}>")
            w(fact, f"<{RDF.subject}>", p)
            w(fact, f"<{RDF.predicate}>", f"<{KGO.worksFor}>")
            w(fact, f"<{RDF.object}>", org)
            w(fact, f"<{KGO.confidence}>", _lit(f"0.{(i % 9) + 1}", XSD.decimal))
            w(fact, f"<{PROV.wasDerivedFrom}>", sent)
            w(sent, t_, f"<{KGO.Sentence}>")
            w(sent, f"<{NIF.beginIndex}>", _lit(str(i * 10), XSD.nonNegativeInteger))
            w(sent, f"<{NIF.endIndex}>", _lit(str(i * 10 + 9), XSD.nonNegativeInteger))
            w(sent, f"<{NIF.anchorOf}>", _lit(f"{name}在第{(i * 7) % n_orgs}有限公司工作。"))
            w(sent, f"<{KGO.inArticle}>", art)
            w(art, f"<{KGO.mentions}>", p)
            w(sent, f"<{KGO.sourceFile}>", _lit("source/generated.txt"))
            w(sent, f"<{KGO.sentenceIndex}>", _lit(str(i % 50), XSD.nonNegativeInteger))
            w(p, f"<{KGO.confidence}>", _lit("0.9", XSD.decimal))
    return count


def reference_page(path: str) -> None:
    """Triples, SHACL and time for one real page: ingest → extract → (naive) entities → RDF.

    Entities are grouped by type and surface text (no alias resolution, no relations): the
    resolve stage is not used here, so this measures the RDF stage on real articles only.
    """
    from kg.extract import extract
    from kg.ingest import read_sources
    from kg.model import Corpus, Entity, Evidence
    from kg.rdf import corpus_to_graph, validate

    t0 = time.perf_counter()
    ing = read_sources([path])
    t1 = time.perf_counter()
    found: dict[tuple[str, str], list[Evidence]] = {}
    for art in ing.articles:
        doc = next(d for d in ing.documents if d.path == art.document or d.sha256 == art.document)
        for s in art.sentences:
            for m in extract(s.text):
                a, b = s.source_span(m.start, m.end)
                found.setdefault((m.type, m.text), []).append(
                    Evidence(art.document, art.id, s.index, a, b, doc.text[a:b])
                )
    entities = tuple(
        Entity(f"{t}/{name}", t, name, mentions=tuple(evs)) for (t, name), evs in sorted(found.items())
    )
    t2 = time.perf_counter()
    corpus = Corpus(ing.documents, ing.articles, entities, ())
    g = corpus_to_graph(corpus)
    t3 = time.perf_counter()
    problems = validate(g)
    t4 = time.perf_counter()
    text = canonical_turtle(g)
    t5 = time.perf_counter()
    same = canonical_turtle(corpus_to_graph(corpus)) == text
    print(
        f"reference page {path}: {len(ing.articles)} articles, {ing.sentences} sentences, "
        f"{len(entities)} entities → {len(g):,} triples (with the ontology)\n"
        f"  ingest {t1 - t0:.2f} s, extract {t2 - t1:.2f} s, map to RDF {t3 - t2:.2f} s, "
        f"SHACL {t4 - t3:.2f} s ({len(problems)} violations), Turtle {t5 - t4:.2f} s "
        f"({len(text) / 1e3:.0f} kB, byte-identical on a second run: {same})"
    )


GROUP_BY = """
SELECT ?org (COUNT(?p) AS ?people) WHERE { ?p kgo:worksFor ?org }
GROUP BY ?org ORDER BY DESC(?people) ?org LIMIT 10
"""


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--page", help="also measure one real page (e.g. source/workers-daily-front-page.txt)")
    args = ap.parse_args()
    if args.page:
        reference_page(args.page)
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        nt = tmp / "gen.nt"
        t0 = time.perf_counter()
        n = generate(nt, args.triples)
        print(
            f"generated {n:,} triples ({nt.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )

        opened: list[Store] = []

        def load() -> Store:
            while opened:
                opened.pop().close()
            d = tmp / "store"
            shutil.rmtree(d, ignore_errors=True)
            st = Store.open(d, create=True)
            st.load_file(nt)
            opened.append(st)
            return st

        sec, st = timed(load, args.runs)
        assert isinstance(st, Store)
        print(f"bulk load into on-disk store: {sec:.2f} s (median of {args.runs}); {len(st):,} quads")
        sec, table = timed(lambda: run(st, GROUP_BY), max(5, args.runs))
        print(f"GROUP BY people per organization: {sec * 1000:.0f} ms (median); top {table.values()[0]}")
        sec, table = timed(lambda: run(st, "stats"), max(5, args.runs))
        print(f"bundled query 'stats': {sec * 1000:.0f} ms (median); {len(table)} rows")
        sec, table = timed(lambda: run(st, "low-confidence", threshold="0.2"), args.runs)
        print(f"bundled query 'low-confidence' (threshold 0.2): {sec * 1000:.0f} ms; {len(table):,} rows")
        st.close()

        # rdflib side, on a 100k slice
        g = new_graph()
        g.parse(data="".join(nt.open(encoding="utf-8").readlines()[:100_000]), format="nt")
        sec, _ = timed(lambda: Store.memory().replace(g), args.runs)
        print(f"Store.replace(rdflib graph of {len(g):,} triples): {sec:.2f} s")
        sec, text = timed(lambda: canonical_turtle(g), args.runs)
        print(f"canonical_turtle of {len(g):,} triples: {sec:.2f} s ({len(text) / 1e6:.1f} MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
