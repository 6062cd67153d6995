"""Load on ``kg serve``: requests per second and latency of a simple SELECT over loopback.

For each graph — the bundled sample's build (the reference graph) and a generated one of about
``--triples`` triples (``generate`` of ``benchmarks/bench_store.py``: people, organizations,
places, facts with provenance and sentences; bulk-loaded into a store in a temporary folder,
nothing is kept) — it starts ``kg serve`` as a process of its own on a free loopback port, then
this process sends ``--requests`` GET requests from ``--concurrency`` threads (one keep-alive
connection each) and reports requests per second and the median and 95th percentile latency.

    python benchmarks/bench_serve.py [--triples 1000000] [--requests 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SELECT = "SELECT ?p ?name WHERE { ?p a kgo:Person ; rdfs:label ?name } LIMIT 10"


def _bench_store():  # noqa: ANN202 - the module
    spec = importlib.util.spec_from_file_location("bench_store", Path(__file__).with_name("bench_store.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _kg(*args: str, **kw) -> subprocess.Popen:  # noqa: ANN003
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "kg", *args], env=env, **kw)


def reference_store(tmp: Path) -> Path:
    out = tmp / "reference"
    if _kg("build", str(ROOT / "source"), "--out", str(out), "-q", "--no-view").wait() != 0:
        raise SystemExit("kg build failed")
    return out / "store"


def generated_store(tmp: Path, triples: int) -> tuple[Path, int]:
    from kg.store import Store

    nt = tmp / "generated.nt"
    n = _bench_store().generate(nt, triples)
    with Store.open(tmp / "generated", create=True) as st:
        st.load_file(nt)
    nt.unlink()
    return tmp / "generated", n


def load(host: str, port: int, requests: int, concurrency: int, query: str) -> dict[str, float]:
    """Send ``requests`` GETs of ``query`` from ``concurrency`` threads; the figures."""
    path = "/sparql?" + urlencode({"query": query})
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    left = [requests]

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            t = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            r = conn.getresponse()
            body = r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200 or not json.loads(body)["results"]["bindings"]:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    for _ in range(min(20, requests)):  # warm the workers (store opened, caches)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[max(0, int(0.95 * len(latencies)) - 1)]}


def serve_and_load(store: Path, args: argparse.Namespace) -> dict[str, float]:
    proc = _kg("serve", "--store", str(store), "--port", "0", "-q", "--timeout", "30",
               *(["--workers", str(args.workers)] if args.workers else []), stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        m = re.search(r"http://([\d.]+):(\d+)/", line)
        if not m:
            raise SystemExit(f"kg serve did not start: {line}{proc.stderr.read()}")
        return load(m.group(1), int(m.group(2)), args.requests, args.concurrency, SELECT)
    finally:
        proc.terminate()
        proc.wait(15)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the generated graph")
    ap.add_argument("--requests", type=int, default=2000, help="requests per graph")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads")
    ap.add_argument("--workers", type=int, help="kg serve --workers [default: its own]")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        graphs = [("reference (sample build)", reference_store(tmp), None)]
        t = time.perf_counter()
        store, n = generated_store(tmp, args.triples)
        print(f"generated and loaded {n:,} triples in {time.perf_counter() - t:.1f} s")
        graphs.append((f"generated, {n:,} triples", store, n))
        print(f"{args.requests} requests, {args.concurrency} concurrent, query: {SELECT}")
        print("| graph | requests/s | p50 | p95 | errors |\n|---|---|---|---|---|")
        for name, path, _ in graphs:
            r = serve_and_load(path, args)
            print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['errors']:.0f} |",
                  flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
