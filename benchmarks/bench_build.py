"""`kg build` at scale: characters per second per stage for 1 and 2 jobs, peak memory, and
incremental re-runs (nothing changed; 1 % of the documents changed), against the bare speed of
the default NER model and of ``jieba.lcut`` on the same text in the same run.

    python benchmarks/bench_build.py [--articles 300,1200] [--jobs 1,2] [--runs 1]
        [--corpus ../shared/corpora/news_unlabelled.jsonl] [--tmp /tmp/kg-bench-build]
        [--copies K] [--no-reruns]

``--copies 4 --articles 18340`` builds the corpus four times over, each copy's family names
rotated (other people in the same kind of news).

The first N lines of the corpus are copied to ``--tmp`` (never into the repository) and built
there, each build in a fresh process (``kg.pipeline.build``, the report and the analysis
written, no HTML view). Peak RSS is the build process's and, apart, its largest child's (an
extraction worker, a process of the relations, the SHACL check's or the view's: whichever grew
most). The build's is its ``VmHWM`` (Linux): a process that another one started inherits that
one's ``ru_maxrss`` there, so ``ru_maxrss`` would count this benchmark's own memory (the bare
model and the corpus it has read) whenever the build stays below it.
Prints a Markdown table; times are medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("ingest", "extract", "resolve", "relate", "rdf", "validate", "analyze", "store", "view")

_CHILD = r"""
import json, resource, sys, time
from kg.pipeline import build

def peak():
    # this process's own high-water mark: ru_maxrss starts at the starting process's
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

