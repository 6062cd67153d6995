"""Benchmark the view on a generated graph: time to write the page, its size, time until stable.

    python benchmarks/bench_view.py [--nodes 5000] [--runs 3] [--out /tmp/kg-bench]

"Stable" is the moment the page reports ``window.kgView.stable`` (physics stopped, or for large
graphs with precomputed positions, the first full drawing), measured from navigation start in
headless Chromium; the median of ``--runs`` fresh page loads is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kg.analyze import analyze, to_networkx
from kg.visualize import write_view


def _synthetic():
    """``tests/synthetic.py``: the tests' generated graphs (they conform to the shapes)."""
    path = Path(__file__).resolve().parent.parent / "tests" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


random_graph = _synthetic().random_graph


def browser_times(path: Path, runs: int) -> list[float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="kg-bench-")
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,900", f"--user-data-dir={profile}",
    ):  # fmt: skip
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(120)
    out = []
    try:
        for _ in range(runs):
            driver.get("about:blank")
            driver.get(path.resolve().as_uri())
            end = time.time() + 120
            while not driver.execute_script("return !!(window.kgView && window.kgView.stable)"):
                if time.time() > end:
                    raise TimeoutError("the page never reported stable")
                time.sleep(0.05)
            out.append(driver.execute_script("return window.kgView.stableAt") / 1000.0)  # ms since navigation
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if errors:
                raise RuntimeError(f"console errors: {errors}")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench")
    args = ap.parse_args()

    t = time.perf_counter()
    g = random_graph(args.nodes, seed=0)
    G = to_networkx(g)
    t_graph = time.perf_counter() - t
    print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, {len(g):,} triples ({t_graph:.1f} s to generate and read)")

    t = time.perf_counter()
    a = analyze(G)
    print(f"analyze (degree, betweenness sampled, PageRank, components, Louvain): {time.perf_counter() - t:.1f} s")

    writes = []
    for _ in range(args.runs):
        t = time.perf_counter()
        path = write_view(G, args.out / "kg.html")
        writes.append(time.perf_counter() - t)
    size = path.stat().st_size
    print(f"write_view (PageRank, layout, page): median {statistics.median(writes):.2f} s of {[round(w, 2) for w in writes]}")
    print(f"page size: {size / 1e6:.2f} MB")
    t = time.perf_counter()
    write_view(a, args.out / "kg-from-analysis.html")
    print(f"write_view from an Analysis (scores reused): {time.perf_counter() - t:.2f} s")

    stable = browser_times(path, args.runs)
    print(f"browser stable after: median {statistics.median(stable):.2f} s of {[round(s, 2) for s in stable]}")


if __name__ == "__main__":
    main()
