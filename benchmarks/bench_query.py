"""`kg query` latency per bundled query on a built store: in one process (`kg.sparql.run`) and as
the command a user types (`python -m kg query NAME`, interpreter start-up included).

    python benchmarks/bench_query.py STORE [STORE ...] [--runs 5]

STORE is a build's store folder (e.g. the ones `bench_build.py` leaves under
``/tmp/kg-bench-build/n*/out-j1/store``). Parameters of queries that take one are read off the
store: the person, organization and place with the most mentions, and for ``evidence`` the
person with the most ``worksFor`` facts. Prints a
Markdown table of medians (milliseconds) and row counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sparql import list_queries, run  # noqa: E402
from kg.store import Store  # noqa: E402

_TOP = """SELECT ?name (COUNT(?m) AS ?n) WHERE {{ ?e a kgo:{cls} ; rdfs:label ?name . ?m kgo:refersTo ?e }}
GROUP BY ?name ORDER BY DESC(?n) STR(?name) LIMIT 1"""


def _top(store: Store, cls: str) -> str:
    rows = list(store.query(_TOP.format(cls=cls)))
    return str(rows[0]["name"].value) if rows else ""


_EMPLOYEE = """SELECT ?name (COUNT(?o) AS ?n) WHERE { ?e a kgo:Person ; rdfs:label ?name ; kgo:worksFor ?o }
GROUP BY ?name ORDER BY DESC(?n) STR(?name) LIMIT 1"""


def parameters(store: Store) -> dict[str, dict[str, str]]:
    """The parameters each bundled query is run with on ``store``."""
    person, org, place = _top(store, "Person"), _top(store, "Organization"), _top(store, "Place")
    employees = list(store.query(_EMPLOYEE))
    employee = str(employees[0]["name"].value) if employees else person
    return {"entity": {"name": org}, "evidence": {"subject": employee, "predicate": "worksFor"},
            "orgs-by-place": {"place": place}, "cooccurrence": {"name": person}}


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| store (triples) | query | parameters | rows | in process (ms) | `kg query` command (ms) |")
    print("|---|---|---|---|---|---|")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for path in args.stores:
        with Store.open(path, read_only=True) as store:
            n = len(store)
            params = parameters(store)
            for q in list_queries():
                p = {k: v for k, v in params.get(q.name, {}).items() if any(x.name == k for x in q.params)}
                rows = len(run(store, q, **p))
                inproc = _median_ms(lambda q=q, p=p: run(store, q, **p), args.runs)
                cmd = [sys.executable, "-m", "kg", "query", q.name, "--store", path, "--format", "tsv"]
                cmd += [a for k, v in p.items() for a in ("--param", f"{k}={v}")]
                cli = _median_ms(lambda cmd=cmd: subprocess.run(cmd, env=env, capture_output=True, check=True),
                                 args.runs)
                shown = ", ".join(f"{k}={v}" for k, v in p.items()) or "—"
                print(f"| {Path(path).parent.parent.name} ({n:,}) | {q.name} | {shown} | {rows:,} | "
                      f"{inproc:,.0f} | {cli:,.0f} |", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