src, out, jobs, full = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
t = time.perf_counter()
r = build([src], out, jobs=jobs, view=False, full=full)
print(json.dumps({"seconds": time.perf_counter() - t, "timings": dict(r.timings), "characters": r.characters,
                  "triples": r.triples, "extracted": r.extracted, "reused": r.reused, "unchanged": r.unchanged,
                  "rss": peak(), "worker_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def run_build(src: Path, out: Path, jobs: int, full: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", _CHILD, str(src), str(out), str(jobs), "1" if full else "0"],
                       capture_output=True, text=True, env=env, check=True, cwd=str(ROOT))
    return json.loads(p.stdout.strip().splitlines()[-1])


def median_run(src: Path, out: Path, jobs: int, full: bool, runs: int, fresh: bool) -> dict:
    found = []
    for _ in range(runs):
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        found.append(run_build(src, out, jobs, full))
    found.sort(key=lambda r: r["seconds"])
    best = found[len(found) // 2]
    best["timings"] = {k: statistics.median(r["timings"].get(k, 0.0) for r in found) for k in best["timings"]}
    return best


def bare_speeds(src: Path) -> tuple[float, float, int]:
    """Characters per second of the default NER model alone (batches of one document's
    sentences, as a build gives them) and of ``jieba.lcut``, on the build's sentences."""
    sys.path.insert(0, str(ROOT))
    import jieba

    from kg.extract import get
    from kg.ingest import read_sources
    from kg.ingest.simplify import model_text

    ing = read_sources([src])
    reads = {d.path: model_text(d) for d in ing.documents}
    per_doc: dict[str, list[str]] = {}
    for a in ing.articles:
        per_doc.setdefault(a.document, []).extend(reads[a.document](s.text) for s in a.sentences)
    chars = sum(len(t) for ts in per_doc.values() for t in ts)
    ner = get("ner")
    ner.batch(["海河市总工会主席林晓峰说。"])  # type: ignore[attr-defined]
    t = time.perf_counter()
    for ts in per_doc.values():
        ner.batch(ts)  # type: ignore[attr-defined]
    ner_speed = chars / (time.perf_counter() - t)
    jieba.lcut("海河市总工会")
    t = time.perf_counter()
    for ts in per_doc.values():
        for s in ts:
            jieba.lcut(s)
    return ner_speed, chars / (time.perf_counter() - t), chars


def change_some(src: Path, dest: Path, share: float) -> int:
    """``src`` with ``share`` of its records changed (a sentence added to their text)."""
    lines = src.read_text(encoding="utf-8").splitlines()
    step = max(1, round(1 / share))
    n = 0
    out = []
    for i, line in enumerate(lines):
        if i % step == 0:
            rec = json.loads(line)
            rec["text"] += "\n海河市总工会主席林晓峰出席了活动。"
            line = json.dumps(rec, ensure_ascii=False)
            n += 1
        out.append(line)
    dest.write_text("\n".join(out) + "\n", encoding="utf-8")
    return n


#: Family names rotated to make the copies of ``--copies`` name other people (those that are
#: seldom an ordinary word: not 周, 金, 华, 陈 …).
_SURNAMES = "赵钱孙李吴郑冯褚卫蒋沈韩杨朱秦尤许吕施孔曹严魏陶姜"


def renamed(lines: list[str], copy: int) -> list[str]:
    """The records ``lines`` with their family names rotated by ``copy`` places, so that copy
    ``k`` reports the same kind of news about other people (and is another document)."""
    table = str.maketrans(_SURNAMES, _SURNAMES[copy % len(_SURNAMES):] + _SURNAMES[:copy % len(_SURNAMES)])
    out = []
    for line in lines:
        rec = json.loads(line)
        for field in ("title", "text"):
            if isinstance(rec.get(field), str):
                rec[field] = rec[field].translate(table)
        out.append(json.dumps(rec, ensure_ascii=False))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", default="300,1200")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--copies", type=int, default=1,
                    help="the corpus this many times, each copy with other family names (for --articles beyond it)")
    ap.add_argument("--no-reruns", action="store_true", help="full builds only (no unchanged / 1 %% changed re-runs)")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "news_unlabelled.jsonl"))
    ap.add_argument("--tmp", default="/tmp/kg-bench-build")
    args = ap.parse_args()
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    corpus = Path(args.corpus).read_text(encoding="utf-8").splitlines()
    base_corpus = list(corpus)
    for k in range(1, args.copies):  # the corpus again, with other names
        corpus += renamed(base_corpus, k)
    print(f"load before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    rows = []
    for n in (int(x) for x in args.articles.split(",")):
        folder = tmp / f"n{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        src = folder / "news.jsonl"
        src.write_text("\n".join(corpus[:n]) + "\n", encoding="utf-8")
        ner, lcut, chars = bare_speeds(src)
        rows.append(f"| {n} | bare `ner` model | {ner:,.0f} chars/s | `jieba.lcut` {lcut:,.0f} chars/s "
                    f"({chars:,} sentence characters) |")
        base = None
        one_job: float | None = None
        for jobs in (int(x) for x in args.jobs.split(",")):
            out = folder / f"out-j{jobs}"
            r = median_run(src, out, jobs, True, args.runs, fresh=True)
            t = r["timings"]
            per = ", ".join(f"{k} {t[k]:.1f} s ({r['characters'] / t[k]:,.0f}/s)" for k in STAGES if t.get(k))
            if jobs == 1:
                base = t["extract"]
                one_job = r["seconds"]
            speedup = f"; extract ×{base / t['extract']:.2f} of one job" if base and jobs > 1 else ""
            rows.append(f"| {n} | full, --jobs {jobs} | {r['seconds']:.1f} s, {r['characters'] / r['seconds']:,.0f} "
                        f"chars/s; {r['triples']:,} triples; peak RSS {r['rss'] / 2**30:.2f} GB "
                        f"(largest child {r['worker_rss'] / 2**30:.2f} GB) | {per}{speedup} |")
            print(rows[-1], file=sys.stderr)
        if args.no_reruns:
            continue
        out = folder / "out-j1"
        # the re-runs start from the one-job build above (or a new one when it was not run)
        full_s = one_job if one_job is not None else run_build(src, out, 1, True)["seconds"]
        r = median_run(src, out, 1, False, args.runs, fresh=False)
        rows.append(f"| {n} | re-run, nothing changed | {r['seconds']:.2f} s ({100 * r['seconds'] / full_s:.1f} % "
                    f"of the full {full_s:.1f} s); unchanged={r['unchanged']} | |")
        changed = change_some(src, folder / "news-changed.jsonl", 0.01)
        shutil.copy(folder / "news-changed.jsonl", src)
        r = run_build(src, out, 1, False)
        t = r["timings"]
        per = ", ".join(f"{k} {t[k]:.1f} s" for k in STAGES if t.get(k))
        rows.append(f"| {n} | re-run, {changed} documents (1 %) changed | {r['seconds']:.1f} s "
                    f"({100 * r['seconds'] / full_s:.0f} % of full); extracted {r['extracted']}, reused {r['reused']} "
                    f"| {per} |")
        print(rows[-1], file=sys.stderr)
    print(f"load after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| articles | build | whole | per stage (characters/s) |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
